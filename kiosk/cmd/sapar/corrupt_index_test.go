package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// activeIndex is the index.db of the release `sapar update` activated.
func activeIndex(t *testing.T, state string) string {
	t.Helper()
	active, err := os.Readlink(filepath.Join(state, "content", "current"))
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(state, "content", active, "index.db")
}

// Damage to the active index, through the commands a technician and the
// units run: `sapar doctor` fails the content check, `sapar run` rebuilds
// the index from the verified bundle (it used to exit when index.db held
// text) and says so, then serves, and doctor passes again.
func TestRunRebuildsADamagedIndex(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string)
		log    string
	}{
		{"index replaced by text", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte("this is not a database\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "not an index"},
		{"8 KB of garbage in the middle of the index", func(t *testing.T, path string) {
			fi, err := os.Stat(path)
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
			if _, err := f.WriteAt(junk, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
		}, "corrupt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			state, pub := applianceState(t, ctx)
			repo, root := publishRepo(t, ctx, "../../../content/sample")
			if code, _, errs := runSapar(t, ctx, "update", "--state", state, "--usb", repo, "--trusted-root", root); code != 0 {
				t.Fatalf("sapar update: %s", errs)
			}
			tc.damage(t, activeIndex(t, state))
			_, out, errs := runSapar(t, ctx, "doctor", "--state", state)
			t.Logf("doctor:\n%s%s", out, errs)
			if !contentLine(out+errs, "FAIL") {
				t.Errorf("sapar doctor does not fail the damaged index:\n%s%s", out, errs)
			}
			base, stderr := startRun(t, state, pub)
			if ids := searchTitles(t, base, "ru", "работа"); len(ids) == 0 {
				t.Fatalf("no guides after the rebuild:\n%s", stderr)
			}
			if l := stderr.String(); !strings.Contains(l, "content repaired") || !strings.Contains(l, tc.log) {
				t.Errorf("the rebuild is not reported (want %q):\n%s", tc.log, l)
			}
			_, out, errs = runSapar(t, ctx, "doctor", "--state", state)
			if !contentLine(out+errs, "PASS") {
				t.Errorf("sapar doctor after the rebuild:\n%s%s", out, errs)
			}
		})
	}
}

// contentLine reports whether doctor's content line carries verdict.
func contentLine(report, verdict string) bool {
	for _, l := range strings.Split(report, "\n") {
		if strings.Contains(strings.ToLower(l), "content") && strings.Contains(l, verdict) {
			return true
		}
	}
	return false
}
