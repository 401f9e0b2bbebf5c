package emulator

import (
	"bytes"
	"strings"
	"testing"

	"sapar/drivers/escpos"
	"sapar/drivers/internal/refslips"
	"sapar/drivers/receipt"
)

// FuzzEncoderEmitsWellFormedCommands: any Unicode text, on any profile,
// encodes without panic into bytes the decoder reads with no unknown or
// truncated command and no undefined byte.
// Run: go test ./drivers/emulator -run '^$' -fuzz FuzzEncoder -fuzztime 60s
func FuzzEncoderEmitsWellFormedCommands(f *testing.F) {
	for _, d := range refslips.All() {
		f.Add(d.Title+"\n"+strings.Join(d.Steps, "\n"), uint8(0))
	}
	f.Add("\x1b@\x1dV\x00\x10\x04\x01 \u202e\u0000\ufffd\U0001F600 ǵ ҳ \t", uint8(3))
	names := escpos.ProfileNames()
	glyph := func(r rune, w, h int) (escpos.Glyph, bool) {
		return escpos.Glyph{Width: w, Height: h, Bits: make([]bool, w*h)}, r%7 != 0
	}
	f.Fuzz(func(t *testing.T, text string, pi uint8) {
		if len(text) > 4000 {
			return
		}
		p, _ := escpos.ProfileByName(names[int(pi)%len(names)])
		var buf bytes.Buffer
		e := escpos.NewEncoder(&buf, p, escpos.Opts{Glyphs: glyph})
		e.Init()
		_, _ = e.DefineUserChars(text)
		e.Bold(true)
		e.Line(text)
		e.Double(true)
		e.Line(e.Printable(text))
		if len(text) > 0 && len(text) < 300 {
			_ = e.QR(text)
		}
		e.Cut()
		if e.Err() != nil {
			t.Fatal(e.Err())
		}
		s, err := Decode(buf.Bytes(), p)
		if err != nil {
			t.Fatalf("%s: decode: %v", p.Name, err)
		}
		for _, w := range s.Warnings {
			t.Errorf("%s: malformed output: %s", p.Name, w)
		}
		if strings.ContainsRune(s.Text, '?') && !strings.ContainsRune(text, '?') {
			t.Errorf("%s: '?' printed for %q", p.Name, text)
		}
	})
}

// FuzzDecodeNeverPanics: the emulator reads any bytes.
func FuzzDecodeNeverPanics(f *testing.F) {
	p, _ := escpos.ProfileByName("TM-T20III")
	job, _ := receipt.Render(refslips.Kyrgyz(), p)
	f.Add(job)
	f.Add([]byte{0x1b, '&', 3, 0x20, 0x7e, 12})
	f.Add([]byte{0x1d, 'v', '0', 0, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0x1d, '(', 'k', 3, 0, 0x31, 0x45, 0x99, 0x1d, '(', 'k', 3, 0, 0x31, 0x51, 0x30})
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Decode(data, p)
		if err != nil {
			return
		}
		if len(data) < 4096 {
			_ = s.Image()
		}
	})
}
