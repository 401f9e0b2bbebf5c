package escpos

// CommandLen returns the length of the command or text byte at the start
// of b, for the commands this package emits (and common fixed-length ones),
// and false if b ends inside it. Unknown ESC/GS commands count two bytes.
func CommandLen(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	need := func(n int) (int, bool) { return n, len(b) >= n }
	switch b[0] {
	case ESC:
		if len(b) < 2 {
			return 0, false
		}
		switch b[1] {
		case '@', '2':
			return 2, true
		case '&':
			if len(b) < 5 {
				return 0, false
			}
			y, c1, c2 := int(b[2]), int(b[3]), int(b[4])
			i := 5
			for c := c1; c <= c2; c++ {
				if len(b) <= i {
					return 0, false
				}
				i += 1 + int(b[i])*y
			}
			return need(i)
		case 'p':
			return need(5)
		}
		return need(3)
	case GS:
		if len(b) < 3 {
			return 0, false
		}
		switch b[1] {
		case 'v':
			if len(b) < 8 {
				return 0, false
			}
			return need(8 + (int(b[4])|int(b[5])<<8)*(int(b[6])|int(b[7])<<8))
		case '(':
			if len(b) < 5 {
				return 0, false
			}
			return need(5 + (int(b[3]) | int(b[4])<<8))
		case 'V':
			if b[2] >= 65 {
				return need(4)
			}
			return 3, true
		case 'L', 'W':
			return need(4)
		}
		return 3, true
	case FS:
		if len(b) < 2 {
			return 0, false
		}
		if b[1] == '(' {
			if len(b) < 5 {
				return 0, false
			}
			return need(5 + (int(b[3]) | int(b[4])<<8))
		}
		return 2, true
	case DLE:
		if len(b) < 3 {
			return 0, false
		}
		if b[1] == 0x14 && b[2] == 8 {
			return need(10)
		}
		return 3, true
	}
	return 1, true
}

// Split cuts a job into pieces of at most max bytes at command boundaries,
// so commands sent between pieces (status, process ID) never land inside
// a raster image or QR payload. A single command longer than max is one piece.
func Split(job []byte, max int) [][]byte {
	var out [][]byte
	start, i := 0, 0
	for i < len(job) {
		n, ok := CommandLen(job[i:])
		if !ok {
			n = len(job) - i // a truncated tail: send it as it is
		}
		if i+n-start > max && i > start {
			out = append(out, job[start:i])
			start = i
		}
		i += n
	}
	if start < len(job) {
		out = append(out, job[start:])
	}
	return out
}
