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
	if len(set.Guides) < 6 {
		t.Fatalf("sample has %d guides, want at least 6", len(set.Guides))
	}
	for _, id := range []string{"work-visa-vs-tourist-visa", "check-agency-licence", "unpaid-wages-help"} {
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
