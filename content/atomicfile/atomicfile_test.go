package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "config.json")
	for _, tc := range []struct {
		name string
		data string
	}{{"creates with mode", "one"}, {"replaces whole", "two, longer"}} {
		t.Run(tc.name, func(t *testing.T) {
			if err := Write(p, []byte(tc.data), 0o600); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(p)
			fi, _ := os.Stat(p)
			if string(b) != tc.data || fi.Mode().Perm() != 0o600 {
				t.Fatalf("%q %v", b, fi.Mode())
			}
		})
	}
	t.Run("no temp files left", func(t *testing.T) {
		ents, _ := os.ReadDir(dir)
		if len(ents) != 1 {
			t.Fatalf("%v", ents)
		}
	})
	t.Run("failure leaves the old file", func(t *testing.T) {
		if err := Write(filepath.Join(dir, "missing", "x"), []byte("x"), 0o600); err == nil {
			t.Fatal("wrote into a missing dir")
		}
		if b, _ := os.ReadFile(p); string(b) != "two, longer" {
			t.Fatal(string(b))
		}
	})
}
