package usage

import (
	"strings"
	"testing"
	"time"
)

// FuzzReadCSV: fleet reports merge CSVs from many kiosks; a damaged one must
// be refused, never panic.
func FuzzReadCSV(f *testing.F) {
	f.Add("kiosk,hour,metric,topic,lang,detail,count\nosh,2026-05-04T03:00:00Z,guide,work-visa,ky,qr,3\n")
	f.Add("kiosk,hour,metric,topic,lang,detail,count\n\"a\nb\",x,,,,,-1\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows, err := ReadCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, r := range rows {
			if r.Count < 0 {
				t.Fatal("negative count accepted")
			}
		}
		Summarise(rows, rows0(rows), rows0(rows), nil)
	})
}

func rows0(r []Row) (t0 time.Time) {
	if len(r) > 0 {
		return r[0].Hour
	}
	return
}
