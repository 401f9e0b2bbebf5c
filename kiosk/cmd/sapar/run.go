package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"sapar/content/sample"
	"sapar/kiosk"
	"sapar/provisioning"
)

// Paths in the image (systemd/package.sh installs them).
const (
	defaultProvisioningKey = "/usr/share/sapar/provisioning.pub"
	defaultContentSeed     = "/usr/share/sapar/content"
	defaultUSBRoot         = "/media/sapar"
)

// runRun is the production kiosk: provisioned config (signed), active
// content, real printer; the first-boot setup screen when not provisioned.
func runRun(e env) int {
	fs := flag.NewFlagSet("sapar run", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	state := fs.String("state", "", "kiosk state directory (/var/lib/sapar)")
	keyFile := fs.String("provisioning-key", defaultProvisioningKey, "MRC provisioning public key: only files it signed are run")
	addr := fs.String("addr", "127.0.0.1:8080", "loopback address of the UI")
	seed := fs.String("content-seed", defaultContentSeed, "content shipped in the image (bundle or source dir), installed when nothing is active")
	usb := fs.String("usb", defaultUSBRoot, "where USB sticks are mounted: provisioning file at first boot, update repositories later (\"\" = none)")
	noWindow := fs.Bool("no-window", false, "webview build: serve only, do not open the window")
	heartbeat := fs.Duration("heartbeat", 45*time.Second, "with the window: restart (via the watchdog) when the page has not sent a heartbeat for this long")
	updateEvery := fs.Duration("update-every", 0, "run update cycles in-process at this period (default 0: sapar-update.timer schedules them)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: sapar run --state DIR [--provisioning-key FILE] [--addr 127.0.0.1:8080] [--content-seed DIR] [--usb DIR]\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(e.args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *state == "" || fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	var key []byte
	if raw, err := os.ReadFile(*keyFile); err != nil {
		// Still start: the setup screen explains; a provisioned state is refused by Load.
		log.Error("no MRC provisioning key: provisioned states cannot be verified", "file", *keyFile, "err", err)
	} else if k, err := provisioning.ParsePublicKey(raw); err != nil {
		fmt.Fprintf(e.stderr, "sapar run: %s: %v\n", *keyFile, err)
		return exitFailure
	} else {
		key = k
	}
	window := hasWindow && !*noWindow
	k, err := kiosk.Start(e.ctx, kiosk.RunOptions{
		StateDir: *state, Addr: *addr, ProvisioningKey: key, ContentSeed: *seed,
		FallbackContent: sample.FS(), FallbackNotice: "SAMPLE CONTENT — waiting for the first signed update; agency entries are fictional",
		USBRoot: *usb, Log: log, RequireHeartbeat: window, HeartbeatMaxAge: *heartbeat, UpdateEvery: *updateEvery,
	})
	if err != nil {
		fmt.Fprintln(e.stderr, "sapar run:", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "Sapar kiosk on %s\n", k.URL)
	go func() {
		select {
		case <-k.Ready():
			fmt.Fprintf(e.stdout, "ready after %d ms\n", k.ReadyAfter().Milliseconds())
		case <-k.Done():
		}
	}()
	if window {
		// The window shows the setup screen or the kiosk; closing it (or
		// cage going away) stops the kiosk, and systemd starts it again.
		wctx, cancel := context.WithCancel(e.ctx)
		go func() { <-k.Done(); cancel() }() // a restart from the maintenance screen closes the window too
		err := showWindow(wctx, k.URL, log)
		cancel()
		if err != nil {
			fmt.Fprintln(e.stderr, "sapar run: window:", err)
			k.Close()
			return exitFailure
		}
		k.Close()
	}
	if err := k.Wait(); err != nil {
		fmt.Fprintln(e.stderr, "sapar run:", err)
		return exitFailure
	}
	if k.RestartRequested() {
		fmt.Fprintln(e.stderr, "sapar run: restart requested from the maintenance screen")
	}
	return exitOK
}
