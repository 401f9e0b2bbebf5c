package emulator

import (
	"bytes"
	"strings"
	"testing"

	"sapar/drivers/escpos"
)

// An emulated printer whose profile differs from the driver's prints what
// such a printer would: the wrong letters, not an error, so a test (and a
// technician) can tell.
func TestEmulatedPrinterKnobs(t *testing.T) {
	epson := mustProfile(t, "TM-T20III")
	kzAt47 := epson
	kzAt47.CodeTables = []escpos.CodeTable{{Number: 0, Enc: escpos.EncCP437}, {Number: 47, Enc: escpos.EncRK1048}, {Number: 46, Enc: escpos.EncCP1251}}
	bare := epson
	bare.UserChars, bare.NativeQR = false, false
	utf := epson
	utf.UTF8 = true
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	kyrgyz := []byte{0xBE, 0xB4, 0xBF} // ң ө ү in KZ-1048
	glyph := escpos.UserCharCommand('~', escpos.Glyph{Width: 12, Height: 24, Bits: make([]bool, 288)})
	for _, tt := range []struct {
		name    string
		p       escpos.Profile
		job     []byte
		want    string
		qrs     int
		warning string
	}{
		{"KZ-1048 at 53 on an Epson", epson, cat(escpos.CmdInit, []byte{escpos.ESC, 't', 53}, kyrgyz, []byte{escpos.LF}), "ңөү", 0, ""},
		{"ESC t 53 on a printer with KZ-1048 at 47 prints CP437 letters", kzAt47, cat(escpos.CmdInit, []byte{escpos.ESC, 't', 53}, kyrgyz, []byte{escpos.LF}), "╛┤┐", 0, "ESC t 53"},
		{"ESC t 47 there is right", kzAt47, cat(escpos.CmdInit, []byte{escpos.ESC, 't', 47}, kyrgyz, []byte{escpos.LF}), "ңөү", 0, ""},
		{"no user-defined characters: the code prints as itself", bare, cat(escpos.CmdInit, glyph, escpos.CmdUserCharsOn, []byte("~\n")), "~", 0, "ESC &"},
		{"no native QR: nothing prints", bare, cat(escpos.CmdInit, escpos.CmdQRModel2, []byte{escpos.GS, '(', 'k', 5, 0, 0x31, 0x50, 0x30, 'a', 'b'}, escpos.CmdQRPrint), "", 0, "GS ( k"},
		{"native QR prints", epson, cat(escpos.CmdInit, escpos.CmdQRModel2, []byte{escpos.GS, '(', 'k', 5, 0, 0x31, 0x50, 0x30, 'a', 'b'}, escpos.CmdQRPrint), "", 1, ""},
		{"UTF-8 mode where the model has it", utf, cat(escpos.CmdInit, escpos.CmdUTF8On, []byte("ңөү ǵ\n"), escpos.CmdUTF8Off), "ңөү ǵ", 0, ""},
		{"UTF-8 mode where it has not: bytes in CP437", epson, cat(escpos.CmdInit, escpos.CmdUTF8On, []byte("ң\n"), escpos.CmdUTF8Off), "╥ú", 0, "UTF-8"},
		{"GS I does not print", epson, cat(escpos.CmdInit, escpos.CmdPrinterID, []byte{67}, []byte("x\n")), "x", 0, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Decode(tt.job, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if s.Text != tt.want || len(s.QRData) != tt.qrs {
				t.Errorf("text %q QR %v, want %q and %d QR", s.Text, s.QRData, tt.want, tt.qrs)
			}
			w := strings.Join(s.Warnings, "; ")
			if (tt.warning == "") != (w == "") || !strings.Contains(w, tt.warning) {
				t.Errorf("warnings %q, want one about %q", w, tt.warning)
			}
		})
	}
}
