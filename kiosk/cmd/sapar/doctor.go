package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"sapar/provisioning/doctor"
)

// runDoctor is `sapar doctor --state DIR [--json]`: the technician's checks.
// Exit 1 if any check fails.
func runDoctor(e env) int { return doctorCmd(e, doctor.DefaultEnv) }

func doctorCmd(e env, newEnv func(state string) doctor.Env) int {
	fs := flag.NewFlagSet("sapar doctor", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	state := fs.String("state", "", "state directory of the kiosk")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	err := fs.Parse(e.args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(e.stdout, "Usage: sapar doctor --state DIR [--json]\n  checks printer, display, clock, disk, state permissions, content, updates, network, espeak-ng; exit 1 if any fails")
		return exitOK
	}
	if err != nil || *state == "" || fs.NArg() != 0 {
		fmt.Fprintln(e.stderr, "sapar doctor: need --state DIR\nUsage: sapar doctor --state DIR [--json]")
		return exitUsage
	}
	rep := doctor.Run(e.ctx, newEnv(*state))
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(struct {
			doctor.Report
			OK bool `json:"ok"`
		}{rep, !rep.Failed()})
	} else {
		if rep.KioskID != "" {
			fmt.Fprintf(e.stdout, "Kiosk %s, device %s\n\n", rep.KioskID, rep.DeviceID)
		}
		for _, r := range rep.Results {
			fmt.Fprintf(e.stdout, "%-4s  %-12s %s\n", strings.ToUpper(string(r.Status)), r.Check, r.Message)
			if r.Fix != "" {
				fmt.Fprintf(e.stdout, "      %-12s → %s\n", "", r.Fix)
			}
		}
	}
	if rep.Failed() {
		if !*asJSON {
			fmt.Fprintln(e.stdout, "\nSome checks FAILED: follow the hints (→) and run sapar doctor again.")
		}
		return exitFailure
	}
	return exitOK
}
