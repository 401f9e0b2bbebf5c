package calibrate

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"sapar/drivers/escpos"
)

// ErrAnswer is wrapped by every error about the technician's answers: the
// message says what to look at again.
var ErrAnswer = errors.New("calibration answer")

// ParseAnswers reads line numbers as a technician types them: "3,7,12",
// "3 7 12", ranges "1-5,9". Empty input is no line right.
func ParseAnswers(s string) ([]int, error) {
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		lo, hi, isRange := strings.Cut(f, "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || a < 1 || b < a || b-a > 1024 {
			return nil, fmt.Errorf("%w: %q is not a line number or range like 3 or 1-5", ErrAnswer, f)
		}
		for n := a; n <= b; n++ {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Decide builds the printer's profile from the numbers of the lines that
// printed right: the tables confirmed (the table after ESC @ first, as
// ASCII only when no line confirmed its upper half), user-defined
// characters, native QR, raster and UTF-8 mode where their lines printed,
// the cutter if the paper was cut, and the width of the widest ruler that
// fitted on one row. The rest (resolution, cell, buffer) is the base
// profile's.
func (pl Plan) Decide(answers []int, at time.Time) (escpos.Calibrated, error) {
	answers = slices.Compact(slices.Sorted(slices.Values(answers)))
	right := map[Kind][]Line{}
	for _, n := range answers {
		if n < 1 || n > len(pl.Lines) {
			return escpos.Calibrated{}, fmt.Errorf("%w: there is no line %d on this slip (1–%d)", ErrAnswer, n, len(pl.Lines))
		}
		l := pl.Lines[n-1]
		right[l.Kind] = append(right[l.Kind], l)
	}
	b := pl.Base
	p := escpos.Profile{
		Name: escpos.CalibratedName(b.Name), Vendor: b.Vendor, DPI: b.DPI, CharWidth: b.CharWidth, CharHeight: b.CharHeight,
		Cutter: len(right[Cutter]) > 0, BufferBytes: b.BufferBytes,
		UserChars: len(right[UserChars]) > 0, NativeQR: len(right[NativeQR]) > 0,
		Raster: len(right[RasterQR]) > 0, UTF8: len(right[UTF8]) > 0,
	}
	// Width: the widest ruler on one row.
	rulers := right[Ruler]
	if len(rulers) == 0 {
		return escpos.Calibrated{}, fmt.Errorf("%w: no ruler line given: give the widest ruler that printed on one row", ErrAnswer)
	}
	for _, l := range rulers {
		p.Columns = max(p.Columns, l.Columns)
	}
	p.Dots = b.Dots
	if p.Columns != b.Columns {
		p.Dots = p.Columns * b.CharWidth / 8 * 8
	}
	// Tables: one encoding per number.
	first := byte(0)
	if len(b.CodeTables) > 0 {
		first = b.CodeTables[0].Number
	}
	byNumber := map[byte]Line{}
	for _, l := range right[Table] {
		if o, ok := byNumber[l.Table.Number]; ok && o.Table.Enc != l.Table.Enc {
			return escpos.Calibrated{}, fmt.Errorf("%w: lines %d and %d both say table %d printed right, as %s and as %s: only one can — look at both again",
				ErrAnswer, o.N, l.N, l.Table.Number, o.Table.Enc.Name, l.Table.Enc.Name)
		}
		byNumber[l.Table.Number] = l
	}
	if l, ok := byNumber[first]; ok {
		p.CodeTables = append(p.CodeTables, l.Table)
	} else {
		p.CodeTables = append(p.CodeTables, escpos.CodeTable{Number: first, Enc: escpos.EncASCII})
	}
	for _, l := range right[Table] { // line order is preference order
		if l.Table.Number != first {
			p.CodeTables = append(p.CodeTables, l.Table)
		}
	}
	return escpos.Calibrated{Profile: p, Base: b.Name, Identity: pl.Identity, Answers: append([]int{}, answers...), At: at}, nil
}
