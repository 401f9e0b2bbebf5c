package kiosk

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
	"sapar/kiosk/internal/kiosktest"
	"sapar/provisioning"
	"sapar/updates"
)

// unknownPrinter is a printer the kiosk's built-in profile does not know:
// what it really is, and what the calibration must find.
type unknownPrinter struct {
	name       string
	techLang   string // the provisioning file's technician.language
	real       escpos.Profile
	id         escpos.Identity
	wantTables map[byte]*escpos.Encoding
	notTables  []byte
	udc, qr    bool
	columns    int
	words      []string // what the screen says in the technician's language
}

func unknownPrinters(t *testing.T) []unknownPrinter {
	epson, _ := escpos.ProfileByName("TM-T20III")
	clone := epson
	clone.Name, clone.Vendor = "xp-80c", "Xprinter"
	clone.CodeTables = []escpos.CodeTable{{Number: 0, Enc: escpos.EncCP437}, {Number: 46, Enc: escpos.EncCP1251},
		{Number: 17, Enc: escpos.EncCP866}, {Number: 13, Enc: escpos.EncCP857}}
	narrow, _ := escpos.ProfileByName("POS-5890")
	narrow.Name = "pos58-clone"
	narrow.CodeTables = []escpos.CodeTable{{Number: 0, Enc: escpos.EncCP437}, {Number: 73, Enc: escpos.EncCP1251},
		{Number: 17, Enc: escpos.EncCP866}, {Number: 91, Enc: escpos.EncCP1254}}
	narrow.UserChars = true
	narrow.Cutter = true // the emulator ends a job at the cut: without one the test slip would never finish
	return []unknownPrinter{
		{name: "ru", techLang: "ru", real: clone, id: escpos.Identity{Maker: "Xprinter", Model: "XP-80C", Firmware: "V3.2"},
			wantTables: map[byte]*escpos.Encoding{46: escpos.EncCP1251, 17: escpos.EncCP866}, notTables: []byte{53},
			udc: true, qr: true, columns: 48,
			words: []string{"Калибровка принтера", "Напечатать калибровочный чек", "Принтер сообщает о себе: Xprinter XP-80C", "сохранён"}},
		{name: "ky", techLang: "ky", real: narrow,
			wantTables: map[byte]*escpos.Encoding{73: escpos.EncCP1251, 17: escpos.EncCP866}, notTables: []byte{53, 46, 91},
			udc: true, qr: false, columns: 32,
			words: []string{"Принтерди калибрлөө", "Калибрлөө чегин басуу", "GS I суроосуна", "сакталды"}},
	}
}

// A technician unlocks the maintenance screen in Russian (and, on a
// second kiosk, in Kyrgyz, the provisioning file's technician.language),
// asks the printer, prints the calibration slip on an emulated printer
// the built-in profile does not know, taps the numbers of the lines that
// printed right, and the kiosk saves the printer's profile, switches to it
// and prints the test slip with it.
func TestMaintenanceCalibrationJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	kiosktest.Chromium(t)
	tmp := t.TempDir()
	pub := &updates.Publisher{Repo: filepath.Join(tmp, "repo"), Keys: filepath.Join(tmp, "keys")}
	if err := pub.Init(updates.InitOptions{}); err != nil {
		t.Fatal(err)
	}
	rootJSON, err := os.ReadFile(filepath.Join(tmp, "repo", "metadata", "1.root.json"))
	if err != nil {
		t.Fatal(err)
	}
	seed := makeBundle(t, sampleFiles(t, nil))
	shots := os.Getenv("SAPAR_ARTIFACTS")
	if shots == "" {
		shots = t.TempDir()
	}
	for _, up := range unknownPrinters(t) {
		t.Run(up.name, func(t *testing.T) {
			journey(t, up, seed, rootJSON, filepath.Join(shots, "maintenance-"+up.name))
		})
	}
}

func journey(t *testing.T, up unknownPrinter, seed string, rootJSON []byte, shots string) {
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	slips := make(chan *emulator.Slip, 8)
	virt, err := emulator.NewVirtual(emulator.VirtualOpts{Profile: up.real, Identity: up.id,
		OnSlip: func(_ int, s *emulator.Slip, _, _ string) { slips <- s }})
	if err != nil {
		t.Fatal(err)
	}
	defer virt.Close()

	// A kiosk provisioned for a TM-T20III (what the technician was told)
	// with this printer on the pty.
	example, err := os.ReadFile("../provisioning/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	y := string(example)
	y = strings.Replace(y, "device: /dev/serial/by-id/usb-EPSON_TM-T20III-if00", "device: "+virt.DevicePath(), 1)
	y = strings.Replace(y, "baud: 38400", "baud: 115200", 1)
	y = strings.Replace(y, "    - https://updates.mrc.example.org/sapar/\n    - http://10.20.0.2/sapar/", "    - http://127.0.0.1:9/", 1)
	y = strings.Replace(y, "file: /usr/share/sapar/tuf-root.json", "inline: "+base64.StdEncoding.EncodeToString(rootJSON), 1)
	y = strings.Replace(y, `listen: "0.0.0.0:9464"`, `listen: "`+kiosktest.FreeAddr(t)+`"`, 1)
	y = strings.Replace(y, "  language: ru ", "  language: "+up.techLang+" ", 1)
	pubFile, privFile, _ := provisioning.GenerateSigningKey()
	pubKey, _ := provisioning.ParsePublicKey(pubFile)
	privKey, _ := provisioning.ParsePrivateKey(privFile)
	state := filepath.Join(t.TempDir(), "state")
	if _, err := provisioning.Provision(state, provisioning.Request{Name: "site.yaml", File: []byte(y),
		Sig: provisioning.Sign(privKey, []byte(y)), PublicKey: pubKey, Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// The firmware installer's and sapar maintenance's records, as they write them: a v3 rolled back, last night's check.
	os.MkdirAll(filepath.Join(state, updates.FirmwareDir), 0o755)
	for name, v := range map[string]any{
		filepath.Join(updates.FirmwareDir, updates.ResultFile): updates.FirmwareInstallResult{Time: time.Now().Add(-time.Hour), Version: "3.0.0", Previous: "2.0.0", Result: "rolled-back", Error: "page heartbeat 95 s old", Running: "2.0.0"},
		updates.MaintenanceStatusFile: updates.MaintenanceStatus{FirstRun: time.Now().Add(-48 * time.Hour), LastRun: time.Now().Add(-10 * time.Minute), Window: "02:00-04:00 Asia/Bishkek",
			LastUpgrade: time.Now().Add(-20 * time.Hour), Decision: updates.MaintenanceDecision{Action: updates.ActNothing, Why: "outside the maintenance window 02:00-04:00 Asia/Bishkek"}},
	} {
		raw, _ := json.Marshal(v)
		os.WriteFile(filepath.Join(state, name), raw, 0o644)
	}
	os.WriteFile(filepath.Join(state, updates.FirmwareDir, updates.BadVersionsFile), []byte("3.0.0\n"), 0o644)
	logs := &kiosktest.SyncBuffer{}
	k, err := Start(ctx, RunOptions{StateDir: state, Addr: "127.0.0.1:0", ProvisioningKey: pubKey, ContentSeed: seed,
		Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		k.Close()
		if t.Failed() {
			t.Logf("kiosk log:\n%s", logs.String())
		}
	}()
	select {
	case <-k.Ready():
	case <-ctx.Done():
		t.Fatal("kiosk not ready")
	}

	bctx := kiosktest.Browser(t, ctx)
	os.MkdirAll(shots, 0o755)
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(90))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
	}
	// No key of the catalog on the screen, and every visible button a
	// target of at least 44 × 44 px.
	audit := func(screen string) {
		t.Helper()
		if raw := eval(`(document.body.innerText.match(/\b(cal|pr|pin|ov|up|fw|mt|tab|pstate|page|setup|doc|doctor|ft|status|check|slip|cli)\.[a-z_.]+/g) || []).join(' ')`); raw != "" {
			t.Errorf("%s: untranslated keys on screen: %s", screen, raw)
		}
		if small := eval(`Array.from(document.querySelectorAll('button')).filter(b => b.offsetParent).map(b => [b, b.getBoundingClientRect()]).filter(([b, r]) => r.width < 44 || r.height < 44).map(([b, r]) => (b.id || b.textContent) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height)).join('; ')`); small != "" {
			t.Errorf("%s: touch targets under 44 px: %s", screen, small)
		}
	}

	// The PIN screen, in the provisioned technician language.
	do(chromedp.Navigate(k.URL+"maintenance"), chromedp.WaitVisible(`#keypad button[data-key="OK"]`))
	if got := eval(`document.documentElement.lang`); got != up.techLang {
		t.Errorf("page language %q, want the provisioning file's %q", got, up.techLang)
	}
	shot("1-pin")
	audit("PIN")
	for _, d := range examplePIN {
		do(chromedp.Click(fmt.Sprintf(`#keypad button[data-key="%c"]`, d)))
	}
	do(chromedp.Click(`#keypad button[data-key="OK"]`), chromedp.WaitVisible(`#maint`), chromedp.WaitVisible(`#overview dt`))

	// The updates card: the firmware rolled back and marked bad, and the night's security updates, in the technician's language.
	do(chromedp.Click(`#tabs button[data-tab="updates"]`), chromedp.WaitVisible(`#firmware dt`))
	fw := eval(`document.querySelector('#firmware').innerText`)
	for _, want := range []string{map[string]string{"ru": "сама откатилась на 2.0.0", "ky": "өзү 2.0.0 версиясына кайтты"}[up.techLang],
		map[string]string{"ru": "Окно обслуживания", "ky": "Тейлөө убактысы"}[up.techLang], "02:00-04:00 (Asia/Bishkek)", "3.0.0"} {
		if !strings.Contains(fw, want) {
			t.Errorf("the updates card lacks %q:\n%s", want, fw)
		}
	}
	shot("1b-updates")
	audit("updates")

	// The printer card: ask the printer; the profile is the built-in one.
	do(chromedp.Click(`#tabs button[data-tab="printer"]`), chromedp.WaitVisible(`#btn-pstatus`), chromedp.Click(`#btn-pstatus`))
	waitText := func(sel, what string, cond func(string) bool) string {
		t.Helper()
		var s string
		kiosktest.WaitFor(t, what, 60*time.Second, func() bool {
			s = eval(`(document.querySelector(` + jsString(sel) + `) || {}).textContent || ''`)
			return cond(s)
		})
		return s
	}
	ready := map[string]string{"ru": "готов", "ky": "даяр"}[up.techLang]
	waitText("#printer-msg", "the printer's answer", func(s string) bool { return strings.Contains(s, ready) })
	card := waitText("#printer", "the printer card", func(s string) bool { return strings.Contains(s, "TM-T20III") })
	if !strings.Contains(card, map[string]string{"ru": "встроенный профиль", "ky": "камтылган профиль"}[up.techLang]) {
		t.Errorf("printer card before calibration: %s", card)
	}
	shot("2-printer")
	audit("printer")

	// The calibration slip.
	do(chromedp.Click(`#btn-cal-print`), chromedp.WaitVisible(`#cal-lines button.calline`))
	var calSlip *emulator.Slip
	select {
	case calSlip = <-slips:
	case <-ctx.Done():
		t.Fatal("no calibration slip at the printer")
	}
	body := eval(`document.querySelector('#tab-printer').innerText`)
	for _, w := range up.words[:3] {
		if !strings.Contains(body, w) {
			t.Errorf("calibration screen lacks %q:\n%s", w, body)
		}
	}
	// The technician reads the paper: a line is right when it printed
	// exactly as the screen shows it (a QR code under a QR line, the paper
	// cut for the cutter line), and taps it.
	var lines []struct {
		N    int    `json:"n"`
		Kind string `json:"kind"`
		Want string `json:"want"`
	}
	if err := json.Unmarshal([]byte(eval(`JSON.stringify(Array.from(document.querySelectorAll('#cal-lines button.calline')).map(b => ({n: +b.dataset.n, kind: b.dataset.kind, want: b.querySelector('.want').textContent})))`)), &lines); err != nil {
		t.Fatal(err)
	}
	rows := calSlip.Rows()
	var tapped []int
	for _, l := range lines {
		right := false
		for i, r := range rows {
			if r.Image == nil && r.Text == l.Want {
				right = l.Kind != "native_qr" && l.Kind != "raster_qr" || i+1 < len(rows) && rows[i+1].Image != nil
				break
			}
		}
		if l.Kind == "cutter" {
			right = right && calSlip.Cut
		}
		if right {
			tapped = append(tapped, l.N)
			do(chromedp.Click(fmt.Sprintf(`#cal-lines button[data-n="%d"]`, l.N)))
		}
	}
	t.Logf("%s: %d lines on the slip, tapped %v", up.real.Name, len(lines), tapped)
	if testing.Verbose() {
		for _, l := range lines {
			t.Logf("  line %-9s %q", l.Kind, l.Want)
		}
		for _, r := range rows {
			t.Logf("  row %q image=%v", r.Text, r.Image != nil)
		}
	}
	if got := eval(`String(document.querySelectorAll('#cal-lines button[aria-pressed="true"]').length)`); got != fmt.Sprint(len(tapped)) {
		t.Errorf("%s lines marked on screen, tapped %d", got, len(tapped))
	}
	do(chromedp.ScrollIntoView(`#btn-cal-save`))
	shot("3-calibration-lines")
	audit("calibration")

	// Save: the profile is written, the printer switches, the test slip prints.
	do(chromedp.Click(`#btn-cal-save`), chromedp.WaitVisible(`#cal[data-state="saved"]`))
	var testSlip *emulator.Slip
	select {
	case testSlip = <-slips:
	case <-time.After(60 * time.Second):
		t.Fatalf("no test slip after the calibration; the screen says %q %q", eval(`document.querySelector('#cal-msg').textContent`), eval(`document.querySelector('#cal-err').textContent`))
	}
	for name, sl := range map[string]*emulator.Slip{"paper-calibration": calSlip, "paper-test-slip": testSlip} {
		if f, err := os.Create(filepath.Join(shots, name+".png")); err == nil {
			sl.WritePNG(f)
			f.Close()
		}
	}
	msg := eval(`document.querySelector('#cal-msg').textContent`)
	if !strings.Contains(msg, up.words[3]) {
		t.Errorf("after saving the screen says %q, want %q", msg, up.words[3])
	}
	do(chromedp.ScrollIntoView(`#cal-result`))
	shot("4-profile-saved")
	audit("saved")

	cal, err := escpos.LoadProfile(filepath.Join(state, escpos.ProfileFile))
	if err != nil {
		t.Fatalf("no calibrated profile in the state dir: %v", err)
	}
	p := cal.Profile
	for n, enc := range up.wantTables {
		if got, ok := p.Table(n); !ok || got.Enc != enc {
			t.Errorf("table %d: got %v, want %s (tables %v)", n, got.Enc, enc.Name, p.CodeTables)
		}
	}
	for _, n := range up.notTables {
		if _, ok := p.Table(n); ok {
			t.Errorf("table %d in the profile, but the printer has none there", n)
		}
	}
	if p.UserChars != up.udc || p.NativeQR != up.qr || p.Columns != up.columns || cal.Identity != up.id || cal.Base != "TM-T20III" {
		t.Errorf("decided %+v (identity %+v, base %s)", p, cal.Identity, cal.Base)
	}
	if title := map[string]string{"ru": "Тестовый чек Sapar", "ky": "чеги"}[up.techLang]; !strings.Contains(strings.Join(strings.Fields(testSlip.Text), " "), title) {
		t.Errorf("test slip title not %q letter for letter:\n%s", title, testSlip.Text)
	}
	if len(testSlip.Warnings) > 0 {
		t.Errorf("the test slip with the calibrated profile used what the printer does not take: %v", testSlip.Warnings)
	}
	// The running kiosk uses it now: the printer card says calibrated.
	calibrated := map[string]string{"ru": "откалиброванный профиль TM-T20III-calibrated", "ky": "калибрленген профиль TM-T20III-calibrated"}[up.techLang]
	waitText("#printer", "the printer card after calibration", func(s string) bool { return strings.Contains(s, calibrated) })
	do(chromedp.ScrollIntoView(`#printer`))
	shot("5-printer-calibrated")

	// The doctor's checks, in the same language as the screen.
	do(chromedp.Click(`#tabs button[data-tab="doctor"]`), chromedp.Click(`#btn-doctor`), chromedp.WaitVisible(`#doctor tr`))
	doc := eval(`document.querySelector('#doctor').innerText`)
	if want := map[string]string{"ru": "часы показывают", "ky": "саат "}[up.techLang]; !strings.Contains(doc, want) {
		t.Errorf("doctor on the screen lacks %q:\n%s", want, doc)
	}
	shot("5b-doctor")
	audit("doctor")
	do(chromedp.Click(`#tabs button[data-tab="printer"]`))

	// The same screen in the other language, switched on the screen.
	other := map[string]string{"ru": "ky", "ky": "ru"}[up.techLang]
	do(chromedp.Click(`#langs button[data-lang="` + other + `"]`))
	if got := eval(`document.querySelector('#tabs button[data-tab="printer"]').textContent`); got != "Принтер" {
		t.Errorf("printer tab in %s: %q", other, got)
	}
	if got := eval(`document.querySelector('#btn-cal-print').textContent`); got != map[string]string{"ru": "Напечатать калибровочный чек", "ky": "Калибрлөө чегин басуу"}[other] {
		t.Errorf("calibration button in %s: %q", other, got)
	}
	shot("6-switched-to-" + other)
	audit("switched")
	// Uzbek (Latin): oʻ and gʻ with U+02BB, the longest words of the four.
	do(chromedp.Click(`#langs button[data-lang="uz-Latn"]`), chromedp.Click(`#tabs button[data-tab="overview"]`))
	if got := eval(`document.querySelector('#btn-cal-print').textContent`); got != "Kalibrlash chekini chop etish" {
		t.Errorf("calibration button in Uzbek: %q", got)
	}
	shot("7-overview-uz")
	audit("Uzbek")
}

func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }

// The first-start screen before any provisioning speaks Russian (no
// provisioning file yet to choose), switches to Kyrgyz on a tap, and
// says in the technician's words why a stick's file was refused.
func TestFirstStartScreenInTechnicianLanguages(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	kiosktest.Chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	tmp := t.TempDir()
	pubFile, _, _ := provisioning.GenerateSigningKey()
	pubKey, _ := provisioning.ParsePublicKey(pubFile)
	usb := filepath.Join(tmp, "media")
	os.MkdirAll(filepath.Join(usb, "STICK"), 0o755)
	k, err := Start(ctx, RunOptions{StateDir: filepath.Join(tmp, "state"), Addr: "127.0.0.1:0", ProvisioningKey: pubKey,
		ContentSeed: filepath.Join(tmp, "none"), USBRoot: usb, Log: kiosktest.QuietLog()})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	shots := os.Getenv("SAPAR_ARTIFACTS")
	if shots == "" {
		shots = t.TempDir()
	}
	shots = filepath.Join(shots, "first-start")
	os.MkdirAll(shots, 0o755)
	bctx := kiosktest.Browser(t, ctx)
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return s
	}
	shot := func(name string) {
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(90))
		if err == nil {
			os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
		}
	}
	do(chromedp.Navigate(k.URL), chromedp.WaitVisible(`#setup .step[data-step="1"] button`))
	if got := text(`#setup .step[data-step="1"] h2`); got != "1. Этот киоск ещё не настроен" {
		t.Errorf("first-start title %q, want Russian", got)
	}
	shot("1-ru")
	// A file signed with another key: refused, in the technician's words.
	_, other, _ := provisioning.GenerateSigningKey()
	otherKey, _ := provisioning.ParsePrivateKey(other)
	example, _ := os.ReadFile("../provisioning/example.yaml")
	os.WriteFile(filepath.Join(usb, "STICK", "site.yaml"), example, 0o644)
	os.WriteFile(filepath.Join(usb, "STICK", "site.yaml.sig"), provisioning.Sign(otherKey, example), 0o644)
	do(chromedp.Click(`#setup .step[data-step="1"] button[data-next="2"]`), chromedp.WaitVisible(`#setup-err`))
	if got := text(`#setup-err`); !strings.HasPrefix(got, "Отклонено: ") {
		t.Errorf("refusal %q, want the Russian prefix", got)
	}
	shot("2-refused-ru")
	do(chromedp.Click(`#langs button[data-lang="ky"]`))
	if got := text(`#setup .step[data-step="2"] h2`); got != "2. USB-флешканы салыңыз" {
		t.Errorf("step 2 in Kyrgyz %q", got)
	}
	if got := text(`#setup-err`); !strings.HasPrefix(got, "Четке кагылды: ") {
		t.Errorf("refusal in Kyrgyz %q", got)
	}
	shot("3-refused-ky")
}
