package serialport

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestFindUSB(t *testing.T) {
	root := t.TempDir()
	dev := func(name, vid, pid string, sub ...string) {
		d := filepath.Join(root, "sys/bus/usb/devices", name)
		for _, s := range sub {
			if err := os.MkdirAll(filepath.Join(d, s), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, "idVendor"), []byte(vid+"\n"), 0o644)
		os.WriteFile(filepath.Join(d, "idProduct"), []byte(pid+"\n"), 0o644)
	}
	dev("1-1", "04b8", "0e28", "1-1:1.0/tty/ttyACM3")
	dev("1-2", "0416", "5011", "1-2:1.0/ttyUSB1")
	dev("1-3", "0fe6", "811e", "1-3:1.0/usbmisc/lp0")
	dev("1-4", "1a86", "7523")
	for _, tc := range []struct {
		name, id, want string
		err            error
	}{
		{"cdc-acm printer (Epson)", "04B8:0E28", "/dev/ttyACM3", nil},
		{"usb-serial bridge", "0416:5011", "/dev/ttyUSB1", nil},
		{"printer-class device", "0fe6:811e", "", ErrUSBPrinterClass},
		{"no driver bound", "1a86:7523", "", ErrUSBNoSerial},
		{"unplugged", "dead:beef", "", ErrUSBAbsent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FindUSB(root, tc.id)
			if got != tc.want || !errors.Is(err, tc.err) {
				t.Fatalf("FindUSB(%s) = %q, %v; want %q, %v", tc.id, got, err, tc.want, tc.err)
			}
		})
	}
	if _, err := FindUSB(root, "nonsense"); err == nil {
		t.Fatal("a malformed id was accepted")
	}
}
