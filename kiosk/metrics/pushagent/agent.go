// Package pushagent runs the kiosk's fleet push agent: vmagent (Debian
// victoria-metrics, /usr/bin/vmagent) scraping the kiosk's loopback
// /metrics and pushing it with the Prometheus remote-write protocol to the
// MRC's fleet database, every series labelled with the kiosk's id, city and
// place kind, buffered on disk under STATE/fleet/buffer while the link is
// down. It supervises the agent: one log line when the link fails (with
// the agent's reason) and one when it is back, and STATE/fleet/status.json
// for `sapar doctor`.
//
// It must not serve anything beyond loopback, never put a credential on a
// command line (token and password stay in their files), and never write
// the SD card on every push: status.json changes only when the link does.
package pushagent

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"sapar/content/atomicfile"
	"sapar/provisioning"
)

// DefaultVmagent is where Debian's victoria-metrics package puts vmagent.
const DefaultVmagent = "/usr/bin/vmagent"

// Options configure one push agent.
type Options struct {
	StateDir string
	Fleet    provisioning.Fleet
	// Labels put on every series: kiosk, city, place (ExternalLabels).
	Labels map[string]string
	// Target is the kiosk's loopback UI address to scrape ("127.0.0.1:8080").
	Target string
	// Vmagent is the agent binary (DefaultVmagent).
	Vmagent string
	// Listen is the agent's own HTTP address (provisioning.FleetAgentAddr).
	Listen string
	// Extra vmagent flags (tests: shorter retry); nil in production.
	Extra []string
	Log   *slog.Logger
	Now   func() time.Time
}

// ExternalLabels are the labels every series of this kiosk carries.
func ExternalLabels(cfg *provisioning.Config) map[string]string {
	return map[string]string{"kiosk": cfg.Kiosk.ID, "city": cfg.Place.City, "place": cfg.Place.Kind}
}

// Keep is the metrics pushed: the kiosk's own and a few of the Go and
// process collectors' (memory, CPU, restarts), so a day stays near 1 MB.
const Keep = `sapar_.+|process_(resident_memory_bytes|start_time_seconds)`

// Drop is what the fleet can compute itself or does not need, and costs a
// sample every scrape: ages (the database has time() and the timestamps)
// and the request counter (bumped by the agent's own scrapes); sapar_kiosk_in_use says
// what the fleet needs of the time since the last tap.
const Drop = `sapar_(content_age_seconds|update_last_success_age_seconds|last_interaction_age_seconds|http_requests_total)`

// Dir is the agent's directory in the state dir.
func Dir(state string) string { return provisioning.FleetAgentDir(state) }

// RelabelConfig is the agent's -remoteWrite.relabelConfig: the series
// vmagent makes itself for each scrape (scrape_duration_seconds, …) cost
// bytes and say nothing the kiosk's own series do not; "up" stays.
func RelabelConfig() []byte {
	return []byte(`# Written by sapar push-metrics at each start.
- source_labels: [__name__]
  regex: 'scrape_.+'
  action: drop
- regex: 'instance|job'
  action: labeldrop
`)
}

// ScrapeConfig is the agent's -promscrape.config.
func ScrapeConfig(o Options) []byte {
	iv := time.Duration(o.Fleet.Interval)
	if iv <= 0 {
		iv = time.Duration(provisioning.DefaultFleetInterval)
	}
	return fmt.Appendf(nil, `# Written by sapar push-metrics at each start; edit the provisioning file instead.
global:
  scrape_interval: %s
  scrape_timeout: 10s
scrape_configs:
  - job_name: sapar
    static_configs:
      - targets: [%q]
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: '%s'
        action: keep
      - source_labels: [__name__]
        regex: '%s'
        action: drop
      # The kiosk label names the kiosk; every kiosk's instance is the same loopback address.
      - regex: 'instance|job'
        action: labeldrop
`, iv, o.Target, Keep, Drop)
}

// Args is vmagent's command line: no secret on it (files only).
func Args(o Options) []string {
	dir := Dir(o.StateDir)
	f := o.Fleet
	mb := f.BufferMB
	if mb <= 0 {
		mb = provisioning.DefaultFleetBufferMB
	}
	flush := time.Duration(f.SendEvery)
	if flush <= 0 {
		flush = time.Duration(provisioning.DefaultFleetSendEvery)
	}
	args := []string{
		"-promscrape.config=" + filepath.Join(dir, "scrape.yml"),
		"-promscrape.config.strictParse",
		"-promscrape.noStaleMarkers", // a restart of the kiosk is not a gap to mark on every series
		"-remoteWrite.url=" + f.RemoteWrite,
		"-remoteWrite.tmpDataPath=" + filepath.Join(dir, "buffer"),
		"-remoteWrite.maxDiskUsagePerURL=" + strconv.Itoa(mb) + "MiB",
		"-remoteWrite.flushInterval=" + flush.String(),
		"-remoteWrite.relabelConfig=" + filepath.Join(dir, "relabel.yml"),
		"-remoteWrite.roundDigits=0", // whole numbers: counts are, and seconds and bytes need no fraction; they compress better
		"-httpListenAddr=" + o.Listen,
		"-loggerLevel=WARN",
		"-loggerErrorsPerSecondLimit=1",
		"-loggerWarnsPerSecondLimit=1",
		"-memory.allowedBytes=32MiB",
	}
	if f.BearerTokenFile != "" {
		args = append(args, "-remoteWrite.bearerTokenFile="+f.BearerTokenFile)
	}
	if b := f.BasicAuth; b != nil {
		args = append(args, "-remoteWrite.basicAuth.username="+b.Username, "-remoteWrite.basicAuth.passwordFile="+b.PasswordFile)
	}
	keys := make([]string, 0, len(o.Labels))
	for k := range o.Labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		args = append(args, "-remoteWrite.label="+k+"="+o.Labels[k])
	}
	return append(args, o.Extra...)
}

// Run writes the scrape config, starts vmagent and supervises it until ctx
// ends (then stops it with SIGTERM, so the in-memory queue reaches the disk
// buffer). The returned error is the agent's exit.
func Run(ctx context.Context, o Options) error {
	if o.Vmagent == "" {
		o.Vmagent = DefaultVmagent
	}
	if o.Listen == "" {
		o.Listen = provisioning.FleetAgentAddr
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	dir := Dir(o.StateDir)
	if err := os.MkdirAll(filepath.Join(dir, "buffer"), 0o750); err != nil {
		return fmt.Errorf("push-metrics: %w", err)
	}
	if err := atomicfile.Write(filepath.Join(dir, "scrape.yml"), ScrapeConfig(o), 0o640); err != nil {
		return fmt.Errorf("push-metrics: scrape config: %w", err)
	}
	if err := atomicfile.Write(filepath.Join(dir, "relabel.yml"), RelabelConfig(), 0o640); err != nil {
		return fmt.Errorf("push-metrics: relabel config: %w", err)
	}
	cmd := exec.CommandContext(ctx, o.Vmagent, Args(o)...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 15 * time.Second
	cmd.Stdout = io.Discard
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return fmt.Errorf("push-metrics: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("push-metrics: start %s: %w (install the victoria-metrics package)", o.Vmagent, err)
	}
	s := &supervisor{o: o, st: provisioning.FleetStatus{Listen: o.Listen, Started: o.Now(), Link: "starting", Since: o.Now(), URL: redact(o.Fleet.RemoteWrite)}}
	s.save()
	o.Log.Info("push agent started", "remote_write", s.st.URL, "interval", time.Duration(o.Fleet.Interval), "pid", cmd.Process.Pid)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.readLog(stderr) }()
	pctx, pstop := context.WithCancel(ctx)
	go s.poll(pctx)
	err = cmd.Wait()
	pstop()
	wg.Wait()
	if ctx.Err() != nil {
		o.Log.Info("push agent stopped")
		return nil
	}
	return fmt.Errorf("push-metrics: vmagent exited: %v (last complaint: %s)", err, s.lastError())
}

type supervisor struct {
	o  Options
	mu sync.Mutex
	st provisioning.FleetStatus
	// lastKey is the last complaint logged, without numbers: the same
	// failure every few seconds is one line, a new one is another.
	lastKey string
	lastAt  time.Time
}

var numbers = regexp.MustCompile(`[0-9]+(\.[0-9]+)?`)

// vmagent's log line: time, level, caller, message (tab separated).
func (s *supervisor) readLog(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), "\t", 4)
		msg, level := sc.Text(), "warn"
		if len(f) == 4 {
			level, msg = f[1], f[3]
		}
		msg = redactLine(msg, s.o.Fleet.RemoteWrite)
		key := numbers.ReplaceAllString(msg, "N")
		now := s.o.Now()
		s.mu.Lock()
		repeat := key == s.lastKey && now.Sub(s.lastAt) < time.Hour
		if !repeat {
			s.lastKey, s.lastAt = key, now
		}
		s.st.LastError = msg
		s.mu.Unlock()
		if repeat {
			continue
		}
		if level == "error" || level == "fatal" || level == "panic" {
			s.o.Log.Error("push agent", "said", msg)
		} else {
			s.o.Log.Warn("push agent", "said", msg)
		}
	}
}

func (s *supervisor) lastError() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.LastError
}

// poll reads the agent's /metrics every interval: a link that starts
// failing or comes back is one log line and one status.json write.
func (s *supervisor) poll(ctx context.Context) {
	iv := time.Duration(s.o.Fleet.Interval)
	if iv <= 0 {
		iv = time.Minute
	}
	t := time.NewTicker(min(iv, 15*time.Second))
	defer t.Stop()
	c := &http.Client{Timeout: 5 * time.Second}
	var prev provisioning.FleetAgentFigures
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		f, err := provisioning.FetchFleetAgent(ctx, c, s.o.Listen)
		if err != nil {
			continue // starting, or stopping
		}
		link := ""
		switch {
		case f.OK > prev.OK && f.Failed == prev.Failed:
			link = "ok"
		case f.Failed > prev.Failed:
			link = "failing"
		}
		prev = f
		s.mu.Lock()
		changed := link != "" && link != s.st.Link
		if changed {
			s.st.Link, s.st.Since = link, s.o.Now()
		}
		last := s.st.LastError
		s.mu.Unlock()
		if !changed {
			continue
		}
		if link == "ok" {
			s.o.Log.Info("fleet link ok", "remote_write", s.st.URL, "buffered_bytes", f.PendingBytes)
			s.mu.Lock()
			s.lastKey = "" // the next failure is news again
			s.mu.Unlock()
		} else {
			s.o.Log.Warn("fleet link failing: metrics are buffered on disk and sent when it is back", "remote_write", s.st.URL, "reason", last, "buffered_bytes", f.PendingBytes)
		}
		s.save()
	}
}

func (s *supervisor) save() {
	s.mu.Lock()
	b, _ := json.MarshalIndent(s.st, "", "  ")
	s.mu.Unlock()
	if err := atomicfile.Write(filepath.Join(Dir(s.o.StateDir), provisioning.FleetStatusFile), append(b, '\n'), 0o640); err != nil {
		s.o.Log.Warn("push agent status", "err", err)
	}
}

// redact drops a query (never a credential in a provisioned URL, but a
// hand-edited one might carry a token).
func redact(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}

func redactLine(line, url string) string {
	if url != "" && redact(url) != url {
		line = strings.ReplaceAll(line, url, redact(url))
	}
	return line
}
