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
	"sapar/drivers/escpos"
	"sapar/provisioning"
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
	noFirmware := fs.Bool("no-firmware", false, "content only: do not stage firmware packages")
	keyFile := fs.String("provisioning-key", defaultProvisioningKey, "MRC provisioning public key: without --mirror/--usb, the mirrors come from the provisioning it signed")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: sapar update --state DIR [--mirror URL]... [--usb DIR] [--trusted-root FILE] [--timeout 30m] [--watch-usb DIR] [--status] [--no-firmware]\n\nWithout --mirror, --usb or --watch-usb the mirrors and the trusted root are the provisioned kiosk's (what sapar-update.timer runs).")
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
	var root []byte
	if len(mirrors) == 0 && *usb == "" && *watch == "" {
		// The timer's case: the provisioned kiosk says where its updates are.
		cfg, err := provisionedUpdates(*state, *keyFile)
		if err != nil {
			fmt.Fprintf(e.stderr, "sapar update: %v\nGive --mirror URL, --usb DIR or --watch-usb DIR, or provision the kiosk (sapar provision).\n", err)
			return exitFailure
		}
		if len(cfg.Mirrors) == 0 {
			fmt.Fprintln(e.stderr, "sapar update: the provisioning file names no update mirror (updates.mirrors): give --mirror URL or --usb DIR")
			return exitFailure
		}
		mirrors = append(mirrors, cfg.Mirrors...)
		rootSet := false
		fs.Visit(func(f *flag.Flag) { rootSet = rootSet || f.Name == "trusted-root" })
		if !rootSet {
			if root = cfg.Root.Inline; len(root) == 0 && cfg.Root.File != "" {
				*rootFile = cfg.Root.File
			}
		}
	}
	var err error
	if len(root) == 0 {
		root, err = os.ReadFile(*rootFile)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar update: cannot read the trusted root: %v (the image ships it at %s; pass --trusted-root)\n", err, defaultTrustedRoot)
		return exitFailure
	}
	c := &updates.Client{
		StateDir: *state, Mirrors: mirrors, USBDir: *usb, TrustedRoot: root,
		BuildTime: updates.BuildTime(), Deadline: *timeout, Index: release.Index{},
		Logf: func(f string, a ...any) { fmt.Fprintf(e.stderr, "sapar update: "+f+"\n", a...) },
	}
	c.Cohort = kioskCohort(*state, c.Logf)
	if !*noFirmware {
		c.Firmware = &updates.FirmwareConfig{Arch: updates.HostArch(), Installed: func() (string, error) {
			return updates.InstalledSaparVersion(e.ctx)
		}}
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
	if res.ContentNote != "" {
		fmt.Fprintln(e.stdout, res.ContentNote)
	}
	if res.Firmware.Staged != "" {
		fmt.Fprintf(e.stdout, "firmware %s staged (installed %s): sapar-firmware.service installs it\n", res.Firmware.Staged, res.Firmware.Installed)
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

// provisionedUpdates reads the update settings of the provisioned state,
// verified with the MRC key as sapar run verifies it.
func provisionedUpdates(state, keyFile string) (provisioning.Updates, error) {
	raw, err := os.ReadFile(keyFile)
	if err != nil {
		return provisioning.Updates{}, fmt.Errorf("no --mirror given and the MRC provisioning key cannot be read: %w", err)
	}
	key, err := provisioning.ParsePublicKey(raw)
	if err != nil {
		return provisioning.Updates{}, fmt.Errorf("%s: %w", keyFile, err)
	}
	st, err := provisioning.Load(state, provisioning.LoadOptions{PublicKey: key, Options: provisioning.Options{Profiles: escpos.ProfileNames()}})
	if err != nil {
		return provisioning.Updates{}, fmt.Errorf("no --mirror given and the provisioned state does not load: %w", err)
	}
	return st.Config.Updates, nil
}

// kioskCohort places the kiosk in phased rollouts from its device key and
// the provisioning file's updates.rollout (config.json; its signature is
// checked by `sapar run`: whoever can write the state dir can do more than
// change a cohort). Not provisioned: nil, only releases at 100%.
func kioskCohort(state string, logf func(string, ...any)) *updates.Cohort {
	st, err := provisioning.ReadUnverified(state)
	if err != nil || len(st.PublicKey) == 0 {
		logf("no device identity in %s (%v): taking only releases rolled out to every kiosk", state, err)
		return nil
	}
	group := ""
	if st.Config != nil {
		group = st.Config.Updates.Rollout
	}
	co, err := updates.CohortFor(st.PublicKey, group)
	if err != nil {
		logf("%v: taking only releases rolled out to every kiosk", err)
		return nil
	}
	return &co
}
