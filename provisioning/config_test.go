package provisioning

import (
	"encoding/base64"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func readExample(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lineOf is the 1-based line of the first occurrence of s in doc.
func lineOf(t *testing.T, doc, s string) int {
	t.Helper()
	i := strings.Index(doc, s)
	if i < 0 {
		t.Fatalf("%q not in document", s)
	}
	return strings.Count(doc[:i], "\n") + 1
}

func TestExampleIsValid(t *testing.T) {
	c, err := Parse("example.yaml", readExample(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Kiosk.ID != "osh-airport-01" || c.Place.Kind != "airport" || c.Languages.Default != "ky" ||
		!slices.Equal(c.Languages.Offered, []string{"ky", "uz-Latn", "uz-Cyrl", "ru", "en"}) ||
		time.Duration(c.IdleTimeout) != 90*time.Second || c.Printer.Baud != 38400 ||
		len(c.Updates.Mirrors) != 2 || c.Location().String() != "Asia/Bishkek" || c.Metrics.Listen != "0.0.0.0:9464" ||
		c.HelpDesk == nil || c.HelpDesk.Phone != "+000 000 000 000" || c.HelpDesk.Hours == "" || c.HelpDesk.Address == "" {
		t.Fatalf("%+v", c)
	}
}

func TestParseRefuses(t *testing.T) {
	example := string(readExample(t))
	rootJSON := base64.StdEncoding.EncodeToString([]byte(`{"signed":{"_type":"root"},"signatures":[{"keyid":"a","sig":"b"}]}`))
	for _, tc := range []struct {
		name     string
		old, new string // replace in example.yaml
		at       string // the error's line is where this text is in the edited file
		want     string // in the message
	}{
		{"unknown key refused with line", "idle_timeout: 90s", "idle_timeout: 90s\nidle_timout: 60s", "idle_timout", `unknown key (did you mean "idle_timeout"?)`},
		{"unknown nested key refused with line", "  baud: 38400", "  baud: 38400\n  paper: 80mm", "paper", "printer.paper: unknown key"},
		{"duplicate key refused", "  city: Osh", "  city: Osh\n  city: Jalal-Abad", "city: Jalal-Abad", "given twice"},
		{"missing required key refused", "time_zone: Asia/Bishkek\n", "", "version: 1", "time_zone: missing"},
		{"newer format version refused", "version: 1", "version: 2", "version: 2", "not understood"},
		{"bad kiosk id refused", "id: osh-airport-01", "id: Osh Airport", "Osh Airport", "lower-case"},
		{"unknown rollout group refused with line", "  # rollout: canary ", "  rollout: early #", "rollout: early", "updates.rollout: \"early\": want canary"},
		{"bad place kind refused", "kind: airport ", "kind: airprot ", "airprot", `"airprot" is not one of airport, station, market, mrc-office`},
		{"unsupported language refused", "[ky, uz-Latn", "[ky, kk, uz-Latn", "[ky, kk", `"kk" is not a language`},
		{"uz without script refused", "[ky, uz-Latn", "[ky, uz, uz-Latn", "[ky, uz,", "say which script"},
		{"language listed twice refused", "[ky, uz-Latn", "[ky, KY, uz-Latn", "[ky, KY", "listed twice"},
		{"default not offered refused", "default: ky", "default: tg", "default: tg", "not among the offered"},
		{"idle timeout too short refused", "idle_timeout: 90s", "idle_timeout: 10s", "idle_timeout", "outside"},
		{"idle timeout without unit refused", "idle_timeout: 90s", "idle_timeout: 90", "idle_timeout", "not a duration"},
		{"printer with both device and usb refused", "  profile: TM-T20III", "  usb: \"04b8:0e28\"\n  profile: TM-T20III", "  device:", "exactly one of device"},
		{"printer device outside /dev refused", "device: /dev/serial/by-id/usb-EPSON_TM-T20III-if00", "device: /etc/passwd", "/etc/passwd", "device path"},
		{"unknown printer profile refused", "profile: TM-T20III", "profile: TM-X", "TM-X", "not a known printer profile"},
		{"odd baud refused", "baud: 38400", "baud: 38401", "38401", "not a serial speed"},
		{"baud as text refused", "baud: 38400", "baud: fast", "fast", "whole number"},
		{"mirror with credentials refused", "https://updates.mrc.example.org/sapar/", "https://user:pw@updates.mrc.example.org/", "user:pw", "credentials"},
		{"mirror not http refused", "https://updates.mrc.example.org/sapar/", "ftp://updates.mrc.example.org/", "ftp://", "http(s)"},
		{"relative root path refused", "file: /usr/share/sapar/tuf-root.json", "file: root.json", "file: root.json", "absolute path"},
		{"both root forms refused", "    file: /usr/share/sapar/tuf-root.json", "    file: /usr/share/sapar/tuf-root.json\n    inline: " + rootJSON, "    file: /usr", "exactly one of file or inline"},
		{"inline root not base64 refused", "file: /usr/share/sapar/tuf-root.json", "inline: '%%%'", "inline:", "not base64"},
		{"inline root not TUF refused", "file: /usr/share/sapar/tuf-root.json", "inline: " + base64.StdEncoding.EncodeToString([]byte(`{"a":1}`)), "inline:", "not signed TUF root"},
		{"unknown time zone refused", "time_zone: Asia/Bishkek", "time_zone: Asia/Bishkec", "Bishkec", "IANA"},
		{"local time zone refused", "time_zone: Asia/Bishkek", "time_zone: Local", "Local", "IANA"},
		{"orientation 45 refused", "orientation: 0 ", "orientation: 45 ", "orientation", "want 0, 90, 180 or 270"},
		{"plain PIN refused", `pin_hash: "$argon2id`, `pin_hash: "482916" #`, "pin_hash", "not an argon2id PHC hash"},
		{"weak argon2 parameters refused", "m=65536,t=3", "m=1024,t=3", "pin_hash", "m=1024"},
		{"unsupported technician language refused", "  language: ru ", "  language: kk ", "language: kk", `"kk" is not a technician language: want one of ru, ky, uz-Latn, en`},
		{"Uzbek Cyrillic technician language refused", "  language: ru ", "  language: uz-Cyrl ", "language: uz-Cyrl", "not a technician language"},
		{"metrics listen by name refused", `listen: "0.0.0.0:9464"`, `listen: "kiosk.local:9464"`, "listen", "IP address"},
		{"right-to-left override in the kiosk name refused", `name: "Osh airport, arrivals hall"`, "name: \"Osh airport, \u202Eslah slavirra\"", "name:", "U+202E"},
		{"bidi isolate in the city refused", "city: Osh", "city: \"Osh\u2067\"", "city:", "U+2067"},
		{"left-to-right mark in the city refused", "city: Osh", "city: \"O\u200Esh\"", "city:", "U+200E"},
		{"zero-width space in the kiosk name refused", `name: "Osh airport, arrivals hall"`, "name: \"Osh\u200Bairport\"", "name:", "U+200B"},
		{"empty value refused", "city: Osh", "city:", "city:", "has no value"},
		{"boolean as text refused", "city: Osh", "city: true", "city: true", "quote it"},
		{"list where a value belongs refused", "city: Osh", "city: [Osh, Bishkek]", "city:", "want a single value"},
		{"alias refused", "  city: Osh\n  kind: airport", "  city: &c Osh\n  kind: *c", "kind: *c", "aliases"},
		{"merge key refused", "screen:\n  orientation: 0", "screen:\n  <<: {orientation: 0}", "<<", "merge"},
		{"broken YAML refused with line", "  city: Osh", "  city: \"Osh", "place:", "not valid YAML"},
		{"tab indentation refused", "  city: Osh", "\tcity: Osh", "city: Osh", "not valid YAML"},
		{"help desk phone with letters refused", `phone: "+000 000 000 000"`, `phone: "call the MRC"`, "phone:", "is not a phone number"},
		{"help desk without a phone refused", "  phone: \"+000 000 000 000\"          # digits, spaces, + - ( ) only\n", "", `name: "MRC desk`, "help_desk.phone: missing"},
		{"help desk name with a bidi override refused", `name: "MRC desk, arrivals hall (EXAMPLE)"`, "name: \"MRC \u202Eksed\"", "name: \"MRC", "U+202E"},
		{"maintenance window with a bad hour refused", `maintenance_window: "02:00-04:00"`, `maintenance_window: "25:00-04:00"`, "maintenance_window", "maintenance_window: \"25:00-04:00\": hours are 00…23"},
		{"maintenance window not a time range refused", `maintenance_window: "02:00-04:00"`, `maintenance_window: "2am-4am"`, "maintenance_window", "want HH:MM-HH:MM"},
		{"maintenance window of ten minutes refused", `maintenance_window: "02:00-04:00"`, `maintenance_window: "02:00-02:10"`, "maintenance_window", "is 10m0s long: want 30m0s…12h0m0s"},
		{"maintenance window of the whole day refused", `maintenance_window: "02:00-04:00"`, `maintenance_window: "02:00-02:00"`, "maintenance_window", "is 24h0m0s long"},
		{"maintenance window as a list refused", `maintenance_window: "02:00-04:00"`, `maintenance_window: [02:00, 04:00]`, "maintenance_window", "want a single value"},
		{"second document refused", "version: 1", "version: 1\n---\nversion: 1\n", "---", "more than one YAML document"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(example, tc.old) {
				t.Fatalf("example.yaml lacks %q", tc.old)
			}
			doc := strings.Replace(example, tc.old, tc.new, 1)
			_, err := Parse("site.yaml", []byte(doc), Options{})
			var es *Errors
			if !errors.As(err, &es) {
				t.Fatalf("err = %v, want *Errors", err)
			}
			line := lineOf(t, doc, tc.at)
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Fatalf("message lacks %q:\n%s", tc.want, msg)
			}
			found := false
			for _, e := range es.List {
				if e.Line == line && strings.Contains(es.Error(), tc.want) {
					found = true
				}
			}
			if !found {
				t.Fatalf("no error at line %d:\n%s", line, msg)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	example := string(readExample(t))
	rootJSON := `{"signed":{"_type":"root"},"signatures":[{"keyid":"a","sig":"b"}]}`
	for _, tc := range []struct {
		name, old, new string
		check          func(*Config) bool
	}{
		{"USB printer id accepted and lower-cased", "device: /dev/serial/by-id/usb-EPSON_TM-T20III-if00", `usb: "04B8:0E28"`, func(c *Config) bool { return c.Printer.USB == "04b8:0e28" && c.Printer.Device == "" }},
		{"language spelling normalised", "[ky, uz-Latn, uz-Cyrl", "[KY, uz_latn, uz-cyrl, kaa-Latn", func(c *Config) bool {
			return slices.Equal(c.Languages.Offered[:4], []string{"ky", "uz-Latn", "uz-Cyrl", "kaa"})
		}},
		{"metrics optional", "metrics:                             # optional: fleet Prometheus scraping\n  listen: \"0.0.0.0:9464\"", "", func(c *Config) bool { return c.Metrics.Listen == "" }},
		{"inline root accepted", "file: /usr/share/sapar/tuf-root.json", "inline: " + base64.StdEncoding.EncodeToString([]byte(rootJSON)), func(c *Config) bool { return string(c.Updates.Root.Inline) == rootJSON }},
		{"canary rollout accepted", "  # rollout: canary ", "  rollout: canary #", func(c *Config) bool { return c.Updates.Rollout == "canary" }},
		{"no rollout: bucket decides", "xx-none-xx", "", func(c *Config) bool { return c.Updates.Rollout == "" }},
		{"maintenance window from the file", `maintenance_window: "02:00-04:00"`, `maintenance_window: "01:15-03:45"`, func(c *Config) bool { return c.MaintenanceWindow == Window{Start: 75, End: 225} }},
		{"maintenance window across midnight accepted", `maintenance_window: "02:00-04:00"`, `maintenance_window: "23:30-01:30"`, func(c *Config) bool {
			return c.MaintenanceWindow.String() == "23:30-01:30" && c.MaintenanceWindow.Length() == 2*time.Hour
		}},
		{"no maintenance window: 02:00-04:00", "maintenance_window: \"02:00-04:00\"", "", func(c *Config) bool {
			return c.MaintenanceWindow == DefaultMaintenanceWindow && c.MaintenanceWindow.String() == "02:00-04:00"
		}},
		{"Tashkent zone accepted", "Asia/Bishkek", "Asia/Tashkent", func(c *Config) bool { return c.Location().String() == "Asia/Tashkent" }},
		{"Urdu city with a zero-width non-joiner accepted", "city: Osh", "city: \"\u0627\u0648\u0634\u200C\u0634\u06C1\u0631\"", func(c *Config) bool { return strings.Contains(c.Place.City, "\u200C") }},
		{"Kyrgyz name accepted", `name: "Osh airport, arrivals hall"`, `name: "Ош аэропорту, келүү залы"`, func(c *Config) bool { return c.Kiosk.Name == "Ош аэропорту, келүү залы" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(example, tc.old, tc.new, 1)
			c, err := Parse("site.yaml", []byte(doc), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Fatalf("%+v", c)
			}
		})
	}
}

func TestParseRefusesWholeFile(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty file refused", nil},
		{"huge file refused", make([]byte, MaxFileSize+1)},
		{"list at top refused", []byte("- a\n- b\n")},
		{"binary refused", []byte{0xff, 0xfe, 0x00, 0x01}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse("x.yaml", tc.data, Options{}); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}
