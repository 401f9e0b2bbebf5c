package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"sapar/content/atomicfile"
	"sapar/drivers/calibrate"
	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
	"sapar/drivers/printer"
	"sapar/drivers/receipt"
	"sapar/drivers/serialport"
)

const printerUsage = `Usage: sapar printer calibrate [flags]

Calibrate the kiosk's own printer: which code table sits at which ESC t
number, whether it takes user-defined characters (ESC &), native QR, UTF-8
mode, its paper width and cutter.

 1. Print the calibration slip (on the printer, or as a PNG to look at):
      sapar printer calibrate --port /dev/sapar-printer --baud 38400 [--profile TM-T20III]
 2. Look at the slip. Note the numbers of the lines that are right: letters
    exactly as in the REF line above them, rulers that fit on one row, QR
    codes that printed, "cut" if the paper was cut.
 3. Give the numbers (same --profile, --langs and --try as in step 1):
      sapar printer calibrate --profile TM-T20III --answer 1,6,13,57,60-62 --state /var/lib/sapar [--port DEV]
    This writes STATE/` + escpos.ProfileFile + `, which the kiosk uses instead of
    the built-in profile; with --port it also asks the printer's model and
    prints a test slip with the new profile: every letter must be right.

Flags:`

// runPrinter is "sapar printer SUBCOMMAND".
func runPrinter(e env) int {
	if code, done := helpOrNoSubcommand(e, "Usage: sapar printer calibrate [flags]   (sapar printer calibrate -h for its flags)"+"\n"); done {
		return code
	}
	if e.args[0] != "calibrate" {
		fmt.Fprintf(e.stderr, "sapar printer: unknown subcommand %q (known: calibrate)\n", e.args[0])
		return exitUsage
	}
	return printerCalibrate(env{ctx: e.ctx, stdout: e.stdout, stderr: e.stderr, args: e.args[1:]})
}

type calibrateFlags struct {
	port, profile, answer, state, png, out, langs, try string
	baud                                               int
	timeout                                            time.Duration
}

func printerCalibrate(e env) int {
	var f calibrateFlags
	fset := flag.NewFlagSet("sapar printer calibrate", flag.ContinueOnError)
	fset.SetOutput(e.stderr)
	fset.StringVar(&f.port, "port", "", "serial device of the printer, e.g. /dev/sapar-printer or /dev/ttyUSB0")
	fset.IntVar(&f.baud, "baud", 38400, "baud rate of --port")
	fset.StringVar(&f.profile, "profile", "TM-T20III", "the model the printer is believed to be: "+strings.Join(escpos.ProfileNames(), ", "))
	fset.StringVar(&f.answer, "answer", "", "numbers of the slip's lines that printed right, e.g. 1,6,13,57,60-62")
	fset.StringVar(&f.state, "state", "", "state directory of the kiosk: --answer writes "+escpos.ProfileFile+" there")
	fset.StringVar(&f.png, "png", "", "render to this PNG through the emulator (as the --profile model) instead of a port")
	fset.StringVar(&f.out, "out", "", "also write the ESC/POS bytes to this file")
	fset.StringVar(&f.langs, "langs", strings.Join(calibrate.DefaultLangs, ","), "offered languages whose letters are checked")
	fset.StringVar(&f.try, "try", "", "more tables to try, ENCODING:NUMBER,…, e.g. RK1048:47 (from the printer's manual)")
	fset.DurationVar(&f.timeout, "timeout", time.Second, "how long to wait for the printer's answer to GS I (model, firmware)")
	fset.Usage = func() {
		fmt.Fprintln(e.stderr, printerUsage)
		fset.PrintDefaults()
	}
	if err := fset.Parse(e.args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	usage := func(msg string) int {
		fmt.Fprintf(e.stderr, "sapar printer calibrate: %s\n(sapar printer calibrate -h for help)\n", msg)
		return exitUsage
	}
	switch {
	case fset.NArg() > 0:
		return usage(fmt.Sprintf("unexpected argument %q", fset.Arg(0)))
	case f.port != "" && f.png != "":
		return usage("give --port or --png, not both")
	case f.answer == "" && f.port == "" && f.png == "":
		return usage("to print the calibration slip give --port DEV (or --png F.png); with the numbers that printed right give --answer N,N,… --state DIR")
	case f.answer != "" && f.state == "":
		return usage("--answer needs --state DIR: the calibrated profile is written there")
	case f.baud <= 0:
		return usage(fmt.Sprintf("--baud %d: must be positive", f.baud))
	}
	base, err := escpos.ProfileByName(f.profile)
	if err != nil {
		return usage(err.Error())
	}
	try, err := parseTry(f.try)
	if err != nil {
		return usage(err.Error())
	}
	langs := splitList(f.langs)
	for _, l := range langs {
		if _, ok := calibrate.Samples[l]; !ok {
			return usage(fmt.Sprintf("--langs: unknown language %q (known: %s)", l, strings.Join(calibrate.DefaultLangs, ", ")))
		}
	}
	var answers []int
	if f.answer != "" {
		if answers, err = calibrate.ParseAnswers(f.answer); err != nil {
			return usage(err.Error())
		}
	}

	var port io.ReadWriteCloser
	var id escpos.Identity
	if f.port != "" {
		port, err = serialport.Open(f.port, f.baud)
		if err != nil {
			fmt.Fprintf(e.stderr, "sapar printer calibrate: %v\nCheck that the printer is on and its cable in, and the device name (ls -l /dev/sapar-printer /dev/ttyUSB*).\n", err)
			return exitFailure
		}
		defer port.Close()
		id, err = printer.Identify(e.ctx, port, f.timeout)
		if err != nil {
			fmt.Fprintf(e.stderr, "sapar printer calibrate: %v\n%s\n", err, printer.UserMessage(err))
			return exitFailure
		}
		if s := id.String(); s != "" {
			fmt.Fprintf(e.stdout, "The printer says it is: %s\n", s)
		} else {
			fmt.Fprintln(e.stdout, "The printer did not answer GS I (model, firmware): many clones do not.")
		}
	}
	pl, err := calibrate.NewPlan(base, calibrate.Opts{Langs: langs, Try: try, Identity: id})
	if err != nil {
		return usage(err.Error())
	}
	if f.answer == "" {
		return printSlip(e, f, pl, port)
	}
	return decide(e, f, pl, answers, port)
}

// printSlip prints (or renders) the calibration slip and says what to type next.
func printSlip(e env, f calibrateFlags, pl calibrate.Plan, port io.ReadWriter) int {
	job, err := pl.Job()
	if err != nil {
		fmt.Fprintln(e.stderr, "sapar printer calibrate:", err)
		return exitFailure
	}
	if code := output(e, f, job, pl.Base, port); code != exitOK {
		return code
	}
	fmt.Fprintf(e.stdout, "\nThe calibration slip has %d numbered lines:\n", len(pl.Lines))
	for _, l := range pl.Lines {
		fmt.Fprintf(e.stdout, "  %-50s %s\n", l.Want, l.Label())
	}
	fmt.Fprintln(e.stdout, "\nA table line is right when every letter is the one above it in the REF line")
	fmt.Fprintln(e.stdout, "(blanks are fine); a ruler when it fits on one row; a QR line when a code")
	fmt.Fprintln(e.stdout, "printed under it; the cut line when the paper was cut. Then run:")
	next := []string{"sapar printer calibrate", "--profile", pl.Base.Name}
	if f.langs != strings.Join(calibrate.DefaultLangs, ",") {
		next = append(next, "--langs", f.langs)
	}
	if f.try != "" {
		next = append(next, "--try", f.try)
	}
	next = append(next, "--answer", "N,N,…")
	if f.state != "" {
		next = append(next, "--state", f.state)
	} else {
		next = append(next, "--state", "DIR")
	}
	if f.port != "" {
		next = append(next, "--port", f.port, "--baud", strconv.Itoa(f.baud))
	}
	fmt.Fprintf(e.stdout, "\n  %s\n", strings.Join(next, " "))
	return exitOK
}

// decide turns the answers into the kiosk's profile, saves it and, on a
// port, prints the test slip with it.
func decide(e env, f calibrateFlags, pl calibrate.Plan, answers []int, port io.ReadWriter) int {
	cal, err := pl.Decide(answers, time.Now())
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar printer calibrate: %v\n", err)
		return exitFailure
	}
	if err := os.MkdirAll(f.state, 0o755); err != nil {
		fmt.Fprintf(e.stderr, "sapar printer calibrate: %v\n", err)
		return exitFailure
	}
	if err := escpos.SaveProfile(f.state, cal, atomicfile.Write); err != nil {
		fmt.Fprintf(e.stderr, "sapar printer calibrate: %v\nCheck that --state is the kiosk's state directory and writable.\n", err)
		return exitFailure
	}
	p := cal.Profile
	var tables []string
	for _, t := range p.CodeTables {
		tables = append(tables, fmt.Sprintf("%d=%s", t.Number, t.Enc.Name))
	}
	yes := map[bool]string{true: "yes", false: "no"}
	fmt.Fprintf(e.stdout, "Wrote %s/%s: profile %s\n", f.state, escpos.ProfileFile, p.Name)
	fmt.Fprintf(e.stdout, "  code tables     %s\n", strings.Join(tables, " "))
	fmt.Fprintf(e.stdout, "  ESC & letters   %s\n  native QR       %s\n  raster images   %s\n  UTF-8 mode      %s\n  cutter          %s\n  width           %d columns, %d dots\n",
		yes[p.UserChars], yes[p.NativeQR], yes[p.Raster], yes[p.UTF8], yes[p.Cutter], p.Columns, p.Dots)
	if !p.UserChars && !p.Raster {
		fmt.Fprintln(e.stdout, "  This printer takes neither ESC & nor images: letters no table holds print as look-alikes (ҳ as х).")
	}
	if f.port == "" && f.png == "" {
		fmt.Fprintln(e.stdout, "Print the test slip to check every letter: add --port DEV (or --png F.png).")
		return exitOK
	}
	doc := calibrate.TestSlip(calibrate.TestSlipOpts{Langs: pl.Langs, Profile: p, Footer: []string{p.Name, time.Now().Format("2006-01-02 15:04")}})
	job, err := receipt.Render(doc, p)
	if err != nil {
		fmt.Fprintln(e.stderr, "sapar printer calibrate: test slip:", err)
		return exitFailure
	}
	if code := output(e, f, job, p, port); code != exitOK {
		return code
	}
	fmt.Fprintln(e.stdout, "That is the test slip with the new profile: every letter of every line must be right.")
	fmt.Fprintln(e.stdout, "If one is not, calibrate again and look closer at that language's lines.")
	return exitOK
}

// output sends job to the port, or renders it as the PNG (and the bytes to --out).
func output(e env, f calibrateFlags, job []byte, p escpos.Profile, port io.ReadWriter) int {
	if f.out != "" {
		if err := os.WriteFile(f.out, job, 0o644); err != nil {
			fmt.Fprintln(e.stderr, "sapar printer calibrate:", err)
			return exitFailure
		}
	}
	if f.png != "" {
		s, err := emulator.Decode(job, p)
		var buf bytes.Buffer
		if err == nil {
			err = s.WritePNG(&buf)
		}
		if err == nil {
			err = os.WriteFile(f.png, buf.Bytes(), 0o644)
		}
		if err != nil {
			fmt.Fprintln(e.stderr, "sapar printer calibrate: png:", err)
			return exitFailure
		}
		fmt.Fprintf(e.stdout, "Wrote %s (%d bytes of ESC/POS as %s would print them)\n", f.png, len(job), p.Name)
	}
	if port != nil {
		// An unknown printer may not know GS ( H: pace by the line speed
		// instead of waiting for its confirmations.
		o := printer.DefaultOpts()
		o.ProcessID, o.PaceBaud = false, f.baud
		if err := printer.Send(e.ctx, port, job, o); err != nil {
			fmt.Fprintf(e.stderr, "sapar printer calibrate: %v\n%s\n", err, printer.UserMessage(err))
			return exitFailure
		}
		fmt.Fprintf(e.stdout, "Printed %d bytes on %s\n", len(job), f.port)
	}
	return exitOK
}

// parseTry reads ENCODING:NUMBER,… (RK1048:47, KZ-1048:47, CP1251:46).
func parseTry(s string) ([]escpos.CodeTable, error) {
	var out []escpos.CodeTable
	for _, item := range splitList(s) {
		name, num, ok := strings.Cut(item, ":")
		n, err := strconv.Atoi(num)
		enc, known := escpos.EncodingByName(strings.ToUpper(name))
		if !ok || err != nil || n < 0 || n > 255 {
			return nil, fmt.Errorf("--try %q: want ENCODING:NUMBER, e.g. RK1048:47", item)
		}
		if !known {
			var names []string
			for _, e := range escpos.Encodings() {
				names = append(names, e.Name)
			}
			return nil, fmt.Errorf("--try %q: unknown encoding (known: %s)", item, strings.Join(names, ", "))
		}
		out = append(out, escpos.CodeTable{Number: byte(n), Enc: enc})
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, f)
	}
	return out
}
