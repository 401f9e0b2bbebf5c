package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
)

// sapar print --port: the slip goes through the serial driver (with
// reconnect) into a virtual printer behind a stable link; a roll near its
// end is reported; an empty roll fails with what to do.
func TestPrintOnAPort(t *testing.T) {
	p, _ := escpos.ProfileByName("TM-T20III")
	slips := make(chan *emulator.Slip, 2)
	link := filepath.Join(t.TempDir(), "sapar-printer")
	v, err := emulator.NewVirtual(emulator.VirtualOpts{Profile: p, PaperNearEnd: true, Link: link,
		OnSlip: func(_ int, s *emulator.Slip, _, _ string) { slips <- s }})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	run := func() (int, string, string) {
		var out, errb bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		code := runPrint(env{ctx: ctx, stdout: &out, stderr: &errb,
			args: []string{"--topic", "check-agency-licence", "--lang", "ky", "--port", link, "--baud", "115200"}})
		return code, out.String(), errb.String()
	}
	code, out, errs := run()
	if code != exitOK || !strings.Contains(out, "printed") || !strings.Contains(errs, "near its end") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	select {
	case s := <-slips:
		if !s.Cut || len(s.QRData) != 1 {
			t.Errorf("slip: cut %v, QR %v", s.Cut, s.QRData)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no slip")
	}
	v.SetPaperOut(true)
	if code, _, errs := run(); code != exitFailure || !strings.Contains(errs, "out of paper") {
		t.Errorf("paper out: exit %d, stderr %q", code, errs)
	}
}

// sapar print names the site's help desk on every slip, as the kiosk does:
// the provisioned kiosk's (--state), else the demo's placeholder, which says
// it is not a real number; --origin makes the contacts and QR those of the
// reader's country.
func TestPrintNamesTheHelpDesk(t *testing.T) {
	ctx := context.Background()
	state := filepath.Join(t.TempDir(), "state")
	run := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := commands()[args[0]].run(env{ctx: ctx, stdout: &out, stderr: &errb, args: args[1:], getenv: func(string) string { return "" }})
		return code, out.String() + errb.String()
	}
	if code, out := run("provision", "--state", state, "--file", "../../../provisioning/example.yaml", "--unsigned"); code != 0 {
		t.Fatalf("provision: %d %s", code, out)
	}
	p, _ := escpos.ProfileByName("TM-T20III")
	slip := func(args ...string) *emulator.Slip {
		t.Helper()
		bin := filepath.Join(t.TempDir(), "slip.bin")
		if code, out := run(append([]string{"print", "--topic", "unpaid-wages-help", "--out", bin}, args...)...); code != exitOK {
			t.Fatalf("sapar print %v: %d %s", args, code, out)
		}
		b, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		s, err := emulator.Decode(b, p)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	flat := func(s *emulator.Slip) string { return strings.Join(strings.Fields(s.Text), " ") }

	kiosk := flat(slip("--lang", "en", "--state", state))
	for _, want := range []string{"Help at this kiosk", "MRC desk, arrivals hall (EXAMPLE)", "+000 000 000 000", "Arrivals hall, next to the kiosk", "Osh airport, arrivals hall"} {
		if !strings.Contains(kiosk, want) {
			t.Errorf("slip of the provisioned kiosk lacks %q:\n%s", want, kiosk)
		}
	}
	demo := flat(slip("--lang", "ru"))
	for _, want := range []string{"Sapar demo", "не настоящий номер"} {
		if !strings.Contains(demo, want) {
			t.Errorf("demo slip lacks %q:\n%s", want, demo)
		}
	}
	uz := slip("--lang", "ru", "--origin", "UZ")
	kg := slip("--lang", "ru", "--origin", "KG")
	if !strings.Contains(flat(uz), "Колл-центр для трудовых мигрантов") || strings.Contains(flat(uz), "Представительство Министерства труда") {
		t.Errorf("slip for an Uzbek citizen should name the Uzbek call centre, not the Kyrgyz office in Moscow:\n%s", flat(uz))
	}
	if !strings.Contains(flat(kg), "Представительство Министерства труда") {
		t.Errorf("slip for a Kyrgyz citizen lacks the Moscow office:\n%s", flat(kg))
	}
	if len(uz.QRData) == 1 && len(kg.QRData) == 1 && uz.QRData[0] == kg.QRData[0] {
		t.Errorf("the QR is the same for both origins: %s", uz.QRData[0])
	}
	if code, out := run("print", "--topic", "unpaid-wages-help", "--lang", "ru", "--state", t.TempDir(), "--out", filepath.Join(t.TempDir(), "x")); code != exitFailure || !strings.Contains(out, "not a provisioned kiosk") {
		t.Errorf("an empty state dir: exit %d, %s", code, out)
	}
}
