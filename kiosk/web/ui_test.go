package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"sapar/content"
	"sapar/content/sample/sampletest"
	"sapar/drivers/receipt"
	"sapar/kiosk/usage"
	"sapar/kiosk/web/ui"
)

func uiServer(tb testing.TB, opt Options) *Server {
	tb.Helper()
	opt.Store = sampletest.Store(tb, "t")
	opt.Print = func(context.Context, receipt.Document) error { return nil }
	srv, err := NewServer(opt)
	if err != nil {
		tb.Fatal(err)
	}
	return srv
}

func readStatic(t *testing.T, name string, v any) []byte {
	t.Helper()
	b, err := ui.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	return b
}

// Every UI string exists, non-empty, in all eight languages; Uzbek Latin
// writes oʻ gʻ with U+02BB, never an ASCII apostrophe or U+2018/U+2019.
func TestUIStringsInEveryLanguage(t *testing.T) {
	var tr map[string]map[string]string
	readStatic(t, "i18n.json", &tr)
	for _, l := range content.Languages() {
		table, ok := tr[l.Tag]
		if !ok {
			t.Errorf("i18n.json has no %s", l.Tag)
			continue
		}
		for key := range tr["en"] {
			if strings.TrimSpace(table[key]) == "" {
				t.Errorf("%s: %q missing", l.Tag, key)
			}
		}
	}
	for key, s := range tr["uz-Latn"] {
		if strings.ContainsAny(s, "'‘’`") {
			t.Errorf("uz-Latn %q: %q uses a wrong apostrophe (oʻ gʻ take U+02BB)", key, s)
		}
	}
}

// Every reason the print queue reports (printqueue/job.go) has words in every
// language, with the QR way out.
func TestEveryPrintFailureHasWords(t *testing.T) {
	src, err := os.ReadFile("../printqueue/job.go")
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]bool{}
	for _, m := range regexp.MustCompile(`return "([a-z-]+)"|Reason[A-Za-z]+ = "([a-z-]+)"`).FindAllStringSubmatch(string(src), -1) {
		reasons[m[1]+m[2]] = true
	}
	for _, must := range []string{"paper-out", "cover-open", "offline", "timeout", "error"} {
		if !reasons[must] {
			t.Errorf("printqueue/job.go no longer reports %q: update this test and the UI", must)
		}
	}
	js := string(readStatic(t, "app.js", nil))
	m := regexp.MustCompile(`(?s)const printReasons = \{(.*?)\};`).FindStringSubmatch(js)
	if m == nil {
		t.Fatal("app.js has no printReasons map")
	}
	keyOf := map[string]string{}
	for _, kv := range regexp.MustCompile(`'?([a-z-]+)'?: '([A-Za-z]+)'`).FindAllStringSubmatch(m[1], -1) {
		keyOf[kv[1]] = kv[2]
	}
	var tr map[string]map[string]string
	readStatic(t, "i18n.json", &tr)
	for r := range reasons {
		key := keyOf[r]
		if key == "" {
			t.Errorf("the UI has no words for print failure %q", r)
			continue
		}
		for _, l := range content.Languages() {
			if !strings.Contains(tr[l.Tag][key], "QR") {
				t.Errorf("%s %s (%s): %q does not offer the QR code", l.Tag, r, key, tr[l.Tag][key])
			}
		}
	}
}

// The on-screen keyboards, as data: every language has one, no key twice,
// and the letters each language needs are there.
func TestKeyboardLayouts(t *testing.T) {
	type layout struct {
		Rows    [][]string        `json:"rows"`
		Digits  []string          `json:"digits"`
		RTL     bool              `json:"rtl"`
		Upper   map[string]string `json:"upper"`
		NoShift bool              `json:"noShift"`
	}
	var kb map[string]json.RawMessage
	readStatic(t, "keyboards.json", &kb)
	need := map[string]string{
		"ky":      "йцукенгшщзхъфывапролджэячсмитьбюёңөү",
		"ru":      "йцукенгшщзхъфывапролджэячсмитьбюё",
		"uz-Latn": "qwertyuiopasdfghjklzxcvbnm",
		"uz-Cyrl": "йцукенгшзхъфвапролджэячсмитьбюёўқғҳ",
		"kaa":     "qwertyuiopasdfghjklzxcvbnmáǵıńóú",
		"en":      "qwertyuiopasdfghjklzxcvbnm",
		"tg":      "йцукенгшзхъфвапролджэячсмитбюёӣӯҷҳқғ",
		"ur":      "ابپتٹثجچحخدڈذرڑزژسشصضطظعغفقکگلمنںوہھءیےئۓآ",
	}
	for _, l := range content.Languages() {
		raw, ok := kb[l.Tag]
		if !ok {
			t.Errorf("no keyboard for %s", l.Tag)
			continue
		}
		var k layout
		if err := json.Unmarshal(raw, &k); err != nil {
			t.Fatalf("%s: %v", l.Tag, err)
		}
		seen := map[string]bool{}
		for _, row := range k.Rows {
			if len(row) > 12 {
				t.Errorf("%s: a row of %d keys will not fit 800 px at 48 px a key", l.Tag, len(row))
			}
			for _, key := range row {
				if seen[key] {
					t.Errorf("%s: key %q twice", l.Tag, key)
				}
				seen[key] = true
			}
		}
		for _, r := range need[l.Tag] {
			if !seen[string(r)] {
				t.Errorf("%s: no key for %q", l.Tag, r)
			}
		}
		if strings.Join(k.Digits, "") != "1234567890" {
			t.Errorf("%s: digits row %v", l.Tag, k.Digits)
		}
		if k.RTL != l.RTL {
			t.Errorf("%s: keyboard rtl=%v, language rtl=%v", l.Tag, k.RTL, l.RTL)
		}
	}
	var uz layout
	json.Unmarshal(kb["uz-Latn"], &uz)
	flat := strings.Join(uz.Rows[len(uz.Rows)-1], " ")
	for _, want := range []string{"o\u02bb", "g\u02bb", "\u02bc"} {
		if !strings.Contains(flat, want) {
			t.Errorf("Uzbek Latin has no dedicated %q key (%U)", want, []rune(want)[len([]rune(want))-1])
		}
	}
	if uz.Upper["o\u02bb"] != "O\u02bb" || uz.Upper["g\u02bb"] != "G\u02bb" {
		t.Errorf("Uzbek oʻ/gʻ capitals: %q %q", uz.Upper["o\u02bb"], uz.Upper["g\u02bb"])
	}
	var kaa layout
	json.Unmarshal(kb["kaa"], &kaa)
	if kaa.Upper["ı"] != "Í" {
		t.Errorf("Karakalpak: the capital of ı is Í, keyboard gives %q", kaa.Upper["ı"])
	}
	var ur layout
	json.Unmarshal(kb["ur"], &ur)
	if !ur.NoShift {
		t.Error("Urdu has no case: the keyboard should have no shift key")
	}
}

type countingUsage struct {
	mu     sync.Mutex
	events []string
}

func (u *countingUsage) add(s string)                             { u.mu.Lock(); u.events = append(u.events, s); u.mu.Unlock() }
func (u *countingUsage) Session()                                 { u.add("session") }
func (u *countingUsage) Language(l string)                        { u.add("language " + l) }
func (u *countingUsage) GuideOpened(string, string, usage.Source) {}
func (u *countingUsage) Search(string, bool)                      {}
func (u *countingUsage) Print(string, string, string)             {}
func (u *countingUsage) AgencyCheck(string, bool)                 {}
func (u *countingUsage) IdleReset()                               { u.add("idle-reset") }

// POST /api/session: token-protected, each event reaches its Usage hook,
// nothing else is accepted.
func TestSessionEvents(t *testing.T) {
	u := &countingUsage{}
	srv := uiServer(t, Options{Usage: u, Espeak: "-"})
	h := srv.Handler()
	post := func(token, body string) int {
		req := httptest.NewRequest("POST", "http://127.0.0.1/api/session", strings.NewReader(body))
		if token != "" {
			req.Header.Set("X-Sapar-Token", token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	cases := []struct {
		name, token, body string
		want              int
	}{
		{"no token is refused", "", `{"event":"start"}`, 403},
		{"wrong token is refused", "0000", `{"event":"start"}`, 403},
		{"start", srv.token, `{"event":"start"}`, 204},
		{"language normalised", srv.token, `{"event":"language","lang":"uz-Latn-UZ"}`, 204},
		{"unknown language", srv.token, `{"event":"language","lang":"xx"}`, 400},
		{"idle reset", srv.token, `{"event":"idle-reset"}`, 204},
		{"unknown event", srv.token, `{"event":"print"}`, 400},
		{"free text is refused", srv.token, `{"event":"start","query":"my name"}`, 400},
	}
	for _, c := range cases {
		if got := post(c.token, c.body); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
	}
	want := []string{"session", "language uz-Latn", "idle-reset"}
	if fmt.Sprint(u.events) != fmt.Sprint(want) {
		t.Errorf("usage hooks got %v, want %v", u.events, want)
	}
}

func bootJSON(t *testing.T, srv *Server) map[string]any {
	m := regexp.MustCompile(`(?s)<script type="application/json" id="boot">(.*?)</script>`).FindSubmatch(srv.page)
	if m == nil {
		t.Fatal("no boot JSON in the page")
	}
	var boot map[string]any
	if err := json.Unmarshal(m[1], &boot); err != nil {
		t.Fatal(err)
	}
	return boot
}

// Read-aloud: a WAV for each language with a voice (Karakalpak through the
// Kazakh voice), none for Tajik, and no button at all without espeak-ng.
func TestReadAloud(t *testing.T) {
	off := uiServer(t, Options{Espeak: "-"})
	if got := fmt.Sprint(bootJSON(t, off)["speech"]); got != "[]" {
		t.Errorf("without espeak-ng the page still offers read-aloud for %s", got)
	}
	rec := httptest.NewRecorder()
	off.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "http://127.0.0.1/api/speak?topic=human-trafficking&lang=ky", nil))
	if rec.Code != 404 {
		t.Errorf("read-aloud without espeak-ng: %d", rec.Code)
	}
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		if os.Getenv("SAPAR_REQUIRE_E2E") == "1" {
			t.Fatal("espeak-ng not installed and SAPAR_REQUIRE_E2E=1")
		}
		t.Skip("espeak-ng not installed")
	}
	srv := uiServer(t, Options{})
	langs := fmt.Sprint(bootJSON(t, srv)["speech"])
	if langs != "[ky uz-Latn uz-Cyrl kaa ru en ur]" {
		t.Errorf("read-aloud languages %s", langs)
	}
	srvH := httptest.NewServer(srv.Handler())
	defer srvH.Close()
	for _, c := range []struct {
		lang, topic string
		want        int
	}{
		{"ky", "work-visa-vs-tourist-visa", 200}, {"uz-Latn", "work-visa-vs-tourist-visa", 200}, {"kaa", "work-visa-vs-tourist-visa", 200},
		{"ur", "foreigners-working-in-kyrgyzstan", 200}, {"tg", "work-visa-vs-tourist-visa", 404}, {"ky", "no-such-guide", 404},
	} {
		start := time.Now()
		resp, err := http.Get(srvH.URL + "/api/speak?topic=" + c.topic + "&lang=" + c.lang)
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		body.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s %s: status %d, want %d", c.lang, c.topic, resp.StatusCode, c.want)
			continue
		}
		if c.want == 200 {
			b := body.Bytes()
			if len(b) < 10000 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
				t.Errorf("%s: not a WAV (%d bytes)", c.lang, len(b))
			}
			t.Logf("read-aloud %-7s %6.1f s of audio in %v", c.lang, float64(len(b)-44)/2/22050, time.Since(start).Round(time.Millisecond))
		}
	}
}

// BenchmarkHandlers measures each UI handler in-process and reports its
// p99 (the budget is 5 ms). Run: go test -run - -bench Handlers ./kiosk/web/
func BenchmarkHandlers(b *testing.B) {
	srv := uiServer(b, Options{Espeak: "-"})
	h := srv.Handler()
	var staticURL string
	for u := range srv.assets.Files {
		if strings.HasSuffix(u, "app.js") {
			staticURL = u
		}
	}
	cases := []struct{ name, method, url, body string }{
		{"index", "GET", "/", ""},
		{"static app.js", "GET", staticURL, ""},
		{"guides list", "GET", "/api/guides?stage=thinking&lang=ky", ""},
		{"guide", "GET", "/api/guides/work-visa-vs-tourist-visa?lang=uz-Latn", ""},
		{"search", "GET", "/api/search?lang=uz-Latn&q=ro%CA%BByxat", ""},
		{"qr", "GET", "/api/qr?topic=work-visa-vs-tourist-visa&link=migrant-kg", ""},
		{"session", "POST", "/api/session", `{"event":"start"}`},
		{"agency", "GET", "/api/agency?lang=ky&q=%D0%B0%D0%BB%D0%B0", ""},
		{"contacts", "GET", "/api/contacts?lang=ur", ""},
		{"countries", "GET", "/api/countries?lang=kaa", ""},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				var body *strings.Reader
				if c.body != "" {
					body = strings.NewReader(c.body)
				} else {
					body = strings.NewReader("")
				}
				req := httptest.NewRequest(c.method, "http://127.0.0.1"+c.url, body)
				req.Header.Set("X-Sapar-Token", srv.token)
				rec := httptest.NewRecorder()
				t0 := time.Now()
				h.ServeHTTP(rec, req)
				lat = append(lat, time.Since(t0))
				if rec.Code >= 300 {
					b.Fatalf("%s: %d %s", c.url, rec.Code, rec.Body)
				}
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			p99 := lat[len(lat)*99/100]
			b.ReportMetric(float64(p99.Nanoseconds())/1e6, "p99-ms")
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e6, "p50-ms")
		})
	}
}
