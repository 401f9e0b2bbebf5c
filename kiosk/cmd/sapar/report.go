package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sapar/content/atomicfile"
	"slices"
	"strings"
	"time"

	"sapar/content"
	"sapar/content/sample"
	usagedb "sapar/kiosk/usage"
	usagereport "sapar/kiosk/usage/report"
	"sapar/provisioning"
)

const reportUsage = `Usage: sapar report (--state DIR | --merge A.csv B.csv … | --prometheus URL) (--csv [--out FILE] | --table [--out FILE] | --html OUT.html) [flags]
  information-needs report from the kiosk's anonymous usage counts
  --state DIR       read DIR/usage.db of this kiosk
  --merge           the arguments are CSV exports of several kiosks (sapar report --csv): one fleet report
  --prometheus URL  query the fleet database (VictoriaMetrics or Prometheus base URL) with increase()
  --by GROUP        with --prometheus: fleet (default), kiosk, city or place — one report per group
  --match LABELS    with --prometheus: only these kiosks, e.g. 'city="Osh"'
  --csv             write the raw hourly counts as CSV (to stdout, or --out FILE): for --merge, not for publishing
  --table           write the report's tables as CSV, small counts suppressed (to stdout, or --out FILE)
  --html OUT        write a self-contained HTML report with charts to OUT (with --by: also OUT-GROUP.html each)
  --min-count N     counts under N show as "<N", and enough others that they cannot be worked out from
                    totals (default 5; 1 shows everything — never for a published report)
  --from, --to      first and last day, YYYY-MM-DD (default: the last 30 days)
  --tz ZONE         time zone for days and hours (default: the kiosk's; UTC for --merge)
  --content INDEX   content index (index.db) for guide titles and stages
                    (default: the kiosk's active release, else the embedded sample)
  --lang TAG        language of guide titles (default en)`

// runReport is `sapar report`: the information-needs report (issue 7).
func runReport(e env) int { return reportCmd(e, time.Now) }

type reportFlags struct {
	state, out, html, from, to, tz, contentIndex, lang string
	prometheus, by, match                              string
	csv, merge, table                                  bool
	minCount                                           int64
	files                                              []string
}

func parseReportFlags(args []string) (reportFlags, error) {
	var f reportFlags
	fl := flag.NewFlagSet("sapar report", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	fl.StringVar(&f.state, "state", "", "")
	fl.BoolVar(&f.merge, "merge", false, "")
	fl.BoolVar(&f.csv, "csv", false, "")
	fl.BoolVar(&f.table, "table", false, "")
	fl.StringVar(&f.prometheus, "prometheus", "", "")
	fl.StringVar(&f.by, "by", "fleet", "")
	fl.StringVar(&f.match, "match", "", "")
	fl.Int64Var(&f.minCount, "min-count", usagedb.DefaultMinCount, "")
	fl.StringVar(&f.out, "out", "", "")
	fl.StringVar(&f.html, "html", "", "")
	fl.StringVar(&f.from, "from", "", "")
	fl.StringVar(&f.to, "to", "", "")
	fl.StringVar(&f.tz, "tz", "", "")
	fl.StringVar(&f.contentIndex, "content", "", "")
	fl.StringVar(&f.lang, "lang", "en", "")
	// Flags and file names may be interleaved: --merge a.csv b.csv --html r.html.
	for {
		if err := fl.Parse(args); err != nil {
			return f, err
		}
		if fl.NArg() == 0 {
			break
		}
		f.files = append(f.files, fl.Arg(0))
		args = fl.Args()[1:]
	}
	sources := 0
	for _, on := range []bool{f.merge, f.state != "", f.prometheus != ""} {
		if on {
			sources++
		}
	}
	switch {
	case sources > 1:
		return f, errors.New("give one of --state DIR, --merge FILES or --prometheus URL")
	case f.prometheus != "" && !slices.Contains([]string{"fleet", "kiosk", "city", "place"}, f.by):
		return f, fmt.Errorf("--by %q: give fleet, kiosk, city or place", f.by)
	case f.prometheus == "" && (f.by != "fleet" || f.match != ""):
		return f, errors.New("--by and --match go with --prometheus")
	case f.minCount < 1:
		return f, errors.New("--min-count is at least 1")
	case f.csv && f.table:
		return f, errors.New("give --csv or --table, not both")
	case f.merge && len(f.files) == 0:
		return f, errors.New("--merge needs the CSV files to merge")
	case !f.merge && len(f.files) > 0:
		return f, fmt.Errorf("unexpected argument %q (CSV files go with --merge)", f.files[0])
	case sources == 0:
		return f, errors.New("need --state DIR, --merge FILES or --prometheus URL")
	case !f.csv && !f.table && f.html == "":
		return f, errors.New("need --csv, --table or --html OUT")
	case f.out != "" && !f.csv && !f.table:
		return f, errors.New("--out goes with --csv or --table (--html takes its own file name)")
	}
	return f, nil
}

func reportCmd(e env, now func() time.Time) int {
	f, err := parseReportFlags(e.args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(e.stdout, reportUsage)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar report: %v\n%s\n", err, reportUsage)
		return exitUsage
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(e.stderr, "sapar report: "+format+"\n", a...)
		return exitFailure
	}

	// Who: the kiosk's id, name and time zone from its state.
	kioskID, title, loc := "", "", time.UTC
	if f.state != "" {
		kioskID, title = "unprovisioned", filepath.Base(filepath.Clean(f.state))
		if st, err := provisioning.ReadUnverified(f.state); err == nil && st.Config != nil {
			kioskID = st.Config.Kiosk.ID
			title = st.Config.Kiosk.Name + " (" + kioskID + ")"
			loc = st.Config.Location()
		}
	}
	if f.tz != "" {
		if loc, err = time.LoadLocation(f.tz); err != nil {
			fmt.Fprintf(e.stderr, "sapar report: --tz %q: not a time zone; use an IANA name such as Asia/Bishkek\n", f.tz)
			return exitUsage
		}
	}
	from, to, err := reportPeriod(f.from, f.to, now(), loc)
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar report: %v\n", err)
		return exitUsage
	}

	// What: the counts.
	var rows []usagedb.Row
	var kiosks []string
	if f.merge {
		var all []usagedb.Row
		for _, name := range f.files {
			rs, err := readUsageCSV(name)
			if err != nil {
				return fail("%v", err)
			}
			all = append(all, rs...)
		}
		for _, r := range all {
			if !r.Hour.Before(from) && r.Hour.Before(to) {
				rows = append(rows, r)
			}
			if !slices.Contains(kiosks, r.Kiosk) {
				kiosks = append(kiosks, r.Kiosk)
			}
		}
		if skipped := len(all) - len(rows); skipped > 0 {
			fmt.Fprintf(e.stderr, "sapar report: %d of %d counts fall outside %s … %s and are left out (use --from/--to)\n",
				skipped, len(all), from.In(loc).Format(time.DateOnly), to.Add(-time.Second).In(loc).Format(time.DateOnly))
		}
		rows = usagereport.Clean(rows)
		kiosks = nil
		for _, r := range rows {
			if !slices.Contains(kiosks, r.Kiosk) {
				kiosks = append(kiosks, r.Kiosk)
			}
		}
		slices.Sort(kiosks)
		title = fmt.Sprintf("Fleet report, %d kiosks", len(kiosks))
		if len(kiosks) == 1 {
			title = "Fleet report, 1 kiosk"
		}
	} else if f.prometheus != "" {
		group := f.by
		if group == "fleet" {
			group = "kiosk" // to list the kiosks; added up below
		}
		src := usagedb.FleetSource{URL: f.prometheus, Group: group, Match: f.match}
		if rows, err = src.Rows(e.ctx, from, to, now()); err != nil {
			return fail("%v: check --prometheus (the database's base URL, e.g. http://metrics.mrc.example.org:8428)", err)
		}
		rows = usagereport.Clean(rows)
		for _, r := range rows {
			if !slices.Contains(kiosks, r.Kiosk) {
				kiosks = append(kiosks, r.Kiosk)
			}
		}
		slices.Sort(kiosks)
		title = fmt.Sprintf("Fleet report, %d kiosks", len(kiosks))
		if f.by != "fleet" && f.by != "kiosk" {
			title = fmt.Sprintf("Fleet report, %d %s groups", len(kiosks), f.by)
		}
	} else {
		rows, err = readUsageDB(e, f.state, from, to)
		if err != nil {
			return fail("%v", err)
		}
	}
	// The groups a --by report is split into (one group, "", otherwise).
	groups := []string{""}
	if f.prometheus != "" && f.by != "fleet" {
		groups = append(groups, kiosks...)
	}
	rowsOf := func(g string) []usagedb.Row {
		if g == "" {
			return rows
		}
		var rs []usagedb.Row
		for _, r := range rows {
			if r.Kiosk == g {
				rs = append(rs, r)
			}
		}
		return rs
	}
	groupName := func(g string) string {
		if g == "" {
			return "fleet"
		}
		return g
	}
	if f.state != "" {
		groupName = func(string) string { return kioskID }
	}

	if f.csv {
		var buf bytes.Buffer
		if err := usagedb.WriteCSV(&buf, kioskID, rows); err != nil {
			return fail("csv: %v", err)
		}
		if f.out == "" {
			e.stdout.Write(buf.Bytes())
		} else if err := atomicfile.Write(f.out, buf.Bytes(), 0o644); err != nil {
			return fail("%v: choose another --out", err)
		}
	}
	if f.table {
		var buf bytes.Buffer
		for i, g := range groups {
			rep := usagedb.Suppress(usagereport.Build(rowsOf(g), from, to, loc), f.minCount)
			if err := usagedb.WriteTable(&buf, i == 0, groupName(g), rep); err != nil {
				return fail("table: %v", err)
			}
		}
		if f.out == "" {
			e.stdout.Write(buf.Bytes())
		} else if err := atomicfile.Write(f.out, buf.Bytes(), 0o644); err != nil {
			return fail("%v: choose another --out", err)
		}
	}
	if f.html != "" {
		for _, g := range groups {
			rep := usagedb.Suppress(usagereport.Build(rowsOf(g), from, to, loc), f.minCount)
			cat := reportCatalog(e, f, rep)
			name, t, ks := f.html, title, kiosks
			if g != "" {
				name = strings.TrimSuffix(f.html, ".html") + "-" + g + ".html"
				t, ks = fmt.Sprintf("%s %s", f.by, g), nil
			}
			var buf bytes.Buffer
			if err := usagereport.HTML(&buf, usagereport.Data{Title: t, Kiosks: ks, Report: rep, Guides: cat, Generated: now()}); err != nil {
				return fail("%v", err)
			}
			if err := atomicfile.Write(name, buf.Bytes(), 0o644); err != nil {
				return fail("%v: choose another file for --html", err)
			}
			fmt.Fprintf(e.stderr, "sapar report: wrote %s (%s sessions, %s … %s)\n", name, usagereport.Count(rep.Sessions, rep.MinCount),
				from.In(loc).Format(time.DateOnly), to.Add(-time.Second).In(loc).Format(time.DateOnly))
		}
	}
	return exitOK
}

// reportPeriod turns --from/--to days (inclusive, in loc) into [from, to).
// Default: the 30 days up to the end of the current hour.
func reportPeriod(fromS, toS string, now time.Time, loc *time.Location) (time.Time, time.Time, error) {
	to := now.Truncate(time.Hour).Add(time.Hour)
	if toS != "" {
		d, err := time.ParseInLocation(time.DateOnly, toS, loc)
		if err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("--to %q: give a day as YYYY-MM-DD", toS)
		}
		to = d.AddDate(0, 0, 1)
	}
	from := to.AddDate(0, 0, -30)
	if fromS != "" {
		d, err := time.ParseInLocation(time.DateOnly, fromS, loc)
		if err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("--from %q: give a day as YYYY-MM-DD", fromS)
		}
		from = d
	}
	if !from.Before(to) {
		return time.Time{}, time.Time{}, fmt.Errorf("--from %s is not before --to %s", from.In(loc).Format(time.DateOnly), to.AddDate(0, 0, -1).In(loc).Format(time.DateOnly))
	}
	return from, to, nil
}

func readUsageCSV(name string) ([]usagedb.Row, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%v: give the CSV files exported with sapar report --csv", err)
	}
	defer fh.Close()
	rows, err := usagedb.ReadCSV(fh)
	if err != nil {
		return nil, fmt.Errorf("%s: %v: is it a CSV from sapar report --csv (or the maintenance screen)? export it again", name, err)
	}
	if len(rows) == 0 {
		head := make([]byte, 64)
		n, _ := fh.ReadAt(head, 0)
		if !strings.HasPrefix(string(head[:n]), strings.Join(usagedb.CSVHeader, ",")) {
			return nil, fmt.Errorf("%s: not a usage CSV (no %q header): export it again with sapar report --csv", name, strings.Join(usagedb.CSVHeader, ","))
		}
	}
	return rows, nil
}

func readUsageDB(e env, state string, from, to time.Time) ([]usagedb.Row, error) {
	path := filepath.Join(state, provisioning.UsageDBFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(state); err != nil {
			return nil, fmt.Errorf("state directory %s: %v: give the kiosk's state directory (e.g. /var/lib/sapar)", state, err)
		}
		return nil, fmt.Errorf("no usage statistics in %s (%s is missing): the kiosk creates it when it runs; check --state", state, provisioning.UsageDBFile)
	} else if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	u, err := usagedb.Open(e.ctx, path, usagedb.DefaultOptions())
	if err != nil {
		return nil, fmt.Errorf("%s cannot be read (%v): copy the state again, or move the file aside to start counting afresh", path, err)
	}
	defer u.Close()
	rows, err := u.Rows(e.ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("%s cannot be read (%v): copy the state again, or move the file aside to start counting afresh", path, err)
	}
	return rows, nil
}

// reportCatalog finds guide titles and stages: --content, else the kiosk's
// active release, else the embedded sample. Without any, ids are shown.
func reportCatalog(e env, f reportFlags, rep usagedb.Report) usagereport.Catalog {
	index := f.contentIndex
	if index == "" && f.state != "" {
		p := filepath.Join(f.state, "content", "current", "index.db")
		if _, err := os.Stat(p); err == nil {
			index = p
		}
	}
	if index != "" {
		cat, err := catalogFromIndex(e, index, rep, f.lang)
		if err == nil {
			return cat
		}
		fmt.Fprintf(e.stderr, "sapar report: guide titles: %v; using the embedded sample content\n", err)
	}
	set, err := content.Load(sample.FS())
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar report: guide titles: %v; showing guide ids\n", err)
		return nil
	}
	return usagereport.CatalogFromSet(set, f.lang)
}

func catalogFromIndex(e env, index string, rep usagedb.Report, lang string) (usagereport.Catalog, error) {
	if _, err := os.Stat(index); err != nil {
		return nil, err
	}
	st, err := content.OpenStore(index)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	topics := make([]string, 0, len(rep.Guides))
	for _, g := range rep.Guides {
		topics = append(topics, g.Topic)
	}
	return usagereport.CatalogFromStore(e.ctx, st, topics, lang)
}
