package receipt_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"sapar/drivers/escpos"
	"sapar/drivers/internal/refslips"
	"sapar/drivers/receipt"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// Golden jobs guard every byte of the reference slips (KZ-1048 text, user
// characters, raster lines, QR, cut) against accidental change.
func TestRenderGolden(t *testing.T) {
	for _, tc := range []struct{ lang, profile string }{
		{"ky", "TM-T20III"}, {"ky", "POS-5890"}, {"ky", "minimal-58"}, {"uz-Cyrl", "TM-T20III"}, {"kaa", "TM-T88V"},
	} {
		name := tc.lang + "." + tc.profile
		t.Run(name, func(t *testing.T) {
			p, err := escpos.ProfileByName(tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			got, err := receipt.Render(refslips.All()[tc.lang], p)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./drivers/receipt -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: %d bytes, golden %d bytes differ", name, len(got), len(want))
			}
		})
	}
}

func TestWrapByColumns(t *testing.T) {
	for _, tc := range []struct {
		profile string
		cols    int
	}{{"TM-T20III", 48}, {"POS-5890", 32}} {
		p, _ := escpos.ProfileByName(tc.profile)
		if p.Columns != tc.cols {
			t.Errorf("%s: %d columns", tc.profile, p.Columns)
		}
	}
}
