package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"sapar/content/sample"
	"sapar/kiosk"
)

func runDemo(e env) int {
	start := time.Now()
	fs := flag.NewFlagSet("sapar demo", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "loopback address for the UI (port 0 picks a free one)")
	out := fs.String("out", "", "directory for printed slips (NNN.bin, NNN.png); default: a new temporary directory")
	idle := fs.Duration("idle-timeout", 90*time.Second, "reset the screen after this long without a touch (a warning comes first)")
	profile := fs.String("profile", "TM-T20III", "printer model the virtual printer behaves like (TM-T20III, TM-T88V, POS-5890, minimal-58)")
	src := fs.String("content", "", "content source directory (default: the embedded sample)")
	noWindow := fs.Bool("no-window", false, "webview build: serve only, do not open the window")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: sapar demo [flags]\n\nRuns the whole kiosk on the sample content with a virtual printer:\nslips are real ESC/POS bytes through a pseudo-terminal, saved as .bin and .png.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(e.args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	opts := kiosk.DemoOptions{Addr: *addr, OutDir: *out, IdleTimeout: *idle, Profile: *profile, Content: sample.FS(), Log: log}
	if *src != "" {
		opts.Content = os.DirFS(*src)
	}
	d, err := kiosk.StartDemo(e.ctx, opts)
	if err != nil {
		fmt.Fprintln(e.stderr, "sapar demo:", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "Sapar demo ready in %d ms — open %s\n", time.Since(start).Milliseconds(), d.URL)
	fmt.Fprintf(e.stdout, "Printed slips are saved in %s (content %s). Stop with Ctrl-C.\n", d.OutDir, d.Version)
	if !*noWindow {
		if err := showWindow(e.ctx, d.URL, log); err != nil {
			fmt.Fprintln(e.stderr, "sapar demo: window:", err)
			d.Close()
			return exitFailure
		}
		if hasWindow {
			d.Close()
			return exitOK
		}
	}
	if err := d.Wait(); err != nil {
		fmt.Fprintln(e.stderr, "sapar demo:", err)
		return exitFailure
	}
	return exitOK
}
