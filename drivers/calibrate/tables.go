package calibrate

import "sapar/drivers/escpos"

// dbNumbers are the ESC t numbers at which the profiles of the ESC/POS
// printer database (receipt-print-hq/escpos-printer-db, CC BY 4.0,
// profile/*.yml codePages, 50 profiles) list each encoding this driver
// implements. Vendors number their tables differently: the same KZ-1048
// that is 53 on an Epson may sit elsewhere on a clone, which is why a
// printer is calibrated rather than trusted to its model name.
var dbNumbers = []struct {
	enc     *escpos.Encoding
	numbers []byte
}{
	// Order is preference: the tables that hold most of the offered
	// languages' letters first (the encoder picks the first of equals).
	{escpos.EncRK1048, []byte{53}},                            // 7 profiles
	{escpos.EncCP1251, []byte{6, 12, 18, 34, 46, 51, 73}},     // 20 profiles
	{escpos.EncCP866, []byte{7, 10, 11, 12, 17, 37, 59}},      // 28 profiles
	{escpos.EncCP855, []byte{11, 28, 34, 38, 60, 254}},        // 18 profiles
	{escpos.EncCP1250, []byte{17, 18, 30, 33, 45, 50, 72}},    // 18 profiles
	{escpos.EncCP852, []byte{2, 5, 6, 9, 13, 18, 32, 54, 68}}, // 27 profiles
	{escpos.EncCP857, []byte{8, 12, 13, 24, 29, 39, 61}},      // 20 profiles
	{escpos.EncCP1254, []byte{13, 16, 32, 48, 91}},            // 15 profiles
	{escpos.EncCP1257, []byte{15, 20, 25, 28, 35, 51}},        // 16 profiles
	{escpos.EncCP1252, []byte{6, 8, 9, 11, 16, 32, 49, 71}},   // 28 profiles
	{escpos.EncCP858, []byte{4, 6, 14, 19, 31, 53}},           // 26 profiles
	{escpos.EncCP850, []byte{1, 2}},                           // 27 profiles
	{escpos.EncCP437, []byte{0, 1, 3, 28, 30, 50, 52}},        // 31 profiles
}

// rulerColumns are the Font A widths of the database's profiles: 58 mm
// (32), 80 mm at 180 dpi (42) and at 203 dpi (48).
var rulerColumns = []int{32, 42, 48}
