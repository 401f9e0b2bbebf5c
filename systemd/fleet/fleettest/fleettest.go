// Package fleettest starts Debian's fleet binaries (victoria-metrics,
// vmalert, prometheus-alertmanager) on loopback for tests, and skips a test
// when they are not installed — unless SAPAR_REQUIRE_FLEET=1 (CI), which
// makes their absence a failure.
package fleettest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Need skips t (or fails it under SAPAR_REQUIRE_FLEET=1) unless every
// binary is on PATH; it returns their paths.
func Need(t testing.TB, bins ...string) []string {
	t.Helper()
	var paths, missing []string
	for _, b := range bins {
		p, err := exec.LookPath(b)
		if err != nil {
			missing = append(missing, b)
		}
		paths = append(paths, p)
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("fleet binaries missing: %s (apt-get install victoria-metrics prometheus prometheus-alertmanager)", strings.Join(missing, ", "))
		if os.Getenv("SAPAR_REQUIRE_FLEET") == "1" {
			t.Fatal(msg + "; SAPAR_REQUIRE_FLEET=1")
		}
		t.Skip(msg)
	}
	return paths
}

// FreeAddr is a free loopback address.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Proc is a started binary; Stop ends it (SIGTERM, then SIGKILL).
type Proc struct {
	Name string
	Addr string
	cmd  *exec.Cmd
	log  *syncBuf
	once sync.Once
	done chan struct{}
}

type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b.Len() < 1<<20 {
		s.b.Write(p)
	}
	return len(p), nil
}

func (s *syncBuf) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// Log is what the process wrote.
func (p *Proc) Log() string { return p.log.String() }

// Pid is the process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Start runs bin args… and waits until GET http://addr+ready answers 200.
func Start(t testing.TB, name, addr, ready string, bin string, args ...string) *Proc {
	t.Helper()
	p := &Proc{Name: name, Addr: addr, cmd: exec.Command(bin, args...), log: &syncBuf{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(p.Stop)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			t.Fatalf("%s exited at start:\n%s", name, p.Log())
		default:
		}
		if resp, err := http.Get("http://" + addr + ready); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s not ready on %s within 30 s:\n%s", name, addr, p.Log())
	return nil
}

// Stop ends the process and waits for it.
func (p *Proc) Stop() {
	p.once.Do(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(15 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
		}
	})
}

// VictoriaMetrics starts victoria-metrics single node on loopback with
// its data in dir (reused by a restart); queries see samples 1 s old.
func VictoriaMetrics(t testing.TB, dir, addr string) *Proc {
	Need(t, "victoria-metrics")
	return Start(t, "victoria-metrics", addr, "/health", "victoria-metrics",
		"-storageDataPath="+dir, "-httpListenAddr="+addr, "-search.latencyOffset=1s",
		"-retentionPeriod=100y", "-loggerLevel=WARN", "-search.disableCache", "-dedup.minScrapeInterval=0s")
}

// Alertmanager starts prometheus-alertmanager on loopback with config.
func Alertmanager(t testing.TB, dir, addr, config string) *Proc {
	Need(t, "prometheus-alertmanager")
	return Start(t, "alertmanager", addr, "/-/ready", "prometheus-alertmanager",
		"--config.file="+config, "--storage.path="+filepath.Join(dir, "am"), "--web.listen-address="+addr,
		"--cluster.listen-address=", "--log.level=warn")
}

// Vmalert starts vmalert evaluating rules against a VictoriaMetrics at vm
// and notifying the Alertmanager at am, every eval.
func Vmalert(t testing.TB, addr, rules, vm, am string, eval time.Duration) *Proc {
	Need(t, "vmalert")
	return Start(t, "vmalert", addr, "/health", "vmalert",
		"-rule="+rules, "-datasource.url=http://"+vm, "-notifier.url=http://"+am,
		"-evaluationInterval="+eval.String(), "-httpListenAddr="+addr, "-loggerLevel=WARN")
}

// Query runs an instant PromQL query against a Prometheus HTTP API at
// addr and returns label sets with values.
func Query(addr, q string) ([]Sample, error) { return QueryAt(addr, q, time.Time{}) }

// QueryAt is Query at a time (zero: now).
func QueryAt(addr, q string, at time.Time) ([]Sample, error) {
	v := url.Values{"query": {q}}
	if !at.IsZero() {
		v.Set("time", strconv.FormatInt(at.Unix(), 10))
	}
	resp, err := http.Get("http://" + addr + "/api/v1/query?" + v.Encode())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, err
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %q: %s", q, r.Error)
	}
	var out []Sample
	for _, x := range r.Data.Result {
		var v float64
		if s, ok := x.Value[1].(string); ok {
			fmt.Sscan(s, &v)
		}
		out = append(out, Sample{Labels: x.Metric, Value: v})
	}
	return out, nil
}

// Sample is one series of a query result.
type Sample struct {
	Labels map[string]string
	Value  float64
}

// Alerts lists the alerts an Alertmanager at addr holds (API v2).
func Alerts(ctx context.Context, addr string) ([]map[string]string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/api/v2/alerts", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var as []struct {
		Labels map[string]string `json:"labels"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&as); err != nil {
		return nil, err
	}
	out := make([]map[string]string, len(as))
	for i, a := range as {
		out[i] = a.Labels
	}
	return out, nil
}
