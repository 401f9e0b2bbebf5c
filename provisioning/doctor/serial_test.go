package doctor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creack/pty"
)

// The real serial opener (go.bug.st/serial) against a pseudo-terminal: the
// printer check passes on a port that opens, and names the device when absent.
func TestPrinterCheckWithRealSerialPort(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skip("no pty:", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	f := newFixture(t, func(y string) string {
		return strings.Replace(y, "/dev/serial/by-id/usb-EPSON_TM-T20III-if00", tty.Name(), 1)
	})
	f.env.Root = "/"
	f.env.OpenSerial = DefaultEnv(f.env.StateDir).OpenSerial
	if r := run(t, f, "printer"); r.Status != Pass {
		t.Fatalf("%+v", r)
	}
	tty.Close()
	ptmx.Close()
	f2 := newFixture(t, func(y string) string {
		return strings.Replace(y, "/dev/serial/by-id/usb-EPSON_TM-T20III-if00", "/dev/ttyUSB97", 1)
	})
	f2.env.Root = t.TempDir()
	f2.env.OpenSerial = DefaultEnv("").OpenSerial
	if _, err := os.Stat(filepath.Join(f2.env.Root, "dev/ttyUSB97")); err == nil {
		t.Skip("device exists")
	}
	if r := run(t, f2, "printer"); r.Status != Fail || !strings.Contains(r.Message, "/dev/ttyUSB97") {
		t.Fatalf("%+v", r)
	}
}
