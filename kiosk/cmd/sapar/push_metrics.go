package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"sapar/drivers/escpos"
	"sapar/kiosk/metrics/pushagent"
	"sapar/provisioning"
)

// runPushMetrics is `sapar push-metrics --state DIR`: the fleet push agent
// (what sapar-metrics.service runs). It reads the signed provisioning
// file's fleet: section and runs vmagent scraping the kiosk's loopback
// /metrics; no fleet: section means nothing to do (exit 0).
func runPushMetrics(e env) int {
	fs := flag.NewFlagSet("sapar push-metrics", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	state := fs.String("state", "", "kiosk state directory (/var/lib/sapar)")
	keyFile := fs.String("provisioning-key", defaultProvisioningKey, "MRC provisioning public key: only a file it signed is trusted")
	addr := fs.String("addr", "127.0.0.1:8080", "loopback address of the kiosk's UI server, whose /metrics is pushed")
	vmagent := fs.String("vmagent", pushagent.DefaultVmagent, "the push agent binary (Debian victoria-metrics)")
	listen := fs.String("listen", provisioning.FleetAgentAddr, "the push agent's own loopback address (its /metrics: sapar doctor reads it)")
	printArgs := fs.Bool("print", false, "print the agent's command line and scrape config, do not run it")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: sapar push-metrics --state DIR [--provisioning-key FILE] [--addr 127.0.0.1:8080] [--vmagent PATH] [--print]\n\nFlags:")
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
	raw, err := os.ReadFile(*keyFile)
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar push-metrics: no MRC provisioning key (%v): the fleet settings cannot be trusted\n", err)
		return exitFailure
	}
	key, err := provisioning.ParsePublicKey(raw)
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar push-metrics: %s: %v\n", *keyFile, err)
		return exitFailure
	}
	st, err := provisioning.Load(*state, provisioning.LoadOptions{PublicKey: key, Options: provisioning.Options{Profiles: escpos.ProfileNames()}})
	if errors.Is(err, provisioning.ErrNotProvisioned) {
		fmt.Fprintf(e.stdout, "sapar push-metrics: %s is not provisioned yet: nothing to push\n", *state)
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "sapar push-metrics:", err)
		return exitFailure
	}
	cfg := st.Config
	if cfg.Fleet == nil {
		fmt.Fprintf(e.stdout, "sapar push-metrics: the provisioning file has no fleet: section: nothing to push (add fleet.remote_write to send metrics to the MRC)\n")
		return exitOK
	}
	o := pushagent.Options{StateDir: *state, Fleet: *cfg.Fleet, Labels: pushagent.ExternalLabels(cfg),
		Target: *addr, Vmagent: *vmagent, Listen: *listen, Log: log}
	if *printArgs {
		fmt.Fprintf(e.stdout, "%s %s\n\n%s", *vmagent, strings.Join(pushagent.Args(o), " "), pushagent.ScrapeConfig(o))
		return exitOK
	}
	if err := pushagent.Run(e.ctx, o); err != nil {
		fmt.Fprintln(e.stderr, "sapar push-metrics:", err)
		return exitFailure
	}
	return exitOK
}
