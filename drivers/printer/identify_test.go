package printer_test

import (
	"context"
	"io"
	"testing"
	"time"

	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
	"sapar/drivers/printer"
)

func TestIdentify(t *testing.T) {
	p, _ := escpos.ProfileByName("TM-T20III")
	for _, tt := range []struct {
		name string
		id   escpos.Identity
	}{
		{"printer answers GS I", escpos.Identity{Maker: "EPSON", Model: "TM-T20III", Firmware: "1.02 ESC/POS"}},
		{"clone that knows only the model", escpos.Identity{Model: "POS58"}},
		{"printer without GS I", escpos.Identity{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, p, emulator.VirtualOpts{Identity: tt.id}, nil)
			start := time.Now()
			got, err := printer.Identify(context.Background(), r.port.(io.ReadWriter), 300*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.id {
				t.Errorf("got %+v, want %+v", got, tt.id)
			}
			if tt.id == (escpos.Identity{}) && time.Since(start) > 2*time.Second {
				t.Errorf("a silent printer took %v: at most two timeouts", time.Since(start))
			}
		})
	}
}
