package maint

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"sapar/content"
	"sapar/content/release"
	"sapar/content/sample"
	"sapar/kiosk/internal/kiosktest"
	"sapar/kiosk/web"
	"sapar/provisioning/pin"
)

// A corrupt index served 500s while the maintenance screen showed its
// version as if all were well: the status asks the index what the screens
// ask, and lists the repairs made to the content since start.
func TestStatusSaysWhenTheContentDoesNotAnswer(t *testing.T) {
	set, err := content.Load(sample.FS())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "index.db")
	st, err := content.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Replace(context.Background(), set, "t"); err != nil {
		t.Fatal(err)
	}
	st.Close() // checkpointed: every page is in index.db, as in a release
	if st, err = content.OpenStore(path); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := &Maintenance{PINHash: exampleHash, Guard: pin.NewGuard(filepath.Join(t.TempDir(), "lock.json"), pin.DefaultPolicy),
		KioskID: "t-01", Errors: NewErrorRing(10),
		ContentStatus: func() (string, []string) {
			return "", []string{"release-2: the index failed its check (corrupt): rebuilt it from the release's verified bundle"}
		}}
	ts := httptest.NewServer(mount(t, st, m, web.Options{Log: kiosktest.QuietLog()}))
	defer ts.Close()
	c := &kiosktest.Client{T: t, Base: ts.URL}
	tok := c.BootToken("/maintenance")
	code, b := c.Do("POST", "/api/maintenance/unlock", map[string]string{"X-Sapar-Token": tok}, map[string]string{"pin": examplePIN})
	var sess map[string]string
	json.Unmarshal(b, &sess)
	if code != http.StatusOK || sess["session"] == "" {
		t.Fatalf("unlock: %d %s", code, b)
	}
	auth := map[string]string{"X-Sapar-Token": tok, "X-Sapar-Maint": sess["session"]}
	status := func() map[string]any {
		code, b := c.Do("GET", "/api/maintenance/status", auth, nil)
		var out struct {
			Content map[string]any `json:"content"`
		}
		if code != http.StatusOK || json.Unmarshal(b, &out) != nil {
			t.Fatalf("status: %d %s", code, b)
		}
		return out.Content
	}
	if got := status(); got["answers"] != "ok" || len(got["repairs"].([]any)) != 1 {
		t.Fatalf("healthy content: %v", got)
	}

	// 8 KB of garbage where the guide list or a search reads.
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	junk := make([]byte, 8192)
	for i := range junk {
		junk[i] = byte(i*7 + 3)
	}
	broken := false
	size := int64(len(orig))
	for step := int64(0); step < size && !broken; step += 16384 {
		off := (size/2 + step) % (size - 8192)
		off -= off % 4096
		if off < 4096 {
			continue
		}
		f.WriteAt(junk, off)
		if release.Answers(context.Background(), st) != nil {
			broken = true
			break
		}
		f.WriteAt(orig[off:off+8192], off)
	}
	if !broken {
		t.Fatal("no 8 KB of garbage broke the index: the test proves nothing")
	}
	if got := status(); got["answers"] == "ok" || got["answers"] == nil {
		t.Fatalf("the status of a corrupt index says %v", got)
	}
}
