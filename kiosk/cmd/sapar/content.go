package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"sapar/content"
	"sapar/content/bundle"
	"sapar/kiosk"
)

const contentUsage = `Usage:
  sapar content check DIR [--stale-months N]
      validate sources: schema, ids, translations (language × guide table), links,
      slip length, scripts, review dates; errors as file:line: message, exit 1
  sapar content build DIR --out BUNDLE [--version V]
      check, then write a bundle (index.json + objects/<sha256>) ready to publish
  sapar content preview DIR [--addr 127.0.0.1:8080]
      serve the kiosk UI on the sources; reloads within a second of a save

DIR is a content source folder (guides/, contacts.yaml, agencies.csv), e.g. content/sample.
`

func runContent(e env) int {
	if code, done := helpOrNoSubcommand(e, contentUsage); done {
		return code
	}
	switch e.args[0] {
	case "check":
		return contentCheck(e, e.args[1:])
	case "build":
		return contentBuild(e, e.args[1:])
	case "preview":
		return contentPreview(e, e.args[1:])
	}
	fmt.Fprintf(e.stderr, "sapar content: unknown subcommand %q\n\n%s", e.args[0], contentUsage)
	return exitUsage
}

// parseWithDir parses flags given before or after the one DIR argument.
func parseWithDir(fset *flag.FlagSet, args []string) (string, error) {
	var pos []string
	for {
		if err := fset.Parse(args); err != nil {
			return "", err
		}
		if fset.NArg() == 0 {
			break
		}
		pos = append(pos, fset.Arg(0))
		args = fset.Args()[1:]
	}
	if len(pos) != 1 {
		return "", fmt.Errorf("give exactly one content directory (got %d)", len(pos))
	}
	st, err := os.Stat(pos[0])
	if err != nil || !st.IsDir() {
		return "", fmt.Errorf("%s is not a directory", pos[0])
	}
	return pos[0], nil
}

func newFlags(e env, name, usage string) *flag.FlagSet {
	fset := flag.NewFlagSet("sapar content "+name, flag.ContinueOnError)
	fset.SetOutput(e.stderr)
	fset.Usage = func() {
		fmt.Fprintln(e.stderr, usage+"\n\nFlags:")
		fset.PrintDefaults()
	}
	return fset
}

// report prints a check report: errors, warnings (prefixed), the matrix.
func report(w io.Writer, dir string, r *content.Report, matrix bool) {
	for _, p := range r.Errors {
		p.File = filepath.Join(dir, filepath.FromSlash(p.File))
		fmt.Fprintln(w, p.String())
	}
	for _, p := range r.Warnings {
		p.File = filepath.Join(dir, filepath.FromSlash(p.File))
		fmt.Fprintln(w, "warning: "+p.String())
	}
	if matrix {
		fmt.Fprintln(w)
		r.Matrix.Write(w)
		fmt.Fprintln(w, "✓ present (once the sources load: reviewed by a native speaker)   h written by a person, not reviewed   m machine-made, not reviewed")
		fmt.Fprintln(w, "✗ missing (required)   · missing (falls back)")
	}
	fmt.Fprintf(w, "\n%d guides, %d errors, %d warnings\n", len(r.Matrix.Guides), len(r.Errors), len(r.Warnings))
}

func contentCheck(e env, args []string) int {
	fset := newFlags(e, "check", "Usage: sapar content check DIR [--stale-months N]")
	stale := fset.Int("stale-months", 12, "warn when a language's reviewed date is older than this many months")
	quiet := fset.Bool("q", false, "do not print the language × guide table")
	dir, err := parseWithDir(fset, args)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(e.stderr, "sapar content check:", err)
		}
		return exitUsage
	}
	r := content.Check(os.DirFS(dir), content.CheckOptions{StaleMonths: *stale})
	report(e.stdout, dir, r, !*quiet)
	if !r.OK() {
		fmt.Fprintln(e.stderr, "sapar content check: fix the errors above (file:line: message) and run it again")
		return exitFailure
	}
	return exitOK
}

func contentBuild(e env, args []string) int {
	fset := newFlags(e, "build", "Usage: sapar content build DIR --out BUNDLE [--version V]")
	out := fset.String("out", "", "bundle directory to create (must not exist or be empty)")
	version := fset.String("version", "", "content version (default: content-<digest of the sources>)")
	stale := fset.Int("stale-months", 12, "warn when a reviewed date is older than this many months")
	dir, err := parseWithDir(fset, args)
	if err == nil && *out == "" {
		err = errors.New("--out BUNDLE is required")
	}
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(e.stderr, "sapar content build:", err)
		}
		return exitUsage
	}
	if ents, err := os.ReadDir(*out); err == nil && len(ents) > 0 {
		fmt.Fprintf(e.stderr, "sapar content build: %s is not empty: give a new directory\n", *out)
		return exitFailure
	}
	fsys := os.DirFS(dir)
	r := content.Check(fsys, content.CheckOptions{StaleMonths: *stale})
	if !r.OK() {
		report(e.stderr, dir, r, false)
		fmt.Fprintln(e.stderr, "sapar content build: the sources do not pass check; nothing was built")
		return exitFailure
	}
	for _, p := range r.Warnings {
		p.File = filepath.Join(dir, filepath.FromSlash(p.File))
		fmt.Fprintln(e.stderr, "warning: "+p.String())
	}
	files, err := content.Compile(r.Set)
	if err != nil {
		fmt.Fprintln(e.stderr, "sapar content build:", err)
		return exitFailure
	}
	if *version == "" {
		d, err := content.Digest(fsys)
		if err != nil {
			fmt.Fprintln(e.stderr, "sapar content build:", err)
			return exitFailure
		}
		*version = "content-" + d
	}
	created := time.Now()
	if sde, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64); err == nil {
		created = time.Unix(sde, 0) // reproducible builds: the same sources give the same bundle
	}
	idx, err := bundle.Write(*out, *version, created, files)
	if err != nil {
		fmt.Fprintln(e.stderr, "sapar content build:", err)
		return exitFailure
	}
	// Read it back the way a kiosk will, so a bundle that would be refused is never published.
	b, err := bundle.Open(*out)
	if err == nil {
		_, err = content.LoadBundle(b)
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "sapar content build: the written bundle does not load:", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "built %s: version %s, %d guides, %d contacts, %d agencies, %d files\n",
		*out, idx.Version, len(r.Set.Guides), len(r.Set.Contacts), len(r.Set.Agencies), len(idx.Files))
	return exitOK
}

func contentPreview(e env, args []string) int {
	fset := newFlags(e, "preview", "Usage: sapar content preview DIR [--addr 127.0.0.1:8080]")
	addr := fset.String("addr", "127.0.0.1:8080", "loopback address for the UI (port 0 picks a free one)")
	out := fset.String("out", "", "directory for printed slips (default: a temporary one)")
	dir, err := parseWithDir(fset, args)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(e.stderr, "sapar content preview:", err)
		}
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	fsys := os.DirFS(dir)
	if r := content.Check(fsys, content.CheckOptions{}); !r.OK() {
		report(e.stderr, dir, r, false)
		fmt.Fprintln(e.stderr, "sapar content preview: fix the errors above first")
		return exitFailure
	}
	d, err := kiosk.StartDemo(e.ctx, kiosk.DemoOptions{Addr: *addr, OutDir: *out, Content: fsys, Log: log})
	if err != nil {
		fmt.Fprintln(e.stderr, "sapar content preview:", err)
		return exitFailure
	}
	defer d.Close()
	w, err := watchTree(dir)
	if err != nil {
		fmt.Fprintln(e.stderr, "sapar content preview: watch:", err)
		return exitFailure
	}
	defer w.Close()
	fmt.Fprintf(e.stdout, "Previewing %s at %s — edit and save; the page reloads its content within a second. Ctrl-C stops.\n", dir, d.URL)
	previewLoop(e.ctx, w, dir, func() {
		r := content.Check(os.DirFS(dir), content.CheckOptions{})
		if !r.OK() {
			report(e.stdout, dir, r, false)
			fmt.Fprintln(e.stdout, "not reloaded: the preview keeps the last content that passed")
			return
		}
		v, err := d.Reload(e.ctx, os.DirFS(dir))
		if err != nil {
			fmt.Fprintln(e.stdout, "not reloaded:", err)
			return
		}
		fmt.Fprintf(e.stdout, "%s reloaded %s (%d warnings)\n", time.Now().Format("15:04:05"), v, len(r.Warnings))
	})
	return exitOK
}

// previewDebounce gathers the several events one save makes (editors write
// a temporary file and rename it) into one reload.
const previewDebounce = 150 * time.Millisecond

func previewLoop(ctx context.Context, w *fsnotify.Watcher, dir string, reload func()) {
	var timer <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
					addTree(w, ev.Name)
				}
			}
			if strings.HasPrefix(filepath.Base(ev.Name), ".") || strings.HasSuffix(ev.Name, "~") {
				continue // editor swap and backup files
			}
			timer = time.After(previewDebounce)
		case <-w.Errors:
		case <-timer:
			timer = nil
			reload()
		}
	}
}

func watchTree(dir string) (*fsnotify.Watcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	if err := addTree(w, dir); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

func addTree(w *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && p != dir {
				return filepath.SkipDir
			}
			return w.Add(p)
		}
		return nil
	})
}
