package kiosk

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sapar/content/release"
	"sapar/content/sample"
	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
	"sapar/kiosk/internal/kiosktest"
	"sapar/provisioning"
	"sapar/updates"
)

// sampleFiles copies the embedded sample, with edit applied to each file.
func sampleFiles(t testing.TB, edit func(p string, b []byte) []byte) map[string][]byte {
	out := map[string][]byte{}
	err := fs.WalkDir(sample.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		b, err := fs.ReadFile(sample.FS(), p)
		if edit != nil {
			b = edit(p, b)
		}
		out[p] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func writeTree(t testing.TB, dir string, files map[string][]byte) {
	for p, b := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// makeBundle builds a content bundle from source files, as the MRC would.
func makeBundle(t testing.TB, files map[string][]byte) string {
	src := t.TempDir()
	writeTree(t, src, files)
	out := filepath.Join(t.TempDir(), "bundle")
	if _, err := release.WriteSourceBundle(os.DirFS(src), out, "seed-", time.Now()); err != nil {
		t.Fatal(err)
	}
	return out
}

const examplePIN = "482916" // provisioning/example.yaml's demo PIN

// TestProductionKioskEndToEnd: first boot from a signed file on a "USB
// stick", seeding, printing on a virtual printer over a pty, a published
// update hot-reloaded without restart, and a corrupt update refused while
// the old content keeps serving.
func TestProductionKioskEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 80*time.Second)
	defer cancel()
	tmp := t.TempDir()

	// The MRC side: a TUF repository with content v1 on a loopback mirror.
	repo, keys := filepath.Join(tmp, "repo"), filepath.Join(tmp, "keys")
	pub := &updates.Publisher{Repo: repo, Keys: keys}
	if err := pub.Init(updates.InitOptions{}); err != nil {
		t.Fatal(err)
	}
	v1 := makeBundle(t, sampleFiles(t, nil))
	if _, err := pub.Add(v1); err != nil {
		t.Fatal(err)
	}
	mirror := httptest.NewServer(http.FileServer(http.Dir(repo)))
	defer mirror.Close()
	rootJSON, err := os.ReadFile(filepath.Join(repo, "metadata", "1.root.json"))
	if err != nil {
		t.Fatal(err)
	}

	// The printer: an emulated TM-T20III behind a real pseudo-terminal.
	prof, _ := escpos.ProfileByName("TM-T20III")
	virt, err := emulator.NewVirtual(emulator.VirtualOpts{Profile: prof})
	if err != nil {
		t.Fatal(err)
	}
	defer virt.Close()

	// The provisioning file: example.yaml pointed at the pty, the mirror
	// and the repository's root, signed with a test MRC key.
	example, err := os.ReadFile("../provisioning/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := kiosktest.FreeAddr(t)
	y := string(example)
	y = strings.Replace(y, "device: /dev/serial/by-id/usb-EPSON_TM-T20III-if00", "device: "+virt.DevicePath(), 1)
	y = strings.Replace(y, "baud: 38400", "baud: 115200", 1)
	y = strings.Replace(y, "    - https://updates.mrc.example.org/sapar/\n    - http://10.20.0.2/sapar/", "    - "+mirror.URL+"/", 1)
	y = strings.Replace(y, "file: /usr/share/sapar/tuf-root.json", "inline: "+base64.StdEncoding.EncodeToString(rootJSON), 1)
	y = strings.Replace(y, `listen: "0.0.0.0:9464"`, `listen: "`+metricsAddr+`"`, 1)
	pubFile, privFile, err := provisioning.GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	pubKey, _ := provisioning.ParsePublicKey(pubFile)
	privKey, _ := provisioning.ParsePrivateKey(privFile)

	state, usb := filepath.Join(tmp, "state"), filepath.Join(tmp, "media")
	os.MkdirAll(usb, 0o755)
	logs := &kiosktest.SyncBuffer{}
	start := time.Now()
	k, err := Start(ctx, RunOptions{StateDir: state, Addr: "127.0.0.1:0", ProvisioningKey: pubKey, ContentSeed: v1,
		USBRoot: usb, Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		SwapGrace: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := k.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		if t.Failed() {
			t.Logf("kiosk log:\n%s", logs.String())
		}
	}()
	c := &kiosktest.Client{T: t, Base: strings.TrimSuffix(k.URL, "/")}

	// First boot: the setup screen, waiting for a stick.
	if tok := c.BootToken("/"); tok == "" {
		t.Fatal("setup page without token")
	}
	_, body := c.Do("GET", "/api/setup/state", nil, nil)
	if !strings.Contains(string(body), `"phase":"waiting"`) {
		t.Fatalf("setup state: %s", body)
	}
	// A stick with a file signed by another key is refused, visibly.
	stick := filepath.Join(usb, "STICK")
	os.MkdirAll(stick, 0o755)
	_, otherPriv, _ := provisioning.GenerateSigningKey()
	other, _ := provisioning.ParsePrivateKey(otherPriv)
	os.WriteFile(filepath.Join(stick, "site.yaml"), []byte(y), 0o644)
	os.WriteFile(filepath.Join(stick, "site.yaml.sig"), provisioning.Sign(other, []byte(y)), 0o644)
	kiosktest.WaitFor(t, "refusal of a wrongly signed file", 10*time.Second, func() bool {
		_, b := c.Do("GET", "/api/setup/state", nil, nil)
		return strings.Contains(string(b), "signature")
	})
	if _, err := os.Stat(filepath.Join(state, provisioning.ConfigFile)); err == nil {
		t.Fatal("a wrongly signed file provisioned the kiosk")
	}
	// The right signature: provisioned and running without a restart.
	os.WriteFile(filepath.Join(stick, "site.yaml.sig"), provisioning.Sign(privKey, []byte(y)), 0o644)
	select {
	case <-k.Ready():
	case <-k.Done():
		t.Fatalf("kiosk stopped: %v", k.Wait())
	case <-ctx.Done():
		t.Fatal("kiosk not ready")
	}
	t.Logf("provisioned from USB and ready %s after start (%s after READY of the kiosk phase)", time.Since(start).Round(time.Millisecond), k.ReadyAfter().Round(time.Millisecond))
	_, body = c.Do("GET", "/api/setup/state", nil, nil)
	if !strings.Contains(string(body), `"phase":"running"`) || !strings.Contains(string(body), "SPR-") {
		t.Fatalf("setup state after provisioning: %s", body)
	}

	// The kiosk serves the seeded content and prints through the API.
	token := c.BootToken("/")
	const topic = "check-agency-licence"
	code, body := c.Do("GET", "/api/guides/"+topic+"?lang=en", nil, nil)
	if code != 200 || !strings.Contains(string(body), "Is the agency licensed?") {
		t.Fatalf("guide: %d %s", code, body)
	}
	code, body = c.Do("POST", "/api/print", map[string]string{"X-Sapar-Token": token}, map[string]string{"topic": topic, "lang": "ky"})
	if code != http.StatusAccepted {
		t.Fatalf("print: %d %s", code, body)
	}
	var job struct {
		Job string `json:"job"`
	}
	json.Unmarshal(body, &job)
	kiosktest.WaitFor(t, "the slip to print", 30*time.Second, func() bool {
		_, b := c.Do("GET", "/api/print/"+job.Job, nil, nil)
		if strings.Contains(string(b), `"failed"`) {
			t.Fatalf("print failed: %s", b)
		}
		return strings.Contains(string(b), `"done"`)
	})
	if virt.Stats().Jobs < 1 {
		t.Fatalf("virtual printer saw no job: %+v", virt.Stats())
	}

	// The technician unlocks the maintenance screen and prints a test slip.
	mt := c.BootToken("/maintenance")
	code, body = c.Do("POST", "/api/maintenance/unlock", map[string]string{"X-Sapar-Token": mt}, map[string]string{"pin": examplePIN})
	if code != 200 {
		t.Fatalf("unlock: %d %s", code, body)
	}
	var sess struct {
		Session string `json:"session"`
	}
	json.Unmarshal(body, &sess)
	auth := map[string]string{"X-Sapar-Token": mt, "X-Sapar-Maint": sess.Session}
	jobsBefore := virt.Stats().Jobs
	code, body = c.Do("POST", "/api/maintenance/printer/test", auth, nil)
	if code != 200 || !strings.Contains(string(body), `"ok":true`) {
		t.Fatalf("test slip: %d %s", code, body)
	}
	kiosktest.WaitFor(t, "the test slip at the printer", 10*time.Second, func() bool { return virt.Stats().Jobs > jobsBefore })
	code, body = c.Do("GET", "/api/maintenance/status", auth, nil)
	if code != 200 || !strings.Contains(string(body), `"slips":2`) {
		t.Fatalf("status: %d %s", code, body)
	}

	// The MRC publishes v2; "update now" installs it and the running kiosk
	// serves it without a restart.
	v2 := makeBundle(t, sampleFiles(t, func(p string, b []byte) []byte {
		if p == "guides/"+topic+"/en.md" {
			return bytes.Replace(b, []byte("title: Is the agency licensed?"), []byte("title: UPDATED Is the agency licensed?"), 1)
		}
		return b
	}))
	if _, err := pub.Add(v2); err != nil {
		t.Fatal(err)
	}
	update := func() string {
		code, body := c.Do("POST", "/api/maintenance/update", auth, map[string]string{"source": "network"})
		if code != http.StatusAccepted {
			t.Fatalf("update: %d %s", code, body)
		}
		var run map[string]any
		kiosktest.WaitFor(t, "the update to finish", 30*time.Second, func() bool {
			_, b := c.Do("GET", "/api/maintenance/status", auth, nil)
			var st struct {
				Update struct {
					Run map[string]any `json:"run"`
				} `json:"update"`
			}
			json.Unmarshal(b, &st)
			run = st.Update.Run
			return run["running"] == false
		})
		return fmt.Sprint(run["result"], run["error"])
	}
	if res := update(); !strings.Contains(res, "updated to") {
		t.Fatalf("update result: %s", res)
	}
	// Someone is reading a guide: the new content waits for the idle reset.
	kiosktest.WaitFor(t, "v2 staged", 10*time.Second, func() bool {
		return strings.Contains(logs.String(), "new content ready, switching at the next idle reset")
	})
	if _, b := c.Do("GET", "/api/guides/"+topic+"?lang=en", nil, nil); strings.Contains(string(b), "UPDATED") {
		t.Fatal("new content switched in under a person mid-session")
	}
	if code, b := c.Do("POST", "/api/session", map[string]string{"X-Sapar-Token": token}, map[string]string{"event": "idle-reset"}); code != http.StatusNoContent {
		t.Fatalf("idle-reset event: %d %s", code, b)
	}
	kiosktest.WaitFor(t, "hot reload of v2 at the idle reset", 10*time.Second, func() bool {
		_, b := c.Do("GET", "/api/guides/"+topic+"?lang=en", nil, nil)
		return strings.Contains(string(b), "UPDATED Is the agency licensed?")
	})

	// A corrupt v3 (an object altered on the mirror) is refused; v2 keeps serving.
	v3 := makeBundle(t, sampleFiles(t, func(p string, b []byte) []byte {
		if p == "guides/"+topic+"/en.md" {
			return bytes.Replace(b, []byte("title: Is the agency licensed?"), []byte("title: CORRUPT Is the agency licensed?"), 1)
		}
		return b
	}))
	if _, err := pub.Add(v3); err != nil {
		t.Fatal(err)
	}
	corrupted := 0
	filepath.WalkDir(filepath.Join(repo, "targets"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("CORRUPT Is the agency")) {
				os.WriteFile(p, bytes.Replace(b, []byte("CORRUPT"), []byte("EVIL!!!"), 1), 0o644)
				corrupted++
			}
		}
		return nil
	})
	if corrupted == 0 {
		t.Fatal("found no target to corrupt")
	}
	if res := update(); strings.Contains(res, "updated to") {
		t.Fatalf("corrupt update was installed: %s", res)
	} else {
		t.Logf("corrupt update refused: %s", res)
	}
	time.Sleep(300 * time.Millisecond)
	_, body = c.Do("GET", "/api/guides/"+topic+"?lang=en", nil, nil)
	if !strings.Contains(string(body), "UPDATED Is the agency licensed?") {
		t.Fatalf("after a refused update the kiosk serves: %.200s", body)
	}

	// The fleet metrics listener and the loopback /metrics both have the
	// update and printer figures.
	for _, url := range []string{"http://" + metricsAddr + "/metrics", c.Base + "/metrics"} {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		mbody, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range []string{"sapar_updates_succeeded_total 1", "sapar_updates_failed_total 1", "sapar_printer_slips_total 2", "sapar_uptime_seconds"} {
			if !strings.Contains(string(mbody), want) {
				t.Errorf("%s lacks %q:\n%s", url, want, mbody)
			}
		}
	}
	if strings.Contains(logs.String(), examplePIN) {
		t.Error("the PIN reached the log")
	}
}
