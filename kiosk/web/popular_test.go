package web

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"sapar/content/sample/sampletest"
	"sapar/drivers/receipt"
)

// A search that finds nothing must not leave a blank screen: /api/popular
// offers the guides most opened at this kiosk first, and something even on
// a kiosk nobody has used yet.
func TestPopularNeverEmpty(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opened map[string]int64
		first  string
	}{
		{"a new kiosk still offers guides", nil, ""},
		{"the most opened guide here comes first", map[string]int64{"eps-korea": 9, "check-agency-licence": 2}, "eps-korea"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := NewServer(Options{Store: sampletest.Store(t, "t"), Espeak: "-",
				Print:  func(context.Context, receipt.Document) error { return nil },
				Opened: func(context.Context) map[string]int64 { return tc.opened }})
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "http://127.0.0.1/api/popular?lang=ky", nil))
			var offer struct {
				Counted bool
				Guides  []struct{ ID, Title string }
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &offer); err != nil || rec.Code != 200 {
				t.Fatalf("%d %v %s", rec.Code, err, rec.Body)
			}
			list := offer.Guides
			if offer.Counted != (tc.opened != nil) {
				t.Errorf("counted %v with counts %v: the heading would claim what the kiosk did not count", offer.Counted, tc.opened)
			}
			if len(list) == 0 {
				t.Fatal("nothing offered")
			}
			if tc.first != "" && list[0].ID != tc.first {
				t.Errorf("first %s, want %s", list[0].ID, tc.first)
			}
		})
	}
}
