package pushagent

import (
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sapar/kiosk/internal/kiosktest"
	"sapar/provisioning"
)

func TestAgentCommandLine(t *testing.T) {
	state := t.TempDir()
	token := filepath.Join(t.TempDir(), "token")
	os.WriteFile(token, []byte("s3cret-token"), 0o600)
	o := Options{StateDir: state, Target: "127.0.0.1:8080", Listen: provisioning.FleetAgentAddr,
		Labels: map[string]string{"kiosk": "osh-airport-01", "city": "Osh", "place": "airport"},
		Fleet:  provisioning.Fleet{RemoteWrite: "https://m.example.org/api/v1/write", Interval: provisioning.DefaultFleetInterval, BearerTokenFile: token}}
	args := strings.Join(Args(o), " ")
	for _, want := range []string{
		"-remoteWrite.url=https://m.example.org/api/v1/write",
		"-remoteWrite.tmpDataPath=" + filepath.Join(state, "fleet", "buffer"),
		"-remoteWrite.maxDiskUsagePerURL=512MiB",
		"-remoteWrite.flushInterval=5m0s",
		"-remoteWrite.bearerTokenFile=" + token,
		"-remoteWrite.label=city=Osh -remoteWrite.label=kiosk=osh-airport-01 -remoteWrite.label=place=airport",
		"-httpListenAddr=127.0.0.1:8429",
	} {
		if !strings.Contains(args, want) {
			t.Errorf("vmagent command line lacks %q:\n%s", want, args)
		}
	}
	if strings.Contains(args, "s3cret") {
		t.Error("the token is on the command line (ps shows it to every user)")
	}
	cfg := string(ScrapeConfig(o))
	for _, want := range []string{"scrape_interval: 1m0s", `targets: ["127.0.0.1:8080"]`, "action: keep", "action: labeldrop"} {
		if !strings.Contains(cfg, want) {
			t.Errorf("scrape config lacks %q:\n%s", want, cfg)
		}
	}
	// vmagent itself accepts the config (skipped without the package).
	vm, err := exec.LookPath("vmagent")
	if err != nil {
		t.Skip("vmagent not installed")
	}
	f := filepath.Join(t.TempDir(), "scrape.yml")
	os.WriteFile(f, []byte(cfg), 0o644)
	if out, err := exec.Command(vm, "-promscrape.config="+f, "-promscrape.config.strictParse", "-promscrape.config.dryRun").CombinedOutput(); err != nil {
		t.Errorf("vmagent refuses the scrape config: %v\n%s", err, out)
	}
}

func TestParseAgentMetrics(t *testing.T) {
	f := provisioning.ParseFleetAgentMetrics(strings.NewReader(`# HELP x
vmagent_remotewrite_requests_total{url="1:secret-url", status_code="204"} 40
vmagent_remotewrite_requests_total{url="1:secret-url", status_code="500"} 3
vmagent_remotewrite_errors_total{url="1:secret-url"} 2
vmagent_remotewrite_bytes_sent_total{url="1:secret-url"} 12345
vmagent_remotewrite_pending_data_bytes{path="/x", url="1:secret-url"} 900
vm_persistentqueue_bytes_dropped_total{path="/x"} 7
garbage line {
`))
	if f.OK != 40 || f.Failed != 5 || f.BytesSent != 12345 || f.PendingBytes != 900 || f.DroppedBytes != 7 {
		t.Errorf("%+v", f)
	}
}

// The same complaint every few seconds while a link is down is one log
// line; a different one is another.
func TestOneLineForARepeatedComplaint(t *testing.T) {
	var log kiosktest.SyncBuffer
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	s := &supervisor{o: Options{Log: slog.New(slog.NewTextHandler(&log, nil)), Now: func() time.Time { return now }}}
	lines := strings.Join([]string{
		"2026-12-01T09:00:01Z\twarn\tclient.go:333\tcouldn't send a block with size 1535 bytes to \"1:secret-url\": unexpected status code received: 401; re-sending the block in 2.000 seconds",
		"2026-12-01T09:00:03Z\twarn\tclient.go:333\tcouldn't send a block with size 1522 bytes to \"1:secret-url\": unexpected status code received: 401; re-sending the block in 4.000 seconds",
		"2026-12-01T09:00:07Z\twarn\tclient.go:333\tcouldn't send a block with size 1530 bytes to \"1:secret-url\": dial tcp4 10.0.0.1:443: connect: connection refused; re-sending the block in 8.000 seconds",
	}, "\n")
	s.readLog(strings.NewReader(lines + "\n"))
	if n := strings.Count(log.String(), "push agent"); n != 2 {
		t.Errorf("%d log lines, want 2:\n%s", n, log.String())
	}
	if !strings.Contains(s.lastError(), "connection refused") {
		t.Errorf("last error %q", s.lastError())
	}
}
