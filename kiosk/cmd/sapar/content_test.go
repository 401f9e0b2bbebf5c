package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"sapar/content"
	"sapar/content/bundle"
)

func runSapar(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := dispatch(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

// copySample copies the sample sources to a temporary directory an edit can change.
func copySample(t testing.TB) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "src")
	if err := os.CopyFS(dst, os.DirFS("../../../content/sample")); err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestContentCommands(t *testing.T) {
	ctx := context.Background()
	t.Run("check passes on the sample and prints the matrix", func(t *testing.T) {
		code, out, errs := runSapar(t, ctx, "content", "check", "../../../content/sample")
		if code != exitOK || !strings.Contains(out, "check-agency-licence") || !strings.Contains(out, "0 errors") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
	})
	t.Run("check names file and line and exits 1", func(t *testing.T) {
		src := copySample(t)
		f := filepath.Join(src, "guides", "eps-korea", "uz-Latn.md")
		raw, _ := os.ReadFile(f)
		os.WriteFile(f, bytes.Replace(raw, []byte("title: "), []byte("title: O'zbek "), 1), 0o644)
		code, out, _ := runSapar(t, ctx, "content", "check", src)
		if code != exitFailure || !regexp.MustCompile(`eps-korea/uz-Latn\.md:2: "O'": write Oʻ`).MatchString(out) {
			t.Fatalf("exit %d\n%s", code, out)
		}
	})
	t.Run("usage errors exit 2", func(t *testing.T) {
		for _, args := range [][]string{{"content"}, {"content", "frobnicate"}, {"content", "check"}, {"content", "build", "../../../content/sample"}} {
			if code, _, _ := runSapar(t, ctx, args...); code != exitUsage {
				t.Errorf("%v: exit %d, want 2", args, code)
			}
		}
	})
	t.Run("build refuses sources that fail check", func(t *testing.T) {
		src := copySample(t)
		os.Remove(filepath.Join(src, "guides", "eps-korea", "kaa.md"))
		out := filepath.Join(t.TempDir(), "b")
		code, _, errs := runSapar(t, ctx, "content", "build", src, "--out", out)
		if code != exitFailure || !strings.Contains(errs, "no kaa.md") {
			t.Fatalf("exit %d\n%s", code, errs)
		}
		if _, err := os.Stat(filepath.Join(out, bundle.IndexName)); err == nil {
			t.Fatal("a bundle was written from failing sources")
		}
	})
	t.Run("build writes a bundle a kiosk loads", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "b")
		code, stdout, errs := runSapar(t, ctx, "content", "build", "--version", "v-test", "../../../content/sample", "--out", out)
		if code != exitOK {
			t.Fatalf("exit %d\n%s", code, errs)
		}
		b, err := bundle.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		set, err := content.LoadBundle(b)
		if err != nil || b.Index.Version != "v-test" || len(set.Guides) < 23 || len(set.Agencies) == 0 {
			t.Fatalf("%v %s %s", err, b.Index.Version, stdout)
		}
	})
}

// preview runs `sapar content preview` on a copy of the sample until the
// test ends; it returns the copy and a function reading a guide's English
// title from the preview server.
func preview(tb testing.TB) (src string, title func() string) {
	tb.Helper()
	src = copySample(tb)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := dispatch(ctx, []string{"content", "preview", src, "--addr", "127.0.0.1:0"}, pw, io.Discard)
		pw.Close()
		done <- code
	}()
	tb.Cleanup(func() {
		cancel()
		if code := <-done; code != exitOK {
			tb.Errorf("preview exit %d", code)
		}
	})
	buf := make([]byte, 4096)
	n, err := pr.Read(buf)
	if err != nil {
		tb.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	url := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`).FindString(string(buf[:n]))
	if url == "" {
		tb.Fatalf("no URL in %q", buf[:n])
	}
	return src, func() string {
		resp, err := http.Get(url + "api/guides/eps-korea?lang=en")
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		var g struct{ Title string }
		json.NewDecoder(resp.Body).Decode(&g)
		return g.Title
	}
}

// saveAndWait edits the guide's title on disk and waits until the preview
// serves the edit; it returns how long that took.
func saveAndWait(tb testing.TB, src string, title func() string, n int) time.Duration {
	tb.Helper()
	before := title()
	if before == "" {
		tb.Fatal("preview does not serve the guide")
	}
	f := filepath.Join(src, "guides", "eps-korea", "en.md")
	raw, _ := os.ReadFile(f)
	start := time.Now()
	edited := regexp.MustCompile(`(?m)^title: (EDITED \d+ )?`).ReplaceAll(raw, []byte(fmt.Sprintf("title: EDITED %d ", n)))
	if err := os.WriteFile(f, edited, 0o644); err != nil {
		tb.Fatal(err)
	}
	for title() == before {
		if time.Since(start) > 30*time.Second {
			tb.Fatal("preview did not reload within 30 s of a save")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// An editor saves a guide and the preview shows the change without a
// restart. How fast is BenchmarkPreviewReload's figure, not a pass mark.
func TestContentPreviewReloadsOnSave(t *testing.T) {
	src, title := preview(t)
	t.Logf("reload after save: %v", saveAndWait(t, src, title, 1))
	if !strings.HasPrefix(title(), "EDITED 1 ") {
		t.Errorf("preview serves %q after the save", title())
	}
}

// BenchmarkPreviewReload: from saving a guide to the preview serving it
// (fsnotify, compile, the release path's bundle + index + health check).
// Run: go test -run - -bench PreviewReload ./kiosk/cmd/sapar/
func BenchmarkPreviewReload(b *testing.B) {
	src, title := preview(b)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		total += saveAndWait(b, src, title, i+1)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/reload")
}
