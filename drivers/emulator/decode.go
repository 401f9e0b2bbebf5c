package emulator

import (
	"errors"
	"fmt"
	"image"
	"strings"
	"unicode/utf8"

	qrcode "github.com/skip2/go-qrcode"

	"sapar/drivers/escpos"
	"sapar/drivers/fonts"
)

// Slip is one decoded job.
type Slip struct {
	// Text is the printed text, one line per printed line, separated by \n,
	// trailing spaces trimmed. Raster images and QR codes add no text.
	Text string
	// QRData holds the data of every QR printed natively (GS ( k).
	QRData []string
	// Images counts GS v 0 raster commands.
	Images int
	// UserChars maps each user-defined character code to the rune its
	// bitmap matched in the reference font (U+FFFD if none).
	UserChars map[byte]rune
	// Tables lists the ESC t tables selected, in order.
	Tables []byte
	// Cut reports whether the job ended with a cut (never on a profile without Cutter).
	Cut bool
	// Warnings lists commands that were not understood or malformed.
	Warnings []string
	// Bytes is the length of the job.
	Bytes int

	width  int
	blocks []block
	cells  *fonts.Cells
}

type cell struct {
	r       rune
	glyph   *image.Alpha // user-defined character, else nil
	bold    bool
	reverse bool
	sx, sy  int
}

type block struct {
	cells  []cell
	align  byte
	img    *image.Gray // raster or QR
	height int         // feed height in dots when cells and img are empty
}

type decoder struct {
	p       escpos.Profile
	s       *Slip
	table   byte
	bold    bool
	reverse bool
	sx, sy  int
	align   byte
	udcOn   bool
	udc     map[byte]*image.Alpha
	line    []cell
	lineW   int
	qrData  []byte
	qrSize  int
	qrLevel byte
	texts   []string
	utf8    bool   // FS ( C UTF-8 mode, on a profile that has it
	pending []byte // bytes of a UTF-8 sequence not yet complete
	// ref renders reference glyphs to recognise user-defined characters.
	ref *fonts.Cells
}

// ErrEmpty is returned by Decode for a job with no bytes.
var ErrEmpty = errors.New("emulator: empty job")

// Decode interprets one job as profile p's printer would.
func Decode(data []byte, p escpos.Profile) (*Slip, error) {
	if len(data) == 0 {
		return nil, ErrEmpty
	}
	cells, err := fonts.CellsFor(max(p.CharWidth, 1), max(p.CharHeight, 1))
	if err != nil {
		return nil, fmt.Errorf("emulator: decode: %w", err)
	}
	d := &decoder{p: p, s: &Slip{Bytes: len(data), width: p.Dots, cells: cells, UserChars: map[byte]rune{}}, ref: cells}
	d.reset()
	for i := 0; i < len(data); {
		o, n, err := next(data[i:])
		if err != nil {
			d.warn("truncated command at byte %d: % X", i, data[i:min(len(data), i+8)])
			break
		}
		d.apply(o)
		i += n
	}
	d.flush(false)
	d.s.Text = strings.Join(d.texts, "\n")
	return d.s, nil
}

// Row is one printed row of a slip: a text line, or an image (a raster
// line, a raster or native QR code).
type Row struct {
	Text  string      // the text line, trailing spaces trimmed ("" for an image)
	Image *image.Gray // nil for text
}

// Rows returns what printed, top to bottom, without blank feeds.
func (s *Slip) Rows() []Row {
	var out []Row
	for _, b := range s.blocks {
		switch {
		case b.img != nil:
			out = append(out, Row{Image: b.img})
		case len(b.cells) > 0:
			var sb strings.Builder
			for _, c := range b.cells {
				sb.WriteRune(c.r)
			}
			out = append(out, Row{Text: strings.TrimRight(sb.String(), " ")})
		}
	}
	return out
}

func (d *decoder) warn(f string, a ...any) {
	if len(d.s.Warnings) < 100 {
		d.s.Warnings = append(d.s.Warnings, fmt.Sprintf(f, a...))
	}
}

func (d *decoder) reset() {
	d.table = 0
	if len(d.p.CodeTables) > 0 {
		d.table = d.p.CodeTables[0].Number
	}
	d.bold, d.reverse, d.udcOn = false, false, false
	d.sx, d.sy, d.align = 1, 1, 0
	d.utf8, d.pending = false, d.pending[:0]
	d.qrSize, d.qrLevel = 3, 48
}

func (d *decoder) cols() int {
	if d.p.CharWidth <= 0 {
		return 1 << 30
	}
	return d.p.Dots / d.p.CharWidth
}

func (d *decoder) apply(o op) {
	switch o.kind {
	case opText:
		d.char(o.a)
	case opLF:
		d.flush(true)
	case opCR, opIgnored, opRealtime, opStatus, opProcessID, opClear, opPrinterID:
	case opInit:
		d.flush(false)
		d.reset()
	case opBold:
		d.bold = o.a&1 == 1
	case opMode:
		d.bold = o.a&0x08 != 0
		d.sx, d.sy = 1, 1
		if o.a&0x20 != 0 {
			d.sx = 2
		}
		if o.a&0x10 != 0 {
			d.sy = 2
		}
	case opAlign:
		switch o.a {
		case 0, 1, 2:
			d.align = o.a
		case 48, 49, 50:
			d.align = o.a - 48
		default:
			d.warn("ESC a %d: no such justification", o.a)
		}
	case opTable:
		d.s.Tables = append(d.s.Tables, o.a)
		if _, ok := d.p.Table(o.a); !ok {
			// A real printer ignores a table it does not have: what follows
			// prints in the table it had, as the wrong letters.
			d.warn("ESC t %d: table not in profile %s: ignored", o.a, d.p.Name)
			return
		}
		d.table = o.a
	case opEncoding:
		d.encoding(o)
	case opFeed:
		d.flush(false)
		for range int(o.a) {
			d.flush(true)
		}
	case opFeedDots:
		d.flush(false)
		d.s.blocks = append(d.s.blocks, block{height: int(o.a)})
	case opCut:
		d.flush(false)
		if !d.p.Cutter {
			d.warn("GS V on %s, which has no cutter: the paper is not cut", d.p.Name)
			return
		}
		d.s.Cut = true
	case opSize:
		d.sx, d.sy = int(o.a>>4)+1, int(o.a&7)+1
		if d.sx > 8 || d.sy > 8 {
			d.warn("GS ! %#x: size out of range", o.a)
			d.sx, d.sy = min(d.sx, 8), min(d.sy, 8)
		}
	case opReverse:
		d.reverse = o.a&1 == 1
	case opUnderline:
	case opUserSel:
		if !d.p.UserChars {
			d.warn("ESC %% on %s, which has no user-defined characters: ignored", d.p.Name)
			return
		}
		d.udcOn = o.a&1 == 1
	case opUserDef:
		if !d.p.UserChars {
			d.warn("ESC & on %s, which has no user-defined characters: ignored", d.p.Name)
			return
		}
		d.defineUser(o)
	case opUserDel:
		delete(d.udc, o.a)
	case opRaster:
		if !d.p.Raster {
			d.warn("GS v 0 on %s, which has no graphics: ignored", d.p.Name)
			return
		}
		d.raster(o)
	case opQR:
		if !d.p.NativeQR {
			if o.a == 0x51 {
				d.warn("GS ( k on %s, which has no native QR: ignored", d.p.Name)
			}
			return
		}
		d.qr(o)
	case opUnknown:
		d.warn("unknown command % X", o.bytes)
	}
}

// encoding runs FS ( C: function 48 selects one-byte tables (m = 1) or
// UTF-8 (m = 2), the latter only on a profile with UTF8; a printer without
// the mode ignores it and prints the UTF-8 bytes through its code table.
func (d *decoder) encoding(o op) {
	if o.a != 48 || len(o.data) != 1 {
		return
	}
	switch o.data[0] {
	case 1, 49:
		d.utf8 = false
	case 2, 50:
		if !d.p.UTF8 {
			d.warn("FS ( C UTF-8 on %s, which has no UTF-8 mode: ignored", d.p.Name)
			return
		}
		d.utf8 = true
	}
}

func (d *decoder) char(b byte) {
	c := cell{bold: d.bold, reverse: d.reverse, sx: d.sx, sy: d.sy}
	if d.utf8 && b >= 0x80 {
		d.pending = append(d.pending, b)
		if !utf8.FullRune(d.pending) && len(d.pending) < utf8.UTFMax {
			return
		}
		r, _ := utf8.DecodeRune(d.pending)
		d.pending = d.pending[:0]
		c.r = r
		d.put(c)
		return
	}
	if len(d.pending) > 0 {
		d.pending = d.pending[:0]
		d.warn("incomplete UTF-8 sequence")
		d.put(cell{r: 0xFFFD, bold: d.bold, reverse: d.reverse, sx: d.sx, sy: d.sy})
	}
	if g, ok := d.udc[b]; ok && d.udcOn {
		c.glyph = g
		c.r = d.s.UserChars[b]
	} else if b < 0x80 {
		c.r = rune(b)
	} else {
		t, ok := d.p.Table(d.table)
		if !ok {
			c.r = 0xFFFD
		} else if r, ok := t.Enc.Decode(b); ok {
			c.r = r
		} else {
			d.warn("byte %#x undefined in table %d (%s)", b, d.table, t.Enc.Name)
			c.r = 0xFFFD
		}
	}
	d.put(c)
}

func (d *decoder) put(c cell) {
	if d.lineW+d.sx > d.cols() {
		d.flush(true) // the printer wraps a full line by itself
	}
	d.line = append(d.line, c)
	d.lineW += d.sx
}

// flush ends the current line; blank prints an empty line if there is none.
func (d *decoder) flush(blank bool) {
	if len(d.line) == 0 && !blank {
		return
	}
	var sb strings.Builder
	for _, c := range d.line {
		sb.WriteRune(c.r)
	}
	d.texts = append(d.texts, strings.TrimRight(sb.String(), " "))
	h := 30
	if len(d.line) == 0 {
		d.s.blocks = append(d.s.blocks, block{height: h})
	} else {
		d.s.blocks = append(d.s.blocks, block{cells: d.line, align: d.align})
	}
	d.line, d.lineW = nil, 0
}

func (d *decoder) defineUser(o op) {
	if d.udc == nil {
		d.udc = map[byte]*image.Alpha{}
	}
	i := 0
	for c := int(o.a); c <= int(o.b); c++ {
		x := int(o.data[i])
		i++
		g := image.NewAlpha(image.Rect(0, 0, max(d.p.CharWidth, x), o.y*8))
		for col := 0; col < x; col++ {
			for by := 0; by < o.y; by++ {
				v := o.data[i]
				i++
				for bit := 0; bit < 8; bit++ {
					if v&(0x80>>bit) != 0 {
						g.Pix[(by*8+bit)*g.Stride+col] = 255
					}
				}
			}
		}
		d.udc[byte(c)] = g
		d.s.UserChars[byte(c)] = d.recognise(g)
	}
}

// udcCandidates are letters the driver may download; the emulator names a
// user-defined character by matching its bitmap against the reference font.
var udcCandidates = []rune("ҲҳǴǵӢӣӮӯҶҷҒғҚқЎўҢңӨөҮүӘәҰұҺһŃńıʻʼЖжЯяЁёЫыÁáÓóÚúÍí")

func (d *decoder) recognise(g *image.Alpha) rune {
	if d.ref == nil || g.Bounds().Dx() != d.ref.W || g.Bounds().Dy() != d.ref.H {
		return 0xFFFD
	}
	for _, r := range udcCandidates {
		ref := d.ref.Glyph(r)
		same := true
		for i := range ref.Pix {
			if (ref.Pix[i] != 0) != (g.Pix[i] != 0) {
				same = false
				break
			}
		}
		if same {
			return r
		}
	}
	return 0xFFFD
}

func (d *decoder) raster(o op) {
	d.flush(false)
	d.s.Images++
	scaleX, scaleY := 1, 1
	switch o.a {
	case 0, 48:
	case 1, 49:
		scaleX = 2
	case 2, 50:
		scaleY = 2
	case 3, 51:
		scaleX, scaleY = 2, 2
	default:
		d.warn("GS v 0 mode %d unknown", o.a)
	}
	w, h := o.x*8*scaleX, o.y*scaleY
	if w > d.p.Dots {
		d.warn("raster %d dots wide on a %d-dot printer: clipped", w, d.p.Dots)
		w = d.p.Dots
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for y := 0; y < o.y; y++ {
		for xb := 0; xb < o.x; xb++ {
			v := o.data[y*o.x+xb]
			for bit := 0; bit < 8; bit++ {
				if v&(0x80>>bit) == 0 {
					continue
				}
				for sy := range scaleY {
					for sx := range scaleX {
						if x := (xb*8+bit)*scaleX + sx; x < w {
							img.Pix[(y*scaleY+sy)*img.Stride+x] = 0
						}
					}
				}
			}
		}
	}
	d.s.blocks = append(d.s.blocks, block{img: img, align: d.align})
}

func (d *decoder) qr(o op) {
	switch o.a {
	case 0x41: // model
		if len(o.data) < 1 || o.data[0] != 0x32 {
			d.warn("QR model %v not 2", o.data)
		}
	case 0x43:
		if len(o.data) != 1 || o.data[0] < 1 || o.data[0] > 16 {
			d.warn("QR module size %v out of 1..16", o.data)
			return
		}
		d.qrSize = int(o.data[0])
	case 0x45:
		if len(o.data) != 1 || o.data[0] < 48 || o.data[0] > 51 {
			d.warn("QR level %v out of 48..51", o.data)
			return
		}
		d.qrLevel = o.data[0]
	case 0x50:
		if len(o.data) < 1 || o.data[0] != 0x30 {
			d.warn("QR store with m=%v", o.data)
			return
		}
		d.qrData = append([]byte(nil), o.data[1:]...)
	case 0x51:
		d.flush(false)
		if len(d.qrData) == 0 {
			d.warn("QR print with no stored data")
			return
		}
		d.s.QRData = append(d.s.QRData, string(d.qrData))
		lvl := []qrcode.RecoveryLevel{qrcode.Low, qrcode.Medium, qrcode.High, qrcode.Highest}[d.qrLevel-48]
		q, err := qrcode.New(string(d.qrData), lvl)
		if err != nil {
			d.warn("QR print: %v", err)
			return
		}
		bm := q.Bitmap()
		n, m := len(bm), d.qrSize
		img := image.NewGray(image.Rect(0, 0, n*m, n*m))
		for y := range n {
			for x := range n {
				v := byte(255)
				if bm[y][x] {
					v = 0
				}
				for dy := range m {
					for dx := range m {
						img.Pix[(y*m+dy)*img.Stride+x*m+dx] = v
					}
				}
			}
		}
		d.s.blocks = append(d.s.blocks, block{img: img, align: d.align})
	default:
		// other functions (size info, PDF417 …) do not print
	}
}
