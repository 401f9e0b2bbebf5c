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
// 12×24 dots) with Noto Sans Mono. A Cells is safe for concurrent use; the
// bitmaps it returns are shared and must not be modified.
type Cells struct {
	W, H int

	mu    sync.Mutex // face keeps scratch buffers; cache is filled lazily
	face  font.Face
	cache map[rune]*image.Alpha
	has   map[rune]bool
}

// maxCached bounds each Cells' caches: a slip uses a few hundred letters.
const maxCached = 4096

var shared sync.Map // [2]int{w, h} → *Cells

// CellsFor returns the process-wide Cells for w×h dots, made once: making a
// face and rasterising glyphs costs milliseconds, which every slip rendered
// or decoded (and every fuzz execution) would otherwise pay again.
func CellsFor(w, h int) (*Cells, error) {
	key := [2]int{w, h}
	if c, ok := shared.Load(key); ok {
		return c.(*Cells), nil
	}
	c, err := NewCells(w, h)
	if err != nil {
		return nil, err
	}
	got, _ := shared.LoadOrStore(key, c)
	return got.(*Cells), nil
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
	return &Cells{W: w, H: h, face: face, cache: map[rune]*image.Alpha{}, has: map[rune]bool{}}, nil
}

// Has reports whether the font has a glyph for r.
func (c *Cells) Has(r rune) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h, ok := c.has[r]; ok {
		return h
	}
	h := false
	if _, ok := c.face.GlyphAdvance(r); ok {
		f, _ := Mono()
		var b = &sfntBuf{}
		idx, err := f.GlyphIndex(&b.Buffer, r)
		h = err == nil && idx != 0
	}
	if len(c.has) >= maxCached {
		clear(c.has)
	}
	c.has[r] = h
	return h
}

// Glyph returns the cell bitmap of r (alpha 255 = black dot).
func (c *Cells) Glyph(r rune) *image.Alpha {
	c.mu.Lock()
	defer c.mu.Unlock()
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
	if len(c.cache) >= maxCached { // arbitrary text (fuzzing) must not grow it without end
		clear(c.cache)
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
