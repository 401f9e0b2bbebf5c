package fonts

import (
	"testing"
)

func TestUrduIsShapedRightToLeft(t *testing.T) {
	r, err := NewRTL(26)
	if err != nil {
		t.Fatal(err)
	}
	word := "پاسپورٹ"
	isolated := 0
	for _, c := range word {
		isolated += r.Width(string(c))
	}
	joined := r.Width(word)
	if joined >= isolated {
		t.Errorf("joined width %d not below isolated %d: letters were not joined", joined, isolated)
	}
	// Logical order first letter (پ) must be drawn at the right end: the
	// rightmost ink column belongs to the first letter's glyph.
	img := r.Render(word, 576)
	first := r.Render("پ", 576)
	if img.Bounds().Dx() < first.Bounds().Dx() {
		t.Fatalf("line narrower than its first letter")
	}
	inkCols := func(x0, x1 int) int {
		n := 0
		for x := x0; x < x1; x++ {
			for y := 0; y < img.Bounds().Dy(); y++ {
				if img.GrayAt(x, y).Y == 0 {
					n++
					break
				}
			}
		}
		return n
	}
	w := img.Bounds().Dx()
	if inkCols(w-4, w) == 0 {
		t.Errorf("no ink at the right end: text is not right to left")
	}
}

func TestRunsKeepNumbersLeftToRight(t *testing.T) {
	rs := runs("فون: +996 312")
	var ltr string
	for _, r := range rs {
		if !r.rtl {
			ltr += string(r.text)
		}
	}
	if ltr != "+996 312" {
		t.Errorf("LTR part %q", ltr)
	}
}

func TestCellsHaveKyrgyzGlyphs(t *testing.T) {
	c, err := NewCells(12, 24)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range "ңөүҢӨҮҳҲǵǴӯҷ" {
		if !c.Has(r) {
			t.Errorf("%c missing in Noto Sans Mono", r)
		}
		ink := 0
		for _, a := range c.Glyph(r).Pix {
			if a != 0 {
				ink++
			}
		}
		if ink < 10 {
			t.Errorf("%c draws %d dots", r, ink)
		}
	}
}

// Parentheses in an Urdu line face the word they enclose: in a right-to-left
// run "(" is drawn as ")" (Bidi_Mirroring_Glyph), so the slip does not read
// ")کرغزستان(".
func TestParenthesesAreMirroredInRTLRuns(t *testing.T) {
	rs := runs("مرکز (کرغزستان)")
	var got []rune
	for _, r := range rs {
		if !r.rtl {
			t.Fatalf("unexpected LTR run %q", string(r.text))
		}
		got = append(got, r.text...)
	}
	if string(got) != "مرکز )کرغزستان(" {
		t.Errorf("RTL run %q: parentheses not mirrored", string(got))
	}
	ltr := runs("مرکز Migrant.kg (KG) ہے")
	var l string
	for _, r := range ltr {
		if !r.rtl {
			l += string(r.text)
		}
	}
	if l != "Migrant.kg (KG)" {
		t.Errorf("LTR piece %q, want Migrant.kg (KG) unchanged", l)
	}
}
