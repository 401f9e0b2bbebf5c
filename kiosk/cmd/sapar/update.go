package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"sapar/content/release"
	"sapar/updates"
)

// defaultTrustedRoot is where the image ships the first root.json.
const defaultTrustedRoot = "/usr/share/sapar/tuf-root.json" // as in provisioning/example.yaml

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// runUpdate runs one verified update cycle (or, with --watch-usb, waits for
// sticks and updates from each).
func runUpdate(e env) int {
	fs := flag.NewFlagSet("sapar update", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	state := fs.String("state", "", "kiosk state directory")
	var mirrors stringList
	fs.Var(&mirrors, "mirror", "repository base URL (serving metadata/ and targets/); repeat, tried in order")
	usb := fs.String("usb", "", "repository directory on a USB stick (tried before mirrors)")
	rootFile := fs.String("trusted-root", defaultTrustedRoot, "first trusted root.json (from the image or provisioning)")
	timeout := fs.Duration("timeout", 30*time.Minute, "overall deadline of the cycle")
	watch := fs.String("watch-usb", "", "keep running: update from any stick mounted under this directory")
	status := fs.Bool("status", false, "print the last update result as JSON and exit")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: sapar update --state DIR [--mirror URL]... [--usb DIR] [--trusted-root FILE] [--timeout 30m] [--watch-usb DIR] [--status]")
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
	if *status {
		st, err := updates.ReadStatus(*state)
		if err != nil {
			fmt.Fprintf(e.stderr, "sapar update: %v\n", err)
			return exitFailure
		}
		out, _ := json.MarshalIndent(st, "", "  ")
		fmt.Fprintln(e.stdout, string(out))
		return exitOK
	}
	if len(mirrors) == 0 && *usb == "" && *watch == "" {
		fmt.Fprintln(e.stderr, "sapar update: give at least one --mirror URL, --usb DIR or --watch-usb DIR")
		return exitUsage
	}
	root, err := os.ReadFile(*rootFile)
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar update: cannot read the trusted root: %v (the image ships it at %s; pass --trusted-root)\n", err, defaultTrustedRoot)
		return exitFailure
	}
	c := &updates.Client{
		StateDir: *state, Mirrors: mirrors, USBDir: *usb, TrustedRoot: root,
		BuildTime: updates.BuildTime(), Deadline: *timeout, Index: release.Index{},
		Logf: func(f string, a ...any) { fmt.Fprintf(e.stderr, "sapar update: "+f+"\n", a...) },
	}
	if *watch != "" {
		w := &updates.USBWatcher{Root: *watch, Logf: c.Logf, Run: func(ctx context.Context, repo string) {
			if _, err := c.UpdateUSB(ctx, repo); err != nil {
				fmt.Fprintf(e.stderr, "sapar update: stick %s: %v\n", repo, err)
			}
		}}
		fmt.Fprintf(e.stderr, "sapar update: watching %s for USB sticks (Ctrl-C to stop)\n", *watch)
		if err := w.Watch(e.ctx); err != nil {
			fmt.Fprintf(e.stderr, "sapar update: %v\n", err)
			return exitFailure
		}
		return exitOK
	}
	res, err := c.Update(e.ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar update: %v\nThe kiosk keeps showing %s. Check the mirror address and network, or bring a USB stick with the repository (sapar update --usb DIR).\n", err, orNone(res.Version))
		return exitFailure
	}
	if res.Changed {
		fmt.Fprintf(e.stdout, "updated to %s from %s (%d bytes, %d objects downloaded, %d reused)\n", res.Version, res.Source, res.BytesFetched, res.ObjectsFetched, res.ObjectsReused)
	} else {
		fmt.Fprintf(e.stdout, "%s is current (checked %s, %d bytes)\n", res.Version, res.Source, res.BytesFetched)
	}
	return exitOK
}

func orNone(v string) string {
	if v == "" {
		return "no content"
	}
	return v
}
