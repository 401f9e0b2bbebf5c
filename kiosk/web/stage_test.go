package web

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"sapar/content"
	"sapar/content/sample/sampletest"
	"sapar/drivers/receipt"
	"sapar/kiosk/web/ui"
)

func versionStore(t *testing.T, version string) *content.Store { return sampletest.Store(t, version) }

// New content from an update never replaces what a person is reading: it
// waits for the idle reset, a new session, or a kiosk nobody uses.
func TestStagedContentWaitsForAnIdleMoment(t *testing.T) {
	a, b, c := versionStore(t, "a"), versionStore(t, "b"), versionStore(t, "c")
	srv, err := NewServer(Options{Store: a, IdleTimeout: 300 * time.Millisecond,
		Print: func(context.Context, receipt.Document) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Serve(ctx, ln)

	srv.used.Store(time.Now().UnixNano()) // someone is mid-guide
	var switched []*content.Store
	srv.StageStore(b, func(old *content.Store) { switched = append(switched, old) })
	if srv.Store() != a {
		t.Fatal("staged content switched in while the kiosk was in use")
	}
	srv.applyStaged() // what an idle-reset or session-start event does
	if srv.Store() != b || len(switched) != 1 || switched[0] != a {
		t.Fatalf("after the idle reset: store b=%v, switched %d", srv.Store() == b, len(switched))
	}

	srv.used.Store(time.Now().UnixNano())
	srv.StageStore(c, func(old *content.Store) {})
	deadline := time.Now().Add(5 * time.Second)
	for srv.Store() != c && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if srv.Store() != c {
		t.Fatal("staged content never switched in on a kiosk nobody used")
	}
}

// The slip's second line names the stages and countries in the reader's
// language, as the screen does.
func TestSlipSubtitleIsInTheGuidesLanguage(t *testing.T) {
	st := versionStore(t, "v")
	srv, err := NewServer(Options{Store: st, Print: func(context.Context, receipt.Document) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	g, err := st.Guide(context.Background(), "country-russia", "ky")
	if err != nil {
		t.Fatal(err)
	}
	doc := srv.slip(g, "v")
	for _, want := range []string{"Кетүүнү ойлонуп жатам", "Россия"} {
		if !strings.Contains(doc.Subtitle, want) {
			t.Errorf("subtitle %q lacks %q", doc.Subtitle, want)
		}
	}
	if strings.Contains(doc.Subtitle, "RU") || strings.Contains(doc.Subtitle, "thinking") {
		t.Errorf("subtitle %q shows codes, not words", doc.Subtitle)
	}
}

// The slip carries the guide's key contacts, named in the reader's language,
// with only the ways to reach them that the content holds.
func TestSlipCarriesTheKeyContacts(t *testing.T) {
	st := versionStore(t, "v")
	g, err := st.Guide(context.Background(), "unpaid-wages-help", "ky")
	if err != nil {
		t.Fatal(err)
	}
	strs, err := ui.Strings()
	if err != nil {
		t.Fatal(err)
	}
	doc := Slip(g, SlipOptions{Version: "v", Now: time.Now(), Strings: strs})
	if len(doc.Contacts) == 0 {
		t.Fatal("no key contacts on the unpaid-wages slip")
	}
	joined := strings.Join(doc.Contacts, "\n")
	if !strings.Contains(joined, "Эмгек, социалдык камсыздоо жана миграция министрлиги — mlsp.gov.kg") {
		t.Errorf("contacts not in Kyrgyz with their website:\n%s", joined)
	}
	for _, c := range g.Contacts {
		if c.Phone == "" && strings.Contains(joined, "+") {
			t.Errorf("a phone number appeared that the content does not hold:\n%s", joined)
		}
	}
}

// The slip's time is the kiosk's provisioned zone, not UTC: 07:26 UTC is
// 13:26 in Bishkek (UTC+6) and 21:26 in Kiritimati (UTC+14).
func TestSlipTimeIsInTheKiosksZone(t *testing.T) {
	st := versionStore(t, "v")
	at := time.Date(2026, 12, 1, 7, 26, 0, 0, time.UTC)
	for _, tc := range []struct{ zone, want string }{
		{"Asia/Bishkek", "2026-12-01 13:26"},
		{"Pacific/Kiritimati", "2026-12-01 21:26"},
		{"UTC", "2026-12-01 07:26"},
	} {
		loc, err := time.LoadLocation(tc.zone)
		if err != nil {
			t.Fatal(err)
		}
		srv, err := NewServer(Options{Store: st, Location: loc, Now: func() time.Time { return at },
			Print: func(context.Context, receipt.Document) error { return nil }})
		if err != nil {
			t.Fatal(err)
		}
		g, err := st.Guide(context.Background(), "country-russia", "ky")
		if err != nil {
			t.Fatal(err)
		}
		doc := srv.slip(g, "v")
		if !strings.Contains(strings.Join(doc.Footer, "\n"), tc.want) {
			t.Errorf("%s: footer %q lacks %q", tc.zone, doc.Footer, tc.want)
		}
		srv.Queue().Close()
	}
}
