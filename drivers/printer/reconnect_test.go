package printer_test

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
	"sapar/drivers/internal/refslips"
	"sapar/drivers/printer"
	"sapar/drivers/receipt"
	"sapar/drivers/serialport"
)

// Unplug mid-job: the cable of the one printer is pulled while the job is
// being sent and plugged back a moment later. As with a USB adapter, the
// tty comes back under another name (a new /dev/pts/N) and only the stable
// link (the udev rule's /dev/sapar-printer; here in a temp dir) finds it.
// The Printer keeps redialling the link with backoff — failing while it is
// gone — and prints the job whole, once, on the same printer.
func TestUnplugMidJobReconnectsAndPrintsWhole(t *testing.T) {
	p, _ := escpos.ProfileByName("TM-T20III")
	job, _ := receipt.Render(refslips.Urdu(), p)
	want, _ := emulator.Decode(job, p)

	link := filepath.Join(t.TempDir(), "sapar-printer")
	slips := make(chan *emulator.Slip, 4)
	v, err := emulator.NewVirtual(emulator.VirtualOpts{Profile: p, BufferBytes: 4096, PrintBytesPerSecond: 20000, Link: link,
		OnSlip: func(_ int, s *emulator.Slip, _, _ string) { slips <- s }})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	firstTTY := v.DevicePath()

	var mu sync.Mutex
	dials, failed := 0, 0
	replugged := make(chan string, 1)
	dial := func() (io.ReadWriteCloser, error) {
		mu.Lock()
		defer mu.Unlock()
		dials++
		rw, err := serialport.Open(link, 115200)
		if err != nil {
			failed++
			return nil, err
		}
		if dials == 1 {
			// Pull the plug once the printer has taken part of the job;
			// plug it back 300 ms later.
			go func() {
				for v.Stats().Printed < 3000 {
					time.Sleep(2 * time.Millisecond)
				}
				v.Unplug()
				time.Sleep(300 * time.Millisecond)
				if err := v.Replug(); err != nil {
					t.Error(err)
				}
				replugged <- v.DevicePath()
			}()
		}
		return rw, nil
	}
	o := printer.DefaultReconnectOpts()
	o.Send.StatusTimeout = 500 * time.Millisecond
	o.Send.AckTimeout = 5 * time.Second
	o.MinBackoff, o.MaxBackoff, o.Attempts = 20*time.Millisecond, 200*time.Millisecond, 12
	pr := printer.NewPrinter(dial, o)
	defer pr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := pr.Print(ctx, job); err != nil {
		t.Fatalf("print: %v (dials %d)", err, dials)
	}
	secondTTY := <-replugged
	mu.Lock()
	t.Logf("dials %d (%d while unplugged); tty %s then %s behind %s", dials, failed, firstTTY, secondTTY, link)
	if failed == 0 || dials < 3 {
		t.Errorf("dials %d, failed %d: the Printer never met the unplugged link", dials, failed)
	}
	mu.Unlock()
	if secondTTY == firstTTY {
		t.Errorf("the printer came back as %s again: only the link should have found it", secondTTY)
	}
	var cut []*emulator.Slip
	deadline := time.After(10 * time.Second)
	for len(cut) == 0 {
		select {
		case s := <-slips:
			if s.Cut {
				cut = append(cut, s)
			}
		case <-deadline:
			t.Fatal("no slip after the replug")
		}
	}
	if s := cut[0]; s.Text != want.Text || s.Images != want.Images {
		t.Errorf("reprinted slip differs: %d images, want %d", s.Images, want.Images)
	}
	select {
	case s := <-slips:
		if s.Cut {
			t.Errorf("a second cut slip: the job printed twice")
		}
	case <-time.After(300 * time.Millisecond):
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
