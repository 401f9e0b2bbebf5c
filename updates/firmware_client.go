package updates

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata/updater"
)

// Files under STATE/firmware/: written by `sapar update` (user sapar) up to
// pending.deb, read and consumed by `sapar firmware install` (root, from
// sapar-firmware.path watching pending.deb).
const (
	FirmwareDir     = "firmware"
	PendingDeb      = "pending.deb"    // staged, verified package; its arrival starts the installer
	PendingInfo     = "pending.json"   // FirmwareStaged for pending.deb
	installingDeb   = "installing.deb" // taken over by the installer (resumed after a power cut)
	installingInfo  = "installing.json"
	InstalledDeb    = "installed.deb" // the package the installer last installed successfully
	PreviousDeb     = "previous.deb"  // the one before it: what a failed install rolls back to
	BadVersionsFile = "bad"           // versions that failed on this kiosk, one a line: never retried
	ResultFile      = "result.json"   // the installer's last FirmwareInstallResult
)

// FirmwareConfig turns on firmware updates in a Client.
type FirmwareConfig struct {
	// Arch is the Debian architecture to take; "": HostArch().
	Arch string
	// Installed returns the installed version of the sapar package
	// (dpkg-query); an error turns firmware updates off for the cycle.
	Installed func() (string, error)
	// MaxBytes caps the package download; 0: 256 MB. The signed length
	// is enforced anyway; this bounds what a targets key may claim.
	MaxBytes int64
}

// FirmwareStaged describes pending.deb.
type FirmwareStaged struct {
	Version string    `json:"version"`
	Arch    string    `json:"arch"`
	Package string    `json:"package"`
	SHA256  string    `json:"sha256"`
	Length  int64     `json:"length"`
	Staged  time.Time `json:"staged"`
}

// FirmwareOutcome is what a cycle did about firmware.
type FirmwareOutcome struct {
	Checked   bool   `json:"checked"`
	Arch      string `json:"arch,omitempty"`
	Installed string `json:"installed,omitempty"` // version installed when checked
	Available string `json:"available,omitempty"` // version published for the arch
	Rollout   int    `json:"rollout,omitempty"`   // its rollout percentage
	Staged    string `json:"staged,omitempty"`    // version handed to the installer this cycle
	Note      string `json:"note,omitempty"`      // why nothing was staged
	Error     string `json:"error,omitempty"`     // download or verification refused
}

func (c *Client) cohort() Cohort {
	if c.Cohort == nil {
		return Cohort{Bucket: 99, Group: CohortLate}
	}
	return *c.Cohort
}

func orNothing(v string) string {
	if v == "" {
		return "nothing"
	}
	return v
}

func firmwarePath(state, name string) string { return filepath.Join(state, FirmwareDir, name) }

// BadVersions lists the firmware versions marked bad on this kiosk.
func BadVersions(state string) []string {
	raw, err := os.ReadFile(firmwarePath(state, BadVersionsFile))
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range strings.Split(string(raw), "\n") {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// ReadStaged reads pending.json ("" version if nothing is staged).
func ReadStaged(state string) (FirmwareStaged, error) {
	var st FirmwareStaged
	raw, err := os.ReadFile(firmwarePath(state, PendingInfo))
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal(raw, &st)
}

func sha256File(name string) (string, int64, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// firmware stages a newer firmware package for this kiosk's architecture
// when it is inside the rollout, not marked bad and not already staged. A
// missing or older package is a note, not an error; a package that fails
// verification is an error (the next source is tried).
func (c *Client) firmware(s source, up *updater.Updater, res *Result) error {
	res.Cohort = c.cohort()
	if c.Firmware == nil {
		return nil
	}
	fw := &res.Firmware
	fw.Checked = true
	fw.Arch = c.Firmware.Arch
	if fw.Arch == "" {
		fw.Arch = HostArch()
	}
	note := func(f string, a ...any) error {
		fw.Note = fmt.Sprintf(f, a...)
		c.logf("firmware: %s", fw.Note)
		return nil
	}
	if c.Firmware.Installed == nil {
		return note("installed version unknown: firmware updates off")
	}
	inst, err := c.Firmware.Installed()
	if err != nil {
		return note("installed version unknown (%v): firmware updates off", err)
	}
	fw.Installed = inst
	name := FirmwareTarget(fw.Arch)
	tf, err := up.GetTargetInfo(name)
	if err != nil {
		return note("no firmware published for %s", fw.Arch)
	}
	m := targetMeta(tf)
	fw.Available, fw.Rollout = m.Version, m.Percent()
	if m.Arch != fw.Arch || m.Package != FirmwarePackage || m.Kind != "firmware" {
		return fmt.Errorf("signed firmware target %s describes package %q for %q: refused", name, m.Package, m.Arch)
	}
	cmp, err := CompareDebVersions(m.Version, inst)
	if err != nil {
		return fmt.Errorf("firmware: %w", err)
	}
	if cmp <= 0 {
		if cmp < 0 {
			return note("published %s is older than installed %s: downgrade refused", m.Version, inst)
		}
		return note("%s is current", inst)
	}
	if slices.Contains(BadVersions(c.StateDir), m.Version) {
		return note("%s failed its health check on this kiosk before (marked bad): not retried, waiting for a newer version", m.Version)
	}
	if co := c.cohort(); !co.Takes(m.Percent()) {
		return note("%s is rolled out to %d%% of kiosks; this one (bucket %d, cohort %s) keeps %s", m.Version, m.Percent(), co.Bucket, co.Name(), inst)
	}
	want := hex.EncodeToString(tf.Hashes["sha256"])
	if st, err := ReadStaged(c.StateDir); err == nil && st.SHA256 == want {
		if sum, _, err := sha256File(firmwarePath(c.StateDir, PendingDeb)); err == nil && sum == want {
			return note("%s is staged, waiting for the installer (sapar-firmware.service)", m.Version)
		}
	}
	// The installer took it over (pending.deb → installing.deb) and is
	// still at it: dpkg-query says the old version until it is done, and
	// staging it again would start a second, refused install afterwards.
	var in installing
	if raw, err := os.ReadFile(firmwarePath(c.StateDir, installingInfo)); err == nil && json.Unmarshal(raw, &in) == nil && in.SHA256 == want {
		if _, err := os.Stat(firmwarePath(c.StateDir, installingDeb)); err == nil {
			return note("%s is being installed (sapar-firmware.service)", m.Version)
		}
	}
	dir := filepath.Join(c.StateDir, FirmwareDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("firmware: %w", err)
	}
	max := c.Firmware.MaxBytes
	if max == 0 {
		max = 256 << 20
	}
	defer withMaxBytes(s, max)()
	tmp := filepath.Join(dir, ".download.deb")
	os.Remove(tmp)
	if _, _, err := up.DownloadTarget(tf, tmp, ""); err != nil {
		return fmt.Errorf("download firmware %s: %w", m.Version, explain(err))
	}
	defer os.Remove(tmp)
	info, err := ReadDebInfo(tmp)
	if err != nil {
		return fmt.Errorf("firmware %s: signed target is not an installable package: %w", m.Version, err)
	}
	if info.Version != m.Version || info.Architecture != fw.Arch || info.Package != FirmwarePackage {
		return fmt.Errorf("firmware: package says %s %s %s, its signed metadata %s %s %s: refused", info.Package, info.Version, info.Architecture, m.Package, m.Version, m.Arch)
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("firmware: %w", err)
	}
	staged := FirmwareStaged{Version: m.Version, Arch: fw.Arch, Package: FirmwarePackage, SHA256: want, Length: tf.Length, Staged: c.now().UTC()}
	raw, _ := json.MarshalIndent(staged, "", "  ")
	// pending.json first, pending.deb last: its arrival starts the installer.
	if err := writeFileSynced(firmwarePath(c.StateDir, PendingInfo), append(raw, '\n'), 0o644); err != nil {
		return fmt.Errorf("firmware: %w", err)
	}
	if err := os.Rename(tmp, firmwarePath(c.StateDir, PendingDeb)); err != nil {
		return fmt.Errorf("firmware: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("firmware: %w", err)
	}
	fw.Staged = m.Version
	c.logf("firmware: staged %s %s for %s (%d bytes; was %s); sapar-firmware.service installs it", FirmwarePackage, m.Version, fw.Arch, tf.Length, inst)
	return nil
}

// withMaxBytes raises the source fetcher's per-file cap for one download
// (a firmware package is larger than any content object) and returns the
// function that restores it.
func withMaxBytes(s source, n int64) func() {
	switch f := s.fetcher.(type) {
	case *HTTPFetcher:
		old := f.Limits.MaxBytes
		f.Limits.MaxBytes = n
		return func() { f.Limits.MaxBytes = old }
	case *DirFetcher:
		old := f.MaxBytes
		f.MaxBytes = n
		return func() { f.MaxBytes = old }
	}
	return func() {}
}
