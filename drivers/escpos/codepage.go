package escpos

import (
	"golang.org/x/text/encoding/charmap"
)

// Encoding is a single-byte character table as a printer holds it in ROM.
// Bytes 0x20–0x7E are ASCII in every table here; bytes below 0x20 and 0x7F
// are commands and are never produced for text.
type Encoding struct {
	Name string
	dec  [256]rune // 0 = no character
	enc  map[rune]byte
}

// Encode returns the byte for r, if the table holds it.
func (e *Encoding) Encode(r rune) (byte, bool) {
	if r >= 0x20 && r < 0x7F {
		return byte(r), true
	}
	b, ok := e.enc[r]
	return b, ok
}

// Decode returns the character printed for byte b, if any.
func (e *Encoding) Decode(b byte) (rune, bool) {
	r := e.dec[b]
	return r, r != 0
}

// String is the encoding's name.
func (e *Encoding) String() string { return e.Name }

// Has reports whether the table holds r.
func (e *Encoding) Has(r rune) bool { _, ok := e.Encode(r); return ok }

func newEncoding(name string, high [128]rune) *Encoding {
	e := &Encoding{Name: name, enc: make(map[rune]byte, 256)}
	for b := 0x20; b < 0x7F; b++ {
		e.dec[b] = rune(b)
	}
	for i, r := range high {
		if r == 0 || r == 0xFFFD {
			continue
		}
		b := byte(0x80 + i)
		e.dec[b] = r
		if _, dup := e.enc[r]; !dup {
			e.enc[r] = b
		}
	}
	return e
}

func fromCharmap(name string, cm *charmap.Charmap) *Encoding {
	var high [128]rune
	for i := range high {
		r := cm.DecodeByte(byte(0x80 + i))
		if r == 0xFFFD || r < 0x20 || (r >= 0x7F && r < 0xA0) {
			continue // undefined or a C1 control: nothing printable
		}
		high[i] = r
	}
	return newEncoding(name, high)
}

// kz1048High is the upper half of KZ-1048 (RK1048), the Kazakh standard
// STRK1048-2002: Windows-1251 with sixteen positions given to Kazakh letters.
// Source of the facts: unicode.org's KZ1048.TXT, cross-checked byte by byte
// against Python's "kz1048" codec. 0x98 is unassigned.
// The table is written out in full so every byte can be reviewed.
var kz1048High = [128]rune{
	// 0x80
	0x0402, 0x0403, 0x201A, 0x0453, 0x201E, 0x2026, 0x2020, 0x2021,
	0x20AC, 0x2030, 0x0409, 0x2039, 0x040A, 0x049A, 0x04BA, 0x040F,
	// 0x90
	0x0452, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x0000, 0x2122, 0x0459, 0x203A, 0x045A, 0x049B, 0x04BB, 0x045F,
	// 0xA0
	0x00A0, 0x04B0, 0x04B1, 0x04D8, 0x00A4, 0x04E8, 0x00A6, 0x00A7,
	0x0401, 0x00A9, 0x0492, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x04AE,
	// 0xB0
	0x00B0, 0x00B1, 0x0406, 0x0456, 0x04E9, 0x00B5, 0x00B6, 0x00B7,
	0x0451, 0x2116, 0x0493, 0x00BB, 0x04D9, 0x04A2, 0x04A3, 0x04AF,
	// 0xC0
	0x0410, 0x0411, 0x0412, 0x0413, 0x0414, 0x0415, 0x0416, 0x0417,
	0x0418, 0x0419, 0x041A, 0x041B, 0x041C, 0x041D, 0x041E, 0x041F,
	// 0xD0
	0x0420, 0x0421, 0x0422, 0x0423, 0x0424, 0x0425, 0x0426, 0x0427,
	0x0428, 0x0429, 0x042A, 0x042B, 0x042C, 0x042D, 0x042E, 0x042F,
	// 0xE0
	0x0430, 0x0431, 0x0432, 0x0433, 0x0434, 0x0435, 0x0436, 0x0437,
	0x0438, 0x0439, 0x043A, 0x043B, 0x043C, 0x043D, 0x043E, 0x043F,
	// 0xF0
	0x0440, 0x0441, 0x0442, 0x0443, 0x0444, 0x0445, 0x0446, 0x0447,
	0x0448, 0x0449, 0x044A, 0x044B, 0x044C, 0x044D, 0x044E, 0x044F,
}

// cp857High is the upper half of CP857 (IBM Turkish), which x/text lacks:
// Karakalpak ı beside á ó ú. Source of the facts: unicode.org's
// VENDORS/MICSFT/PC/CP857.TXT as Python's "cp857" codec carries it;
// 0xD5, 0xE7 and 0xF2 are unassigned there.
var cp857High = [128]rune{
	// 0x80
	0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7,
	0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x0131, 0x00C4, 0x00C5,
	// 0x90
	0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
	0x0130, 0x00D6, 0x00DC, 0x00F8, 0x00A3, 0x00D8, 0x015E, 0x015F,
	// 0xA0
	0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x011E, 0x011F,
	0x00BF, 0x00AE, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
	// 0xB0
	0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x00C1, 0x00C2, 0x00C0,
	0x00A9, 0x2563, 0x2551, 0x2557, 0x255D, 0x00A2, 0x00A5, 0x2510,
	// 0xC0
	0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x00E3, 0x00C3,
	0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x00A4,
	// 0xD0
	0x00BA, 0x00AA, 0x00CA, 0x00CB, 0x00C8, 0x0000, 0x00CD, 0x00CE,
	0x00CF, 0x2518, 0x250C, 0x2588, 0x2584, 0x00A6, 0x00CC, 0x2580,
	// 0xE0
	0x00D3, 0x00DF, 0x00D4, 0x00D2, 0x00F5, 0x00D5, 0x00B5, 0x0000,
	0x00D7, 0x00DA, 0x00DB, 0x00D9, 0x00EC, 0x00FF, 0x00AF, 0x00B4,
	// 0xF0
	0x00AD, 0x00B1, 0x0000, 0x00BE, 0x00B6, 0x00A7, 0x00F7, 0x00B8,
	0x00B0, 0x00A8, 0x00B7, 0x00B9, 0x00B3, 0x00B2, 0x25A0, 0x00A0,
}

// Encodings known to this package, by the names escpos-printer-db uses.
var (
	EncCP437  = fromCharmap("CP437", charmap.CodePage437)
	EncCP850  = fromCharmap("CP850", charmap.CodePage850)
	EncCP852  = fromCharmap("CP852", charmap.CodePage852)
	EncCP858  = fromCharmap("CP858", charmap.CodePage858)
	EncCP855  = fromCharmap("CP855", charmap.CodePage855)
	EncCP857  = newEncoding("CP857", cp857High)
	EncCP866  = fromCharmap("CP866", charmap.CodePage866)
	EncCP1250 = fromCharmap("CP1250", charmap.Windows1250)
	EncCP1251 = fromCharmap("CP1251", charmap.Windows1251)
	EncCP1252 = fromCharmap("CP1252", charmap.Windows1252)
	EncCP1254 = fromCharmap("CP1254", charmap.Windows1254)
	EncCP1257 = fromCharmap("CP1257", charmap.Windows1257)
	EncRK1048 = newEncoding("RK1048", kz1048High)
	// EncASCII is a table known to hold ASCII and nothing more: the table
	// after ESC @ of a calibrated printer whose upper half nobody checked.
	EncASCII = newEncoding("ASCII", [128]rune{})
)

var allEncodings = []*Encoding{EncASCII, EncCP437, EncCP850, EncCP852, EncCP855, EncCP857, EncCP858, EncCP866, EncCP1250, EncCP1251, EncCP1252, EncCP1254, EncCP1257, EncRK1048}

// Encodings returns every encoding this package implements.
func Encodings() []*Encoding { return append([]*Encoding(nil), allEncodings...) }

// EncodingByName returns a known encoding ("RK1048" is KZ-1048).
func EncodingByName(name string) (*Encoding, bool) {
	for _, e := range allEncodings {
		if e.Name == name || (name == "KZ-1048" && e == EncRK1048) {
			return e, true
		}
	}
	return nil, false
}
