package doctor

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"go.bug.st/serial"
	"golang.org/x/sys/unix"

	"sapar/provisioning"
	"sapar/provisioning/techtext"
)

// Status of one check.
type Status string

const (
	Pass Status = "pass"
	Warn Status = "warn"
	Fail Status = "fail"
)

// Result of one check. Message and Fix are English (what `sapar doctor
// --json` always said); Text and Hint are the same as keyed messages with
// their arguments (techtext), which In renders in a technician language.
type Result struct {
	Check   string        `json:"check"`
	Status  Status        `json:"status"`
	Message string        `json:"message"`
	Fix     string        `json:"fix,omitempty"`
	Text    techtext.Msg  `json:"text"`
	Hint    *techtext.Msg `json:"hint,omitempty"`
}

// In is the result with Message and Fix in lang (a techtext language).
func (r Result) In(lang string) Result {
	r.Message = techtext.Format(lang, r.Text)
	if r.Hint != nil {
		r.Fix = techtext.Format(lang, *r.Hint)
	}
	return r
}

// Report is the outcome of Run.
type Report struct {
	DeviceID string   `json:"device_id,omitempty"`
	KioskID  string   `json:"kiosk_id,omitempty"`
	Results  []Result `json:"results"`
}

// In is the report with every message in lang.
func (r Report) In(lang string) Report {
	out := r
	out.Results = make([]Result, len(r.Results))
	for i, x := range r.Results {
		out.Results[i] = x.In(lang)
	}
	return out
}

// Failed reports whether any check failed (`sapar doctor` exits 1).
func (r Report) Failed() bool {
	for _, x := range r.Results {
		if x.Status == Fail {
			return true
		}
	}
	return false
}

// Env is everything the checks touch.
type Env struct {
	// Root prefixes system paths (/dev, /proc, /sys, /usr): "/" on a kiosk,
	// a temp dir in tests. The state dir is used as given.
	Root     string
	StateDir string
	Now      func() time.Time
	// BuildTime is a time the clock cannot be before: the build of this firmware.
	BuildTime time.Time
	HTTP      *http.Client
	LookPath  func(string) (string, error)
	Getenv    func(string) string
	Getuid    func() int
	// OpenSerial opens a serial device (go.bug.st/serial on a kiosk).
	OpenSerial func(path string, baud int) (io.Closer, error)
	// DiskUsage reports free and total bytes of the filesystem holding path.
	DiskUsage func(path string) (free, total uint64, err error)
	// Timeout bounds each network probe.
	Timeout time.Duration
}

// DefaultBuildTime is the earliest time a sane clock can show: the release
// this firmware belongs to. A Raspberry Pi without network boots in 1970.
var defaultBuildTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// DefaultEnv is the real machine.
func DefaultEnv(stateDir string) Env {
	return Env{
		Root:      "/",
		StateDir:  stateDir,
		Now:       time.Now,
		BuildTime: defaultBuildTime,
		HTTP:      &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		LookPath:  exec.LookPath,
		Getenv:    os.Getenv,
		Getuid:    os.Getuid,
		OpenSerial: func(path string, baud int) (io.Closer, error) {
			return serial.Open(path, &serial.Mode{BaudRate: baud})
		},
		DiskUsage: func(path string) (uint64, uint64, error) {
			var s unix.Statfs_t
			if err := unix.Statfs(path, &s); err != nil {
				return 0, 0, err
			}
			return s.Bavail * uint64(s.Bsize), s.Blocks * uint64(s.Bsize), nil
		},
		Timeout: 5 * time.Second,
	}
}

func (e *Env) path(p string) string { return filepath.Join(e.Root, filepath.FromSlash(p)) }

// Check is one named check. State is nil when the kiosk is not provisioned.
type Check struct {
	Name string
	Run  func(ctx context.Context, e *Env, st *provisioning.State) Result
}

// Checks lists every check in the order a technician reads them.
func Checks() []Check {
	return []Check{
		{"provisioning", checkProvisioning},
		{"permissions", checkPermissions},
		{"clock", checkClock},
		{"disk", checkDisk},
		{"printer", checkPrinter},
		{"display", checkDisplay},
		{"content", checkContent},
		{"updates", checkUpdates},
		{"firmware", checkFirmware},
		{"maintenance", checkMaintenance},
		{"network", checkNetwork},
		{"speech", checkSpeech},
		{"fleet", checkFleet},
	}
}

// Run runs all checks; a check never stops the others.
func Run(ctx context.Context, e Env) Report {
	st, err := provisioning.ReadUnverified(e.StateDir)
	if err != nil {
		st = nil
	}
	var rep Report
	if st != nil {
		rep.DeviceID = st.DeviceID
		if st.Config != nil {
			rep.KioskID = st.Config.Kiosk.ID
		}
	}
	for _, c := range Checks() {
		r := c.Run(ctx, &e, st)
		r.Check = c.Name
		rep.Results = append(rep.Results, r)
	}
	return rep
}

func pass(msg techtext.Msg) Result      { return result(Pass, msg, techtext.Msg{}) }
func warn(msg, fix techtext.Msg) Result { return result(Warn, msg, fix) }
func fail(msg, fix techtext.Msg) Result { return result(Fail, msg, fix) }

func result(s Status, msg, fix techtext.Msg) Result {
	r := Result{Status: s, Text: msg}
	if !fix.IsZero() {
		r.Hint = &fix
	}
	return r.In("en")
}

// m is techtext.M: a message key and its arguments as name, value pairs.
func m(key string, kv ...any) techtext.Msg { return techtext.M(key, kv...) }
func isNotExist(err error) bool            { return errors.Is(err, os.ErrNotExist) }
