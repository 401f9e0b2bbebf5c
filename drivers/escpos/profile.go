package escpos

import (
	"fmt"
	"sort"
)

// CodeTable is one ESC t table number of a printer model and the encoding it holds.
type CodeTable struct {
	Number byte
	Enc    *Encoding
}

// Profile describes what one printer model can do. Facts come from the
// ESC/POS printer database (receipt-print-hq/escpos-printer-db, CC BY 4.0),
// files profile/<model>.yml; only tables whose encoding this package
// implements are listed.
type Profile struct {
	Name   string
	Vendor string
	// Dots is the printable width in dots (576 on 80 mm, 384 on 58 mm).
	Dots int
	// DPI is the resolution the model prints at.
	DPI int
	// Columns is the number of Font A characters per line.
	Columns int
	// CharWidth and CharHeight are the Font A cell in dots (12×24).
	CharWidth, CharHeight int
	// CodeTables are the ESC t tables, in order of preference; the first is
	// the table after ESC @.
	CodeTables []CodeTable
	// NativeQR: the model prints QR from GS ( k; otherwise a raster QR is sent.
	NativeQR bool
	// Raster: the model prints GS v 0 images.
	Raster bool
	// UserChars: the model accepts ESC & user-defined characters in Font A.
	UserChars bool
	// Cutter: the model has an auto-cutter that understands GS V.
	Cutter bool
	// UTF8: the model printed the letters in Epson's UTF-8 mode (FS ( C,
	// function 48) when calibrated. The printer database does not say which
	// models have it, so no built-in profile sets it; the encoder still
	// prints through code tables (the mode is recorded for the technician).
	UTF8 bool
	// BufferBytes is the receive buffer; the sender keeps less than this in flight.
	BufferBytes int
}

// Table returns the code table with number n.
func (p Profile) Table(n byte) (CodeTable, bool) {
	for _, t := range p.CodeTables {
		if t.Number == n {
			return t, true
		}
	}
	return CodeTable{}, false
}

func epsonTables() []CodeTable {
	// TM-T20III and TM-T88V (escpos-printer-db profile/TM-T20III.yml, TM-T88V.yml).
	return []CodeTable{
		{0, EncCP437}, {53, EncRK1048}, {46, EncCP1251}, {17, EncCP866},
		{16, EncCP1252}, {2, EncCP850}, {19, EncCP858}, {18, EncCP852},
		{45, EncCP1250}, {48, EncCP1254}, {51, EncCP1257},
	}
}

var profiles = map[string]Profile{
	// escpos-printer-db profile/TM-T20III.yml: 80 mm, 576 dots, 203 dpi, Font A 48 columns, RK1048 at 53.
	"TM-T20III": {
		Name: "TM-T20III", Vendor: "Epson", Dots: 576, DPI: 203, Columns: 48, CharWidth: 12, CharHeight: 24,
		CodeTables: epsonTables(), NativeQR: true, Raster: true, UserChars: true, Cutter: true, BufferBytes: 4096,
	},
	// escpos-printer-db profile/TM-T88V.yml: 512 dots, 180 dpi, Font A 42 columns, RK1048 at 53.
	"TM-T88V": {
		Name: "TM-T88V", Vendor: "Epson", Dots: 512, DPI: 180, Columns: 42, CharWidth: 12, CharHeight: 24,
		CodeTables: epsonTables(), NativeQR: true, Raster: true, UserChars: true, Cutter: true, BufferBytes: 4096,
	},
	// escpos-printer-db profile/POS-5890.yml (inherits "simple"): 384 dots, 203 dpi,
	// Font A 32 columns; no QR, no cutter, raster images yes; CP1251 at 73, CP866 at 17, no RK1048.
	"POS-5890": {
		Name: "POS-5890", Vendor: "Zjiang", Dots: 384, DPI: 203, Columns: 32, CharWidth: 12, CharHeight: 24,
		CodeTables: []CodeTable{
			{0, EncCP437}, {73, EncCP1251}, {17, EncCP866}, {16, EncCP1252}, {2, EncCP850},
			{19, EncCP858}, {18, EncCP852}, {72, EncCP1250}, {91, EncCP1254}, {25, EncCP1257},
		},
		NativeQR: false, Raster: true, UserChars: false, Cutter: false, BufferBytes: 4096,
	},
	// escpos-printer-db profile/simple.yml on 58 mm paper: CP437 only, no QR,
	// no graphics, no cutter. Everything outside ASCII is transliterated.
	"minimal-58": {
		Name: "minimal-58", Vendor: "Generic", Dots: 384, DPI: 203, Columns: 32, CharWidth: 12, CharHeight: 24,
		CodeTables: []CodeTable{{0, EncCP437}},
		NativeQR:   false, Raster: false, UserChars: false, Cutter: false, BufferBytes: 4096,
	},
}

// ProfileByName returns a printer profile: TM-T20III, TM-T88V, POS-5890, minimal-58.
func ProfileByName(name string) (Profile, error) {
	p, ok := profiles[name]
	if !ok {
		return Profile{}, fmt.Errorf("escpos: unknown printer profile %q (known: %v)", name, ProfileNames())
	}
	p.CodeTables = append([]CodeTable(nil), p.CodeTables...)
	return p, nil
}

// ProfileNames lists the known profiles, sorted.
func ProfileNames() []string {
	names := make([]string, 0, len(profiles))
	for n := range profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
