package emulator

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
)

// Dots between text lines (Epson's default line spacing, 1/6 inch).
const linePitch = 30

// Image renders the slip: white paper, black dots, one pixel per dot.
func (s *Slip) Image() *image.Gray {
	h := 8
	for _, b := range s.blocks {
		h += b.h()
	}
	img := image.NewGray(image.Rect(0, 0, max(s.width, 8), h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	y := 4
	for _, b := range s.blocks {
		switch {
		case b.img != nil:
			x := offset(b.align, s.width, b.img.Bounds().Dx())
			draw.Draw(img, image.Rect(x, y, x+b.img.Bounds().Dx(), y+b.img.Bounds().Dy()), b.img, image.Point{}, draw.Src)
		case len(b.cells) > 0:
			w := 0
			for _, c := range b.cells {
				w += s.cells.W * c.sx
			}
			x := offset(b.align, s.width, w)
			lh := b.h()
			for _, c := range b.cells {
				cw := s.cells.W * c.sx
				top := y + lh - s.cells.H*c.sy - (linePitch - s.cells.H)
				if top < y {
					top = y
				}
				ink := image.Image(image.Black)
				if c.reverse {
					draw.Draw(img, image.Rect(x, y, x+cw, y+lh), image.Black, image.Point{}, draw.Src)
					ink = image.White
				}
				if c.glyph != nil {
					drawAlpha(img, image.Pt(x, top), c.glyph, c.sx, c.sy, c.bold, ink)
				} else if c.r != ' ' {
					s.cells.Draw(img, image.Pt(x, top), c.r, c.sx, c.sy, c.bold, ink)
				}
				x += cw
			}
		}
		y += b.h()
	}
	return img
}

func (b block) h() int {
	switch {
	case b.img != nil:
		return b.img.Bounds().Dy()
	case len(b.cells) > 0:
		sy := 1
		for _, c := range b.cells {
			sy = max(sy, c.sy)
		}
		return max(linePitch, 24*sy+6)
	}
	return b.height
}

func offset(align byte, width, w int) int {
	switch align {
	case 1:
		return max(0, (width-w)/2)
	case 2:
		return max(0, width-w)
	}
	return 0
}

func drawAlpha(dst *image.Gray, p image.Point, g *image.Alpha, sx, sy int, bold bool, ink image.Image) {
	b := g.Bounds()
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			on := g.AlphaAt(x, y).A != 0 || (bold && x > 0 && g.AlphaAt(x-1, y).A != 0)
			if on {
				draw.Draw(dst, image.Rect(p.X+x*sx, p.Y+y*sy, p.X+(x+1)*sx, p.Y+(y+1)*sy), ink, image.Point{}, draw.Src)
			}
		}
	}
}

// WritePNG encodes the slip image as PNG (one pixel per printer dot).
func (s *Slip) WritePNG(w io.Writer) error {
	if err := png.Encode(w, s.Image()); err != nil {
		return fmt.Errorf("emulator: write png: %w", err)
	}
	return nil
}

var _ = color.Gray{}
