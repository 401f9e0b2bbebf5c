package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sapar/updates"
)

const firmwareUsage = `Usage:
  sapar firmware install --state DIR [--deadline 150s] [--stable 40s] [--max-restarts 3] [--no-heartbeat]
                         [--kiosk-args "$SAPAR_ARGS" | --url http://127.0.0.1:8080/]
                         [--trusted-root /usr/share/sapar/tuf-root.json] [--keep /var/lib/sapar-firmware]
        install the package sapar update staged (STATE/firmware/pending.deb) with dpkg, as root
        (sapar-firmware.service, started by sapar-firmware.path); restart sapar.service and wait for
        it to be healthy (READY, /healthz, the page heartbeat); not healthy: reinstall the previous
        package and mark the version bad on this kiosk (never retried). --kiosk-args are the flags
        sapar.service gives sapar run (SAPAR_ARGS): its --addr is where the health check looks.
  sapar firmware adopt [--keep /var/lib/sapar-firmware] FILE.deb
        as root, once after installing a kiosk with apt-get install ./FILE.deb: keep FILE.deb (the
        installed version's package, its files the installed ones) as what the first over-the-air
        install rolls back to; without it that install is refused
  sapar firmware status --state DIR
        installed version, what is staged, the last install, the versions marked bad, and whether
        a package to roll back to is kept (JSON)
`

// runFirmware is the kiosk side of firmware updates that needs root.
func runFirmware(e env) int {
	if code, done := helpOrNoSubcommand(e, firmwareUsage); done {
		return code
	}
	sub, args := e.args[0], e.args[1:]
	fs := flag.NewFlagSet("sapar firmware "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, firmwareUsage) }
	state := fs.String("state", "", "kiosk state directory")
	deadline := fs.Duration("deadline", 150*time.Second, "time for the restarted kiosk to become healthy")
	stable := fs.Duration("stable", 40*time.Second, "healthy for this long without a restart (longer than WatchdogSec)")
	noHeartbeat := fs.Bool("no-heartbeat", false, "do not require the page heartbeat (a kiosk without a display)")
	url := fs.String("url", "", "the kiosk's loopback UI server (default: from --kiosk-args, else http://127.0.0.1:8080/)")
	kioskArgs := fs.String("kiosk-args", "", "the flags sapar.service passes to sapar run (SAPAR_ARGS); its --addr is the UI server")
	maxRestarts := fs.Int("max-restarts", 3, "restarts of sapar.service after the install that count as a failure at once")
	rootFile := fs.String("trusted-root", defaultTrustedRoot, "the image's root.json: the staged package must be the signed firmware")
	keepDir := fs.String("keep", "/var/lib/sapar-firmware", "root-owned directory for the package being installed, installed.deb and previous.deb")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if sub == "adopt" {
		if fs.NArg() != 1 {
			fmt.Fprintln(e.stderr, "sapar firmware adopt: give the installed version's package, FILE.deb")
			return exitUsage
		}
		return adoptFirmware(e, fs.Arg(0), *keepDir)
	}
	if *state == "" || fs.NArg() != 0 {
		fmt.Fprintln(e.stderr, "sapar firmware: --state DIR is required")
		fs.Usage()
		return exitUsage
	}
	switch sub {
	case "install":
		sys := updates.SystemFirmware{URL: kioskURL(*url, *kioskArgs)}
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
			SelfCopy: filepath.Join(*keepDir, "installer"), MaxRestarts: *maxRestarts, Verify: verify, Logf: func(f string, a ...any) { fmt.Fprintf(e.stderr, "sapar firmware: "+f+"\n", a...) }}
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
			// Rollback: a package of the installed version is kept (installed.deb), so an
			// install may go ahead; false on a kiosk not yet adopted (sapar firmware adopt).
			Rollback *bool `json:"rollback_package,omitempty"`
		}{Arch: updates.HostArch(), Bad: updates.BadVersions(*state)}
		out.Installed, _ = updates.InstalledSaparVersion(e.ctx)
		if st, err := updates.ReadStaged(*state); err == nil && st.Version != "" {
			out.Staged = &st
		}
		out.Last, _ = updates.ReadInstallResult(*state)
		if out.Installed != "" {
			if ok, err := updates.KeptPackage(*keepDir, out.Installed, out.Arch); err == nil {
				out.Rollback = &ok // unknown (nil) when the directory is root's only and this is the kiosk user
			}
		}
		raw, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintln(e.stdout, string(raw))
	default:
		fmt.Fprintf(e.stderr, "sapar firmware: unknown subcommand %q\n\n%s", sub, firmwareUsage)
		return exitUsage
	}
	return exitOK
}

// adoptFirmware is `sapar firmware adopt FILE.deb`.
func adoptFirmware(e env, file, keepDir string) int {
	installed, err := updates.InstalledSaparVersion(e.ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar firmware adopt: %v\n", err)
		return exitFailure
	}
	n, err := updates.AdoptFirmware(file, updates.AdoptOptions{KeepDir: keepDir, Arch: updates.HostArch(), Installed: installed})
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar firmware adopt: %v\nGive the .deb this kiosk was installed from (sapar_%s_%s.deb).\n", err, installed, updates.HostArch())
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "kept %s as the package of the installed firmware %s (%d files match the installed ones): the next firmware install can roll back to it\n",
		filepath.Join(keepDir, updates.InstalledDeb), installed, n)
	return exitOK
}

// kioskURL is where the installer's health check finds the kiosk: --url,
// else the --addr among the kiosk's own flags (SAPAR_ARGS of
// /etc/default/sapar, which sapar.service passes to sapar run), else sapar
// run's default address.
func kioskURL(explicit, kioskArgs string) string {
	if explicit != "" {
		return strings.TrimSuffix(explicit, "/") + "/"
	}
	addr := "127.0.0.1:8080"
	f := strings.Fields(kioskArgs)
	for i := 0; i < len(f); i++ {
		a := strings.TrimPrefix(strings.TrimPrefix(f[i], "-"), "-")
		if v, ok := strings.CutPrefix(a, "addr="); ok {
			addr = v
		} else if a == "addr" && i+1 < len(f) {
			addr = f[i+1]
			i++
		}
	}
	return "http://" + addr + "/"
}
