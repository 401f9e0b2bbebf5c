package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"sapar/content"
	"sapar/content/release"
	"sapar/content/sample"
	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
	"sapar/drivers/printer"
	"sapar/drivers/receipt"
	"sapar/drivers/serialport"
	"sapar/kiosk"
	"sapar/kiosk/web"
	"sapar/kiosk/web/ui"
	"sapar/provisioning"
)

// runPrint renders a guide slip to ESC/POS bytes and/or a PNG, or prints it
// on a serial port.
func runPrint(e env) int {
	fset := flag.NewFlagSet("sapar print", flag.ContinueOnError)
	fset.SetOutput(e.stderr)
	topic := fset.String("topic", "", "guide id, e.g. check-agency-licence")
	lang := fset.String("lang", "", "language tag, e.g. ky, uz-Cyrl, kaa, ur")
	src := fset.String("content", "", "content source directory (default: the embedded sample)")
	docFile := fset.String("doc", "", "print a receipt.Document from this JSON file instead of a guide")
	profile := fset.String("profile", "TM-T20III", "printer model: "+strings.Join(escpos.ProfileNames(), ", "))
	out := fset.String("out", "", "write the ESC/POS bytes to this file")
	pngOut := fset.String("png", "", "write what the printer would print as a PNG (203 dpi, one pixel per dot)")
	origin := fset.String("origin", "", "whose rules apply: "+strings.Join(content.Origins, ", ")+" (the slip's QR and contacts follow it; default: the guide as it is)")
	state := fset.String("state", "", "a provisioned kiosk's state directory (e.g. /var/lib/sapar): print its help desk, place, time zone and notices (default: the demo's sample help desk)")
	port := fset.String("port", "", "serial device of a real printer, e.g. /dev/ttyUSB0 or /dev/sapar-printer")
	baud := fset.Int("baud", 38400, "baud rate of --port")
	fset.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: sapar print (--topic ID --lang L [--content DIR] | --doc FILE.json) [--origin KG|UZ|TJ|other] [--state DIR] [--profile NAME] [--out F.bin] [--png F.png] [--port DEV --baud N]\n\nFlags:")
		fset.PrintDefaults()
	}
	if err := fset.Parse(e.args); err != nil {
		return exitUsage
	}
	if fset.NArg() > 0 || (*docFile == "") == (*topic == "") || (*topic != "" && *lang == "") || (*out == "" && *pngOut == "" && *port == "") {
		fset.Usage()
		return exitUsage
	}
	if *origin != "" && !slices.Contains(content.Origins, *origin) {
		fmt.Fprintf(e.stderr, "sapar print: --origin %q: use one of %s\n", *origin, strings.Join(content.Origins, ", "))
		return exitUsage
	}
	p, err := escpos.ProfileByName(*profile)
	if err != nil {
		fmt.Fprintln(e.stderr, "sapar print:", err)
		return exitUsage
	}
	var doc receipt.Document
	if *docFile != "" {
		b, err := os.ReadFile(*docFile)
		if err == nil {
			err = json.Unmarshal(b, &doc)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "sapar print: read document %s: %v\n", *docFile, err)
			return exitFailure
		}
	} else {
		site, err := printSite(*state)
		if err != nil {
			fmt.Fprintln(e.stderr, "sapar print:", err)
			return exitFailure
		}
		fsys := sample.FS()
		site.SampleContent = *src == ""
		if *src != "" {
			fsys = os.DirFS(*src)
		}
		doc, err = guideDocument(e.ctx, fsys, *topic, *lang, *origin, site)
		if err != nil {
			fmt.Fprintln(e.stderr, "sapar print:", err)
			return exitFailure
		}
	}
	job, err := receipt.Render(doc, p)
	if err != nil {
		fmt.Fprintln(e.stderr, "sapar print:", err)
		return exitFailure
	}
	if *out != "" {
		if err := os.WriteFile(*out, job, 0o644); err != nil {
			fmt.Fprintln(e.stderr, "sapar print:", err)
			return exitFailure
		}
	}
	if *pngOut != "" {
		s, err := emulator.Decode(job, p)
		var buf bytes.Buffer
		if err == nil {
			err = s.WritePNG(&buf)
		}
		if err == nil {
			err = os.WriteFile(*pngOut, buf.Bytes(), 0o644)
		}
		if err != nil {
			fmt.Fprintln(e.stderr, "sapar print: png:", err)
			return exitFailure
		}
	}
	if *port != "" {
		// printer.Printer: a printer being power-cycled or replugged is
		// reopened with backoff (use a stable name such as /dev/sapar-printer)
		// and the slip is sent whole on the new connection.
		o := printer.DefaultReconnectOpts()
		nearEnd := false
		o.Send.OnStatus = func(st printer.Status) { nearEnd = nearEnd || st.PaperNearEnd }
		pr := printer.NewPrinter(func() (io.ReadWriteCloser, error) { return serialport.Open(*port, *baud) }, o)
		defer pr.Close()
		start := time.Now()
		if err := pr.Print(e.ctx, job); err != nil {
			fmt.Fprintf(e.stderr, "sapar print: %v\n%s\n", err, printer.UserMessage(err))
			return exitFailure
		}
		if nearEnd {
			fmt.Fprintln(e.stderr, "sapar print: the paper roll is near its end — load a new roll soon")
		}
		fmt.Fprintf(e.stdout, "printed %d bytes on %s in %v\n", len(job), *port, time.Since(start).Round(time.Millisecond))
		return exitOK
	}
	fmt.Fprintf(e.stdout, "%d bytes for %s (%s)\n", len(job), p.Name, doc.Lang)
	return exitOK
}

// printSite is what the slip says about the site: the provisioned kiosk's
// (state directory), else the demo's, whose help desk says it is a sample.
func printSite(state string) (web.Options, error) {
	if state == "" {
		return web.Options{Place: "Sapar demo", HelpDesk: web.SampleHelpDesk}, nil
	}
	st, err := provisioning.ReadUnverified(state)
	if errors.Is(err, provisioning.ErrNotProvisioned) {
		return web.Options{}, fmt.Errorf("%s is not a provisioned kiosk's state directory (no %s): provision it first, or leave --state out to print the demo's slip", state, provisioning.ConfigFile)
	}
	if err != nil {
		return web.Options{}, err
	}
	if st.Config == nil {
		return web.Options{}, fmt.Errorf("%s: %s has no configuration: provision again", state, provisioning.ConfigFile)
	}
	return kiosk.SiteOptions(st.Config), nil
}

// guideDocument lays a guide out exactly as the kiosk does
// (web.PrintedSlip): the sources are indexed into a throwaway store so the
// fallback chain, origin, link labels, key contacts and notices come out the
// same way.
func guideDocument(ctx context.Context, fsys fs.FS, topic, lang, origin string, site web.Options) (receipt.Document, error) {
	dir, err := os.MkdirTemp("", "sapar-print-*")
	if err != nil {
		return receipt.Document{}, err
	}
	defer os.RemoveAll(dir)
	st, version, err := release.Build(fsys, filepath.Join(dir, "release"), "", time.Now())
	if err != nil {
		return receipt.Document{}, err
	}
	defer st.Close()
	g, err := st.Guide(ctx, topic, content.NormalizeTag(lang))
	if err != nil {
		return receipt.Document{}, err
	}
	if err := st.ForOrigin(ctx, g, origin); err != nil {
		return receipt.Document{}, err
	}
	strs, err := ui.Strings()
	if err != nil {
		return receipt.Document{}, err
	}
	site.Store = st
	return web.PrintedSlip(ctx, site, strs, g, version), nil
}
