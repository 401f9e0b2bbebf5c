package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"sapar/updates"
)

const publishUsage = `Usage:
  sapar publish init   --repo REPO --keys KEYS [--root-threshold N] [--root-keys M]
                       [--targets-threshold N] [--snapshot-threshold N] [--timestamp-threshold N]
                       [--expiry-root 365d] [--expiry-targets 90d] [--expiry-snapshot 21d] [--expiry-timestamp 1d]
  sapar publish add    --repo REPO --keys KEYS BUNDLE_DIR [--rollout PERCENT]
  sapar publish firmware --repo REPO --keys KEYS FILE.deb [--rollout PERCENT]
                       (the sapar package for the architecture its control file names)
  sapar publish rollout --repo REPO --keys KEYS (content | firmware ARCH) PERCENT
                       (raise the share of kiosks that take it; those that took it keep it)
  sapar publish timestamp --repo REPO --keys KEYS     (every 6 h from a timer)
  sapar publish resign --repo REPO --keys KEYS ROLE   (targets quarterly; root yearly, offline)
  sapar publish rotate --repo REPO --keys KEYS ROLE   (root, targets, snapshot or timestamp)
  sapar publish status --repo REPO --keys KEYS

--rollout is the share of kiosks (0–100, default 100) that take the release: canary
kiosks (provisioning updates.rollout) take it above 0%, late ones only at 100%, the
others when their bucket (0–99, from the device key) is below it.

REPO is plain static files (metadata/, targets/) for any web server, CDN or USB stick.
KEYS holds the private keys (0600), never inside REPO; see updates/README.md for
keeping the root key offline.
`

// runPublish is the publisher side of signed updates.
func runPublish(e env) int {
	if code, done := helpOrNoSubcommand(e, publishUsage); done {
		return code
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
	rollout := 100
	if sub == "add" || sub == "firmware" {
		fs.IntVar(&rollout, "rollout", 100, "share of kiosks (0–100) that take this release")
	}
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
		if !rolloutOK(e, sub, rollout) {
			return exitUsage
		}
		if _, err := p.AddRollout(pos[0], rollout); err != nil {
			return fail(err)
		}
	case "firmware":
		if !wantArgs(1) || !rolloutOK(e, sub, rollout) {
			return exitUsage
		}
		res, err := p.PublishFirmware(pos[0], rollout)
		if err != nil {
			return fail(err)
		}
		was := "first for " + res.Info.Architecture
		if res.Previous != "" {
			was = "replaces " + res.Previous
		}
		fmt.Fprintf(e.stdout, "firmware %s %s (%s) at %d%%: copy REPO to the mirrors (targets/ and metadata first, timestamp.json last)\n", res.Info.Architecture, res.Info.Version, was, res.Rollout)
	case "rollout":
		var kind, arch, pct string
		switch {
		case len(pos) == 2 && pos[0] == "content":
			kind, pct = pos[0], pos[1]
		case len(pos) == 3 && pos[0] == "firmware":
			kind, arch, pct = pos[0], pos[1], pos[2]
		default:
			fmt.Fprintln(e.stderr, "sapar publish rollout: want `content PERCENT` or `firmware ARCH PERCENT`")
			fs.Usage()
			return exitUsage
		}
		n, err := strconv.Atoi(strings.TrimSuffix(pct, "%"))
		if err != nil || !rolloutOK(e, sub, n) {
			if err != nil {
				fmt.Fprintf(e.stderr, "sapar publish rollout: %q is not a percentage (0–100)\n", pct)
			}
			return exitUsage
		}
		if _, err := p.SetRollout(kind, arch, n); err != nil {
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
		if rs, err := p.Rollouts(); err == nil {
			printRollouts(e.stdout, rs)
		}
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

func rolloutOK(e env, sub string, n int) bool {
	if n < 0 || n > 100 {
		fmt.Fprintf(e.stderr, "sapar publish %s: --rollout %d: want a percentage from 0 (paused) to 100 (every kiosk)\n", sub, n)
		return false
	}
	return true
}

func printRollouts(w io.Writer, rs []updates.Rollout) {
	fmt.Fprintf(w, "\n%-9s %-7s %-24s %7s  %s\n", "RELEASE", "ARCH", "VERSION", "ROLLOUT", "SIZE")
	if len(rs) == 0 {
		fmt.Fprintln(w, "(nothing published)")
	}
	for _, r := range rs {
		arch := r.Arch
		if arch == "" {
			arch = "-"
		}
		fmt.Fprintf(w, "%-9s %-7s %-24s %6d%%  %d bytes\n", r.Kind, arch, orDash(r.Version), r.Percent, r.Length)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
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
