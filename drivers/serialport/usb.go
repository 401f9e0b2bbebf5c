package serialport

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Why FindUSB found no serial port; callers turn them into advice.
var (
	ErrUSBAbsent = errors.New("USB device not connected")
	// ErrUSBNoSerial: the device is there, but no kernel driver made a tty
	// of it (cdc_acm or usbserial missing).
	ErrUSBNoSerial = errors.New("USB device has no serial port")
	// ErrUSBPrinterClass: the device is a USB printer-class device
	// (/dev/usb/lpN), not a virtual serial port.
	ErrUSBPrinterClass = errors.New("USB device is a printer-class device, not a serial port")
)

// FindUSB returns the tty (/dev/ttyACM0, /dev/ttyUSB1) of the USB device
// vendor:product ("04b8:0e28") from sysfs under sysRoot ("/" on a kiosk), so
// a printer that comes back under another name after a replug is found
// again. The kiosk's printer and the doctor both ask here.
func FindUSB(sysRoot, id string) (string, error) {
	vid, pid, ok := strings.Cut(strings.ToLower(id), ":")
	if !ok || vid == "" || pid == "" {
		return "", fmt.Errorf("serialport: bad USB id %q (want vendor:product, e.g. 04b8:0e28)", id)
	}
	devs, _ := filepath.Glob(filepath.Join(sysRoot, "sys/bus/usb/devices/*"))
	for _, d := range devs {
		v, _ := os.ReadFile(filepath.Join(d, "idVendor"))
		p, _ := os.ReadFile(filepath.Join(d, "idProduct"))
		if strings.TrimSpace(string(v)) != vid || strings.TrimSpace(string(p)) != pid {
			continue
		}
		for _, pat := range []string{"*:*/tty/tty*", "*:*/ttyUSB*"} {
			if m, _ := filepath.Glob(filepath.Join(d, pat)); len(m) > 0 {
				return "/dev/" + filepath.Base(m[0]), nil
			}
		}
		if lp, _ := filepath.Glob(filepath.Join(d, "*:*/usbmisc/lp*")); len(lp) > 0 {
			return "", fmt.Errorf("serialport: %s is /dev/usb/%s: %w", id, filepath.Base(lp[0]), ErrUSBPrinterClass)
		}
		return "", fmt.Errorf("serialport: %s: %w", id, ErrUSBNoSerial)
	}
	return "", fmt.Errorf("serialport: %s: %w", id, ErrUSBAbsent)
}
