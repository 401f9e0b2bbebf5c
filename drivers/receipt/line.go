package receipt

import (
	"image"
	"image/draw"

	"sapar/drivers/escpos"
	"sapar/drivers/fonts"
)

type style struct {
	bold, double, reverse bool
}

// layout emits lines: as text when the printer can print every letter,
// else — on a printer with graphics — as a raster image of just that line.
type layout struct {
	e      *escpos.Encoder
	p      escpos.Profile
	cells  *fonts.Cells
	rtl    *fonts.RTL // body size
	rtlBig *fonts.RTL // title size
	err    error
}

// RTLSize is the em size in dots of right-to-left body text (Urdu): about
// 40 dots a line, the smallest at which Naskh's dots stay apart at 203 dpi.
const RTLSize = 26

// paragraph emits text that may be right to left: RTL text is wrapped by
// its shaped width and sent as right-aligned raster lines; other text goes
// through the column layout given.
func (l *layout) paragraph(text string, st style, cols int, ltr func() []string) {
	if !fonts.HasRTL(text) {
		for _, s := range ltr() {
			l.line(s, st)
		}
		return
	}
	if !l.p.Raster {
		// No graphics: a romanized form is still readable.
		for _, s := range wrap(escpos.Transliterate(text), cols) {
			l.e.Line(s)
		}
		return
	}
	t, err := l.rtlFace(st.double)
	if err != nil {
		l.err = err
		return
	}
	l.e.Align(escpos.Right)
	for _, s := range wrapWidth(text, l.p.Dots, t.Width) {
		if err := l.e.Image(t.Render(s, l.p.Dots)); err != nil {
			l.err = err
		}
	}
	// Back to the left: a paragraph after this one (a test slip's next
	// language) is not always preceded by its own ESC a.
	l.e.Align(escpos.Left)
}

func (l *layout) rtlFace(big bool) (*fonts.RTL, error) {
	var err error
	if big {
		if l.rtlBig == nil {
			l.rtlBig, err = fonts.NewRTL(RTLSize * 1.5)
		}
		return l.rtlBig, err
	}
	if l.rtl == nil {
		l.rtl, err = fonts.NewRTL(RTLSize)
	}
	return l.rtl, err
}

func (l *layout) line(s string, st style) {
	if l.printable(s) || !l.p.Raster {
		l.e.Line(s)
		return
	}
	img, err := l.raster(s, st)
	if err != nil {
		l.err = err
		l.e.Line(l.e.Printable(s))
		return
	}
	if err := l.e.Image(img); err != nil {
		l.err = err
	}
}

func (l *layout) printable(s string) bool {
	for _, r := range s {
		if !l.e.CanPrint(r) {
			return false
		}
	}
	return true
}

// raster draws a text line in the printer's own cell font, so a line with
// a letter no table holds looks like its neighbours. Trailing blank
// columns are cut to save bytes; alignment (ESC a) places the image.
func (l *layout) raster(s string, st style) (*image.Gray, error) {
	if l.cells == nil {
		c, err := fonts.CellsFor(l.p.CharWidth, l.p.CharHeight)
		if err != nil {
			return nil, err
		}
		l.cells = c
	}
	sx, sy := 1, 1
	if st.double {
		sx, sy = 2, 2
	}
	rs := []rune(s)
	for len(rs) > 0 && rs[len(rs)-1] == ' ' && !st.reverse {
		rs = rs[:len(rs)-1]
	}
	w := min(len(rs)*l.cells.W*sx, l.p.Dots)
	h := l.cells.H*sy + 6 // the line pitch of text lines (30 dots)
	img := image.NewGray(image.Rect(0, 0, max(w, 8), h))
	bg, ink := image.Image(image.White), image.Image(image.Black)
	if st.reverse {
		bg, ink = ink, bg
	}
	draw.Draw(img, img.Bounds(), bg, image.Point{}, draw.Src)
	for i, r := range rs {
		x := i * l.cells.W * sx
		if x >= w {
			break
		}
		l.cells.Draw(img, image.Pt(x, 0), r, sx, sy, st.bold, ink)
	}
	return img, nil
}
