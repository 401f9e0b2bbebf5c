package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"sapar/provisioning/doctor"
	"sapar/provisioning/techtext"
)

// runDoctor is `sapar doctor --state DIR [--json] [--lang L]`: the
// technician's checks, in the technician's language (techLang). Exit 1 if
// any check fails.
func runDoctor(e env) int { return doctorCmd(e, doctor.DefaultEnv) }

func doctorCmd(e env, newEnv func(state string) doctor.Env) int {
	fs := flag.NewFlagSet("sapar doctor", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	state := fs.String("state", "", "state directory of the kiosk")
	asJSON := fs.Bool("json", false, "print the results as JSON (messages in English, with their keys)")
	langFlag := fs.String("lang", "", "language of the output: ru, ky, uz-Latn, en (default from LC_ALL/LC_MESSAGES/LANG, else en)")
	err := fs.Parse(e.args)
	lang, lerr := techLang(e, *langFlag)
	if lerr != nil {
		fmt.Fprintf(e.stderr, "sapar doctor: %v\n", lerr)
		return exitUsage
	}
	if errors.Is(err, flag.ErrHelp) {
		say(e.stdout, lang, "cli.doctor.usage")
		return exitOK
	}
	if err != nil || *state == "" || fs.NArg() != 0 {
		say(e.stderr, lang, "cli.doctor.need_state")
		say(e.stderr, lang, "cli.doctor.usage")
		return exitUsage
	}
	rep := doctor.Run(e.ctx, newEnv(*state))
	if *asJSON {
		// Stable: message and fix in English as always, plus text/hint keys.
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(struct {
			doctor.Report
			OK bool `json:"ok"`
		}{rep, !rep.Failed()})
		if rep.Failed() {
			return exitFailure
		}
		return exitOK
	}
	writeDoctor(e.stdout, rep.In(lang), lang)
	if rep.Failed() {
		fmt.Fprintln(e.stdout)
		say(e.stdout, lang, "cli.doctor.failed")
		return exitFailure
	}
	return exitOK
}

// writeDoctor prints one line per check: status, check, message, and the
// hint (→) under it, columns padded by letters, not bytes.
func writeDoctor(w io.Writer, rep doctor.Report, lang string) {
	if rep.KioskID != "" {
		say(w, lang, "cli.doctor.kiosk", "kiosk", rep.KioskID, "device", rep.DeviceID)
		fmt.Fprintln(w)
	}
	statusW, checkW := 4, 12
	for _, s := range []doctor.Status{doctor.Pass, doctor.Warn, doctor.Fail} {
		statusW = max(statusW, utf8.RuneCountInString(techtext.Text(lang, "status."+string(s))))
	}
	for _, r := range rep.Results {
		checkW = max(checkW, utf8.RuneCountInString(techtext.Text(lang, "check."+r.Check)))
	}
	for _, r := range rep.Results {
		status := techtext.Text(lang, "status."+string(r.Status))
		check := techtext.Text(lang, "check."+r.Check)
		fmt.Fprintf(w, "%-*s  %-*s %s\n", statusW, status, checkW, check, r.Message)
		if r.Fix != "" {
			fmt.Fprintf(w, "%s  %-*s → %s\n", strings.Repeat(" ", statusW), checkW, "", r.Fix)
		}
	}
}
