package calibrate

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"slices"
	"strings"

	"sapar/drivers/escpos"
	"sapar/drivers/fonts"
)

// Kind is what a numbered line of the calibration slip tests.
type Kind int

const (
	// Table: ESC t n, then the letters the table's encoding holds.
	Table Kind = iota
	// UTF8: Epson's UTF-8 mode (FS ( C, function 48), all the letters.
	UTF8
	// UserChars: all the letters as ESC & user-defined characters.
	UserChars
	// Ruler: a line exactly Columns characters wide; right if it fits on one row.
	Ruler
	// NativeQR: a QR code from GS ( k.
	NativeQR
	// RasterQR: a QR code as a GS v 0 image.
	RasterQR
	// Cutter: the slip ends with GS V; right if the paper was cut.
	Cutter
)

func (k Kind) String() string {
	return [...]string{"code table", "UTF-8 mode", "user-defined characters", "ruler", "native QR", "raster QR", "cutter"}[k]
}

// Line is one numbered line of the calibration slip.
type Line struct {
	N    int
	Kind Kind
	// Table is the ESC t number and the encoding tried (Kind Table).
	Table escpos.CodeTable
	// Columns is the ruler's width (Kind Ruler).
	Columns int
	// Want is the row as it prints when right, number included, trailing
	// spaces trimmed. For QR lines the code itself follows that row.
	Want string
}

// Label says what the line tests, for the technician's screen.
func (l Line) Label() string {
	switch l.Kind {
	case Table:
		return fmt.Sprintf("ESC t %d as %s", l.Table.Number, l.Table.Enc.Name)
	case Ruler:
		return fmt.Sprintf("ruler of %d columns", l.Columns)
	}
	return l.Kind.String()
}

// Opts chooses what the slip tries.
type Opts struct {
	// Langs are the offered languages (BCP 47 tags); nil: DefaultLangs.
	Langs []string
	// Try adds table numbers to try beyond the printer database's, e.g.
	// KZ-1048 at 47 on a clone whose manual says so.
	Try []escpos.CodeTable
	// Identity is the printer's GS I answer, printed in the header.
	Identity escpos.Identity
}

// Plan is one calibration: the base profile, the letters and the
// numbered lines. The same base and Opts always give the same Plan, so the
// answers typed later are read against the slip that was printed.
type Plan struct {
	Base     escpos.Profile
	Langs    []string
	Letters  []rune
	Lines    []Line
	Identity escpos.Identity
}

// prefix is the width of "NNN " before each line's letters.
const prefix = 4

func number(n int) string { return fmt.Sprintf("%3d ", n) }

// NewPlan lays out the calibration of a printer believed to be base.
func NewPlan(base escpos.Profile, o Opts) (Plan, error) {
	langs := o.Langs
	if len(langs) == 0 {
		langs = DefaultLangs
	}
	pl := Plan{Base: base, Langs: append([]string(nil), langs...), Letters: letters(langs), Identity: o.Identity}
	if base.CharWidth <= 0 || base.CharHeight <= 0 || base.Dots <= 0 {
		return Plan{}, fmt.Errorf("calibrate: base profile %q has no cell size or width", base.Name)
	}
	if w := prefix + len(pl.Letters); w > rulerColumns[0] {
		return Plan{}, fmt.Errorf("calibrate: %d letters do not fit a 58 mm line: offer fewer languages per calibration", len(pl.Letters))
	}
	add := func(l Line) {
		l.N = len(pl.Lines) + 1
		l.Want = strings.TrimRight(number(l.N)+l.Want, " ")
		pl.Lines = append(pl.Lines, l)
	}
	for _, t := range candidates(base, o.Try, pl.Letters) {
		var b strings.Builder
		for _, r := range pl.Letters {
			if t.Enc.Has(r) {
				b.WriteRune(r)
			} else {
				b.WriteByte(' ')
			}
		}
		add(Line{Kind: Table, Table: t, Want: b.String()})
	}
	if len(pl.Letters) > 0 {
		add(Line{Kind: UTF8, Want: string(pl.Letters)})
	}
	for _, c := range rulerColumns {
		add(Line{Kind: Ruler, Columns: c, Want: ruler(c)})
	}
	add(Line{Kind: NativeQR, Want: "native QR:"})
	add(Line{Kind: RasterQR, Want: "raster QR:"})
	if len(pl.Letters) > 0 {
		// Last but the cut: a printer that does not parse ESC & prints its
		// bitmaps as bytes, which may hold commands; nothing else is lost.
		add(Line{Kind: UserChars, Want: string(pl.Letters)})
	}
	add(Line{Kind: Cutter, Want: "cut: paper cut below"})
	return pl, nil
}

// ruler is the body of a ruler line of c columns: "----…--48]".
func ruler(c int) string { return strings.Repeat("-", c-prefix-3) + fmt.Sprintf("%2d]", c) }

// candidates are the tables to try, in preference order: every number the
// printer database has for an encoding holding some of the letters, except
// encodings whose letters another one holds and more (CP1252's á ó ú are
// all in CP1250); plus the base profile's own tables and o.Try.
func candidates(base escpos.Profile, try []escpos.CodeTable, letters []rune) []escpos.CodeTable {
	held := func(e *escpos.Encoding) []rune {
		var out []rune
		for _, r := range letters {
			if e.Has(r) {
				out = append(out, r)
			}
		}
		return out
	}
	dominated := func(e *escpos.Encoding) bool {
		h := held(e)
		for _, o := range dbNumbers {
			ho := held(o.enc)
			if o.enc != e && len(ho) > len(h) && subset(h, ho) {
				return true
			}
		}
		return false
	}
	first, firstEnc := byte(0), escpos.EncCP437
	if len(base.CodeTables) > 0 {
		first, firstEnc = base.CodeTables[0].Number, base.CodeTables[0].Enc
	}
	// A line that would look right even if the printer ignored its ESC t
	// (and so printed in the table after ESC @) proves nothing: CP850's
	// á ó ú sit where CP437 has them.
	provesNothing := func(t escpos.CodeTable) bool {
		if t.Number == first {
			return false
		}
		for _, r := range held(t.Enc) {
			b, _ := t.Enc.Encode(r)
			if got, ok := firstEnc.Decode(b); !ok || got != r {
				return false
			}
		}
		return true
	}
	extra := append(append([]escpos.CodeTable(nil), base.CodeTables...), try...)
	var out []escpos.CodeTable
	seen := map[[2]any]bool{}
	for _, d := range dbNumbers {
		if len(held(d.enc)) == 0 {
			continue
		}
		var nums []byte
		if !dominated(d.enc) {
			nums = append(nums, d.numbers...)
		}
		for _, t := range extra {
			if t.Enc == d.enc {
				nums = append(nums, t.Number)
			}
		}
		slices.Sort(nums)
		for _, n := range nums {
			t := escpos.CodeTable{Number: n, Enc: d.enc}
			if k := [2]any{n, d.enc}; !seen[k] && !provesNothing(t) {
				seen[k] = true
				out = append(out, t)
			}
		}
	}
	return out
}

func subset(a, b []rune) bool {
	for _, r := range a {
		if !slices.Contains(b, r) {
			return false
		}
	}
	return true
}

// Job is the calibration slip as one ESC/POS job, init to cut. It sends
// what it tests whatever the base profile claims: ESC & on a model said
// to lack it, GS ( k on one said to have no QR.
func (pl Plan) Job() ([]byte, error) {
	p := pl.Base
	cells, err := fonts.CellsFor(p.CharWidth, p.CharHeight)
	if err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	var buf bytes.Buffer
	probe := p
	probe.NativeQR, probe.Raster = true, true
	e := escpos.NewEncoder(&buf, probe, escpos.DefaultOpts())
	raw := func(parts ...[]byte) {
		for _, b := range parts {
			buf.Write(b)
		}
	}
	first := byte(0)
	if len(p.CodeTables) > 0 {
		first = p.CodeTables[0].Number
	}
	e.Init()
	raw(escpos.CmdAlignLeft)
	for _, s := range pl.header() {
		raw([]byte(s), []byte{escpos.LF})
	}
	ref := func() error {
		return e.Image(pl.reference(cells))
	}
	if len(pl.Letters) > 0 {
		if err := ref(); err != nil {
			return nil, err
		}
	}
	tables := 0
	for _, l := range pl.Lines {
		switch l.Kind {
		case Table:
			if tables > 0 && tables%12 == 0 {
				// The reference again, so no line is far from it.
				if err := ref(); err != nil {
					return nil, err
				}
			}
			tables++
			// Back to the table after ESC @ first: a printer without table n
			// ignores ESC t n and must not print this line in the table of
			// the line before (which may hold the same letters).
			raw([]byte{escpos.ESC, 't', first, escpos.ESC, 't', l.Table.Number}, []byte(number(l.N)))
			for _, r := range pl.Letters {
				if b, ok := l.Table.Enc.Encode(r); ok {
					raw([]byte{b})
				} else {
					raw([]byte{' '})
				}
			}
			raw([]byte{escpos.LF})
		case UTF8:
			raw([]byte{escpos.ESC, 't', first}, escpos.CmdUTF8On, []byte(number(l.N)+string(pl.Letters)), []byte{escpos.LF}, escpos.CmdUTF8Off)
		case UserChars:
			// Codes A–Z a–z: the line's own number uses digits and a space.
			codes := []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
			var text []byte
			for i, r := range pl.Letters {
				g := cells.Glyph(r)
				bits := make([]bool, cells.W*cells.H)
				for j, a := range g.Pix {
					bits[j] = a != 0
				}
				raw(escpos.UserCharCommand(codes[i], escpos.Glyph{Width: cells.W, Height: cells.H, Bits: bits}))
				text = append(text, codes[i])
			}
			raw([]byte(number(l.N)), escpos.CmdUserCharsOn, text, escpos.CmdUserCharsOff, []byte{escpos.LF})
		case Ruler:
			raw([]byte(l.Want), []byte{escpos.LF})
		case NativeQR:
			raw([]byte(l.Want), []byte{escpos.LF})
			n := len(qrData(l.N)) + 3
			raw(escpos.CmdQRModel2, escpos.CmdQRSize, []byte{5}, escpos.CmdQRLevelM,
				escpos.CmdQRStorePre, []byte{byte(n), byte(n >> 8)}, escpos.CmdQRStoreTail, []byte(qrData(l.N)), escpos.CmdQRPrint)
			raw([]byte{escpos.LF})
		case RasterQR:
			raw([]byte(l.Want), []byte{escpos.LF})
			img, err := escpos.QRImage(qrData(l.N), 5)
			if err != nil {
				return nil, err
			}
			if err := e.Image(img); err != nil {
				return nil, err
			}
			raw([]byte{escpos.LF})
		}
	}
	return pl.finish(&buf, e)
}

// finish writes the closing words, the cutter line and the cut itself,
// sent whatever the base profile says, since the cutter is tested too.
func (pl Plan) finish(buf *bytes.Buffer, e *escpos.Encoder) ([]byte, error) {
	for _, s := range []string{"Type the numbers of the lines", "that are right, e.g. 1,4,40"} {
		buf.WriteString(s + "\n")
	}
	for _, l := range pl.Lines {
		if l.Kind == Cutter {
			buf.WriteString(l.Want + "\n")
		}
	}
	buf.Write(escpos.CmdFeedLines)
	buf.WriteByte(4)
	buf.Write(escpos.CmdPartialCut)
	if err := e.Err(); err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	return buf.Bytes(), nil
}

// qrData is what the QR code of line n says, for a phone to check.
func qrData(n int) string { return fmt.Sprintf("SAPAR CALIBRATION LINE %d", n) }

// header is the slip's introduction, ASCII, at most 32 columns a row.
func (pl Plan) header() []string {
	id := pl.Identity.String()
	if id == "" {
		id = "did not answer GS I"
	}
	out := []string{"SAPAR PRINTER CALIBRATION", "Base profile: " + pl.Base.Name}
	out = append(out, wrap("Printer: "+id, 32)...)
	out = append(out, wrap("Languages: "+strings.Join(pl.Langs, " "), 32)...)
	out = append(out, "A line is right when each", "letter is the one above it in", "REF (blanks are fine); a ruler", "when it fits on one row; a QR", "when it prints.")
	return append(out, strings.Repeat("-", 32))
}

func wrap(s string, cols int) []string {
	var out []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) <= cols:
			line += " " + w
		default:
			out = append(out, line)
			line = w
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// reference draws "REF " and the letters in the printer's cell font, as a
// text row of that font would look: what right looks like.
func (pl Plan) reference(cells *fonts.Cells) *image.Gray {
	rs := []rune("REF " + string(pl.Letters))
	img := image.NewGray(image.Rect(0, 0, len(rs)*cells.W, cells.H+6))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for i, r := range rs {
		cells.Draw(img, image.Pt(i*cells.W, 0), r, 1, 1, false, image.Black)
	}
	return img
}
