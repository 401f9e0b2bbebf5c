package escpos

import (
	"bytes"
	"strings"
	"testing"
)

func mustProfile(t testing.TB, name string) Profile {
	t.Helper()
	p, err := ProfileByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEncoderGoldenBytes(t *testing.T) {
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name    string
		profile string
		do      func(e *Encoder)
		want    []byte
	}{
		{"ASCII is sent as is", "TM-T20III", func(e *Encoder) { e.Init(); e.Line("Hello, 1212!") },
			cat(CmdInit, []byte("Hello, 1212!\n"))},
		{"Kyrgyz selects KZ-1048 once", "TM-T20III", func(e *Encoder) { e.Init(); e.Line("ңөү ҢӨҮ"); e.Line("Өмүр") },
			cat(CmdInit, []byte{ESC, 't', 53, 0xBE, 0xB4, 0xBF, ' ', 0xBD, 0xA5, 0xAF, LF, 0xA5, 0xEC, 0xBF, 0xF0, LF})},
		{"Russian on POS-5890 uses CP1251 at 73", "POS-5890", func(e *Encoder) { e.Init(); e.Line("Мир") },
			cat(CmdInit, []byte{ESC, 't', 73, 0xCC, 0xE8, 0xF0, LF})},
		{"Kyrgyz on POS-5890 without graphics glyphs falls back to look-alikes", "POS-5890", func(e *Encoder) { e.Init(); e.Line("өң") },
			cat(CmdInit, []byte{ESC, 't', 73, 0xEE, 0xED, LF})},
		{"Cyrillic on CP437-only printer is transliterated", "minimal-58", func(e *Encoder) { e.Init(); e.Line("Чет өлкө") },
			cat(CmdInit, []byte("Chet "), []byte{0x94, 'l', 'k', 0x94, LF})},
		{"control characters in text never reach the printer", "TM-T20III", func(e *Encoder) { e.Init(); e.Text("a\x1b@b\x1dVc\x00") },
			cat(CmdInit, []byte("a@bVc"))},
		{"title styles", "TM-T20III", func(e *Encoder) { e.Align(Center); e.Bold(true); e.Double(true); e.Double(false); e.Bold(false) },
			cat(CmdAlignCenter, CmdBoldOn, CmdSizeDouble, CmdSizeNormal, CmdBoldOff)},
		{"cut feeds then cuts partially", "TM-T20III", func(e *Encoder) { e.Cut() },
			cat(CmdFeedLines, []byte{4}, CmdPartialCut)},
		{"no cutter: feed only", "POS-5890", func(e *Encoder) { e.Cut() },
			cat(CmdFeedLines, []byte{4})},
		{"native QR model 2 level M", "TM-T20III", func(e *Encoder) { _ = e.QR("https://e.x") },
			cat(CmdQRModel2, CmdQRSize, []byte{6}, CmdQRLevelM, []byte{GS, '(', 'k', 14, 0, 0x31, 0x50, 0x30}, []byte("https://e.x"), CmdQRPrint)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			e := NewEncoder(&buf, mustProfile(t, tt.profile), DefaultOpts())
			tt.do(e)
			if e.Err() != nil {
				t.Fatal(e.Err())
			}
			if !bytes.Equal(buf.Bytes(), tt.want) {
				t.Errorf("got  % X\nwant % X", buf.Bytes(), tt.want)
			}
		})
	}
}

func TestRasterQRWhereNoNativeQR(t *testing.T) {
	var buf bytes.Buffer
	e := NewEncoder(&buf, mustProfile(t, "POS-5890"), DefaultOpts())
	if err := e.QR("https://example.org/x"); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), CmdRasterImage) {
		t.Errorf("want GS v 0, got % X", buf.Bytes()[:8])
	}
	if bytes.Contains(buf.Bytes(), CmdQRPrint[:3]) {
		t.Errorf("GS ( k sent to a printer without native QR")
	}
	e = NewEncoder(&buf, mustProfile(t, "minimal-58"), DefaultOpts())
	if err := e.QR("https://example.org/x"); err == nil {
		t.Errorf("minimal-58 has neither QR nor graphics: want error")
	}
}

func TestUserDefinedCharacters(t *testing.T) {
	glyph := func(r rune, w, h int) (Glyph, bool) {
		g := Glyph{Width: w, Height: h, Bits: make([]bool, w*h)}
		g.Bits[0] = true // top-left dot
		return g, true
	}
	var buf bytes.Buffer
	e := NewEncoder(&buf, mustProfile(t, "TM-T20III"), Opts{Glyphs: glyph})
	e.Init()
	missing, err := e.DefineUserChars("Ҳа ҳ~")
	if err != nil || len(missing) != 0 {
		t.Fatal(missing, err)
	}
	e.Line("Ҳа ҳ~")
	out := buf.Bytes()
	// Ҳ (U+04B2) < ҳ (U+04B3): codes given in that order from the preferred list, skipping '~' which the text uses.
	def1 := UserCharCommand('`', Glyph{Width: 12, Height: 24, Bits: append([]bool{true}, make([]bool, 287)...)})
	if !bytes.Contains(out, def1) {
		t.Errorf("missing definition of Ҳ as '`': % X", out)
	}
	if !strings.Contains(string(out), "\x1b%\x01`\x1bt\x35\xe0 ^~\n") {
		t.Errorf("unexpected text bytes: %q", out)
	}
}

func TestTransliterateNeverQuestionMark(t *testing.T) {
	for _, s := range []string{"Ҳҳ Ǵǵ Ӣӣ Ӯӯ Ҷҷ", "Чет өлкөгө", "پاسپورٹ", "oʻzbek gʻ", "Qaraqalpaq tili: Á á Ó ó Ú ú Ń ń Ǵ ǵ ı"} {
		got := Transliterate(s)
		if strings.ContainsRune(got, '?') {
			t.Errorf("Transliterate(%q) = %q contains '?'", s, got)
		}
		for _, r := range got {
			if r >= 0x7F {
				t.Errorf("Transliterate(%q) = %q has non-ASCII %q", s, got, r)
			}
		}
	}
}

func TestProfiles(t *testing.T) {
	for _, tt := range []struct {
		name     string
		dots     int
		cols     int
		kz       bool
		qr, rast bool
	}{
		{"TM-T20III", 576, 48, true, true, true},
		{"TM-T88V", 512, 42, true, true, true},
		{"POS-5890", 384, 32, false, false, true},
		{"minimal-58", 384, 32, false, false, false},
	} {
		p := mustProfile(t, tt.name)
		_, kz := p.Table(53)
		if kz && p.CodeTables[1].Enc != EncRK1048 {
			kz = false
		}
		if p.Dots != tt.dots || p.Columns != tt.cols || p.HasRune('ң') != tt.kz || p.NativeQR != tt.qr || p.Raster != tt.rast {
			t.Errorf("%s: %+v", tt.name, p)
		}
	}
	if _, err := ProfileByName("nope"); err == nil {
		t.Error("unknown profile accepted")
	}
}
