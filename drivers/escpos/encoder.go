package escpos

import (
	"errors"
	"fmt"
	"image"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// Align is a justification for ESC a.
type Align byte

const (
	Left   Align = 0
	Center Align = 1
	Right  Align = 2
)

// Glyph is a user-defined character bitmap: Width columns of CharHeight dots,
// Bits[y*Width+x] true for a black dot.
type Glyph struct {
	Width, Height int
	Bits          []bool
}

// Opts tunes the encoder.
type Opts struct {
	// Glyphs renders a rune no code table holds into a Font A cell, for ESC &
	// user-defined characters. Nil: such runes are transliterated (for
	// example Uzbek ҳ printed as х), never printed as '?'.
	Glyphs func(r rune, width, height int) (Glyph, bool)
	// QRModule is the QR module size in dots; a phone camera misreads
	// modules under 4 dots at 203 dpi. 0 means 6 on 80 mm, 5 on 58 mm.
	QRModule int
	// RasterBandRows caps the rows of one GS v 0 command; cheap printers
	// leave white stripes or choke on one huge image command. 0 means 24.
	RasterBandRows int
}

// DefaultOpts returns options for plain text, QR and raster without user-defined characters.
func DefaultOpts() Opts { return Opts{} }

// Encoder writes ESC/POS commands for one profile to an io.Writer. The first
// write error sticks: later calls do nothing and Err returns it.
type Encoder struct {
	w     io.Writer
	p     Profile
	opts  Opts
	err   error
	table int // current ESC t table, -1 unknown
	udcOn bool
	udc   map[rune]byte // rune -> code of a defined user character
	udcBy map[byte]rune
}

// NewEncoder returns an encoder writing to w for profile p.
func NewEncoder(w io.Writer, p Profile, opts Opts) *Encoder {
	return &Encoder{w: w, p: p, opts: opts, table: -1}
}

// Err returns the first write error.
func (e *Encoder) Err() error { return e.err }

// Profile returns the profile the encoder writes for.
func (e *Encoder) Profile() Profile { return e.p }

func (e *Encoder) write(op string, parts ...[]byte) {
	if e.err != nil {
		return
	}
	for _, b := range parts {
		if _, err := e.w.Write(b); err != nil {
			e.err = fmt.Errorf("escpos: %s: %w", op, err)
			return
		}
	}
}

// Init resets the printer (ESC @): table 0, no styles, user characters off.
func (e *Encoder) Init() {
	e.write("init", CmdInit)
	e.table = int(e.firstTable())
	e.udcOn = false
}

func (e *Encoder) firstTable() byte {
	if len(e.p.CodeTables) > 0 {
		return e.p.CodeTables[0].Number
	}
	return 0
}

// Bold turns emphasized mode on or off.
func (e *Encoder) Bold(on bool) {
	if on {
		e.write("bold", CmdBoldOn)
	} else {
		e.write("bold", CmdBoldOff)
	}
}

// Reverse turns white-on-black printing on or off.
func (e *Encoder) Reverse(on bool) {
	if on {
		e.write("reverse", CmdReverseOn)
	} else {
		e.write("reverse", CmdReverseOff)
	}
}

// Double selects double width and height (true) or normal size.
func (e *Encoder) Double(on bool) {
	if on {
		e.write("size", CmdSizeDouble)
	} else {
		e.write("size", CmdSizeNormal)
	}
}

// Align sets the justification of following lines and images.
func (e *Encoder) Align(a Align) {
	switch a {
	case Center:
		e.write("align", CmdAlignCenter)
	case Right:
		e.write("align", CmdAlignRight)
	default:
		e.write("align", CmdAlignLeft)
	}
}

// Feed prints the buffer and feeds n lines (0–255).
func (e *Encoder) Feed(n int) {
	n = max(0, min(n, 255))
	e.write("feed", CmdFeedLines, []byte{byte(n)})
}

// Cut feeds past the cutter and cuts partially; on a model without a cutter
// it only feeds so the slip can be torn off.
func (e *Encoder) Cut() {
	e.Feed(4)
	if e.p.Cutter {
		e.write("cut", CmdPartialCut)
	}
}

// Line writes s and a line feed.
func (e *Encoder) Line(s string) {
	e.Text(s)
	e.write("line", []byte{LF})
}

// CanPrint reports whether r prints as text: ASCII, a code table of the
// profile, or a user-defined character already downloaded.
func (e *Encoder) CanPrint(r rune) bool {
	if r >= 0x20 && r < 0x7F {
		return true
	}
	if _, ok := e.udc[r]; ok {
		return true
	}
	return e.p.HasRune(r)
}

// HasRune reports whether some code table of the profile holds r.
func (p Profile) HasRune(r rune) bool {
	for _, t := range p.CodeTables {
		if t.Enc.Has(r) {
			return true
		}
	}
	return false
}

// Text writes s without a line feed, switching code tables as needed with
// as few ESC t as a greedy look-ahead finds, using user-defined characters
// where defined, and transliterating what no table holds. '\n' becomes LF;
// other control characters are dropped so text never forms a command.
func (e *Encoder) Text(s string) {
	e.text([]rune(s), 0)
}

func (e *Encoder) text(rs []rune, depth int) {
	buf := make([]byte, 0, len(rs)+8)
	flush := func() {
		if len(buf) > 0 {
			e.write("text", buf)
			buf = buf[:0]
		}
	}
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\n':
			buf = append(buf, LF)
			continue
		case r == '\t':
			r = ' '
		case r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0) || r == utf8.RuneError:
			continue
		}
		if c, ok := e.udc[r]; ok {
			if !e.udcOn {
				buf = append(buf, CmdUserCharsOn...)
				e.udcOn = true
			}
			buf = append(buf, c)
			continue
		}
		if r < 0x7F {
			if _, clash := e.udcBy[byte(r)]; clash && e.udcOn {
				buf = append(buf, CmdUserCharsOff...)
				e.udcOn = false
			}
			buf = append(buf, byte(r))
			continue
		}
		if e.table >= 0 {
			if t, ok := e.p.Table(byte(e.table)); ok {
				if b, ok := t.Enc.Encode(r); ok {
					buf = append(buf, b)
					continue
				}
			}
		}
		if t, ok := e.bestTable(rs[i:]); ok {
			b, _ := t.Enc.Encode(r)
			buf = append(buf, CmdCodeTable...)
			buf = append(buf, t.Number, b)
			e.table = int(t.Number)
			continue
		}
		// No table holds r: substitute (same script first, then Latin).
		flush()
		sub := e.substitute(r)
		if depth < 3 && sub != "" {
			e.text([]rune(sub), depth+1)
		}
	}
	flush()
}

// Printable returns s as it will print: runes the printer cannot hold
// (no table, no user-defined character) replaced by their substitutes.
// Lay text out (wrap) after this, since a substitute may be longer.
func (e *Encoder) Printable(s string) string {
	ok := true
	for _, r := range s {
		if r != '\n' && !e.CanPrint(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || e.CanPrint(r):
			b.WriteRune(r)
		case r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0):
		default:
			b.WriteString(e.substitute(r))
		}
	}
	return b.String()
}

// bestTable picks the table holding rs[0] that covers the longest stretch
// of the following non-ASCII runes, so a line needs few ESC t.
func (e *Encoder) bestTable(rs []rune) (CodeTable, bool) {
	best, bestN := CodeTable{}, -1
	for _, t := range e.p.CodeTables {
		if !t.Enc.Has(rs[0]) {
			continue
		}
		n := 0
		for _, r := range rs {
			if r < 0x7F {
				continue
			}
			if _, ok := e.udc[r]; ok {
				continue
			}
			if !t.Enc.Has(r) {
				break
			}
			n++
		}
		if n > bestN {
			best, bestN = t, n
		}
	}
	return best, bestN >= 0
}

// substitute returns a readable replacement for r that the printer can hold:
// a same-script look-alike if some table holds it, else a Latin transliteration.
func (e *Encoder) substitute(r rune) string {
	if s, ok := sameScript[r]; ok {
		ok := true
		for _, c := range s {
			if !e.CanPrint(c) {
				ok = false
			}
		}
		if ok {
			return s
		}
	}
	if s, ok := turkicLatin[r]; ok && e.CanPrint([]rune(s)[0]) {
		return s
	}
	return Transliterate(string(r))
}

// ErrNoUserChars is returned when user-defined characters are asked of a
// profile or options that cannot make them.
var ErrNoUserChars = errors.New("user-defined characters not available")

// udcCost is the bytes one ESC & definition costs for a 12×24 cell
// (5 header + 36 data); switchCost what a detour to another table and back costs.
const (
	udcCost    = 41
	switchCost = 6
)

// DefineUserChars downloads, once, a user-defined character (ESC &) for
// each rune of text that no code table holds, and for runes outside the
// table that holds most of the text when defining them is cheaper than the
// ESC t detours they would need (Uzbek ў beside KZ-1048's қ ғ; Karakalpak ı
// beside CP1250's ń). Codes are ASCII characters the text does not use, so
// the set can stay selected. It returns the runes it could not define.
func (e *Encoder) DefineUserChars(text string) ([]rune, error) {
	if !e.p.UserChars || e.opts.Glyphs == nil {
		return nil, fmt.Errorf("escpos: define user characters on %s: %w", e.p.Name, ErrNoUserChars)
	}
	used := map[rune]bool{}
	count := map[rune]int{}
	for _, r := range text {
		if r < 0x7F {
			used[r] = true
			continue
		}
		if r < 0xA0 {
			continue
		}
		if _, ok := e.udc[r]; !ok {
			count[r]++
		}
	}
	// The table that holds the most letters of the text.
	var primary *Encoding
	bestN := 0
	for _, t := range e.p.CodeTables {
		n := 0
		for r, c := range count {
			if t.Enc.Has(r) {
				n += c
			}
		}
		if n > bestN {
			primary, bestN = t.Enc, n
		}
	}
	var need []rune
	for r, c := range count {
		switch {
		case !e.p.HasRune(r):
			need = append(need, r)
		case primary != nil && !primary.Has(r) && c*switchCost > udcCost:
			need = append(need, r)
		}
	}
	sort.Slice(need, func(i, j int) bool {
		// Letters no table holds first, then the most frequent.
		hi, hj := e.p.HasRune(need[i]), e.p.HasRune(need[j])
		if hi != hj {
			return !hi
		}
		if count[need[i]] != count[need[j]] {
			return count[need[i]] > count[need[j]]
		}
		return need[i] < need[j]
	})
	// Codes least likely in running text first.
	pref := []byte("~`^|{}\\@#$&_<>=+[]")
	var free []byte
	for _, c := range pref {
		if !used[rune(c)] {
			free = append(free, c)
		}
	}
	for c := byte(0x21); c < 0x7F; c++ {
		if !used[rune(c)] && !contains(pref, c) {
			free = append(free, c)
		}
	}
	var missing []rune
	if e.udc == nil {
		e.udc, e.udcBy = map[rune]byte{}, map[byte]rune{}
	}
	w, h := e.p.CharWidth, e.p.CharHeight
	for _, r := range need {
		for len(free) > 0 {
			if _, taken := e.udcBy[free[0]]; !taken {
				break
			}
			free = free[1:]
		}
		g, ok := e.opts.Glyphs(r, w, h)
		if !ok || len(free) == 0 || g.Width < 1 || g.Width > w || g.Height != h || len(g.Bits) != g.Width*g.Height {
			if !e.p.HasRune(r) {
				missing = append(missing, r)
			}
			continue
		}
		c := free[0]
		free = free[1:]
		e.write("define user character", UserCharCommand(c, g))
		e.udc[r], e.udcBy[c] = c, r
	}
	sort.Slice(missing, func(i, j int) bool { return missing[i] < missing[j] })
	return missing, e.err
}

func contains(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

// UserCharCommand encodes ESC & 3 c c x d… for one glyph of height 24.
func UserCharCommand(code byte, g Glyph) []byte {
	y := (g.Height + 7) / 8
	out := append([]byte{}, CmdDefineUserChars...)
	out = append(out, byte(y), code, code, byte(g.Width))
	for x := 0; x < g.Width; x++ {
		for by := 0; by < y; by++ {
			var v byte
			for bit := 0; bit < 8; bit++ {
				yy := by*8 + bit
				if yy < g.Height && g.Bits[yy*g.Width+x] {
					v |= 0x80 >> bit
				}
			}
			out = append(out, v)
		}
	}
	return out
}

// Image prints img as GS v 0 raster in bands; dark pixels (luma < 50%)
// print. It fails if the profile has no raster or img is wider than Dots.
func (e *Encoder) Image(img image.Image) error {
	if !e.p.Raster {
		return fmt.Errorf("escpos: raster image on %s: no graphics support", e.p.Name)
	}
	b := img.Bounds()
	if b.Dx() > e.p.Dots || b.Dx() <= 0 || b.Dy() <= 0 {
		return fmt.Errorf("escpos: raster image %dx%d on %s: width must be 1..%d dots", b.Dx(), b.Dy(), e.p.Name, e.p.Dots)
	}
	bpr := (b.Dx() + 7) / 8
	band := e.opts.RasterBandRows
	if band <= 0 {
		band = 24
	}
	for y0 := b.Min.Y; y0 < b.Max.Y; y0 += band {
		rows := min(band, b.Max.Y-y0)
		cmd := append([]byte{}, CmdRasterImage...)
		cmd = append(cmd, byte(bpr), byte(bpr>>8), byte(rows), byte(rows>>8))
		for y := y0; y < y0+rows; y++ {
			for xb := 0; xb < bpr; xb++ {
				var v byte
				for bit := 0; bit < 8; bit++ {
					x := b.Min.X + xb*8 + bit
					if x < b.Max.X && dark(img, x, y) {
						v |= 0x80 >> bit
					}
				}
				cmd = append(cmd, v)
			}
		}
		e.write("raster image", cmd)
	}
	return e.err
}

func dark(img image.Image, x, y int) bool {
	r, g, b, a := img.At(x, y).RGBA()
	if a < 0x8000 {
		return false
	}
	luma := (299*r + 587*g + 114*b) / 1000
	return luma < 0x8000
}
