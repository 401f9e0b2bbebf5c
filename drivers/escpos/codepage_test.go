package escpos

import (
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// kz1048Differs are the sixteen positions where KZ-1048 differs from
// Windows-1251 (unicode.org KZ1048.TXT; Python's kz1048 codec agrees).
var kz1048Differs = map[byte]rune{
	0x8D: 'Қ', 0x8E: 'Һ', 0x9D: 'қ', 0x9E: 'һ', 0xA1: 'Ұ', 0xA2: 'ұ', 0xA3: 'Ә', 0xA5: 'Ө',
	0xAA: 'Ғ', 0xAF: 'Ү', 0xB4: 'ө', 0xBA: 'ғ', 0xBC: 'ә', 0xBD: 'Ң', 0xBE: 'ң', 0xBF: 'ү',
}

func TestKZ1048(t *testing.T) {
	t.Run("every byte decodes as KZ1048.TXT says", func(t *testing.T) {
		for b := 0x80; b < 0x100; b++ {
			got, ok := EncRK1048.Decode(byte(b))
			want, differs := kz1048Differs[byte(b)]
			if !differs {
				want = charmap.Windows1251.DecodeByte(byte(b))
			}
			if b == 0x98 {
				if ok {
					t.Errorf("0x98 decodes to %U, want unassigned", got)
				}
				continue
			}
			if !ok || got != want {
				t.Errorf("byte %#x: got %U (%v), want %U", b, got, ok, want)
			}
		}
	})
	t.Run("every character encodes back to its byte", func(t *testing.T) {
		for b := 0x20; b < 0x100; b++ {
			r, ok := EncRK1048.Decode(byte(b))
			if !ok {
				continue
			}
			got, ok := EncRK1048.Encode(r)
			if !ok || got != byte(b) {
				t.Errorf("%U: encodes to %#x (%v), want %#x", r, got, ok, b)
			}
		}
	})
	t.Run("Kyrgyz and Russian alphabets fit", func(t *testing.T) {
		for _, r := range "АБВГДЕЁЖЗИЙКЛМНҢОӨПРСТУҮФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнңоөпрстуүфхцчшщъыьэюя" {
			if !EncRK1048.Has(r) {
				t.Errorf("%c missing", r)
			}
		}
	})
	t.Run("letters it lacks", func(t *testing.T) {
		for _, r := range "ҲҳǴǵӢӣӮӯҶҷЎў" {
			if EncRK1048.Has(r) {
				t.Errorf("%c should not be in KZ-1048", r)
			}
		}
	})
	t.Run("never encodes to a control byte", func(t *testing.T) {
		for _, e := range []*Encoding{EncCP437, EncCP866, EncCP1251, EncCP1252, EncRK1048, EncCP1250, EncCP1254} {
			for r, b := range e.enc {
				if b < 0x20 || b == 0x7F {
					t.Errorf("%s: %U encodes to control %#x", e.Name, r, b)
				}
			}
		}
	})
}
