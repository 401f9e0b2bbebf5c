package emulator

import (
	"errors"
	"fmt"

	"sapar/drivers/escpos"
)

// op is one decoded ESC/POS element.
type op struct {
	kind  opKind
	a, b  byte   // arguments
	data  []byte // payload (raster bits, QR data, user char data)
	x, y  int    // raster bytes per row and rows
	bytes []byte // the raw bytes, for warnings
}

type opKind int

const (
	opText opKind = iota // a: the byte
	opLF
	opCR
	opInit
	opBold      // a: on
	opMode      // ESC ! a
	opAlign     // a
	opTable     // a
	opFeed      // a lines
	opFeedDots  // a dots
	opCut       // a: mode
	opSize      // GS ! a
	opReverse   // a
	opUnderline // a
	opUserSel   // ESC % a
	opUserDef   // ESC & : a = first code, b = last code, data = [x d…]…, y = vertical bytes
	opUserDel   // ESC ? a
	opRaster    // GS v 0: x bytes per row, y rows, data
	opQR        // GS ( k: a = fn, data = parameters after fn
	opProcessID // GS ( H fn 48: data = 4 ID bytes
	opPrinterID // GS I a
	opEncoding  // FS ( C: a = fn, data = parameters after fn
	opStatus    // DLE EOT a
	opClear     // DLE DC4 8
	opRealtime  // other DLE commands, ignored
	opIgnored   // recognised, no effect on the slip
	opUnknown   // not recognised: a warning
)

var errIncomplete = errors.New("incomplete command")

// maxRaster caps what a GS v 0 may claim, so garbage cannot make the
// decoder allocate gigabytes (a real printer has a few kilobytes of buffer).
const maxRaster = 1 << 22

// next decodes the op at the start of b; errIncomplete if b ends inside it.
func next(b []byte) (op, int, error) {
	if len(b) == 0 {
		return op{}, 0, errIncomplete
	}
	need := func(n int) error {
		if len(b) < n {
			return errIncomplete
		}
		return nil
	}
	c := b[0]
	switch {
	case c >= 0x20:
		return op{kind: opText, a: c}, 1, nil
	case c == escpos.LF:
		return op{kind: opLF}, 1, nil
	case c == 0x0D:
		return op{kind: opCR}, 1, nil
	case c == 0x09:
		return op{kind: opText, a: ' '}, 1, nil
	case c == escpos.ESC:
		if err := need(2); err != nil {
			return op{}, 0, err
		}
		switch b[1] {
		case '@':
			return op{kind: opInit}, 2, nil
		case '2', '<', 'i', 'm':
			return op{kind: opIgnored}, 2, nil
		case 'E', 'G':
			return arg1(b, opBold)
		case '!':
			return arg1(b, opMode)
		case 'a':
			return arg1(b, opAlign)
		case 't':
			return arg1(b, opTable)
		case 'd':
			return arg1(b, opFeed)
		case 'J':
			return arg1(b, opFeedDots)
		case '-':
			return arg1(b, opUnderline)
		case '%':
			return arg1(b, opUserSel)
		case '?':
			return arg1(b, opUserDel)
		case '3', 'M', 'R', 'V', 'r', 'c', '{', 'U', ' ':
			return arg1(b, opIgnored)
		case 'p':
			if err := need(5); err != nil {
				return op{}, 0, err
			}
			return op{kind: opIgnored}, 5, nil
		case '&':
			return userDef(b)
		}
		return op{kind: opUnknown, bytes: b[:2]}, 2, nil
	case c == escpos.GS:
		if err := need(2); err != nil {
			return op{}, 0, err
		}
		switch b[1] {
		case '!':
			return arg1(b, opSize)
		case 'I':
			return arg1(b, opPrinterID)
		case 'B':
			return arg1(b, opReverse)
		case 'a', 'r', 'f', 'h', 'w', 'H', 'b':
			return arg1(b, opIgnored)
		case 'L', 'W':
			if err := need(4); err != nil {
				return op{}, 0, err
			}
			return op{kind: opIgnored}, 4, nil
		case 'V':
			if err := need(3); err != nil {
				return op{}, 0, err
			}
			m := b[2]
			switch m {
			case 0, 1, 48, 49:
				return op{kind: opCut, a: m}, 3, nil
			case 65, 66, 97, 98, 103, 104:
				if err := need(4); err != nil {
					return op{}, 0, err
				}
				return op{kind: opCut, a: m, b: b[3]}, 4, nil
			}
			return op{kind: opUnknown, bytes: b[:3]}, 3, nil
		case 'v':
			if err := need(8); err != nil {
				return op{}, 0, err
			}
			if b[2] != '0' {
				return op{kind: opUnknown, bytes: b[:3]}, 3, nil
			}
			x := int(b[4]) | int(b[5])<<8
			y := int(b[6]) | int(b[7])<<8
			n := x * y
			if n > maxRaster {
				return op{kind: opUnknown, bytes: b[:8]}, 8, nil
			}
			if err := need(8 + n); err != nil {
				return op{}, 0, err
			}
			return op{kind: opRaster, a: b[3], x: x, y: y, data: b[8 : 8+n]}, 8 + n, nil
		case '(':
			if err := need(5); err != nil {
				return op{}, 0, err
			}
			n := int(b[3]) | int(b[4])<<8
			if err := need(5 + n); err != nil {
				return op{}, 0, err
			}
			body := b[5 : 5+n]
			switch b[2] {
			case 'k':
				if n < 2 || body[0] != 0x31 {
					return op{kind: opIgnored}, 5 + n, nil
				}
				return op{kind: opQR, a: body[1], data: body[2:]}, 5 + n, nil
			case 'H':
				if n == 6 && body[0] == 48 && body[1] == 48 {
					return op{kind: opProcessID, data: body[2:6]}, 5 + n, nil
				}
				return op{kind: opIgnored}, 5 + n, nil
			}
			return op{kind: opIgnored}, 5 + n, nil
		}
		return op{kind: opUnknown, bytes: b[:2]}, 2, nil
	case c == escpos.DLE:
		if err := need(2); err != nil {
			return op{}, 0, err
		}
		switch b[1] {
		case escpos.EOT:
			return arg1(b, opStatus)
		case 0x05: // DLE ENQ n
			return arg1(b, opRealtime)
		case 0x14: // DLE DC4 fn …
			if err := need(3); err != nil {
				return op{}, 0, err
			}
			switch b[2] {
			case 8:
				if err := need(10); err != nil {
					return op{}, 0, err
				}
				return op{kind: opClear}, 10, nil
			case 1, 2:
				if err := need(5); err != nil {
					return op{}, 0, err
				}
				return op{kind: opRealtime}, 5, nil
			}
			return op{kind: opRealtime}, 3, nil
		}
		return op{kind: opUnknown, bytes: b[:2]}, 2, nil
	case c == escpos.FS:
		if err := need(2); err != nil {
			return op{}, 0, err
		}
		if b[1] == '(' { // FS ( fn pL pH …: length-prefixed like GS (
			if err := need(5); err != nil {
				return op{}, 0, err
			}
			n := int(b[3]) | int(b[4])<<8
			if err := need(5 + n); err != nil {
				return op{}, 0, err
			}
			if b[2] == 'C' && n >= 1 {
				return op{kind: opEncoding, a: b[5], data: b[6 : 5+n], bytes: b[:5+n]}, 5 + n, nil
			}
			return op{kind: opIgnored}, 5 + n, nil
		}
		return op{kind: opIgnored}, 2, nil
	}
	return op{kind: opUnknown, bytes: b[:1]}, 1, nil
}

func arg1(b []byte, k opKind) (op, int, error) {
	if len(b) < 3 {
		return op{}, 0, errIncomplete
	}
	return op{kind: k, a: b[2]}, 3, nil
}

// userDef decodes ESC & y c1 c2 [x d1…d(y×x)] for c1..c2.
func userDef(b []byte) (op, int, error) {
	if len(b) < 5 {
		return op{}, 0, errIncomplete
	}
	y, c1, c2 := int(b[2]), b[3], b[4]
	if y < 1 || y > 3 || c1 < 0x20 || c2 > 0x7E || c1 > c2 {
		return op{kind: opUnknown, bytes: b[:5]}, 5, nil
	}
	i := 5
	for c := int(c1); c <= int(c2); c++ {
		if len(b) < i+1 {
			return op{}, 0, errIncomplete
		}
		x := int(b[i])
		if x > 12 {
			return op{kind: opUnknown, bytes: b[:i+1]}, i + 1, nil
		}
		i += 1 + x*y
		if len(b) < i {
			return op{}, 0, errIncomplete
		}
	}
	return op{kind: opUserDef, a: c1, b: c2, y: y, data: b[5:i]}, i, nil
}

func (o op) String() string {
	return fmt.Sprintf("% X", o.bytes)
}
