package printer_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
	"sapar/drivers/internal/refslips"
	"sapar/drivers/printer"
	"sapar/drivers/receipt"
	"sapar/drivers/serialport"
)

// Unplug mid-job: the first printer disappears while the job is being sent
// (its pty closes); the Printer reopens — here the port comes back as a
// new device — and the job prints whole, once.
func TestUnplugMidJobReconnectsAndPrintsWhole(t *testing.T) {
	p, _ := escpos.ProfileByName("TM-T20III")
	job, _ := receipt.Render(refslips.Urdu(), p)
	want, _ := emulator.Decode(job, p)

	var half []*emulator.Slip
	first, err := emulator.NewVirtual(emulator.VirtualOpts{Profile: p, BufferBytes: 4096, PrintBytesPerSecond: 20000,
		OnSlip: func(_ int, s *emulator.Slip, _, _ string) { half = append(half, s) }})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	slips := make(chan *emulator.Slip, 2)
	second, err := emulator.NewVirtual(emulator.VirtualOpts{Profile: p, OnSlip: func(_ int, s *emulator.Slip, _, _ string) { slips <- s }})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()

	dials := 0
	dial := func() (io.ReadWriteCloser, error) {
		dials++
		switch dials {
		case 1:
			rw, err := serialport.Open(first.DevicePath(), 115200)
			if err == nil {
				// Pull the plug once the printer has taken part of the job.
				go func() {
					for first.Stats().Printed < 3000 {
						time.Sleep(2 * time.Millisecond)
					}
					first.Close()
				}()
			}
			return rw, err
		case 2:
			return nil, errors.New("no such device (still re-enumerating)")
		}
		return serialport.Open(second.DevicePath(), 115200)
	}
	o := printer.DefaultReconnectOpts()
	o.Send.StatusTimeout = 500 * time.Millisecond
	o.Send.AckTimeout = 5 * time.Second
	o.MinBackoff = time.Millisecond
	pr := printer.NewPrinter(dial, o)
	defer pr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := pr.Print(ctx, job); err != nil {
		t.Fatalf("print: %v (dials %d)", err, dials)
	}
	if dials != 3 {
		t.Errorf("dials %d, want 3", dials)
	}
	select {
	case s := <-slips:
		if s.Text != want.Text || s.Images != want.Images {
			t.Errorf("reprinted slip differs")
		}
	case <-ctx.Done():
		t.Fatal("no slip after reconnect")
	}
	first.Close()
	for _, s := range half {
		if s.Cut {
			t.Errorf("the unplugged printer cut a slip: the job was not stopped")
		}
	}
}

func TestPaperOutIsNotRetriedByReconnecting(t *testing.T) {
	p, _ := escpos.ProfileByName("TM-T20III")
	v, err := emulator.NewVirtual(emulator.VirtualOpts{Profile: p, PaperOut: true})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	dials := 0
	pr := printer.NewPrinter(func() (io.ReadWriteCloser, error) { dials++; return serialport.Open(v.DevicePath(), 115200) }, printer.DefaultReconnectOpts())
	defer pr.Close()
	err = pr.Print(context.Background(), []byte("x\n"))
	if !errors.Is(err, printer.ErrPaperOut) || dials != 1 {
		t.Errorf("err %v dials %d", err, dials)
	}
}
