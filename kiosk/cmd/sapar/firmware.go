package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"sapar/updates"
)

const firmwareUsage = `Usage:
  sapar firmware install --state DIR [--deadline 150s] [--stable 40s] [--no-heartbeat] [--url http://127.0.0.1:8080/]
                         [--trusted-root /usr/share/sapar/tuf-root.json] [--keep /var/lib/sapar-firmware]
        install the package sapar update staged (STATE/firmware/pending.deb) with dpkg, as root
        (sapar-firmware.service, started by sapar-firmware.path); restart sapar.service and wait for
        it to be healthy (READY, /healthz, the page heartbeat); not healthy: reinstall the previous
        package and mark the version bad on this kiosk (never retried)
  sapar firmware status --state DIR
        installed version, what is staged, the last install and the versions marked bad (JSON)
`

// runFirmware is the kiosk side of firmware updates that needs root.
func runFirmware(e env) int {
	if len(e.args) == 0 || e.args[0] == "-h" || e.args[0] == "--help" || e.args[0] == "help" {
		fmt.Fprint(e.stdout, firmwareUsage)
		if len(e.args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	sub, args := e.args[0], e.args[1:]
	fs := flag.NewFlagSet("sapar firmware "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, firmwareUsage) }
	state := fs.String("state", "", "kiosk state directory")
	deadline := fs.Duration("deadline", 150*time.Second, "time for the restarted kiosk to become healthy")
	stable := fs.Duration("stable", 40*time.Second, "healthy for this long without a restart (longer than WatchdogSec)")
	noHeartbeat := fs.Bool("no-heartbeat", false, "do not require the page heartbeat (a kiosk without a display)")
	url := fs.String("url", "http://127.0.0.1:8080/", "the kiosk's loopback UI server")
	rootFile := fs.String("trusted-root", defaultTrustedRoot, "the image's root.json: the staged package must be the signed firmware")
	keepDir := fs.String("keep", "/var/lib/sapar-firmware", "root-owned directory for the package being installed, installed.deb and previous.deb")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *state == "" || fs.NArg() != 0 {
		fmt.Fprintln(e.stderr, "sapar firmware: --state DIR is required")
		fs.Usage()
		return exitUsage
	}
	switch sub {
	case "install":
		sys := updates.SystemFirmware{URL: *url}
		if *noHeartbeat {
			sys.HeartbeatMaxAge = -1
		}
		var verify func(string) error
		if root, err := os.ReadFile(*rootFile); err != nil {
			verify = func(string) error {
				return fmt.Errorf("cannot read the trusted root (%v): no package is installed without checking its signature", err)
			}
		} else {
			verify = updates.SignedFirmwareVerifier(root, filepath.Join(*state, "tuf", "metadata"), updates.HostArch())
		}
		fi := &updates.FirmwareInstaller{State: *state, Sys: sys, Deadline: *deadline, StableFor: *stable, KeepDir: *keepDir,
			Verify: verify, Logf: func(f string, a ...any) { fmt.Fprintf(e.stderr, "sapar firmware: "+f+"\n", a...) }}
		res, err := fi.Install(e.ctx)
		if errors.Is(err, updates.ErrNothingStaged) {
			fmt.Fprintln(e.stdout, "no firmware staged: nothing to do")
			return exitOK
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "sapar firmware install: %v\n", err)
			return exitFailure
		}
		fmt.Fprintf(e.stdout, "firmware %s installed (was %s), healthy after %.0f s\n", res.Version, res.Previous, res.Seconds)
	case "status":
		out := struct {
			Installed string                         `json:"installed,omitempty"`
			Arch      string                         `json:"arch"`
			Staged    *updates.FirmwareStaged        `json:"staged,omitempty"`
			Last      *updates.FirmwareInstallResult `json:"last_install,omitempty"`
			Bad       []string                       `json:"bad,omitempty"`
		}{Arch: updates.HostArch(), Bad: updates.BadVersions(*state)}
		out.Installed, _ = updates.InstalledSaparVersion(e.ctx)
		if st, err := updates.ReadStaged(*state); err == nil && st.Version != "" {
			out.Staged = &st
		}
		out.Last, _ = updates.ReadInstallResult(*state)
		raw, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintln(e.stdout, string(raw))
	default:
		fmt.Fprintf(e.stderr, "sapar firmware: unknown subcommand %q\n\n%s", sub, firmwareUsage)
		return exitUsage
	}
	return exitOK
}
