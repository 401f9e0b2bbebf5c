package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"sapar/drivers/calibrate"
	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
)

func runPrinterCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := dispatch(ctx, append([]string{"printer"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestPrinterCalibrateUsage(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		code int
		say  string
	}{
		{"no subcommand", nil, exitUsage, "calibrate"},
		{"unknown subcommand", []string{"tune"}, exitUsage, `unknown subcommand "tune"`},
		{"help", []string{"calibrate", "-h"}, exitOK, "REF line"},
		{"nothing to do", []string{"calibrate"}, exitUsage, "--port DEV"},
		{"answer without state", []string{"calibrate", "--answer", "1"}, exitUsage, "--state"},
		{"port and png", []string{"calibrate", "--port", "/dev/null", "--png", "x.png"}, exitUsage, "not both"},
		{"unknown model", []string{"calibrate", "--png", "x.png", "--profile", "TM-X"}, exitUsage, "unknown printer profile"},
		{"bad --try", []string{"calibrate", "--png", "x.png", "--try", "RK1048"}, exitUsage, "ENCODING:NUMBER"},
		{"unknown encoding", []string{"calibrate", "--png", "x.png", "--try", "CP9:4"}, exitUsage, "unknown encoding"},
		{"unknown language", []string{"calibrate", "--png", "x.png", "--langs", "ky,xx"}, exitUsage, `"xx"`},
		{"answer not a number", []string{"calibrate", "--answer", "1,x", "--state", t.TempDir()}, exitUsage, `"x"`},
		{"answer beyond the slip", []string{"calibrate", "--answer", "999", "--state", t.TempDir()}, exitFailure, "no line 999"},
		{"no ruler answered", []string{"calibrate", "--answer", "1", "--state", t.TempDir()}, exitFailure, "ruler"},
		{"port that is not there", []string{"calibrate", "--port", filepath.Join(t.TempDir(), "tty")}, exitFailure, "cable"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runPrinterCmd(t, tt.args...)
			if code != tt.code || !strings.Contains(out+errs, tt.say) {
				t.Errorf("exit %d (want %d)\nstdout %s\nstderr %s\nwant %q", code, tt.code, out, errs, tt.say)
			}
		})
	}
}

func TestPrinterCalibratePNG(t *testing.T) {
	dir := t.TempDir()
	png := filepath.Join(dir, "cal.png")
	code, out, errs := runPrinterCmd(t, "calibrate", "--png", png, "--profile", "POS-5890", "--langs", "ky,ru,kaa")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if b, err := os.ReadFile(png); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Fatalf("no PNG: %v", err)
	}
	for _, want := range []string{"ESC t 73 as CP1251", "ruler of 32 columns", "--profile POS-5890 --langs ky,ru,kaa --answer"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
}

// technicianReads returns the numbers of the lines of pl that came out right on s.
func technicianReads(pl calibrate.Plan, s *emulator.Slip) []string {
	rows := s.Rows()
	var right []string
	for _, l := range pl.Lines {
		for i, r := range rows {
			if r.Image != nil || r.Text != l.Want {
				continue
			}
			qr := l.Kind == calibrate.NativeQR || l.Kind == calibrate.RasterQR
			if (qr && (i+1 >= len(rows) || rows[i+1].Image == nil)) || (l.Kind == calibrate.Cutter && !s.Cut) {
				break
			}
			right = append(right, strconv.Itoa(l.N))
			break
		}
	}
	return right
}

// The technician's whole path on a printer that is not what its model name
// says (KZ-1048 at 47, no native QR, 58 mm): print the slip on the port,
// read it, answer, and the kiosk's state holds a profile with which the test
// slip prints every letter.
func TestPrinterCalibrateOnAPort(t *testing.T) {
	real, _ := escpos.ProfileByName("POS-5890")
	real.Name = "clone-58"
	real.CodeTables = []escpos.CodeTable{{Number: 0, Enc: escpos.EncCP437}, {Number: 47, Enc: escpos.EncRK1048}, {Number: 17, Enc: escpos.EncCP866}}
	real.UserChars = true
	slips := make(chan *emulator.Slip, 4)
	link := filepath.Join(t.TempDir(), "sapar-printer")
	id := escpos.Identity{Maker: "Noname", Model: "POS58-K", Firmware: "V2.1"}
	v, err := emulator.NewVirtual(emulator.VirtualOpts{Profile: real, Link: link, Identity: id,
		OnSlip: func(_ int, s *emulator.Slip, _, _ string) { slips <- s }})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	next := func() *emulator.Slip {
		select {
		case s := <-slips:
			return s
		case <-time.After(20 * time.Second):
			t.Fatal("no slip printed")
		}
		return nil
	}
	state := t.TempDir()
	common := []string{"--profile", "TM-T20III", "--langs", "ky,uz-Latn,uz-Cyrl,kaa,ru,en", "--try", "RK1048:47", "--port", link, "--baud", "115200"}

	code, out, errs := runPrinterCmd(t, append([]string{"calibrate"}, common...)...)
	if code != exitOK || !strings.Contains(out, "Noname POS58-K, firmware V2.1") || !strings.Contains(out, "--try RK1048:47 --answer") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	slip := next()
	base, _ := escpos.ProfileByName("TM-T20III")
	pl, err := calibrate.NewPlan(base, calibrate.Opts{Langs: strings.Split("ky,uz-Latn,uz-Cyrl,kaa,ru,en", ","), Try: []escpos.CodeTable{{Number: 47, Enc: escpos.EncRK1048}}})
	if err != nil {
		t.Fatal(err)
	}
	answers := strings.Join(technicianReads(pl, slip), ",")

	code, out, errs = runPrinterCmd(t, append([]string{"calibrate", "--answer", answers, "--state", state}, common...)...)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	t.Logf("answers %s\n%s", answers, out)
	p, calibrated, err := escpos.ResolveProfile(state, "TM-T20III")
	if err != nil || !calibrated {
		t.Fatalf("profile not used: %v", err)
	}
	if tb, ok := p.Table(47); !ok || tb.Enc != escpos.EncRK1048 || p.NativeQR || p.Cutter || !p.UserChars || p.Columns != 32 {
		t.Errorf("profile %+v", p)
	}
	c, err := escpos.LoadProfile(filepath.Join(state, escpos.ProfileFile))
	if err != nil || c.Identity != id {
		t.Errorf("identity %+v %v", c.Identity, err)
	}
	v.Close() // no cutter: the job ends when the printer stops
	test := next()
	text := strings.Join(strings.Fields(test.Text), " ")
	for _, lang := range []string{"ky", "uz-Latn", "uz-Cyrl", "kaa", "ru", "en"} {
		if want := strings.Join(strings.Fields(lang+": "+calibrate.Samples[lang]), " "); !strings.Contains(text, want) {
			t.Errorf("test slip lacks %q:\n%s", want, test.Text)
		}
	}
	if len(test.Warnings) > 0 {
		t.Errorf("the test slip sent what the printer does not take: %v", test.Warnings)
	}
}
