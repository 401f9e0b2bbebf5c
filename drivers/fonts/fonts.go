package fonts

import (
	_ "embed"
	"fmt"
	"image"
	"image/draw"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

//go:embed NotoSansMono-Regular.ttf
var monoTTF []byte

var parseMono = sync.OnceValues(func() (*opentype.Font, error) {
	return opentype.Parse(monoTTF)
})

// Mono returns the parsed Noto Sans Mono Regular.
func Mono() (*opentype.Font, error) {
	f, err := parseMono()
	if err != nil {
		return nil, fmt.Errorf("fonts: parse Noto Sans Mono: %w", err)
	}
	return f, nil
}

// Cells renders single characters into fixed printer cells (Font A is
// 12×24 dots) with Noto Sans Mono. A Cells is not safe for concurrent use.
type Cells struct {
	W, H  int
	face  font.Face
	cache map[rune]*image.Alpha
}

// NewCells returns a renderer for cells of w×h dots.
func NewCells(w, h int) (*Cells, error) {
	f, err := Mono()
	if err != nil {
		return nil, err
	}
	// Noto Sans Mono advances 0.6 em: an em of w/0.6 fills the cell width.
	size := float64(w) / 0.6
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("fonts: face %.1fpx: %w", size, err)
	}
	return &Cells{W: w, H: h, face: face, cache: map[rune]*image.Alpha{}}, nil
}

// Has reports whether the font has a glyph for r.
func (c *Cells) Has(r rune) bool {
	_, ok := c.face.GlyphAdvance(r)
	if !ok {
		return false
	}
	f, _ := Mono()
	var b = &sfntBuf{}
	idx, err := f.GlyphIndex(&b.Buffer, r)
	return err == nil && idx != 0
}

// Glyph returns the cell bitmap of r (alpha 255 = black dot).
func (c *Cells) Glyph(r rune) *image.Alpha {
	if g, ok := c.cache[r]; ok {
		return g
	}
	img := image.NewAlpha(image.Rect(0, 0, c.W, c.H))
	baseline := c.H * 19 / 24
	d := font.Drawer{Dst: img, Src: image.Opaque, Face: c.face, Dot: fixed.P(0, baseline)}
	d.DrawString(string(r))
	// Threshold: a thermal dot is on or off.
	for i, a := range img.Pix {
		if a >= 110 {
			img.Pix[i] = 255
		} else {
			img.Pix[i] = 0
		}
	}
	c.cache[r] = img
	return img
}

// Draw paints r's cell onto dst at p, scaled by sx×sy, black on dst; bold
// strikes twice one dot apart as thermal printers do.
func (c *Cells) Draw(dst draw.Image, p image.Point, r rune, sx, sy int, bold bool, ink image.Image) {
	g := c.Glyph(r)
	for y := 0; y < c.H; y++ {
		for x := 0; x < c.W; x++ {
			on := g.AlphaAt(x, y).A != 0 || (bold && x > 0 && g.AlphaAt(x-1, y).A != 0)
			if !on {
				continue
			}
			rect := image.Rect(p.X+x*sx, p.Y+y*sy, p.X+(x+1)*sx, p.Y+(y+1)*sy)
			draw.Draw(dst, rect, ink, image.Point{}, draw.Src)
		}
	}
}
