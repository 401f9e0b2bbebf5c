// Command virtual-printer is the receipt printer of systemd/boot-test.sh: the
// drivers' ESC/POS emulator on the master side of a pseudo-terminal of this
// machine, whose slave the test binds into the booted container as
// /dev/sapar-printer. It prints one JSON line per finished job on stdout
// (number, cut, the decoded text), so the test can count every slip the
// kiosk printed across power cuts. It is a test tool: never packaged.
//
//	virtual-printer [--profile TM-T20III] [--baud 38400] [--out DIR]
//
// The first line on stdout is {"tty":"/dev/pts/N"}; it runs until SIGTERM.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
)

func main() {
	profile := flag.String("profile", "TM-T20III", "printer model emulated")
	out := flag.String("out", "", "directory for NNN.bin and NNN.png of each job (\"\": none)")
	baud := flag.Int("baud", 38400, "line rate the emulator reads at, so a slip takes as long as on the real cable (0: as fast as the pty)")
	flag.Parse()
	prof, err := escpos.ProfileByName(*profile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "virtual-printer:", err)
		os.Exit(2)
	}
	var mu sync.Mutex
	enc := json.NewEncoder(os.Stdout)
	emit := func(v any) {
		mu.Lock()
		defer mu.Unlock()
		enc.Encode(v)
	}
	v, err := emulator.NewVirtual(emulator.VirtualOpts{
		OutDir: *out, Profile: prof, Baud: *baud,
		OnSlip: func(n int, s *emulator.Slip, bin, png string) {
			emit(map[string]any{"job": n, "cut": s.Cut, "text": s.Text, "bin": bin})
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "virtual-printer:", err)
		os.Exit(1)
	}
	tty := v.DevicePath()
	// The kiosk runs as another user inside the container.
	if err := os.Chmod(tty, 0o666); err != nil {
		fmt.Fprintln(os.Stderr, "virtual-printer:", err)
	}
	emit(map[string]any{"tty": tty})
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	st := v.Stats()
	v.Close()
	emit(map[string]any{"stats": st})
}
