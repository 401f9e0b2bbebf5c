package printer_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
	"sapar/drivers/internal/refslips"
	"sapar/drivers/printer"
	"sapar/drivers/receipt"
	"sapar/drivers/serialport"
)

type rig struct {
	v     *emulator.Virtual
	port  interface{ Close() error }
	send  func(opts printer.Opts) error
	slips chan *emulator.Slip
}

func newRig(t *testing.T, p escpos.Profile, vo emulator.VirtualOpts, job []byte) *rig {
	t.Helper()
	slips := make(chan *emulator.Slip, 8)
	vo.Profile = p
	vo.OnSlip = func(n int, s *emulator.Slip, _, _ string) { slips <- s }
	v, err := emulator.NewVirtual(vo)
	if err != nil {
		t.Fatal(err)
	}
	port, err := serialport.Open(v.DevicePath(), 115200)
	if err != nil {
		v.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { port.Close(); v.Close() })
	return &rig{v: v, port: port, slips: slips, send: func(o printer.Opts) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return printer.Send(ctx, port, job, o)
	}}
}

func quick() printer.Opts {
	o := printer.DefaultOpts()
	o.StatusTimeout = 500 * time.Millisecond
	o.PollEvery = 20 * time.Millisecond
	o.AckTimeout = 10 * time.Second
	return o
}

// waitSlip returns the next slip or fails after a generous wait.
func (r *rig) waitSlip(t *testing.T) *emulator.Slip {
	t.Helper()
	select {
	case s := <-r.slips:
		return s
	case <-time.After(20 * time.Second):
		t.Fatal("no slip came out")
		return nil
	}
}

// noMoreSlips checks nothing else printed (after the sender's own
// confirmation that the printer processed everything).
func (r *rig) noMoreSlips(t *testing.T) {
	t.Helper()
	select {
	case s := <-r.slips:
		t.Errorf("an extra slip printed: %q", firstLine(s.Text))
	default:
	}
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }

func TestFaultTableNothingLost(t *testing.T) {
	p, _ := escpos.ProfileByName("TM-T20III")
	ky, _ := receipt.Render(refslips.Kyrgyz(), p)
	ur, _ := receipt.Render(refslips.Urdu(), p)
	want, _ := emulator.Decode(ky, p)
	wantUr, _ := emulator.Decode(ur, p)
	garbage := byte(0xFF)

	tests := []struct {
		name    string
		vo      emulator.VirtualOpts
		job     []byte
		wantErr error
		// fix repairs the fault after the first failure; the retried job must then print whole, once.
		fix func(v *emulator.Virtual)
	}{
		{name: "paper out before the job", vo: emulator.VirtualOpts{PaperOut: true}, job: ky, wantErr: printer.ErrPaperOut,
			fix: func(v *emulator.Virtual) { v.SetPaperOut(false) }},
		{name: "paper out during the job", vo: emulator.VirtualOpts{PaperOutAfter: 400, PrintBytesPerSecond: 50000}, job: ur, wantErr: printer.ErrPaperOut,
			fix: func(v *emulator.Virtual) { v.SetPaperOut(false) }},
		{name: "cover open", vo: emulator.VirtualOpts{CoverOpen: true}, job: ky, wantErr: printer.ErrCoverOpen,
			fix: func(v *emulator.Virtual) { v.SetCoverOpen(false) }},
		{name: "offline", vo: emulator.VirtualOpts{Offline: true}, job: ky, wantErr: printer.ErrOffline,
			fix: func(v *emulator.Virtual) { v.SetOffline(false) }},
		{name: "printer does not answer", vo: emulator.VirtualOpts{Mute: true}, job: ky, wantErr: printer.ErrOffline},
		{name: "garbage status bytes", vo: emulator.VirtualOpts{GarbageStatus: &garbage}, job: ky, wantErr: printer.ErrGarbled},
		{name: "slow printer with a 4 KB buffer", vo: emulator.VirtualOpts{BufferBytes: 4096, PrintBytesPerSecond: 40000}, job: ur},
		{name: "slow line", vo: emulator.VirtualOpts{BufferBytes: 4096, Baud: 115200}, job: ky},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, p, tt.vo, tt.job)
			err := r.send(quick())
			wantSlip := want
			if len(tt.job) == len(ur) {
				wantSlip = wantUr
			}
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("send: %v", err)
				}
			} else {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("send: got %v, want %v", err, tt.wantErr)
				}
				var je *printer.JobError
				if !errors.As(err, &je) {
					t.Errorf("error %T is not a *JobError", err)
				}
				if msg := printer.UserMessage(err); msg == "" || strings.Contains(msg, "printer: ") {
					t.Errorf("user message %q", msg)
				}
				if tt.fix == nil {
					return
				}
				// The kiosk retries while the fault lasts (each try clears the
				// printer's buffers), then staff fix it and the retry prints.
				if err := r.send(quick()); !errors.Is(err, tt.wantErr) {
					t.Fatalf("retry during the fault: %v", err)
				}
				tt.fix(r.v)
				if err := r.send(quick()); err != nil {
					t.Fatalf("retry after the fix: %v", err)
				}
			}
			s := r.waitSlip(t)
			if s.Text != wantSlip.Text || s.Images != wantSlip.Images || len(s.QRData) != len(wantSlip.QRData) {
				t.Errorf("slip differs from the job: %d images (want %d)\n%s", s.Images, wantSlip.Images, s.Text)
			}
			r.noMoreSlips(t)
			if st := r.v.Stats(); st.Dropped != 0 {
				t.Errorf("printer dropped %d bytes", st.Dropped)
			}
		})
	}
}

// The control experiment: the same slow printer loses bytes when a job is
// written without pacing, so the test above proves the pacing, not luck.
func TestUnpacedWriteOverflowsSmallBuffer(t *testing.T) {
	p, _ := escpos.ProfileByName("TM-T20III")
	ur, _ := receipt.Render(refslips.Urdu(), p)
	r := newRig(t, p, emulator.VirtualOpts{BufferBytes: 4096, PrintBytesPerSecond: 40000}, ur)
	o := quick()
	o.ProcessID = false
	o.ChunkBytes = len(ur)
	if err := r.send(o); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for r.v.Stats().Received < len(ur) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if st := r.v.Stats(); st.Dropped == 0 {
		t.Errorf("no bytes dropped without pacing: %+v", st)
	}
}
