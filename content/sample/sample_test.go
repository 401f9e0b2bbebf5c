package sample_test

import (
	"testing"

	"sapar/content"
	"sapar/content/sample"
)

// The embedded sample is what the demo and a new MRC editor start from: it
// must load without a single problem and carry the core languages.
func TestSampleLoadsCleanly(t *testing.T) {
	set, err := content.Load(sample.FS())
	if err != nil {
		t.Fatalf("sample content has problems:\n%v", err)
	}
	if len(set.Guides) < 30 {
		t.Fatalf("sample has %d guides, want at least 30", len(set.Guides))
	}
	countries := map[string]bool{}
	for _, g := range set.Guides {
		for _, c := range g.Countries {
			countries[c] = true
		}
	}
	for _, c := range []string{"RU", "KZ", "TR", "KR", "GB", "DE"} {
		if !countries[c] {
			t.Errorf("no guide for destination %s", c)
		}
	}
	if len(set.Contacts) == 0 || len(set.Agencies) == 0 {
		t.Errorf("sample has %d contacts and %d agencies: both are embedded", len(set.Contacts), len(set.Agencies))
	}
	for _, a := range set.Agencies {
		if !a.Sample {
			t.Errorf("agency %s is not marked as sample: the sample registry must be fictional", a.LicenceNo)
		}
	}
	for _, id := range []string{"work-visa-vs-tourist-visa", "check-agency-licence", "unpaid-wages-help", "irregular-status-help"} {
		g := set.Guide(id)
		if g == nil {
			t.Errorf("core guide %s missing", id)
			continue
		}
		for _, l := range []string{"ky", "uz-Latn", "uz-Cyrl", "kaa", "ru", "en", "tg", "ur"} {
			if g.Texts[l] == nil {
				t.Errorf("core guide %s has no %s text", id, l)
			}
		}
	}
}

// The sample passes the editorial check too (scripts, slips, dates), not
// only the loader: it is what new editors copy.
func TestSamplePassesCheck(t *testing.T) {
	r := content.Check(sample.FS(), content.CheckOptions{})
	if !r.OK() {
		t.Fatalf("content check on the sample:\n%v", r.Errors)
	}
}
