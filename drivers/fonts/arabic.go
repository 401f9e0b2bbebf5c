package fonts

import (
	"bytes"
	_ "embed"
	"fmt"
	"image"
	"image/draw"
	"strings"
	"sync"
	"unicode"

	"github.com/go-text/typesetting/di"
	gtfont "github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// Urdu is set in Noto Naskh Arabic rather than Nastaliq, the style Urdu
// readers know best, because at 203 dpi a thermal head has about 26 dots
// per line of text: Nastaliq's sloped, stacked joins and small dots blur
// into each other at that size, Naskh's flat baseline stays legible, and
// the Naskh file is a third of the size (176 KB vs 570 KB). Shaping (joining
// forms, lam-alef, marks) is HarfBuzz's algorithm as ported by
// github.com/go-text/typesetting; glyph outlines are drawn with
// golang.org/x/image from the same file.
//
//go:embed NotoNaskhArabic-Regular.ttf
var naskhTTF []byte

var parseNaskh = sync.OnceValues(func() (*sfnt.Font, error) { return sfnt.Parse(naskhTTF) })

// RTL renders right-to-left lines (Urdu) as shaped bitmaps. Not safe for concurrent use.
type RTL struct {
	size   float64 // pixels per em
	face   *gtfont.Face
	sf     *sfnt.Font
	shaper shaping.HarfbuzzShaper
	ltr    font.Face // for Latin and digits inside an RTL line
	buf    sfnt.Buffer
	Height int // line height in dots
	ascent int
}

// NewRTL returns a renderer at size pixels per em.
func NewRTL(size float64) (*RTL, error) {
	face, err := gtfont.ParseTTF(bytes.NewReader(naskhTTF))
	if err != nil {
		return nil, fmt.Errorf("fonts: parse Noto Naskh Arabic: %w", err)
	}
	sf, err := parseNaskh()
	if err != nil {
		return nil, fmt.Errorf("fonts: parse Noto Naskh Arabic: %w", err)
	}
	mono, err := Mono()
	if err != nil {
		return nil, err
	}
	ltr, err := opentype.NewFace(mono, &opentype.FaceOptions{Size: size * 0.8, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("fonts: latin face: %w", err)
	}
	return &RTL{size: size, face: face, sf: sf, ltr: ltr, Height: int(size*1.55 + 0.5), ascent: int(size*1.05 + 0.5)}, nil
}

// run is a stretch of a line in one direction.
type run struct {
	text []rune
	rtl  bool
}

// isStrongLTR: Latin letters and digits keep their order inside an RTL line.
func isStrongLTR(r rune) bool {
	return (r < 0x0590 && (unicode.IsLetter(r) || unicode.IsDigit(r))) || (r >= '0' && r <= '9')
}

// runs splits a logical line into direction runs; neutrals between two
// LTR characters (the spaces of "+996 312 00") stay LTR, others go RTL.
func runs(s string) []run {
	rs := []rune(s)
	dir := make([]bool, len(rs)) // true = rtl
	for i, r := range rs {
		dir[i] = !isStrongLTR(r)
		// A sign before a number belongs to it: "+996".
		if (r == '+' || r == '-') && i+1 < len(rs) && rs[i+1] >= '0' && rs[i+1] <= '9' {
			dir[i] = false
		}
	}
	for i, r := range rs {
		if !dir[i] || !isNeutral(r) {
			continue
		}
		prev, next := -1, -1
		for j := i - 1; j >= 0; j-- {
			if !isNeutral(rs[j]) {
				prev = j
				break
			}
		}
		for j := i + 1; j < len(rs); j++ {
			if !isNeutral(rs[j]) {
				next = j
				break
			}
		}
		if prev >= 0 && next >= 0 && isStrongLTR(rs[prev]) && isStrongLTR(rs[next]) {
			dir[i] = false
		}
	}
	// A closing bracket takes the direction of its opening one (a simple
	// form of the bidi N0 rule), so "(KG)" stays one LTR piece.
	var open []int
	for i, r := range rs {
		switch r {
		case '(', '[', '{':
			open = append(open, i)
		case ')', ']', '}':
			if n := len(open); n > 0 {
				dir[i] = dir[open[n-1]]
				open = open[:n-1]
			}
		}
	}
	var out []run
	for i, r := range rs {
		if len(out) == 0 || out[len(out)-1].rtl != dir[i] {
			out = append(out, run{rtl: dir[i]})
		}
		if dir[i] {
			r = mirror(r)
		}
		out[len(out)-1].text = append(out[len(out)-1].text, r)
	}
	return out
}

// mirror gives the glyph a paired punctuation mark shows in a right-to-left
// run (Unicode Bidi_Mirroring_Glyph): "(کرغزستان)" is drawn with its
// parentheses facing the word, not away from it.
func mirror(r rune) rune {
	switch r {
	case '(':
		return ')'
	case ')':
		return '('
	case '[':
		return ']'
	case ']':
		return '['
	case '{':
		return '}'
	case '}':
		return '{'
	case '<':
		return '>'
	case '>':
		return '<'
	case '«':
		return '»'
	case '»':
		return '«'
	}
	return r
}

func isNeutral(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
}

type placed struct {
	gid    gtfont.GID
	x, y   fixed.Int26_6
	latin  rune
	isMono bool
}

// layout shapes a line and returns glyphs in visual order, left to right, and the width.
func (t *RTL) layout(s string) ([]placed, fixed.Int26_6) {
	rs := runs(s)
	// Paragraph direction is RTL: runs are laid out right to left.
	var out []placed
	x := fixed.Int26_6(0)
	for i := len(rs) - 1; i >= 0; i-- {
		r := rs[i]
		if !r.rtl {
			for _, c := range r.text {
				adv, _ := t.ltr.GlyphAdvance(c)
				out = append(out, placed{latin: c, isMono: true, x: x})
				x += adv
			}
			continue
		}
		// Characters Naskh lacks (·, €) are drawn from the mono font, in RTL order.
		pieces := t.splitByCoverage(r.text)
		for j := len(pieces) - 1; j >= 0; j-- {
			pc := pieces[j]
			if pc.rtl { // covered by Naskh
				o := t.shaper.Shape(shaping.Input{
					Text: pc.text, RunStart: 0, RunEnd: len(pc.text), Direction: di.DirectionRTL,
					Face: t.face, Size: fixed.Int26_6(t.size * 64), Script: language.Arabic, Language: language.NewLanguage("ur"),
				})
				for _, g := range o.Glyphs {
					out = append(out, placed{gid: g.GlyphID, x: x + g.XOffset, y: -g.YOffset})
					x += g.Advance
				}
				continue
			}
			for k := len(pc.text) - 1; k >= 0; k-- {
				adv, _ := t.ltr.GlyphAdvance(pc.text[k])
				out = append(out, placed{latin: pc.text[k], isMono: true, x: x})
				x += adv
			}
		}
	}
	return out, x
}

// splitByCoverage cuts text into pieces Naskh has glyphs for (rtl=true) and pieces it lacks.
func (t *RTL) splitByCoverage(text []rune) []run {
	var out []run
	for _, c := range text {
		gi, err := t.sf.GlyphIndex(&t.buf, c)
		has := err == nil && gi != 0
		if len(out) == 0 || out[len(out)-1].rtl != has {
			out = append(out, run{rtl: has})
		}
		out[len(out)-1].text = append(out[len(out)-1].text, c)
	}
	return out
}

// Width returns the width of s in dots.
func (t *RTL) Width(s string) int {
	_, w := t.layout(s)
	return w.Ceil()
}

// Render draws s shaped, right to left, as a black-on-white line exactly
// as wide as its ink (at most maxW dots); align it right when printing.
func (t *RTL) Render(s string, maxW int) *image.Gray {
	gl, w := t.layout(strings.TrimSpace(s))
	width := min(max(w.Ceil(), 8), maxW)
	mask := image.NewAlpha(image.Rect(0, 0, width, t.Height))
	ppem := fixed.Int26_6(t.size * 64)
	for _, g := range gl {
		if g.isMono {
			d := font.Drawer{Dst: mask, Src: image.Opaque, Face: t.ltr, Dot: fixed.Point26_6{X: g.x, Y: fixed.I(t.ascent)}}
			d.DrawString(string(g.latin))
			continue
		}
		segs, err := t.sf.LoadGlyph(&t.buf, sfnt.GlyphIndex(g.gid), ppem, nil)
		if err != nil {
			continue
		}
		ox := float32(g.x) / 64
		oy := float32(t.ascent) + float32(g.y)/64
		var r vector.Rasterizer
		r.Reset(width, t.Height)
		started := false
		for _, sg := range segs {
			a := sg.Args
			switch sg.Op {
			case sfnt.SegmentOpMoveTo:
				if started {
					r.ClosePath()
				}
				started = true
				r.MoveTo(ox+float32(a[0].X)/64, oy+float32(a[0].Y)/64)
			case sfnt.SegmentOpLineTo:
				r.LineTo(ox+float32(a[0].X)/64, oy+float32(a[0].Y)/64)
			case sfnt.SegmentOpQuadTo:
				r.QuadTo(ox+float32(a[0].X)/64, oy+float32(a[0].Y)/64, ox+float32(a[1].X)/64, oy+float32(a[1].Y)/64)
			case sfnt.SegmentOpCubeTo:
				r.CubeTo(ox+float32(a[0].X)/64, oy+float32(a[0].Y)/64, ox+float32(a[1].X)/64, oy+float32(a[1].Y)/64, ox+float32(a[2].X)/64, oy+float32(a[2].Y)/64)
			}
		}
		r.ClosePath()
		r.DrawOp = draw.Over
		r.Draw(mask, mask.Bounds(), image.Opaque, image.Point{})
	}
	img := image.NewGray(mask.Bounds())
	for i, a := range mask.Pix {
		if a >= 100 {
			img.Pix[i] = 0
		} else {
			img.Pix[i] = 255
		}
	}
	return img
}

// HasRTL reports whether s holds right-to-left letters (Arabic script, Hebrew).
func HasRTL(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Arabic, unicode.Hebrew) && unicode.IsLetter(r) {
			return true
		}
	}
	return false
}
