package slipprinter

import (
	"fmt"
	"io"

	"sapar/drivers/printer"
	"sapar/drivers/serialport"
)

// PortDialer opens the serial port dev (best a stable udev name such as
// /dev/sapar-printer or /dev/serial/by-id/…, which survives re-enumeration)
// at baud, at every (re)connect.
func PortDialer(dev string, baud int) printer.Dialer {
	return func() (io.ReadWriteCloser, error) { return serialport.Open(dev, baud) }
}

// USBDialer finds the tty of the USB device vendor:product in sysfs under
// sysRoot at each (re)connect, so a printer that comes back as ttyUSB1
// after a replug is still found.
func USBDialer(sysRoot, id string, baud int) printer.Dialer {
	return func() (io.ReadWriteCloser, error) {
		dev, err := serialport.FindUSB(sysRoot, id)
		if err != nil {
			return nil, fmt.Errorf("printer: %w (%w)", err, printer.ErrDisconnected)
		}
		return serialport.Open(dev, baud)
	}
}
