package calibrate_test

import (
	"slices"
	"testing"

	"sapar/drivers/calibrate"
)

// FuzzParseAnswers: whatever a technician types is refused or gives
// sorted, distinct line numbers from 1.
// Run: go test ./drivers/calibrate -run '^$' -fuzz FuzzParseAnswers -fuzztime 10s
func FuzzParseAnswers(f *testing.F) {
	for _, s := range []string{"3,7,12", "1-5, 9;9", "", "0", "5-3", "1-99999999", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := calibrate.ParseAnswers(s)
		if err != nil {
			return
		}
		if !slices.IsSorted(a) || len(slices.Compact(slices.Clone(a))) != len(a) || (len(a) > 0 && a[0] < 1) {
			t.Fatalf("%q → %v", s, a)
		}
	})
}
