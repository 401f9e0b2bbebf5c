package provisioning

import (
	"testing"
	"time"
)

// The window is read on the kiosk's wall clock, start included, end
// excluded, across midnight too.
func TestWindowContains(t *testing.T) {
	bishkek, err := time.LoadLocation("Asia/Bishkek") // UTC+6, no DST
	if err != nil {
		t.Fatal(err)
	}
	at := func(hhmm string) time.Time { // a wall-clock time in Bishkek, given in UTC
		lt, err := time.ParseInLocation("2006-01-02 15:04", "2026-12-01 "+hhmm, bishkek)
		if err != nil {
			t.Fatal(err)
		}
		return lt.UTC()
	}
	for _, tc := range []struct {
		name, window, clock string
		want                bool
	}{
		{"start is inside", "02:00-04:00", "02:00", true},
		{"middle is inside", "02:00-04:00", "03:17", true},
		{"end is outside", "02:00-04:00", "04:00", false},
		{"a minute before is outside", "02:00-04:00", "01:59", false},
		{"afternoon is outside", "02:00-04:00", "14:00", false},
		{"across midnight: before midnight inside", "23:30-01:30", "23:45", true},
		{"across midnight: after midnight inside", "23:30-01:30", "00:10", true},
		{"across midnight: end outside", "23:30-01:30", "01:30", false},
		{"across midnight: evening outside", "23:30-01:30", "22:00", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := ParseWindow(tc.window)
			if err != nil {
				t.Fatal(err)
			}
			if got := w.Contains(at(tc.clock), bishkek); got != tc.want {
				t.Fatalf("%s contains %s Bishkek time: %v, want %v", tc.window, tc.clock, got, tc.want)
			}
		})
	}
	// 02:30 UTC is 08:30 in Bishkek: outside, although inside in UTC.
	w, _ := ParseWindow("02:00-04:00")
	if w.Contains(time.Date(2026, 12, 1, 2, 30, 0, 0, time.UTC), bishkek) {
		t.Fatal("window read in UTC instead of the kiosk's time zone")
	}
}
