package emulator

import (
	"bytes"
	"strings"
	"testing"

	"sapar/drivers/escpos"
	"sapar/drivers/internal/refslips"
	"sapar/drivers/receipt"
)

// Inputs are kept short (maxFuzzText, seeds of one line each). Time-based
// fuzzing (-fuzztime 30s) minimizes every new interesting input, and Go's
// minimizer tries about n²/2 candidates for an n-byte input: with whole
// slips as seeds (1–2 KB) at ~1 ms an execution, each minimization ran
// into the 60 s -fuzzminimizetime and both workers sat at ~10 execs for
// the whole run, while -fuzztime Nx (which does little minimizing) looked
// fine. A line or two already exercises wrapping, table switches and
// user-defined characters. Fonts are shared (fonts.CellsFor), not loaded
// per execution.
const maxFuzzText = 160

// maxFuzzQR bounds the QR payload of an execution.
const maxFuzzQR = 40

// fuzzSeeds are the reference slips cut into lines.
func fuzzSeeds() []string {
	var out []string
	for _, l := range refslips.Langs {
		d := refslips.All()[l]
		out = append(out, d.Title, d.Subtitle)
		out = append(out, d.Steps...)
	}
	return out
}

// FuzzEncoderEmitsWellFormedCommands: any Unicode text, on any profile,
// encodes without panic into bytes the decoder reads with no unknown or
// truncated command and no undefined byte.
// Run: go test ./drivers/emulator -run '^$' -fuzz FuzzEncoder -fuzztime 60s
func FuzzEncoderEmitsWellFormedCommands(f *testing.F) {
	for i, s := range fuzzSeeds() {
		f.Add(s, uint8(i))
	}
	f.Add("\x1b@\x1dV\x00\x10\x04\x01 \u202e\u0000\ufffd\U0001F600 ǵ ҳ \t", uint8(3))
	f.Fuzz(encodeWellFormed)
}

var fuzzProfiles = escpos.ProfileNames()

func fuzzGlyph(r rune, w, h int) (escpos.Glyph, bool) {
	return escpos.Glyph{Width: w, Height: h, Bits: make([]bool, w*h)}, r%7 != 0
}

// encodeWellFormed is FuzzEncoder's body.
func encodeWellFormed(t *testing.T, text string, pi uint8) {
	if len(text) > maxFuzzText {
		return
	}
	p, _ := escpos.ProfileByName(fuzzProfiles[int(pi)%len(fuzzProfiles)])
	var buf bytes.Buffer
	e := escpos.NewEncoder(&buf, p, escpos.Opts{Glyphs: fuzzGlyph})
	e.Init()
	_, _ = e.DefineUserChars(text)
	e.Bold(true)
	e.Line(text)
	e.Double(true)
	e.Line(e.Printable(text))
	if len(text) > 0 {
		// QR encoding was most of an execution; its size classes are
		// reached by a prefix (and tested in escpos).
		_ = e.QR(text[:min(len(text), maxFuzzQR)])
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
	// '?' only where the text has a question mark (Arabic ؟ prints as ?).
	if strings.ContainsRune(s.Text, '?') && !strings.ContainsAny(text, "?؟") {
		t.Errorf("%s: '?' printed for %q", p.Name, text)
	}
}

// maxFuzzJob bounds FuzzDecode's inputs (a raster band or QR is longer,
// but its header is what the decoder parses).
const maxFuzzJob = 256

// FuzzDecodeNeverPanics: the emulator reads any bytes.
func FuzzDecodeNeverPanics(f *testing.F) {
	p, _ := escpos.ProfileByName("TM-T20III")
	// Seeds are a Kyrgyz and an Urdu slip cut at command boundaries
	// (short inputs: see maxFuzzText).
	for _, d := range []receipt.Document{refslips.Kyrgyz(), refslips.Urdu()} {
		job, _ := receipt.Render(d, p)
		for _, piece := range escpos.Split(job, 96) {
			if len(piece) <= maxFuzzJob {
				f.Add(piece)
			}
		}
	}
	f.Add([]byte{0x1b, '&', 3, 0x20, 0x7e, 12})
	f.Add([]byte{0x1d, 'v', '0', 0, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0x1d, '(', 'k', 3, 0, 0x31, 0x45, 0x99, 0x1d, '(', 'k', 3, 0, 0x31, 0x51, 0x30})
	// UTF-8 mode (FS ( C) with a sequence cut by a command, GS I.
	f.Add([]byte{0x1c, '(', 'C', 2, 0, 48, 2, 0xd2, 0x1b, 't', 53, 0xa3, 0x1d, 'I', 67, '\n'})
	utf := p
	utf.UTF8 = true
	bare, _ := escpos.ProfileByName("POS-5890")
	profiles := []escpos.Profile{p, utf, bare}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzJob {
			return
		}
		s, err := Decode(data, profiles[len(data)%len(profiles)])
		if err != nil {
			return
		}
		_ = s.Image()
	})
}
