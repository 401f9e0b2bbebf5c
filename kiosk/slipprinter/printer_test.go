package slipprinter_test

import (
	"context"
	"testing"
	"time"

	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
	"sapar/drivers/printer"
	"sapar/kiosk/slipprinter"
)

// The maintenance screen's calibration path on a real pty: GS I between
// jobs, raw bytes printed as one job, and the profile switched for the
// slips after it.
func TestIdentifyPrintBytesAndSetProfile(t *testing.T) {
	prof, _ := escpos.ProfileByName("TM-T20III")
	id := escpos.Identity{Maker: "Noname", Model: "POS-80C"}
	slips := make(chan *emulator.Slip, 4)
	v, err := emulator.NewVirtual(emulator.VirtualOpts{Profile: prof, Identity: id,
		OnSlip: func(_ int, s *emulator.Slip, _, _ string) { slips <- s }})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	p := slipprinter.New(slipprinter.PortDialer(v.DevicePath(), 115200), prof, slipprinter.Opts{Device: v.DevicePath(), Baud: 115200,
		Reconnect: printer.DefaultReconnectOpts()})
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, err := p.Identify(ctx)
	if err != nil || got.Maker != "Noname" || got.Model != "POS-80C" {
		t.Fatalf("identify: %+v %v", got, err)
	}
	job := append(append(append([]byte{}, escpos.CmdInit...), []byte("CALIBRATION 1\n")...), escpos.CmdFullCut...)
	if err := p.PrintBytes(ctx, job); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-slips:
		if s.Text == "" {
			t.Errorf("raw job printed nothing")
		}
	case <-ctx.Done():
		t.Fatal("no slip")
	}
	if st := p.Last(); st.Slips != 1 || !st.OK {
		t.Errorf("after the raw job: %+v", st)
	}
	cal := prof
	cal.Name = escpos.CalibratedName(prof.Name)
	p.SetProfile(cal)
	if p.Profile().Name != cal.Name || p.Last().Profile != cal.Name {
		t.Errorf("profile %q, state says %q", p.Profile().Name, p.Last().Profile)
	}
}
