package web

import (
	"context"
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
