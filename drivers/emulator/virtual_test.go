package emulator

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"sapar/drivers/internal/refslips"
	"sapar/drivers/printer"
	"sapar/drivers/receipt"
	"sapar/drivers/serialport"
)

type got struct {
	n        int
	s        *Slip
	bin, png string
}

func TestPTYRoundTripThroughSerial(t *testing.T) {
	p := mustProfile(t, "TM-T20III")
	dir := t.TempDir()
	slips := make(chan got, 4)
	v, err := NewVirtual(VirtualOpts{OutDir: dir, Profile: p, OnSlip: func(n int, s *Slip, bin, png string) {
		slips <- got{n, s, bin, png}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	port, err := serialport.Open(v.DevicePath(), 115200)
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()

	doc := refslips.Kyrgyz()
	job, err := receipt.Render(doc, p)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := 1; i <= 2; i++ {
		if err := printer.Send(ctx, port, job, printer.DefaultOpts()); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		var g got
		select {
		case g = <-slips:
		case <-ctx.Done():
			t.Fatal("no slip came out")
		}
		if g.n != i || filepath.Base(g.bin) != []string{"", "001.bin", "002.bin"}[i] {
			t.Errorf("slip %d saved as %d %s", i, g.n, g.bin)
		}
		bin, err := os.ReadFile(g.bin)
		if err != nil {
			t.Fatal(err)
		}
		// The printer saw the job, plus the sender's clear/status/sync commands.
		if !bytes.Contains(bin, job) {
			t.Errorf("job %d not received intact (%d bytes saved, %d sent)", i, len(bin), len(job))
		}
		if fi, err := os.Stat(g.png); err != nil || fi.Size() < 1000 {
			t.Errorf("png: %v", err)
		}
		want, _ := Decode(job, p)
		if g.s.Text != want.Text {
			t.Errorf("decoded text differs after the round trip:\n%s\nwant\n%s", g.s.Text, want.Text)
		}
	}
	if st := v.Stats(); st.Dropped != 0 || st.StatusQueries == 0 {
		t.Errorf("stats %+v", st)
	}
}
