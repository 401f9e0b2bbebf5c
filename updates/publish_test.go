package updates

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPublisherKeysAndStatus(t *testing.T) {
	f := newFixture(t, InitOptions{Thresholds: map[string]int{"root": 2}, KeyCounts: map[string]int{"root": 3}})
	// private keys 0600 under KEYS, nothing secret under REPO
	filepath.Walk(f.pub.Keys, func(p string, fi os.FileInfo, err error) error {
		if fi.Mode().IsRegular() && fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", p, fi.Mode().Perm())
		}
		return nil
	})
	filepath.Walk(f.pub.Repo, func(p string, fi os.FileInfo, err error) error {
		if strings.HasSuffix(p, ".pem") {
			t.Errorf("key file in repo: %s", p)
		}
		return nil
	})
	if err := (&Publisher{Repo: f.pub.Repo, Keys: filepath.Join(f.pub.Repo, "k")}).Init(InitOptions{}); err == nil {
		t.Error("keys inside the repository accepted")
	}
	st, _, err := f.pub.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st[0].Role != "root" || st[0].Threshold != 2 || st[0].Keys != 3 || st[0].KeysHere != 3 {
		t.Fatalf("root status %+v", st[0])
	}
	// root offline: daily work still possible, root work refused with advice
	os.Rename(filepath.Join(f.pub.Keys, "root"), filepath.Join(f.dir, "offline-root"))
	f.publish("v1", guideFiles(2, 10, ""))
	if err := f.pub.Timestamp(); err != nil {
		t.Fatal(err)
	}
	if err := f.pub.Rotate("timestamp"); err == nil || !strings.Contains(err.Error(), "offline media") {
		t.Fatalf("rotate without root keys: %v", err)
	}
	os.Rename(filepath.Join(f.dir, "offline-root"), filepath.Join(f.pub.Keys, "root"))
	if err := f.pub.ResignRoot(); err != nil {
		t.Fatal(err)
	}
	// the timer's view a day later: timestamp expired, status says so
	f.clock = f.clock.Add(25 * time.Hour)
	st, warn, _ := f.pub.Status()
	if !st[3].Expired || len(warn) == 0 {
		t.Fatalf("expired timestamp not reported: %+v %v", st[3], warn)
	}
	// snapshot close to expiry is re-signed by the timestamp run
	f.clock = f.clock.Add(20 * day)
	if err := f.pub.Timestamp(); err != nil {
		t.Fatal(err)
	}
	st, _, _ = f.pub.Status()
	if st[2].Expired || st[2].ExpireSoon || st[3].Expired {
		t.Fatalf("after timestamp run: %+v", st)
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"365d": 365 * day, "1d12h": 36 * time.Hour, "12h": 12 * time.Hour} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	if _, err := ParseDuration("soon"); err == nil {
		t.Error("bad duration accepted")
	}
}
