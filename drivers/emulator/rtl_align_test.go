package emulator

import (
	"testing"

	"sapar/drivers/receipt"
)

// A left-to-right paragraph after an Urdu one is printed on the left, not
// right-aligned like the Urdu raster before it (the test slip's ruler after
// its Urdu line was).
func TestParagraphAfterUrduIsLeftAligned(t *testing.T) {
	p := mustProfile(t, "TM-T20III")
	job, err := receipt.Render(receipt.Document{Lang: "en", Paragraphs: []string{"ur: اپنے حقوق جانیں", "1234567890"}}, p)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Decode(job, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range s.blocks {
		if len(b.cells) > 0 && b.cells[0].r == '1' && b.align != 0 {
			t.Errorf("the paragraph after Urdu has alignment %d", b.align)
		}
	}
}
