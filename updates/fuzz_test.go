package updates

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// FuzzStickPath feeds the directory fetcher URLs under a stick's root (go-tuf
// builds them from names the repository's metadata chooses): whatever the
// path, it never reads a file off the stick (through "..", encodings or
// symlinks), never blocks on the FIFO on it, and what it returns is the
// content of a regular file inside it.
func FuzzStickPath(f *testing.F) {
	base := f.TempDir()
	stick, outside := filepath.Join(base, "stick"), filepath.Join(base, "outside")
	for _, d := range []string{filepath.Join(stick, "metadata"), filepath.Join(stick, "targets", "bundle"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			f.Fatal(err)
		}
	}
	secret := []byte("SECRET off the stick")
	os.WriteFile(filepath.Join(outside, "secret.json"), secret, 0o644)
	os.WriteFile(filepath.Join(stick, "metadata", "1.root.json"), []byte(`{"inside":1}`), 0o644)
	os.WriteFile(filepath.Join(stick, "targets", "bundle", "x.index.json"), []byte(`{"inside":2}`), 0o644)
	os.Symlink("1.root.json", filepath.Join(stick, "metadata", "root.json"))
	os.Symlink(filepath.Join(outside, "secret.json"), filepath.Join(stick, "metadata", "snapshot.json"))
	os.Symlink(outside, filepath.Join(stick, "off"))
	os.Symlink("../../outside/secret.json", filepath.Join(stick, "metadata", "up.json"))
	if err := syscall.Mkfifo(filepath.Join(stick, "metadata", "timestamp.json"), 0o644); err != nil {
		f.Fatal(err)
	}
	fetch := &DirFetcher{Root: stick, Limits: FetchLimits{RequestTimeout: 5 * time.Second}}
	prefix := dirURL(stick)
	for _, s := range []string{
		"/metadata/1.root.json", "/metadata/root.json", "/metadata/2.root.json", "/metadata/timestamp.json",
		"/metadata/snapshot.json", "/metadata/up.json", "/off/secret.json", "/../outside/secret.json",
		"/metadata/%2e%2e/%2e%2e/outside/secret.json", "/metadata/..%2f..%2foutside%2fsecret.json",
		"/targets/bundle/x.index.json?x=1", "/targets/bundle/x.index.json#frag", "//host/etc/passwd",
		"/metadata/1.root.json%00", "/./metadata//1.root.json", "", "/", "/metadata/", "\\..\\..\\outside",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, suffix string) {
		data, err := fetch.DownloadFile(prefix+suffix, 1<<10, 0)
		if bytes.Contains(data, secret) {
			t.Fatalf("%q read a file off the stick", suffix)
		}
		if err != nil {
			var dl *metadata.ErrDownload
			var h *metadata.ErrDownloadHTTP
			var l *metadata.ErrDownloadLengthMismatch
			var r *stickRefused
			if !errors.As(err, &dl) && !errors.As(err, &h) && !errors.As(err, &l) && !errors.As(err, &r) {
				t.Fatalf("%q: unexpected error type %T: %v", suffix, err, err)
			}
			if strings.Contains(err.Error(), "no answer within") {
				t.Fatalf("%q: blocked: %v", suffix, err)
			}
			return
		}
		rel, perr := stickPath(stick, prefix+suffix)
		if perr != nil || !filepath.IsLocal(rel) {
			t.Fatalf("%q: read although the path is not inside: %q %v", suffix, rel, perr)
		}
		want, rerr := os.ReadFile(filepath.Join(stick, rel))
		if rerr != nil || !bytes.Equal(data, want) {
			t.Fatalf("%q: returned %q, the file %s holds %q (%v)", suffix, data, rel, want, rerr)
		}
	})
}
