package web

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"sapar/content"
	"sapar/kiosk/web/ui"
)

// Slips were dead ends: 21 of 30 guides named no contact. Every slip of
// every guide in every language names the kiosk's own help desk; the
// demo's says in the reader's language that it is not a real number.
func TestEverySlipNamesTheHelpDesk(t *testing.T) {
	st := versionStore(t, "t")
	strs, err := ui.Strings()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	guides, err := st.List(ctx, "", "en")
	if err != nil || len(guides) == 0 {
		t.Fatalf("guides: %d, %v", len(guides), err)
	}
	desks := map[string]HelpDesk{
		"provisioned": {Name: "Test desk", Phone: "+000 000 000 000", Hours: "9–18", Address: "Hall A"},
		"sample":      SampleHelpDesk,
	}
	for name, desk := range desks {
		for _, g := range guides {
			for _, l := range content.Languages() {
				v, err := st.Guide(ctx, g.ID, l.Tag)
				if err != nil {
					t.Fatal(err)
				}
				doc := Slip(v, SlipOptions{HelpDesk: desk, Now: time.Now(), Strings: strs})
				all := strings.Join(doc.Contacts, "\n")
				if !strings.Contains(all, strs[v.Lang]["helpDesk"]) || !strings.Contains(all, desk.Name) {
					t.Fatalf("%s %s/%s: no help desk on the slip: %q", name, g.ID, l.Tag, doc.Contacts)
				}
				if desk.Sample != strings.Contains(all, strs[v.Lang]["helpDeskSample"]) {
					t.Fatalf("%s %s/%s: sample mark wrong: %q", name, g.ID, l.Tag, doc.Contacts)
				}
				if !desk.Sample && !strings.Contains(all, desk.Phone) {
					t.Fatalf("%s/%s: no phone: %q", g.ID, l.Tag, doc.Contacts)
				}
			}
		}
	}
}

// The slip's QR was a Kyrgyz site for 24 of 30 guides, whoever read it.
// Walk every guide × language × citizenship: the slip names the help desk
// and at least one office serving that citizenship that can be reached
// (a phone, a website or a Telegram the content holds); the QR is a link
// for that citizenship or for everyone.
func TestEverySlipHasAnOfficeForTheReadersOrigin(t *testing.T) {
	st := versionStore(t, "t")
	strs, err := ui.Strings()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	guides, err := st.List(ctx, "", "en")
	if err != nil {
		t.Fatal(err)
	}
	desk := HelpDesk{Name: "Test desk", Phone: "+000 000 000 000"}
	for _, g := range guides {
		for _, l := range content.Languages() {
			for _, origin := range content.Origins {
				v, err := st.Guide(ctx, g.ID, l.Tag)
				if err != nil {
					t.Fatal(err)
				}
				if err := st.ForOrigin(ctx, v, origin); err != nil {
					t.Fatal(err)
				}
				doc := Slip(v, SlipOptions{HelpDesk: desk, Now: time.Now(), Strings: strs})
				all := strings.Join(doc.Contacts, "\n")
				if !strings.Contains(all, desk.Phone) {
					t.Fatalf("%s/%s/%s: no help desk: %q", g.ID, l.Tag, origin, doc.Contacts)
				}
				office := false
				for _, c := range v.Contacts {
					if slices.Contains(c.Serves, origin) && (c.Phone != "" || c.Website != "" || c.Telegram != "") && strings.Contains(all, contactLine(c)) {
						office = true
					}
				}
				for _, c := range v.Contacts {
					if contactLine(c) == c.Name && !strings.Contains(all, c.Name+" — "+strs[v.Lang]["askHelpDesk"]) && strs[v.Lang]["askHelpDesk"] != "" {
						t.Errorf("%s/%s/%s: %s has no way to reach it and does not point to the help desk: %q", g.ID, l.Tag, origin, c.ID, doc.Contacts)
					}
				}
				if !office {
					t.Errorf("%s/%s/%s: no reachable office for that citizenship: %q", g.ID, l.Tag, origin, doc.Contacts)
				}
				for _, ln := range v.Links[:min(1, len(v.Links))] {
					if len(ln.Origins) > 0 && !slices.Contains(ln.Origins, origin) {
						t.Errorf("%s/%s/%s: the QR %s is for %v", g.ID, l.Tag, origin, ln.URL, ln.Origins)
					}
				}
			}
		}
	}
}
