package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sapar/content/atomicfile"
	"sapar/drivers/escpos"
	"sapar/kiosk/internal/kiosktest"
)

// applianceState provisions a kiosk state dir the way a technician does:
// the MRC makes a key and signs a provisioning file, `sapar provision`
// writes the state. It returns the state dir and the public key file.
func applianceState(t *testing.T, ctx context.Context, edit ...func(site string) string) (state, pub string) {
	t.Helper()
	dir := t.TempDir()
	key := filepath.Join(dir, "mrc.key")
	if code, _, errs := runSapar(t, ctx, "provision", "keygen", "--out", key); code != 0 {
		t.Fatalf("keygen: %s", errs)
	}
	raw, err := os.ReadFile("../../../provisioning/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	site := strings.Replace(string(raw), "/dev/serial/by-id/usb-EPSON_TM-T20III-if00", "/dev/ttyUSB97", 1)
	for _, f := range edit {
		site = f(site)
	}
	file := filepath.Join(dir, "site.yaml")
	if err := os.WriteFile(file, []byte(site), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runSapar(t, ctx, "provision", "sign", "--key", key, file); code != 0 {
		t.Fatalf("sign: %s", errs)
	}
	state = filepath.Join(dir, "state")
	if code, _, errs := runSapar(t, ctx, "provision", "--state", state, "--file", file, "--pubkey", key+".pub"); code != 0 {
		t.Fatalf("provision: %s", errs)
	}
	return state, key + ".pub"
}

// publishRepo makes a signed repository with the sample content as its
// first release; it returns the repository and its root.json.
func publishRepo(t *testing.T, ctx context.Context, src string) (repo, root string) {
	t.Helper()
	dir := t.TempDir()
	repo, keys, b := filepath.Join(dir, "repo"), filepath.Join(dir, "keys"), filepath.Join(dir, "bundle")
	if code, _, errs := runSapar(t, ctx, "publish", "init", "--repo", repo, "--keys", keys); code != 0 {
		t.Fatalf("publish init: %s", errs)
	}
	if code, _, errs := runSapar(t, ctx, "content", "build", src, "--out", b); code != 0 {
		t.Fatalf("content build: %s", errs)
	}
	if code, _, errs := runSapar(t, ctx, "publish", "add", "--repo", repo, "--keys", keys, b); code != 0 {
		t.Fatalf("publish add: %s", errs)
	}
	return repo, filepath.Join(repo, "metadata", "1.root.json")
}

// startRun runs `sapar run` as sapar.service does (no window) until the
// test ends; it returns the base URL and the command's stderr.
func startRun(t *testing.T, state, pub string) (string, *kiosktest.SyncBuffer) {
	t.Helper()
	addr := kiosktest.FreeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr kiosktest.SyncBuffer
	done := make(chan int, 1)
	go func() {
		done <- dispatch(ctx, []string{"run", "--state", state, "--provisioning-key", pub, "--addr", addr,
			"--usb", "", "--content-seed", filepath.Join(t.TempDir(), "no-seed"), "--no-window"}, &stdout, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("sapar run did not stop")
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case code := <-done:
			t.Fatalf("sapar run exited with %d:\n%s", code, stderr.String())
		default:
		}
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return base, &stderr
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("sapar run not healthy within 60 s:\n%s", stderr.String())
	return "", nil
}

// searchTitles asks the running kiosk a question as the UI does.
func searchTitles(t *testing.T, base, lang, q string) []string {
	t.Helper()
	resp, err := http.Get(base + "/api/search?lang=" + lang + "&q=" + q)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("search: %d %s", resp.StatusCode, body)
	}
	var res []struct{ ID, Title string }
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatalf("search: %v: %s", err, body)
	}
	var out []string
	for _, r := range res {
		out = append(out, r.ID)
	}
	return out
}

// The path sapar-update.timer and sapar.service take, through the same
// commands: `sapar update` installs a release, `sapar run` serves it. It
// used to install a release without its index, and `sapar run` then exited
// at every start ("open the content index … index.db: no such file").
func TestUpdateThenRun(t *testing.T) {
	ctx := context.Background()
	state, pub := applianceState(t, ctx)
	repo, root := publishRepo(t, ctx, "../../../content/sample")
	code, out, errs := runSapar(t, ctx, "update", "--state", state, "--usb", repo, "--trusted-root", root)
	if code != 0 {
		t.Fatalf("sapar update: %d\n%s", code, errs)
	}
	if !strings.Contains(out, "updated to ") {
		t.Fatalf("sapar update did not install: %s", out)
	}
	active, err := os.Readlink(filepath.Join(state, "content", "current"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(state, "content", active, "index.db")); err != nil {
		t.Fatalf("sapar update activated a release without its index: %v", err)
	}
	base, stderr := startRun(t, state, pub)
	if ids := searchTitles(t, base, "ky", "виза"); len(ids) == 0 {
		t.Fatalf("the kiosk serves no guides after the update:\n%s", stderr)
	}
}

// A release left without its index (what the old `sapar update` installed)
// is repaired by `sapar run` from its verified bundle, and the log says so.
func TestRunRepairsAReleaseWithoutIndex(t *testing.T) {
	ctx := context.Background()
	state, pub := applianceState(t, ctx)
	repo, root := publishRepo(t, ctx, "../../../content/sample")
	if code, _, errs := runSapar(t, ctx, "update", "--state", state, "--usb", repo, "--trusted-root", root); code != 0 {
		t.Fatalf("sapar update: %s", errs)
	}
	active, _ := os.Readlink(filepath.Join(state, "content", "current"))
	if err := os.Remove(filepath.Join(state, "content", active, "index.db")); err != nil {
		t.Fatal(err)
	}
	base, stderr := startRun(t, state, pub)
	if ids := searchTitles(t, base, "ru", "работа"); len(ids) == 0 {
		t.Fatalf("no guides after repair:\n%s", stderr)
	}
	if !strings.Contains(stderr.String(), "index was missing") {
		t.Errorf("the repair is not reported:\n%s", stderr)
	}
}

// A release whose bundle no longer verifies cannot be rebuilt: sapar run
// goes back to the previous release instead of exiting at every start.
func TestRunFallsBackWhenTheActiveReleaseIsBroken(t *testing.T) {
	ctx := context.Background()
	state, pub := applianceState(t, ctx)
	src := copySample(t)
	repo, root := publishRepo(t, ctx, src)
	if code, _, errs := runSapar(t, ctx, "update", "--state", state, "--usb", repo, "--trusted-root", root); code != 0 {
		t.Fatalf("first update: %s", errs)
	}
	first, _ := os.Readlink(filepath.Join(state, "content", "current"))
	// A second release, published the same way.
	guide := filepath.Join(src, "guides", "labour-rights-abroad", "en.md")
	raw, err := os.ReadFile(guide)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(guide, append(raw, []byte("\nSecond release.\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	b := filepath.Join(t.TempDir(), "b2")
	if code, _, errs := runSapar(t, ctx, "content", "build", src, "--out", b); code != 0 {
		t.Fatalf("build: %s", errs)
	}
	keys := filepath.Join(filepath.Dir(repo), "keys")
	if code, _, errs := runSapar(t, ctx, "publish", "add", "--repo", repo, "--keys", keys, b); code != 0 {
		t.Fatalf("publish add: %s", errs)
	}
	if code, _, errs := runSapar(t, ctx, "update", "--state", state, "--usb", repo, "--trusted-root", root); code != 0 {
		t.Fatalf("second update: %s", errs)
	}
	second, _ := os.Readlink(filepath.Join(state, "content", "current"))
	if second == first {
		t.Fatal("the second update changed nothing")
	}
	// Break it past repair: the index and the bundle's own manifest.
	dir := filepath.Join(state, "content", second)
	os.Remove(filepath.Join(dir, "index.db"))
	if err := os.WriteFile(filepath.Join(dir, "index.json"), []byte(`{"version":"x"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	base, stderr := startRun(t, state, pub)
	if ids := searchTitles(t, base, "en", "passport"); len(ids) == 0 {
		t.Fatalf("no guides after fallback:\n%s", stderr)
	}
	now, _ := os.Readlink(filepath.Join(state, "content", "current"))
	if now != first {
		t.Fatalf("active %s, want the previous release %s", now, first)
	}
	if !strings.Contains(stderr.String(), "went back to the previous release") {
		t.Errorf("the fallback is not reported:\n%s", stderr)
	}
}

// A profile the technician calibrated (sapar printer calibrate) is the one
// sapar run prints with; a damaged one is reported and the built-in model
// used, never a kiosk that does not start.
func TestRunUsesTheCalibratedProfile(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, file, want string
	}{
		{"calibrated profile", "", "calibrated=true"},
		{"damaged calibration file", "{not json", "using the built-in one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			state, pub := applianceState(t, ctx)
			if tc.file == "" {
				base, err := escpos.ProfileByName("TM-T20III")
				if err != nil {
					t.Fatal(err)
				}
				base.Name = "TM-T20III-calibrated"
				cal := escpos.Calibrated{Profile: base, Base: "TM-T20III", Answers: []int{1, 2}, At: time.Now()}
				if err := escpos.SaveProfile(state, cal, atomicfile.Write); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(filepath.Join(state, escpos.ProfileFile), []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			_, stderr := startRun(t, state, pub)
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("sapar run's log does not say %q:\n%s", tc.want, stderr)
			}
		})
	}
}

// sapar-update.service runs `sapar update --state DIR` with no mirror (the
// technician edits nothing): the mirrors and the trusted root are the
// provisioned kiosk's. It used to refuse ("give at least one --mirror"),
// so the timer failed every cycle.
func TestUpdateTakesTheProvisionedMirrors(t *testing.T) {
	ctx := context.Background()
	repo, root := publishRepo(t, ctx, "../../../content/sample")
	srv := httptest.NewServer(http.FileServer(http.Dir(repo)))
	defer srv.Close()
	state, pub := applianceState(t, ctx, func(site string) string {
		site = strings.Replace(site, "    - https://updates.mrc.example.org/sapar/\n    - http://10.20.0.2/sapar/        # MRC office mirror; metadata is signed anyway\n",
			"    - "+srv.URL+"/\n", 1)
		return strings.Replace(site, "file: /usr/share/sapar/tuf-root.json", "file: "+root, 1)
	})
	code, out, errs := runSapar(t, ctx, "update", "--state", state, "--provisioning-key", pub)
	if code != 0 || !strings.Contains(out, "updated to ") {
		t.Fatalf("sapar update with the provisioned mirrors: %d %s\n%s", code, out, errs)
	}
	if !strings.Contains(out, srv.URL) {
		t.Errorf("updated from elsewhere than the provisioned mirror: %s", out)
	}
	// A wrong key: the provisioning does not verify, nothing is fetched.
	other := filepath.Join(t.TempDir(), "other.key")
	if code, _, errs := runSapar(t, ctx, "provision", "keygen", "--out", other); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := runSapar(t, ctx, "update", "--state", state, "--provisioning-key", other+".pub"); code != exitFailure || !strings.Contains(errs, "does not load") {
		t.Errorf("update with a foreign key: %d %s", code, errs)
	}
}

// The only installed release is broken past repair and there is nothing to
// go back to: sapar run seeds again from the content in the image instead
// of exiting at every start (a crash loop under Restart=always).
func TestRunReseedsWhenNoReleaseCanBeServed(t *testing.T) {
	ctx := context.Background()
	state, pub := applianceState(t, ctx)
	repo, root := publishRepo(t, ctx, "../../../content/sample")
	if code, _, errs := runSapar(t, ctx, "update", "--state", state, "--usb", repo, "--trusted-root", root); code != 0 {
		t.Fatalf("update: %s", errs)
	}
	broken, _ := os.Readlink(filepath.Join(state, "content", "current"))
	dir := filepath.Join(state, "content", broken)
	os.Remove(filepath.Join(dir, "index.db"))
	if err := os.WriteFile(filepath.Join(dir, "index.json"), []byte(`{"version":"x"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	base, stderr := startRun(t, state, pub)
	if ids := searchTitles(t, base, "ru", "работа"); len(ids) == 0 {
		t.Fatalf("no guides after seeding again:\n%s", stderr)
	}
	if now, _ := os.Readlink(filepath.Join(state, "content", "current")); now == broken || now == "" {
		t.Errorf("active release %q after reseeding (the broken one was %q)", now, broken)
	}
	if !strings.Contains(stderr.String(), "seeding again from the image") {
		t.Errorf("the reseed is not reported:\n%s", stderr)
	}
}
