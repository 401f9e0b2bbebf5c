package escpos

import (
	"fmt"
	"image"
	"image/color"

	qrcode "github.com/skip2/go-qrcode"
)

// MaxQRBytes is the most data GS ( k stores (model 2, byte mode).
const MaxQRBytes = 7089

func (e *Encoder) qrModule() int {
	if e.opts.QRModule > 0 {
		return min(e.opts.QRModule, 16)
	}
	if e.p.Dots >= 512 {
		return 6
	}
	return 5
}

// QR prints data as a QR code, model 2, error correction M, in the current
// alignment: GS ( k where the profile has it, else a GS v 0 raster made by
// skip2/go-qrcode. A profile with neither fails with an error; print the
// link as text instead.
func (e *Encoder) QR(data string) error {
	if data == "" || len(data) > MaxQRBytes {
		return fmt.Errorf("escpos: QR of %d bytes: must be 1..%d", len(data), MaxQRBytes)
	}
	if e.p.NativeQR {
		n := len(data) + 3
		store := append([]byte{}, CmdQRStorePre...)
		store = append(store, byte(n), byte(n>>8))
		store = append(store, CmdQRStoreTail...)
		store = append(store, data...)
		e.write("qr", CmdQRModel2, CmdQRSize, []byte{byte(e.qrModule())}, CmdQRLevelM, store, CmdQRPrint)
		return e.err
	}
	if !e.p.Raster {
		return fmt.Errorf("escpos: qr on %s: no QR and no graphics support", e.p.Name)
	}
	img, err := QRImage(data, e.qrModule())
	if err != nil {
		return err
	}
	return e.Image(img)
}

// QRImage renders data as a QR code (level M, 4-module quiet zone) with
// module dots per module.
func QRImage(data string, module int) (*image.Gray, error) {
	q, err := qrcode.New(data, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("escpos: make QR: %w", err)
	}
	bm := q.Bitmap()
	n := len(bm)
	img := image.NewGray(image.Rect(0, 0, n*module, n*module))
	for y := range n {
		for x := range n {
			c := color.Gray{Y: 255}
			if bm[y][x] {
				c = color.Gray{Y: 0}
			}
			for dy := range module {
				for dx := range module {
					img.SetGray(x*module+dx, y*module+dy, c)
				}
			}
		}
	}
	return img, nil
}
