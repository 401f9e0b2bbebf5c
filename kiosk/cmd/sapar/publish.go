package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"sapar/updates"
)

const publishUsage = `Usage:
  sapar publish init   --repo REPO --keys KEYS [--root-threshold N] [--root-keys M]
                       [--targets-threshold N] [--snapshot-threshold N] [--timestamp-threshold N]
                       [--expiry-root 365d] [--expiry-targets 90d] [--expiry-snapshot 21d] [--expiry-timestamp 1d]
  sapar publish add    --repo REPO --keys KEYS BUNDLE_DIR
  sapar publish timestamp --repo REPO --keys KEYS     (every 6 h from a timer)
  sapar publish resign --repo REPO --keys KEYS ROLE   (targets quarterly; root yearly, offline)
  sapar publish rotate --repo REPO --keys KEYS ROLE   (root, targets, snapshot or timestamp)
  sapar publish status --repo REPO --keys KEYS

REPO is plain static files (metadata/, targets/) for any web server, CDN or USB stick.
KEYS holds the private keys (0600), never inside REPO; see updates/README.md for
keeping the root key offline.
`

// runPublish is the publisher side of signed updates.
func runPublish(e env) int {
	if len(e.args) == 0 || e.args[0] == "-h" || e.args[0] == "--help" || e.args[0] == "help" {
		fmt.Fprint(e.stdout, publishUsage)
		if len(e.args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	sub, args := e.args[0], e.args[1:]
	fs := flag.NewFlagSet("sapar publish "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, publishUsage) }
	repo := fs.String("repo", "", "repository directory (static files)")
	keys := fs.String("keys", "", "private keys directory (outside REPO)")
	th := map[string]*int{}
	exp := map[string]*string{}
	var rootKeys *int
	if sub == "init" {
		def := updates.DefaultExpiries()
		for _, r := range []string{"root", "targets", "snapshot", "timestamp"} {
			th[r] = fs.Int(r+"-threshold", 1, "signatures required for "+r+" (root 2 of 3 in production)")
		}
		rootKeys = fs.Int("root-keys", 0, "number of root keys (default: the threshold)")
		for r, d := range map[string]time.Duration{"root": def.Root, "targets": def.Targets, "snapshot": def.Snapshot, "timestamp": def.Timestamp} {
			exp[r] = fs.String("expiry-"+r, fmtDays(d), "lifetime of "+r+" metadata (e.g. 365d, 12h)")
		}
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	if *repo == "" || *keys == "" {
		fmt.Fprintln(e.stderr, "sapar publish: --repo and --keys are required")
		fs.Usage()
		return exitUsage
	}
	p := &updates.Publisher{Repo: *repo, Keys: *keys, Logf: func(f string, a ...any) { fmt.Fprintf(e.stdout, f+"\n", a...) }}
	fail := func(err error) int {
		fmt.Fprintf(e.stderr, "sapar publish %s: %v\n", sub, err)
		return exitFailure
	}
	wantArgs := func(n int) bool {
		if len(pos) != n {
			fmt.Fprintf(e.stderr, "sapar publish %s: expected %d argument(s), got %d\n", sub, n, len(pos))
			fs.Usage()
			return false
		}
		return true
	}
	switch sub {
	case "init":
		if !wantArgs(0) {
			return exitUsage
		}
		opts := updates.InitOptions{Thresholds: map[string]int{}, KeyCounts: map[string]int{"root": *rootKeys}}
		for r, v := range th {
			opts.Thresholds[r] = *v
		}
		durs := map[string]time.Duration{}
		for r, v := range exp {
			d, err := updates.ParseDuration(*v)
			if err != nil || d <= 0 {
				fmt.Fprintf(e.stderr, "sapar publish init: --expiry-%s: %v\n", r, err)
				return exitUsage
			}
			durs[r] = d
		}
		opts.Expiries = updates.Expiries{Root: durs["root"], Targets: durs["targets"], Snapshot: durs["snapshot"], Timestamp: durs["timestamp"]}
		if *rootKeys != 0 && *rootKeys < *th["root"] {
			fmt.Fprintln(e.stderr, "sapar publish init: --root-keys is smaller than --root-threshold")
			return exitUsage
		}
		if err := p.Init(opts); err != nil {
			return fail(err)
		}
		fmt.Fprintf(e.stdout, "next: copy %s/metadata/1.root.json into the kiosk image (the trusted root), move %s/root offline, then `sapar publish add`\n", *repo, *keys)
	case "add":
		if !wantArgs(1) {
			return exitUsage
		}
		if _, err := p.Add(pos[0]); err != nil {
			return fail(err)
		}
	case "timestamp":
		if !wantArgs(0) {
			return exitUsage
		}
		if err := p.Timestamp(); err != nil {
			return fail(err)
		}
	case "resign":
		if !wantArgs(1) {
			return exitUsage
		}
		var err error
		switch pos[0] {
		case "targets":
			err = p.ResignTargets()
		case "root":
			err = p.ResignRoot()
		default:
			fmt.Fprintln(e.stderr, "sapar publish resign: ROLE is targets or root (snapshot and timestamp: sapar publish timestamp)")
			return exitUsage
		}
		if err != nil {
			return fail(err)
		}
	case "rotate":
		if !wantArgs(1) {
			return exitUsage
		}
		if err := p.Rotate(pos[0]); err != nil {
			return fail(err)
		}
	case "status":
		if !wantArgs(0) {
			return exitUsage
		}
		st, warn, err := p.Status()
		if err != nil {
			return fail(err)
		}
		printStatus(e.stdout, st, warn)
		for _, s := range st {
			if s.Expired {
				return exitFailure
			}
		}
	default:
		fmt.Fprintf(e.stderr, "sapar publish: unknown subcommand %q\n\n", sub)
		fmt.Fprint(e.stderr, publishUsage)
		return exitUsage
	}
	return exitOK
}

func printStatus(w io.Writer, st []updates.RoleStatus, warn []string) {
	fmt.Fprintf(w, "%-10s %7s  %-20s  %-9s  %s\n", "ROLE", "VERSION", "EXPIRES", "THRESHOLD", "KEYS HERE")
	for _, s := range st {
		note := ""
		switch {
		case s.Expired:
			note = "  EXPIRED"
		case s.ExpireSoon:
			note = "  expires soon"
		}
		fmt.Fprintf(w, "%-10s %7d  %-20s  %d of %-4d  %d%s\n", s.Role, s.Version, s.Expires.UTC().Format(time.RFC3339), s.Threshold, s.Keys, s.KeysHere, note)
	}
	for _, m := range warn {
		fmt.Fprintln(w, "warning:", m)
	}
}

func fmtDays(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// parseInterleaved parses flags that may come before or after positional
// arguments ("add BUNDLE --repo R" as well as "add --repo R BUNDLE").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if strings.HasPrefix(rest[0], "-") && rest[0] != "-" {
			args = rest
			continue
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
