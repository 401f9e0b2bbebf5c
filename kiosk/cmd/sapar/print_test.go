package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
)

// sapar print --port: the slip goes through the serial driver (with
// reconnect) into a virtual printer behind a stable link; a roll near its
// end is reported; an empty roll fails with what to do.
func TestPrintOnAPort(t *testing.T) {
	p, _ := escpos.ProfileByName("TM-T20III")
	slips := make(chan *emulator.Slip, 2)
	link := filepath.Join(t.TempDir(), "sapar-printer")
	v, err := emulator.NewVirtual(emulator.VirtualOpts{Profile: p, PaperNearEnd: true, Link: link,
		OnSlip: func(_ int, s *emulator.Slip, _, _ string) { slips <- s }})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	run := func() (int, string, string) {
		var out, errb bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		code := runPrint(env{ctx: ctx, stdout: &out, stderr: &errb,
			args: []string{"--topic", "check-agency-licence", "--lang", "ky", "--port", link, "--baud", "115200"}})
		return code, out.String(), errb.String()
	}
	code, out, errs := run()
	if code != exitOK || !strings.Contains(out, "printed") || !strings.Contains(errs, "near its end") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	select {
	case s := <-slips:
		if !s.Cut || len(s.QRData) != 1 {
			t.Errorf("slip: cut %v, QR %v", s.Cut, s.QRData)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no slip")
	}
	v.SetPaperOut(true)
	if code, _, errs := run(); code != exitFailure || !strings.Contains(errs, "out of paper") {
		t.Errorf("paper out: exit %d, stderr %q", code, errs)
	}
}
