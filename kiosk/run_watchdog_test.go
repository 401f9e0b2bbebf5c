package kiosk

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
	"sapar/kiosk/internal/kiosktest"
	"sapar/provisioning"
	"sapar/systemd/systemdtest"
	"sapar/updates"
)

// provisionForTest writes a signed provisioning (example.yaml on a virtual
// printer) into a new state dir and returns it with the MRC test key and
// the seed bundle.
func provisionForTest(t *testing.T) (state, seed string, key []byte) {
	t.Helper()
	tmp := t.TempDir()
	pub := &updates.Publisher{Repo: filepath.Join(tmp, "repo"), Keys: filepath.Join(tmp, "keys")}
	if err := pub.Init(updates.InitOptions{}); err != nil {
		t.Fatal(err)
	}
	root, _ := os.ReadFile(filepath.Join(tmp, "repo", "metadata", "1.root.json"))
	prof, _ := escpos.ProfileByName("TM-T20III")
	virt, err := emulator.NewVirtual(emulator.VirtualOpts{Profile: prof})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { virt.Close() })
	example, _ := os.ReadFile("../provisioning/example.yaml")
	y := string(example)
	y = strings.Replace(y, "device: /dev/serial/by-id/usb-EPSON_TM-T20III-if00", "device: "+virt.DevicePath(), 1)
	y = strings.Replace(y, "file: /usr/share/sapar/tuf-root.json", "inline: "+base64.StdEncoding.EncodeToString(root), 1)
	y = strings.Replace(y, "metrics:                             # optional: fleet Prometheus scraping\n  listen: \"0.0.0.0:9464\"\n", "", 1)
	pubFile, privFile, _ := provisioning.GenerateSigningKey()
	pk, _ := provisioning.ParsePublicKey(pubFile)
	priv, _ := provisioning.ParsePrivateKey(privFile)
	state = filepath.Join(tmp, "state")
	if _, err := provisioning.Provision(state, provisioning.Request{Name: "site.yaml", File: []byte(y), Sig: provisioning.Sign(priv, []byte(y)),
		PublicKey: pk, Now: time.Now(), Options: provisioning.Options{Profiles: escpos.ProfileNames()}}); err != nil {
		t.Fatal(err)
	}
	return state, makeBundle(t, sampleFiles(t, nil)), pk
}

// TestWatchdogNeedsPageHeartbeat: READY once serving; WATCHDOG=1 while the
// page beats; the pings stop (systemd would restart the kiosk) when the
// page goes quiet, and resume when it beats again.
func TestWatchdogNeedsPageHeartbeat(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	state, seed, key := provisionForTest(t)
	sock := systemdtest.New(t)
	t.Setenv("NOTIFY_SOCKET", sock.Path)
	t.Setenv("WATCHDOG_USEC", "600000") // probe every 300 ms
	t.Setenv("WATCHDOG_PID", "")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	k, err := Start(ctx, RunOptions{StateDir: state, Addr: "127.0.0.1:0", ProvisioningKey: key, ContentSeed: seed,
		RequireHeartbeat: true, HeartbeatMaxAge: 1500 * time.Millisecond, Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if _, err := sock.WaitFor("READY=1", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	c := &kiosktest.Client{T: t, Base: strings.TrimSuffix(k.URL, "/")}
	tok := c.BootToken("/")
	beat := func() {
		if code, _ := c.Do("POST", "/api/heartbeat", map[string]string{"X-Sapar-Token": tok}, nil); code != http.StatusNoContent {
			t.Fatalf("heartbeat: %d", code)
		}
	}
	if code, _ := c.Do("POST", "/api/heartbeat", nil, nil); code != http.StatusForbidden {
		t.Fatalf("heartbeat without token: %d", code)
	}
	beat()
	if _, err := sock.WaitFor("WATCHDOG=1", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	// The page goes quiet: the probe fails and the pings stop.
	var seen []string
	for {
		msg, err := sock.Next(10 * time.Second)
		if err != nil {
			t.Fatalf("no probe failure after the page went quiet: %v (saw %q)", err, seen)
		}
		seen = append(seen, msg)
		if strings.Contains(msg, "STATUS=health probe failed: page heartbeat") {
			break
		}
	}
	deadline := time.Now().Add(1200 * time.Millisecond)
	for time.Now().Before(deadline) {
		msg, err := sock.Next(time.Until(deadline))
		if err != nil {
			break
		}
		if systemdtest.HasLine(msg, "WATCHDOG=1") {
			t.Fatalf("WATCHDOG=1 while the page is silent")
		}
	}
	// It beats again: pings resume.
	beat()
	if _, err := sock.WaitFor("WATCHDOG=1", 5*time.Second); err != nil {
		t.Fatal(err)
	}
}
