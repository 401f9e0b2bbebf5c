package bundle

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeSample(t *testing.T) (string, Index) {
	t.Helper()
	dir := t.TempDir()
	idx, err := Write(dir, "2026.11.27-1", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), map[string][]byte{
		"guides/work-visa/ky.json": []byte(`{"title":"Жумуш визасы"}`),
		"guides/work-visa/en.json": []byte(`{"title":"Work visa"}`),
		"same-as-en.json":          []byte(`{"title":"Work visa"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir, idx
}

func TestRoundTrip(t *testing.T) {
	dir, idx := writeSample(t)
	if len(idx.Files) != 3 {
		t.Fatalf("index has %d files, want 3", len(idx.Files))
	}
	objs, _ := os.ReadDir(filepath.Join(dir, ObjectsDir))
	if len(objs) != 2 {
		t.Errorf("identical content should share one object: %d objects, want 2", len(objs))
	}
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.ReadFile("guides/work-visa/ky.json")
	if err != nil || !strings.Contains(string(got), "Жумуш") {
		t.Fatalf("ReadFile = %q, %v", got, err)
	}
	if _, err := b.ReadFile("nope"); err == nil {
		t.Error("missing logical file read without error")
	}
}

func TestOpenRefusesDamage(t *testing.T) {
	cases := []struct {
		name   string
		damage func(t *testing.T, dir string, idx Index)
		want   string
	}{
		{"tampered object", func(t *testing.T, dir string, idx Index) {
			p := filepath.Join(dir, ObjectPath(idx.Files[0].SHA256))
			os.WriteFile(p, []byte(`{"title":"evil!!!!!!!!!!!!!!!"}`), 0o644)
		}, "bytes"},
		{"tampered object same size", func(t *testing.T, dir string, idx Index) {
			p := filepath.Join(dir, ObjectPath(idx.Files[0].SHA256))
			data, _ := os.ReadFile(p)
			data[len(data)-2] ^= 1
			os.WriteFile(p, data, 0o644)
		}, "hash mismatch"},
		{"missing object", func(t *testing.T, dir string, idx Index) {
			os.Remove(filepath.Join(dir, ObjectPath(idx.Files[0].SHA256)))
		}, "no such file"},
		{"path escaping the bundle", func(t *testing.T, dir string, idx Index) {
			raw, _ := os.ReadFile(filepath.Join(dir, IndexName))
			raw = []byte(strings.Replace(string(raw), "guides/work-visa/en.json", "../../etc/passwd", 1))
			os.WriteFile(filepath.Join(dir, IndexName), raw, 0o644)
		}, "unsafe path"},
		{"unknown field", func(t *testing.T, dir string, idx Index) {
			raw, _ := os.ReadFile(filepath.Join(dir, IndexName))
			raw = []byte(strings.Replace(string(raw), `"format"`, `"surprise": 1, "format"`, 1))
			os.WriteFile(filepath.Join(dir, IndexName), raw, 0o644)
		}, "unknown field"},
		{"newer format", func(t *testing.T, dir string, idx Index) {
			raw, _ := os.ReadFile(filepath.Join(dir, IndexName))
			raw = []byte(strings.Replace(string(raw), `"format": 1`, `"format": 2`, 1))
			os.WriteFile(filepath.Join(dir, IndexName), raw, 0o644)
		}, "update the kiosk software"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir, idx := writeSample(t)
			tc.damage(t, dir, idx)
			_, err := Open(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open error = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func FuzzParseIndex(f *testing.F) {
	f.Add([]byte(`{"format":1,"version":"v","created":"2026-01-01T00:00:00Z","files":[{"path":"a/b","sha256":"` + strings.Repeat("a", 64) + `","size":3}]}`))
	f.Add([]byte(`{"format":1,"version":"v","files":[{"path":"../x","sha256":"","size":-1}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		idx, err := ParseIndex(raw)
		if err != nil {
			return
		}
		for _, fl := range idx.Files {
			if checkPath(fl.Path) != nil || !hexHash.MatchString(fl.SHA256) {
				t.Fatalf("accepted bad entry %+v", fl)
			}
		}
	})
}
