package kiosktest

import (
	"path/filepath"
	"testing"
	"time"

	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
	"sapar/drivers/printer"
	"sapar/kiosk/slipprinter"
)

// VirtualPrinter is an emulated TM-T20III on a pseudo-terminal, opened
// through the serial driver by the kiosk's slipprinter.Printer (reconnect
// and backoff included), as the demo and the production kiosk open theirs.
type VirtualPrinter struct {
	V     *emulator.Virtual
	P     *slipprinter.Printer
	Slips chan *emulator.Slip // every slip the emulator finished
}

// NewVirtualPrinter starts the emulator with vo (profile, faults) behind a
// stable link (the udev rule's name) and opens it; tune adjusts sending and
// reconnecting. Both are closed when the test ends.
func NewVirtualPrinter(t testing.TB, vo emulator.VirtualOpts, tune ...func(*printer.ReconnectOpts)) *VirtualPrinter {
	t.Helper()
	prof, err := escpos.ProfileByName("TM-T20III")
	if err != nil {
		t.Fatal(err)
	}
	r := &VirtualPrinter{Slips: make(chan *emulator.Slip, 8)}
	vo.Profile = prof
	vo.OnSlip = func(_ int, s *emulator.Slip, _, _ string) { r.Slips <- s }
	vo.Link = filepath.Join(t.TempDir(), "sapar-printer")
	if r.V, err = emulator.NewVirtual(vo); err != nil {
		t.Fatal(err)
	}
	o := printer.DefaultReconnectOpts()
	o.Send.StatusTimeout = 500 * time.Millisecond
	o.MinBackoff = 50 * time.Millisecond
	for _, f := range tune {
		f(&o)
	}
	r.P = slipprinter.New(slipprinter.PortDialer(vo.Link, 115200), prof, slipprinter.Opts{Device: vo.Link, Baud: 115200, Reconnect: o})
	t.Cleanup(func() { r.P.Close(); r.V.Close() })
	return r
}

// Slip waits for the next finished slip.
func (r *VirtualPrinter) Slip(t testing.TB, within time.Duration) *emulator.Slip {
	t.Helper()
	select {
	case s := <-r.Slips:
		return s
	case <-time.After(within):
		t.Fatalf("no slip within %v", within)
		return nil
	}
}
