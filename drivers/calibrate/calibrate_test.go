package calibrate_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sapar/drivers/calibrate"
	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
	"sapar/drivers/fonts"
	"sapar/drivers/internal/refslips"
	"sapar/drivers/printer"
	"sapar/drivers/receipt"
	"sapar/drivers/serialport"
)

func mustProfile(t testing.TB, name string) escpos.Profile {
	t.Helper()
	p, err := escpos.ProfileByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// technician reads the decoded calibration slip as a technician reads the
// paper: a numbered line is right when it shows exactly the letters it
// should; a QR line when a code printed under it.
func technician(pl calibrate.Plan, s *emulator.Slip) []int {
	rows := s.Rows()
	var right []int
	for _, l := range pl.Lines {
		for i, r := range rows {
			if r.Image != nil || r.Text != l.Want {
				continue
			}
			if l.Kind == calibrate.NativeQR || l.Kind == calibrate.RasterQR {
				if i+1 >= len(rows) || rows[i+1].Image == nil {
					continue
				}
			}
			right = append(right, l.N)
			break
		}
		if l.Kind == calibrate.Cutter && !s.Cut {
			right = right[:len(right)-1]
		}
	}
	return right
}

// read returns the slip's text top to bottom, raster rows included: a
// raster line drawn in the printer's cell font is read back cell by cell
// against the letters of alphabet (normal or double size, bold or not).
// Letters that look the same on paper (Cyrillic а, Latin a) read as one:
// compare with sameGlyphs of the expected text.
func read(t testing.TB, s *emulator.Slip, p escpos.Profile, alphabet string) string {
	cells, err := fonts.CellsFor(p.CharWidth, p.CharHeight)
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		r    rune
		sx   int
		bold bool
	}
	ref := map[key]*image.Gray{}
	glyph := func(k key) *image.Gray {
		if g, ok := ref[k]; ok {
			return g
		}
		g := image.NewGray(image.Rect(0, 0, cells.W*k.sx, cells.H*k.sx))
		draw.Draw(g, g.Bounds(), image.White, image.Point{}, draw.Src)
		cells.Draw(g, image.Point{}, k.r, k.sx, k.sx, k.bold, image.Black)
		ref[k] = g
		return g
	}
	runes := []rune(" 0123456789.-*:·" + alphabet)
	var out []string
	readImage := func(img *image.Gray) {
		sx := 0
		switch img.Bounds().Dy() {
		case cells.H + 6:
			sx = 1
		case 2*cells.H + 6:
			sx = 2
		default:
			return // a QR code or Urdu
		}
		var line []rune
		for x0 := 0; x0+cells.W*sx <= img.Bounds().Dx(); x0 += cells.W * sx {
			got := '\uFFFD'
		match:
			for _, bold := range []bool{false, true} {
				for _, r := range runes {
					g := glyph(key{r, sx, bold})
					same := true
					for y := 0; y < cells.H*sx && same; y++ {
						for x := 0; x < cells.W*sx; x++ {
							if (img.GrayAt(x0+x, y).Y < 128) != (g.GrayAt(x, y).Y < 128) {
								same = false
								break
							}
						}
					}
					if same {
						got = canon(t, p, r)
						break match
					}
				}
			}
			line = append(line, got)
		}
		out = append(out, strings.TrimRight(string(line), " "))
	}
	// One GS v 0 image arrives in bands of 24 rows: join them again.
	var bands []*image.Gray
	flush := func() {
		if len(bands) == 0 {
			return
		}
		h := 0
		for _, b := range bands {
			h += b.Bounds().Dy()
		}
		img := image.NewGray(image.Rect(0, 0, bands[0].Bounds().Dx(), h))
		y := 0
		for _, b := range bands {
			draw.Draw(img, image.Rect(0, y, b.Bounds().Dx(), y+b.Bounds().Dy()), b, image.Point{}, draw.Src)
			y += b.Bounds().Dy()
		}
		bands = nil
		readImage(img)
	}
	for _, row := range s.Rows() {
		if row.Image == nil {
			flush()
			out = append(out, sameGlyphs(t, p, row.Text))
			continue
		}
		if len(bands) > 0 && bands[0].Bounds().Dx() != row.Image.Bounds().Dx() {
			flush()
		}
		bands = append(bands, row.Image)
		if row.Image.Bounds().Dy() < 24 {
			flush()
		}
	}
	flush()
	return strings.Join(out, "\n")
}

// canon maps r to the first rune with the same cell bitmap in the
// printer's font (Cyrillic а → Latin a's class), so homoglyphs compare equal.
func canon(t testing.TB, p escpos.Profile, r rune) rune {
	cells, err := fonts.CellsFor(p.CharWidth, p.CharHeight)
	if err != nil {
		t.Fatal(err)
	}
	key := string(cells.Glyph(r).Pix)
	glyphMu.Lock()
	defer glyphMu.Unlock()
	if c, ok := glyphClass[key]; ok {
		return c
	}
	glyphClass[key] = r
	return r
}

var (
	glyphMu    sync.Mutex
	glyphClass = map[string]rune{}
)

// sameGlyphs is s with every rune replaced by canon's.
func sameGlyphs(t testing.TB, p escpos.Profile, s string) string {
	rs := []rune(s)
	for i, r := range rs {
		if r != '\n' && r != ' ' {
			rs[i] = canon(t, p, r)
		}
	}
	return string(rs)
}

func tab(n byte, e *escpos.Encoding) escpos.CodeTable { return escpos.CodeTable{Number: n, Enc: e} }

func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

func hasRTL(s string) bool {
	for _, r := range s {
		if r >= 0x0590 && r <= 0x08FF {
			return true
		}
	}
	return false
}

func fields(d receipt.Document) []string {
	f := []string{d.Title, d.Subtitle, d.Notice, d.QRCaption}
	f = append(f, d.Steps...)
	f = append(f, d.Paragraphs...)
	f = append(f, d.Contacts...)
	return append(f, d.Footer...)
}

// guides are the slips a calibrated printer must get right: the
// reference guides (ky, uz-Cyrl, kaa, tg, ur) and the test slip, whose
// lines carry uz-Latn oʻ gʻ and every other language's hardest letters.
func guides(p escpos.Profile) map[string]receipt.Document {
	docs := refslips.All()
	docs["test slip"] = calibrate.TestSlip(calibrate.TestSlipOpts{Kiosk: "Bishkek, Manas airport", Profile: p})
	return docs
}

// lettersRight renders every guide with prof, prints it on the emulated
// printer real and reports each field that did not come out letter for letter.
func lettersRight(t *testing.T, prof, real escpos.Profile) (wrong []string) {
	t.Helper()
	for name, doc := range guides(prof) {
		job, err := receipt.Render(doc, prof)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s, err := emulator.Decode(job, real)
		if err != nil {
			t.Fatal(err)
		}
		var all strings.Builder
		for _, f := range fields(doc) {
			all.WriteString(f)
		}
		text := flat(read(t, s, real, all.String()))
		for _, f := range fields(doc) {
			if f == "" || hasRTL(f) {
				continue
			}
			if !strings.Contains(text, flat(sameGlyphs(t, real, f))) {
				wrong = append(wrong, name+": "+f)
			}
		}
		if doc.Lang == "ur" && s.Images < 10 {
			wrong = append(wrong, "ur: Urdu lines not printed as raster")
		}
		if prof.Name != real.Name && len(s.Warnings) > 0 { // calibrated: nothing the printer does not take
			wrong = append(wrong, name+": printer warnings: "+strings.Join(s.Warnings, "; "))
		}
	}
	return wrong
}

type unknownPrinter struct {
	name string
	base string         // what the technician believes it is
	real escpos.Profile // what it is
	try  []escpos.CodeTable
	// want of the decision
	tables             []escpos.CodeTable // must be among the profile's
	notTables          []byte
	udc, qr, utf8      bool
	columns, dots      int
	baseGetsLettersBad bool // the uncalibrated base profile prints wrong letters
}

func unknownPrinters(t *testing.T) []unknownPrinter {
	epson := mustProfile(t, "TM-T20III")
	clone := epson
	clone.Name, clone.Vendor = "clone-80", "Noname"
	clone.CodeTables = []escpos.CodeTable{tab(0, escpos.EncCP437), tab(47, escpos.EncRK1048), tab(46, escpos.EncCP1251), tab(17, escpos.EncCP866), tab(13, escpos.EncCP857)}
	narrow := mustProfile(t, "POS-5890")
	narrow.Name = "pos58-udc"
	narrow.CodeTables = []escpos.CodeTable{tab(0, escpos.EncCP437), tab(73, escpos.EncCP1251), tab(17, escpos.EncCP866), tab(18, escpos.EncCP852), tab(91, escpos.EncCP1254)}
	narrow.UserChars = true
	bare := mustProfile(t, "POS-5890")
	bare.Name = "pos58-bare"
	bare.CodeTables = []escpos.CodeTable{tab(0, escpos.EncCP437), tab(17, escpos.EncCP866), tab(45, escpos.EncCP1250)}
	return []unknownPrinter{
		{name: "a real TM-T20III confirms its built-in tables", base: "TM-T20III", real: epson,
			tables: []escpos.CodeTable{tab(0, escpos.EncCP437), tab(53, escpos.EncRK1048), tab(46, escpos.EncCP1251), tab(17, escpos.EncCP866),
				tab(45, escpos.EncCP1250), tab(18, escpos.EncCP852), tab(48, escpos.EncCP1254), tab(16, escpos.EncCP1252), tab(2, escpos.EncCP850), tab(51, escpos.EncCP1257)},
			notTables: []byte{73, 13}, udc: true, qr: true, columns: 48, dots: 576},
		{name: "clone with KZ-1048 at 47, CP1251 at 46, tried at 47", base: "TM-T20III", real: clone,
			try:    []escpos.CodeTable{tab(47, escpos.EncRK1048)},
			tables: []escpos.CodeTable{tab(47, escpos.EncRK1048), tab(46, escpos.EncCP1251), tab(17, escpos.EncCP866), tab(13, escpos.EncCP857)}, notTables: []byte{53},
			udc: true, qr: true, columns: 48, dots: 576, baseGetsLettersBad: true},
		{name: "the same clone, 47 not tried: KZ-1048 not found, letters by ESC &", base: "TM-T20III", real: clone,
			tables: []escpos.CodeTable{tab(46, escpos.EncCP1251), tab(17, escpos.EncCP866), tab(13, escpos.EncCP857)}, notTables: []byte{53, 47},
			udc: true, qr: true, columns: 48, dots: 576},
		{name: "58 mm printer taken for an 80 mm Epson: no KZ-1048, CP1251 at 73, no native QR", base: "TM-T20III", real: narrow,
			tables: []escpos.CodeTable{tab(73, escpos.EncCP1251), tab(17, escpos.EncCP866), tab(18, escpos.EncCP852), tab(91, escpos.EncCP1254)}, notTables: []byte{53, 46},
			udc: true, qr: false, columns: 32, dots: 384, baseGetsLettersBad: true},
		{name: "no ESC &, no native QR: letters as raster lines", base: "POS-5890", real: bare,
			tables: []escpos.CodeTable{tab(17, escpos.EncCP866), tab(45, escpos.EncCP1250)}, notTables: []byte{73},
			udc: false, qr: false, columns: 32, dots: 384, baseGetsLettersBad: true},
	}
}

func TestCalibrateUnknownPrinters(t *testing.T) {
	for _, up := range unknownPrinters(t) {
		t.Run(up.name, func(t *testing.T) {
			base := mustProfile(t, up.base)
			pl, err := calibrate.NewPlan(base, calibrate.Opts{Try: up.try})
			if err != nil {
				t.Fatal(err)
			}
			job, err := pl.Job()
			if err != nil {
				t.Fatal(err)
			}
			s, err := emulator.Decode(job, up.real)
			if err != nil {
				t.Fatal(err)
			}
			savePNG(t, "calibration-"+up.real.Name, s)
			answers := technician(pl, s)
			cal, err := pl.Decide(answers, time.Now())
			if err != nil {
				t.Fatalf("answers %v: %v", answers, err)
			}
			p := cal.Profile
			t.Logf("%d lines, answers %v → tables %v, ESC & %v, QR %v, cutter %v, %d columns", len(pl.Lines), answers, p.CodeTables, p.UserChars, p.NativeQR, p.Cutter, p.Columns)
			for _, want := range up.tables {
				if got, ok := p.Table(want.Number); !ok || got.Enc != want.Enc {
					t.Errorf("table %d: got %v, want %s (answers %v, tables %v)", want.Number, got.Enc, want.Enc.Name, answers, p.CodeTables)
				}
			}
			for _, n := range up.notTables {
				if _, ok := p.Table(n); ok {
					t.Errorf("table %d in the profile, but the printer has none there", n)
				}
			}
			if p.UserChars != up.udc || p.NativeQR != up.qr || !p.Raster || p.UTF8 != up.utf8 || p.Columns != up.columns || p.Dots != up.dots {
				t.Errorf("decided %+v", p)
			}
			// The profile survives its file.
			b, err := escpos.MarshalProfile(cal)
			if err != nil {
				t.Fatal(err)
			}
			again, err := escpos.ParseProfile(b)
			if err != nil {
				t.Fatal(err)
			}
			if wrong := lettersRight(t, again.Profile, up.real); len(wrong) > 0 {
				t.Errorf("with the calibrated profile, wrong letters:\n%s", strings.Join(wrong, "\n"))
			}
			if up.baseGetsLettersBad {
				if wrong := lettersRight(t, base, up.real); len(wrong) == 0 {
					t.Errorf("the uncalibrated %s profile printed every letter right too: the test proves nothing", base.Name)
				}
			}
		})
	}
}

// The whole path on the wire: GS I answered through a pseudo-terminal, the
// slip printed by printer.Send on a virtual Epson with UTF-8 mode.
func TestCalibrateOverTheWire(t *testing.T) {
	real := mustProfile(t, "TM-T20III")
	real.UTF8 = true
	id := escpos.Identity{Maker: "EPSON", Model: "TM-T20III", Firmware: "1.02 ESC/POS"}
	slips := make(chan *emulator.Slip, 2)
	v, err := emulator.NewVirtual(emulator.VirtualOpts{Profile: real, Identity: id, OnSlip: func(_ int, s *emulator.Slip, _, _ string) { slips <- s }})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	port, err := serialport.Open(v.DevicePath(), 115200)
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, err := printer.Identify(ctx, port.(io.ReadWriter), time.Second)
	if err != nil || got != id {
		t.Fatalf("identity %+v %v", got, err)
	}
	pl, err := calibrate.NewPlan(mustProfile(t, "TM-T20III"), calibrate.Opts{Identity: got})
	if err != nil {
		t.Fatal(err)
	}
	job, err := pl.Job()
	if err != nil {
		t.Fatal(err)
	}
	if err := printer.Send(ctx, port, job, printer.DefaultOpts()); err != nil {
		t.Fatal(err)
	}
	var s *emulator.Slip
	select {
	case s = <-slips:
	case <-time.After(10 * time.Second):
		t.Fatal("no slip")
	}
	if !strings.Contains(flat(s.Text), "EPSON TM-T20III, firmware 1.02 ESC/POS") {
		t.Errorf("identity not on the slip:\n%s", s.Text)
	}
	cal, err := pl.Decide(technician(pl, s), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if cal.Identity != id || !cal.Profile.UTF8 || !cal.Profile.NativeQR || !cal.Profile.UserChars {
		t.Errorf("decided %+v", cal)
	}
	if tb, ok := cal.Profile.Table(53); !ok || tb.Enc != escpos.EncRK1048 {
		t.Errorf("KZ-1048 at 53 not confirmed: %v", cal.Profile.CodeTables)
	}
	if wrong := lettersRight(t, cal.Profile, real); len(wrong) > 0 {
		t.Errorf("wrong letters:\n%s", strings.Join(wrong, "\n"))
	}
}

func TestPlan(t *testing.T) {
	pl, err := calibrate.NewPlan(mustProfile(t, "TM-T20III"), calibrate.Opts{})
	if err != nil {
		t.Fatal(err)
	}
	count := map[calibrate.Kind]int{}
	seen := map[string]bool{}
	for i, l := range pl.Lines {
		count[l.Kind]++
		if l.N != i+1 || !strings.HasPrefix(l.Want, fmt.Sprintf("%3d ", l.N)) {
			t.Errorf("line %d numbered %d: %q", i+1, l.N, l.Want)
		}
		if seen[l.Label()] {
			t.Errorf("%s twice", l.Label())
		}
		seen[l.Label()] = true
	}
	for _, want := range []string{"ESC t 53 as RK1048", "ESC t 46 as CP1251", "ESC t 73 as CP1251", "ESC t 17 as CP866", "ESC t 13 as CP857", "ESC t 48 as CP1254", "ESC t 45 as CP1250", "UTF-8 mode", "user-defined characters", "ruler of 32 columns", "native QR", "raster QR"} {
		if !seen[want] {
			t.Errorf("no line %q", want)
		}
	}
	if seen["ESC t 19 as CP858"] {
		t.Error("CP858 at 19 holds á ó ú where CP437 does: its line proves nothing")
	}
	if count[calibrate.UTF8] != 1 || count[calibrate.UserChars] != 1 || count[calibrate.Ruler] != 3 {
		t.Errorf("kinds %v", count)
	}
	t.Run("only Kyrgyz and Russian: no Latin tables", func(t *testing.T) {
		pl, _ := calibrate.NewPlan(mustProfile(t, "TM-T20III"), calibrate.Opts{Langs: []string{"ky", "ru"}})
		for _, l := range pl.Lines {
			if l.Kind == calibrate.Table && !l.Table.Enc.Has('ж') {
				t.Errorf("%s for Kyrgyz and Russian", l.Label())
			}
		}
	})
}

func TestAnswers(t *testing.T) {
	pl, _ := calibrate.NewPlan(mustProfile(t, "TM-T20III"), calibrate.Opts{})
	ruler := 0
	var cyr18, lat18 int
	for _, l := range pl.Lines {
		if l.Kind == calibrate.Ruler && ruler == 0 {
			ruler = l.N
		}
		if l.Kind == calibrate.Table && l.Table.Number == 18 && l.Table.Enc == escpos.EncCP1251 {
			cyr18 = l.N
		}
		if l.Kind == calibrate.Table && l.Table.Number == 18 && l.Table.Enc == escpos.EncCP1250 {
			lat18 = l.N
		}
	}
	for _, tt := range []struct {
		name, in, err string
	}{
		{"a line the slip does not have", "999", "no line 999"},
		{"not a number", "3,x", `"x"`},
		{"no ruler", "1", "ruler"},
		{"two encodings at one number", strings.Join([]string{strconv.Itoa(cyr18), strconv.Itoa(lat18), strconv.Itoa(ruler)}, ","), "only one can"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, err := calibrate.ParseAnswers(tt.in)
			if err == nil {
				_, err = pl.Decide(a, time.Now())
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("got %v, want %q", err, tt.err)
			}
		})
	}
	a, err := calibrate.ParseAnswers("7, 3 1-2;3")
	if err != nil || len(a) != 4 || a[0] != 1 || a[3] != 7 {
		t.Errorf("%v %v", a, err)
	}
}

// savePNG writes the slip under $SAPAR_SLIP_DIR, to look at.
func savePNG(t *testing.T, name string, s *emulator.Slip) {
	dir := os.Getenv("SAPAR_SLIP_DIR")
	if dir == "" {
		return
	}
	var buf bytes.Buffer
	if err := s.WritePNG(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
