package escpos

// Command bytes, named so that the encoder, the emulator and the tests speak
// of the same thing. Values from Epson's ESC/POS command reference.
const (
	ESC = 0x1B
	GS  = 0x1D
	DLE = 0x10
	EOT = 0x04
	LF  = 0x0A
	FS  = 0x1C
)

var (
	// CmdInit (ESC @) resets modes; the code table returns to 0.
	CmdInit = []byte{ESC, '@'}
	// CmdBoldOn / CmdBoldOff (ESC E n) select emphasized mode.
	CmdBoldOn  = []byte{ESC, 'E', 1}
	CmdBoldOff = []byte{ESC, 'E', 0}
	// CmdReverseOn / CmdReverseOff (GS B n): white on black.
	CmdReverseOn  = []byte{GS, 'B', 1}
	CmdReverseOff = []byte{GS, 'B', 0}
	// CmdSizeNormal / CmdSizeDouble (GS ! n): character size, n = (w-1)<<4 | (h-1).
	CmdSizeNormal = []byte{GS, '!', 0x00}
	CmdSizeDouble = []byte{GS, '!', 0x11}
	// CmdAlignLeft / Center / Right (ESC a n).
	CmdAlignLeft   = []byte{ESC, 'a', 0}
	CmdAlignCenter = []byte{ESC, 'a', 1}
	CmdAlignRight  = []byte{ESC, 'a', 2}
	// CmdCodeTable (ESC t n) selects character code table n; append n.
	CmdCodeTable = []byte{ESC, 't'}
	// CmdFeedLines (ESC d n) prints and feeds n lines; append n.
	CmdFeedLines = []byte{ESC, 'd'}
	// CmdPartialCut (GS V 1) cuts leaving one point uncut.
	CmdPartialCut = []byte{GS, 'V', 1}
	// CmdFullCut (GS V 0).
	CmdFullCut = []byte{GS, 'V', 0}
	// CmdRasterImage (GS v 0 m xL xH yL yH d…), m = 0 normal density.
	CmdRasterImage = []byte{GS, 'v', '0', 0}
	// CmdUserCharsOn / Off (ESC % n) select the user-defined character set.
	CmdUserCharsOn  = []byte{ESC, '%', 1}
	CmdUserCharsOff = []byte{ESC, '%', 0}
	// CmdDefineUserChars (ESC & y c1 c2 [x d1…d(y×x)]…); append y c1 c2.
	CmdDefineUserChars = []byte{ESC, '&'}
	// CmdCancelUserChar (ESC ? n) deletes user-defined character n.
	CmdCancelUserChar = []byte{ESC, '?'}

	// QR code, GS ( k with cn = 49 (0x31).
	CmdQRModel2    = []byte{GS, '(', 'k', 4, 0, 0x31, 0x41, 0x32, 0x00} // fn 165: model 2
	CmdQRSize      = []byte{GS, '(', 'k', 3, 0, 0x31, 0x43}             // fn 167: module size, append n (1..16)
	CmdQRLevelM    = []byte{GS, '(', 'k', 3, 0, 0x31, 0x45, 0x31}       // fn 169: error correction M
	CmdQRStorePre  = []byte{GS, '(', 'k'}                               // fn 180: pL pH 0x31 0x50 0x30 data
	CmdQRStoreTail = []byte{0x31, 0x50, 0x30}
	CmdQRPrint     = []byte{GS, '(', 'k', 3, 0, 0x31, 0x51, 0x30} // fn 181: print stored symbol

	// CmdUTF8On / CmdUTF8Off (FS ( C pL pH fn=48 m): Epson's character
	// encoding system, m = 2 UTF-8, m = 1 one-byte code tables (ESC t).
	CmdUTF8On  = []byte{FS, '(', 'C', 2, 0, 48, 2}
	CmdUTF8Off = []byte{FS, '(', 'C', 2, 0, 48, 1}

	// CmdPrinterID (GS I n) asks for printer information; append n. For
	// n = PrinterIDFirmware, PrinterIDMaker, PrinterIDModel the reply is
	// PrinterIDHeader, the text, NUL.
	CmdPrinterID = []byte{GS, 'I'}

	// Status (real-time): DLE EOT n, n = 1 printer, 2 offline cause, 3 error cause, 4 roll paper sensor.
	CmdStatusPrinter = []byte{DLE, EOT, 1}
	CmdStatusOffline = []byte{DLE, EOT, 2}
	CmdStatusError   = []byte{DLE, EOT, 3}
	CmdStatusPaper   = []byte{DLE, EOT, 4}
	// CmdClearBuffers (DLE DC4 fn=8): clears receive and print buffers after an error,
	// so a retried job does not follow half of the failed one.
	CmdClearBuffers = []byte{DLE, 0x14, 8, 1, 3, 20, 1, 6, 2, 8}
	// CmdProcessID (GS ( H fn=48): the printer answers 0x37 0x22 d1..d4 NUL once
	// everything before it has been processed; append 4 ID bytes (0x30..0x39).
	CmdProcessID = []byte{GS, '(', 'H', 6, 0, 48, 48}
)

// Status bits of DLE EOT replies (each reply has bits 1 and 4 set, 0 and 7 clear).
const (
	StatusFixedMask  = 0x93
	StatusFixedValue = 0x12

	StatusOffline     = 0x08 // n=1 bit 3
	StatusCoverOpen   = 0x04 // n=2 bit 2
	StatusFeedButton  = 0x08 // n=2 bit 3
	StatusPaperStop   = 0x20 // n=2 bit 5: printing stopped by paper end
	StatusErrorOccur  = 0x40 // n=2 bit 6
	StatusAutocutter  = 0x08 // n=3 bit 3
	StatusUnrecover   = 0x20 // n=3 bit 5
	StatusAutoRecover = 0x40 // n=3 bit 6
	StatusNearEnd     = 0x0C // n=4 bits 2,3
	StatusPaperEnd    = 0x60 // n=4 bits 5,6
)

// GS I information kinds and the header byte of their replies.
const (
	PrinterIDFirmware = 65
	PrinterIDMaker    = 66
	PrinterIDModel    = 67
	PrinterIDHeader   = 0x5F
)

// ProcessIDHeader starts a GS ( H reply: 0x37 0x22 d1 d2 d3 d4 0x00.
var ProcessIDHeader = []byte{0x37, 0x22}
