package main

import (
	"bytes"
	"context"
	"encoding/json"
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
func copySample(t *testing.T) string {
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

func TestContentPreviewReloadsOnSave(t *testing.T) {
	src := copySample(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := dispatch(ctx, []string{"content", "preview", src, "--addr", "127.0.0.1:0"}, pw, io.Discard)
		pw.Close()
		done <- code
	}()
	buf := make([]byte, 4096)
	n, err := pr.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	url := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`).FindString(string(buf[:n]))
	if url == "" {
		t.Fatalf("no URL in %q", buf[:n])
	}
	title := func() string {
		resp, err := http.Get(url + "api/guides/eps-korea?lang=en")
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		var g struct{ Title string }
		json.NewDecoder(resp.Body).Decode(&g)
		return g.Title
	}
	before := title()
	if before == "" {
		t.Fatal("preview does not serve the guide")
	}
	f := filepath.Join(src, "guides", "eps-korea", "en.md")
	raw, _ := os.ReadFile(f)
	start := time.Now()
	if err := os.WriteFile(f, bytes.Replace(raw, []byte("title: "), []byte("title: EDITED "), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	for title() == before {
		if time.Since(start) > 5*time.Second {
			t.Fatal("preview did not reload within 5 s of a save")
		}
		time.Sleep(20 * time.Millisecond)
	}
	took := time.Since(start)
	t.Logf("reload after save: %v", took)
	if took > time.Second {
		t.Errorf("reload took %v, want under 1 s", took)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("preview exit %d", code)
	}
}
