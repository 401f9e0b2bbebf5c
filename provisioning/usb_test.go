package provisioning

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestFindFile(t *testing.T) {
	mk := func(t *testing.T, names ...string) string {
		d := t.TempDir()
		for _, n := range names {
			os.WriteFile(filepath.Join(d, n), []byte("x"), 0o644)
		}
		return d
	}
	for _, tc := range []struct {
		name   string
		files  []string
		signed bool
		want   string
		errIs  error
	}{
		{"signed file on the stick found", []string{"osh-airport-01.yaml", "osh-airport-01.yaml.sig", "photo.jpg"}, true, "osh-airport-01.yaml", nil},
		{"unsigned file ignored in production", []string{"osh-airport-01.yaml"}, true, "", ErrNoFile},
		{"unsigned file found for the demo", []string{"demo.yml"}, false, "demo.yml", nil},
		{"empty stick reported", nil, true, "", ErrNoFile},
		{"hidden files ignored", []string{"._osh.yaml", "._osh.yaml.sig"}, true, "", ErrNoFile},
		{"two files refused", []string{"a.yaml", "a.yaml.sig", "b.yaml", "b.yaml.sig"}, true, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := mk(t, tc.files...)
			got, err := FindFile(d, tc.signed)
			if tc.want != "" {
				if err != nil || got != filepath.Join(d, tc.want) {
					t.Fatalf("%q %v", got, err)
				}
				return
			}
			if err == nil || (tc.errIs != nil && !errors.Is(err, tc.errIs)) {
				t.Fatalf("%q %v", got, err)
			}
		})
	}
}
