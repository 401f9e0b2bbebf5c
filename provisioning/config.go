package provisioning

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // validate IANA zones the same way on every image
	"unicode"

	"sapar/drivers/escpos"

	"go.yaml.in/yaml/v3"

	"sapar/provisioning/pin"
	"sapar/provisioning/techtext"
)

// FormatVersion is the `version:` a provisioning file must declare.
const FormatVersion = 1

// MaxFileSize bounds a provisioning file; real ones are about 2 KB.
const MaxFileSize = 64 << 10

// Config is a validated provisioning file. JSON tags are the names written
// into the state's config.json; YAML keys are the same.
type Config struct {
	Version     int        `json:"version"`
	Kiosk       Kiosk      `json:"kiosk"`
	Place       Place      `json:"place"`
	Languages   Languages  `json:"languages"`
	IdleTimeout Duration   `json:"idle_timeout"`
	Printer     Printer    `json:"printer"`
	Updates     Updates    `json:"updates"`
	TimeZone    string     `json:"time_zone"`
	Screen      Screen     `json:"screen"`
	Technician  Technician `json:"technician"`
	Metrics     Metrics    `json:"metrics"`
	Fleet       *Fleet     `json:"fleet,omitempty"` // nil: metrics are not pushed (fleet.go)
	// HelpDesk is the site's own contact, printed on every slip and shown
	// on the guide screen; nil: none provisioned (doctor says so).
	HelpDesk *HelpDesk `json:"help_desk,omitempty"`
	// MaintenanceWindow is when Debian security updates install and the
	// kiosk may reboot for them (sapar maintenance); DefaultMaintenanceWindow
	// when the file has none.
	MaintenanceWindow Window `json:"maintenance_window"`
	location          *time.Location
}

type Kiosk struct {
	ID   string `json:"id"`   // inventory id chosen by the MRC, e.g. "osh-airport-01"
	Name string `json:"name"` // shown to technicians, e.g. "Osh airport, arrivals hall"
}

type Place struct {
	City string `json:"city"`
	Kind string `json:"kind"` // one of PlaceKinds
}

type Languages struct {
	Offered []string `json:"offered"` // BCP 47, canonical spelling from SupportedLanguages, in picker order
	Default string   `json:"default"`
}

type Printer struct {
	Device  string `json:"device,omitempty"` // /dev/… path; or
	USB     string `json:"usb,omitempty"`    // "vvvv:pppp" USB vendor:product id (hex)
	Profile string `json:"profile"`          // driver profile name
	Baud    int    `json:"baud"`
}

type Updates struct {
	Mirrors []string    `json:"mirrors"` // TUF repository base URLs, tried in order
	Root    TrustedRoot `json:"trusted_root"`
	// Rollout is the kiosk's group in phased rollouts: "" (by its bucket,
	// derived from the device key), "canary" (takes every release first)
	// or "late" (only releases rolled out to every kiosk).
	Rollout string `json:"rollout,omitempty"`
}

// RolloutGroups are the accepted updates.rollout values.
var rolloutGroups = []string{"canary", "late"}

// TrustedRoot is the first TUF root.json: a path on the image, or the JSON
// itself (decoded from base64 in the file).
type TrustedRoot struct {
	File   string `json:"file,omitempty"`
	Inline []byte `json:"inline,omitempty"` // root.json bytes
}

type Screen struct {
	Orientation int `json:"orientation"` // degrees clockwise: 0, 90, 180, 270
}

type Technician struct {
	PINHash string `json:"pin_hash"` // argon2id PHC string
	// Language is the technician screens' language (techtext.Languages);
	// empty: techtext.Default (Russian).
	Language string `json:"language,omitempty"`
}

// HelpDesk is the MRC desk or partner office where the kiosk stands: a
// contact the operator knows. The content never supplies it.
type HelpDesk struct {
	Name    string `json:"name"`              // "MRC desk, arrivals hall"
	Phone   string `json:"phone"`             // digits, spaces, + - ( ) only
	Hours   string `json:"hours,omitempty"`   // "Mon–Fri 9:00–18:00"
	Address string `json:"address,omitempty"` // where to find it
}

// phoneRe: a phone number as printed; letters would be a placeholder
// ("XXX") a reader cannot dial.
var phoneRe = regexp.MustCompile(`^\+?[0-9][0-9 ()\-]{4,28}[0-9]$`)

type Metrics struct {
	Listen string `json:"listen,omitempty"` // empty: no fleet listener (only loopback /metrics)
}

// TechnicianLanguage is the language of the technician's screens: the
// file's technician.language, or techtext.Default (Russian).
func (c *Config) TechnicianLanguage() string {
	if c.Technician.Language != "" {
		return c.Technician.Language
	}
	return techtext.Default
}

// Location is the validated time zone (UTC if it cannot be loaded, which
// Parse has already ruled out).
func (c *Config) Location() *time.Location {
	if c.location != nil {
		return c.location
	}
	if loc, err := time.LoadLocation(c.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// Duration is a time.Duration written as "90s" in YAML and JSON.
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}

// PlaceKinds are the places kiosks stand.
var placeKinds = []string{"airport", "station", "market", "mrc-office"}

// PlaceKinds lists the accepted place kinds.
func PlaceKinds() []string { return slices.Clone(placeKinds) }

// supportedLanguages maps accepted spellings (lower case) to the canonical tag.
var supportedLanguages = map[string]string{
	"ky": "ky", "ky-cyrl": "ky",
	"uz-latn": "uz-Latn", "uz-cyrl": "uz-Cyrl",
	"kaa": "kaa", "kaa-latn": "kaa",
	"ru": "ru", "ru-cyrl": "ru",
	"en": "en", "en-latn": "en",
	"tg": "tg", "tg-cyrl": "tg",
	"ur": "ur", "ur-arab": "ur",
}

// SupportedLanguages lists the canonical tags a kiosk can offer.
func SupportedLanguages() []string {
	return []string{"ky", "uz-Latn", "uz-Cyrl", "kaa", "ru", "en", "tg", "ur"}
}

// DefaultProfiles are the printer profiles accepted when Options.Profiles is
// empty: the drivers' own list, so a file that passes `sapar provision
// check` names a profile the kiosk can print with (a second list here once
// accepted TM-T88VI, which the kiosk then refused at boot).
func DefaultProfiles() []string { return escpos.ProfileNames() }

var (
	bauds        = []int{9600, 19200, 38400, 57600, 115200}
	kioskIDRe    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$`)
	usbIDRe      = regexp.MustCompile(`^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$`)
	devicePathRe = regexp.MustCompile(`^/dev/[A-Za-z0-9._:/+-]+$`)
)

// Limits on idle timeout: the warning alone gives 20 s (WCAG 2.2.1).
const (
	MinIdleTimeout = 30 * time.Second
	MaxIdleTimeout = 30 * time.Minute
)

// Options tune validation.
type Options struct {
	// Profiles accepted for printer.profile; DefaultProfiles() when empty.
	Profiles []string
}

// Parse reads and validates a provisioning file. name is used in messages
// ("site.yaml:12: …"). Errors are an *Errors listing every problem found.
func Parse(name string, data []byte, opt Options) (*Config, error) {
	p := &parser{name: name, opt: opt}
	if len(opt.Profiles) == 0 {
		p.opt.Profiles = DefaultProfiles()
	}
	if len(data) > MaxFileSize {
		return nil, &Errors{File: name, List: []Error{{Msg: fmt.Sprintf("file is %d bytes; a provisioning file is at most %d", len(data), MaxFileSize)}}}
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&doc); err != nil {
		return nil, &Errors{File: name, List: []Error{yamlError(err)}}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Errors{File: name, List: []Error{{Line: extra.Line, Msg: "more than one YAML document; a provisioning file has one"}}}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, &Errors{File: name, List: []Error{{Line: 1, Msg: "empty file"}}}
	}
	c := &Config{MaintenanceWindow: DefaultMaintenanceWindow}
	p.config(doc.Content[0], c)
	if len(p.errs) > 0 {
		return nil, &Errors{File: name, List: p.errs}
	}
	return c, nil
}

// Error is one problem at a line of the file (Line 0: the whole file).
type Error struct {
	Line, Column int
	Path         string // "printer.baud"
	Msg          string
}

// Errors are all problems found in one file.
type Errors struct {
	File string
	List []Error
}

func (e *Errors) Error() string {
	var b strings.Builder
	for i, x := range e.List {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.File)
		if x.Line > 0 {
			fmt.Fprintf(&b, ":%d", x.Line)
		}
		b.WriteString(": ")
		if x.Path != "" {
			b.WriteString(x.Path + ": ")
		}
		b.WriteString(x.Msg)
	}
	return b.String()
}

var yamlLineRe = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

func yamlError(err error) Error {
	m := yamlLineRe.FindStringSubmatch(err.Error())
	if m == nil {
		return Error{Msg: "not valid YAML: " + err.Error()}
	}
	n, _ := strconv.Atoi(m[1])
	return Error{Line: n, Msg: "not valid YAML: " + m[2]}
}

type parser struct {
	name string
	opt  Options
	errs []Error
}

func (p *parser) fail(n *yaml.Node, path, format string, args ...any) {
	e := Error{Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	p.errs = append(p.errs, e)
}

type field struct {
	key      string
	required bool
	decode   func(n *yaml.Node, path string)
}

// mapping decodes a YAML mapping with exactly the given keys.
func (p *parser) mapping(n *yaml.Node, path string, fields ...field) {
	if n.Kind == yaml.AliasNode {
		p.fail(n, path, "YAML aliases are not allowed in a provisioning file")
		return
	}
	if n.Kind != yaml.MappingNode {
		p.fail(n, path, "want a mapping of %s", keyList(fields))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		kp := join(path, k.Value)
		if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
			p.fail(k, path, "unexpected key (merge keys and complex keys are not allowed)")
			continue
		}
		idx := slices.IndexFunc(fields, func(f field) bool { return f.key == k.Value })
		if idx < 0 {
			hint := ""
			if s := closest(k.Value, fields); s != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", s)
			}
			p.fail(k, kp, "unknown key%s; known keys here: %s", hint, keyList(fields))
			continue
		}
		if seen[k.Value] {
			p.fail(k, kp, "key given twice")
			continue
		}
		seen[k.Value] = true
		if v.Kind == yaml.AliasNode {
			p.fail(v, kp, "YAML aliases are not allowed in a provisioning file")
			continue
		}
		fields[idx].decode(v, kp)
	}
	for _, f := range fields {
		if f.required && !seen[f.key] {
			p.fail(n, join(path, f.key), "missing (required)")
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func keyList(fields []field) string {
	ks := make([]string, len(fields))
	for i, f := range fields {
		ks[i] = f.key
	}
	return strings.Join(ks, ", ")
}

// closest suggests a known key for a typo (one edit, or a case/underscore slip).
func closest(k string, fields []field) string {
	norm := func(s string) string { return strings.ToLower(strings.NewReplacer("-", "_", " ", "_").Replace(s)) }
	for _, f := range fields {
		if norm(f.key) == norm(k) || editDistance(f.key, k) <= 2 {
			return f.key
		}
	}
	return ""
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// scalar returns the string value of a plain scalar, or reports a type error.
func (p *parser) str(n *yaml.Node, path string) (string, bool) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		p.fail(n, path, "has no value")
		return "", false
	}
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "!!int" && n.Tag != "!!float" && n.Tag != "!!bool") {
		p.fail(n, path, "want a single value (text)")
		return "", false
	}
	if n.Tag == "!!bool" {
		p.fail(n, path, "want text, got %q (quote it if you mean the word)", n.Value)
		return "", false
	}
	return n.Value, true
}

func (p *parser) text(n *yaml.Node, path string, maxLen int, dst *string) {
	s, ok := p.str(n, path)
	if !ok {
		return
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		p.fail(n, path, "must not be empty")
	case len([]rune(s)) > maxLen:
		p.fail(n, path, "longer than %d characters", maxLen)
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == 0xfffd }):
		p.fail(n, path, "contains control characters or invalid UTF-8")
	case strings.ContainsFunc(s, invisibleFormat):
		r := []rune(s)[slices.IndexFunc([]rune(s), invisibleFormat)]
		p.fail(n, path, "contains the invisible format character U+%04X (bidi controls reorder the printed text, others hide in it): delete it", r)
	default:
		*dst = s
	}
}

// invisibleFormat reports the characters a printed name must not hold:
// bidi controls (U+202E turns "llah" into "hall" on the slip and the
// screen) and the other format characters (Unicode Cf: zero-width spaces,
// BOM, soft hyphen, tag characters). The zero-width non-joiner and joiner
// stay allowed: Urdu and Persian-script Tajik words need them to shape.
func invisibleFormat(r rune) bool {
	if r == 0x200C || r == 0x200D {
		return false
	}
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Bidi_Control, r)
}

func (p *parser) integer(n *yaml.Node, path string) (int, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		p.fail(n, path, "want a whole number, got %q", n.Value)
		return 0, false
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil {
		p.fail(n, path, "want a whole number, got %q", n.Value)
		return 0, false
	}
	return v, true
}

func (p *parser) list(n *yaml.Node, path string, maxLen int) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		p.fail(n, path, "want a list")
		return nil
	}
	if len(n.Content) == 0 {
		p.fail(n, path, "list is empty")
		return nil
	}
	if len(n.Content) > maxLen {
		p.fail(n, path, "at most %d entries", maxLen)
		return nil
	}
	for _, e := range n.Content {
		if e.Kind == yaml.AliasNode {
			p.fail(e, path, "YAML aliases are not allowed in a provisioning file")
			return nil
		}
	}
	return n.Content
}

func (p *parser) config(n *yaml.Node, c *Config) {
	p.mapping(n, "",
		field{"version", true, func(n *yaml.Node, path string) {
			if v, ok := p.integer(n, path); ok {
				if v != FormatVersion {
					p.fail(n, path, "version %d is not understood by this firmware (it reads version %d)", v, FormatVersion)
					return
				}
				c.Version = v
			}
		}},
		field{"kiosk", true, func(n *yaml.Node, path string) {
			p.mapping(n, path,
				field{"id", true, func(n *yaml.Node, path string) {
					if s, ok := p.str(n, path); ok {
						if !kioskIDRe.MatchString(s) {
							p.fail(n, path, "%q: use 3–40 lower-case letters, digits and '-', like osh-airport-01", s)
							return
						}
						c.Kiosk.ID = s
					}
				}},
				field{"name", true, func(n *yaml.Node, path string) { p.text(n, path, 80, &c.Kiosk.Name) }},
			)
		}},
		field{"place", true, func(n *yaml.Node, path string) {
			p.mapping(n, path,
				field{"city", true, func(n *yaml.Node, path string) { p.text(n, path, 60, &c.Place.City) }},
				field{"kind", true, func(n *yaml.Node, path string) {
					if s, ok := p.str(n, path); ok {
						if !slices.Contains(placeKinds, s) {
							p.fail(n, path, "%q is not one of %s", s, strings.Join(placeKinds, ", "))
							return
						}
						c.Place.Kind = s
					}
				}},
			)
		}},
		field{"languages", true, func(n *yaml.Node, path string) { p.languages(n, path, &c.Languages) }},
		field{"idle_timeout", true, func(n *yaml.Node, path string) {
			if s, ok := p.str(n, path); ok {
				d, err := time.ParseDuration(s)
				if err != nil {
					p.fail(n, path, "%q is not a duration like 90s or 2m", s)
					return
				}
				if d < MinIdleTimeout || d > MaxIdleTimeout {
					p.fail(n, path, "%v is outside %v…%v (the warning alone gives 20 s to continue)", d, MinIdleTimeout, MaxIdleTimeout)
					return
				}
				c.IdleTimeout = Duration(d)
			}
		}},
		field{"printer", true, func(n *yaml.Node, path string) { p.printer(n, path, &c.Printer) }},
		field{"updates", true, func(n *yaml.Node, path string) { p.updates(n, path, &c.Updates) }},
		field{"time_zone", true, func(n *yaml.Node, path string) {
			if s, ok := p.str(n, path); ok {
				loc, err := time.LoadLocation(s)
				if err != nil || s == "" || s == "Local" || !strings.Contains(s, "/") && s != "UTC" {
					p.fail(n, path, "%q is not an IANA time zone like Asia/Bishkek or Asia/Tashkent", s)
					return
				}
				c.TimeZone, c.location = s, loc
			}
		}},
		field{"screen", true, func(n *yaml.Node, path string) {
			p.mapping(n, path, field{"orientation", true, func(n *yaml.Node, path string) {
				if v, ok := p.integer(n, path); ok {
					if v != 0 && v != 90 && v != 180 && v != 270 {
						p.fail(n, path, "%d: want 0, 90, 180 or 270 (degrees clockwise)", v)
						return
					}
					c.Screen.Orientation = v
				}
			}})
		}},
		field{"technician", true, func(n *yaml.Node, path string) {
			p.mapping(n, path, field{"pin_hash", true, func(n *yaml.Node, path string) {
				if s, ok := p.str(n, path); ok {
					if _, err := pin.ParseHash(s); err != nil {
						p.fail(n, path, "%v (make one with: sapar provision hash-pin)", err)
						return
					}
					c.Technician.PINHash = s
				}
			}}, field{"language", false, func(n *yaml.Node, path string) {
				if s, ok := p.str(n, path); ok {
					if !slices.Contains(techtext.Languages, s) {
						p.fail(n, path, "%q is not a technician language: want one of %s", s, strings.Join(techtext.Languages, ", "))
						return
					}
					c.Technician.Language = s
				}
			}})
		}},
		field{"fleet", false, func(n *yaml.Node, path string) { p.fleet(n, path, c) }},
		field{"help_desk", false, func(n *yaml.Node, path string) {
			h := &HelpDesk{}
			p.mapping(n, path,
				field{"name", true, func(n *yaml.Node, path string) { p.text(n, path, 80, &h.Name) }},
				field{"phone", true, func(n *yaml.Node, path string) {
					if s, ok := p.str(n, path); ok {
						if !phoneRe.MatchString(strings.TrimSpace(s)) {
							p.fail(n, path, "%q is not a phone number: digits, spaces, + - ( ) only, like \"+996 312 000000\" (the desk's real number: the kiosk prints it on every slip)", s)
							return
						}
						h.Phone = strings.TrimSpace(s)
					}
				}},
				field{"hours", false, func(n *yaml.Node, path string) { p.text(n, path, 60, &h.Hours) }},
				field{"address", false, func(n *yaml.Node, path string) { p.text(n, path, 120, &h.Address) }},
			)
			c.HelpDesk = h
		}},
		field{"maintenance_window", false, func(n *yaml.Node, path string) {
			if s, ok := p.str(n, path); ok {
				w, err := ParseWindow(s)
				if err != nil {
					p.fail(n, path, "%v", err)
					return
				}
				c.MaintenanceWindow = w
			}
		}},
		field{"metrics", false, func(n *yaml.Node, path string) {
			p.mapping(n, path, field{"listen", true, func(n *yaml.Node, path string) {
				if s, ok := p.str(n, path); ok {
					if err := checkListen(s); err != nil {
						p.fail(n, path, "%q: %v", s, err)
						return
					}
					c.Metrics.Listen = s
				}
			}})
		}},
	)
}

func (p *parser) languages(n *yaml.Node, path string, l *Languages) {
	var defNode *yaml.Node
	p.mapping(n, path,
		field{"offered", true, func(n *yaml.Node, path string) {
			for _, e := range p.list(n, path, len(SupportedLanguages())) {
				s, ok := p.str(e, path)
				if !ok {
					continue
				}
				tag, ok := canonicalLanguage(s)
				if !ok {
					p.fail(e, path, "%s", badLanguage(s))
					continue
				}
				if slices.Contains(l.Offered, tag) {
					p.fail(e, path, "%s listed twice", tag)
					continue
				}
				l.Offered = append(l.Offered, tag)
			}
		}},
		field{"default", true, func(n *yaml.Node, path string) {
			if s, ok := p.str(n, path); ok {
				tag, ok := canonicalLanguage(s)
				if !ok {
					p.fail(n, path, "%s", badLanguage(s))
					return
				}
				l.Default, defNode = tag, n
			}
		}},
	)
	if defNode != nil && len(l.Offered) > 0 && !slices.Contains(l.Offered, l.Default) {
		p.fail(defNode, join(path, "default"), "%s is not among the offered languages", l.Default)
	}
}

func canonicalLanguage(s string) (string, bool) {
	t, ok := supportedLanguages[strings.ToLower(strings.ReplaceAll(s, "_", "-"))]
	return t, ok
}

func badLanguage(s string) string {
	if strings.EqualFold(s, "uz") {
		return `"uz": say which script, uz-Latn or uz-Cyrl`
	}
	return fmt.Sprintf("%q is not a language this kiosk offers (%s)", s, strings.Join(SupportedLanguages(), ", "))
}

func (p *parser) printer(n *yaml.Node, path string, pr *Printer) {
	p.mapping(n, path,
		field{"device", false, func(n *yaml.Node, path string) {
			if s, ok := p.str(n, path); ok {
				if !devicePathRe.MatchString(s) || strings.Contains(s, "/../") || strings.HasSuffix(s, "/..") {
					p.fail(n, path, "%q: want a device path like /dev/ttyUSB0 or /dev/serial/by-id/…", s)
					return
				}
				pr.Device = s
			}
		}},
		field{"usb", false, func(n *yaml.Node, path string) {
			if s, ok := p.str(n, path); ok {
				if !usbIDRe.MatchString(s) {
					p.fail(n, path, "%q: want a USB vendor:product id like 0519:0003 (see lsusb)", s)
					return
				}
				pr.USB = strings.ToLower(s)
			}
		}},
		field{"profile", true, func(n *yaml.Node, path string) {
			if s, ok := p.str(n, path); ok {
				if !slices.Contains(p.opt.Profiles, s) {
					p.fail(n, path, "%q is not a known printer profile (%s)", s, strings.Join(p.opt.Profiles, ", "))
					return
				}
				pr.Profile = s
			}
		}},
		field{"baud", true, func(n *yaml.Node, path string) {
			if v, ok := p.integer(n, path); ok {
				if !slices.Contains(bauds, v) {
					p.fail(n, path, "%d is not a serial speed printers use (%v)", v, bauds)
					return
				}
				pr.Baud = v
			}
		}},
	)
	if n.Kind == yaml.MappingNode {
		has := func(k string) bool {
			for i := 0; i < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					return true
				}
			}
			return false
		}
		if has("device") == has("usb") {
			p.fail(n, path, "give exactly one of device (a /dev path) or usb (vendor:product)")
		}
	}
}

func (p *parser) updates(n *yaml.Node, path string, u *Updates) {
	p.mapping(n, path,
		field{"mirrors", true, func(n *yaml.Node, path string) {
			for _, e := range p.list(n, path, 8) {
				s, ok := p.str(e, path)
				if !ok {
					continue
				}
				if err := checkMirror(s); err != nil {
					p.fail(e, path, "%q: %v", s, err)
					continue
				}
				u.Mirrors = append(u.Mirrors, s)
			}
		}},
		field{"trusted_root", true, func(n *yaml.Node, path string) {
			p.mapping(n, path,
				field{"file", false, func(n *yaml.Node, path string) {
					if s, ok := p.str(n, path); ok {
						if !strings.HasPrefix(s, "/") || strings.Contains(s, "..") || strings.ContainsAny(s, "\x00\n") {
							p.fail(n, path, "%q: want an absolute path on the image, like /usr/share/sapar/tuf-root.json", s)
							return
						}
						u.Root.File = s
					}
				}},
				field{"inline", false, func(n *yaml.Node, path string) {
					if s, ok := p.str(n, path); ok {
						b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
						if err != nil {
							p.fail(n, path, "not base64 (encode root.json with: base64 -w0 root.json)")
							return
						}
						if err := checkRootJSON(b); err != nil {
							p.fail(n, path, "%v", err)
							return
						}
						u.Root.Inline = b
					}
				}},
			)
			if n.Kind == yaml.MappingNode && len(n.Content) != 2 {
				p.fail(n, path, "give exactly one of file or inline")
			}
		}},
		field{"rollout", false, func(n *yaml.Node, path string) {
			if s, ok := p.str(n, path); ok {
				if !slices.Contains(rolloutGroups, s) {
					p.fail(n, path, "%q: want canary (takes every release first) or late (only releases at 100%%); leave it out for the kiosk's own bucket", s)
					return
				}
				u.Rollout = s
			}
		}},
	)
}

func checkMirror(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fmt.Errorf("not a URL")
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Errorf("want an http(s) URL")
	case u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("no host")
	case u.User != nil:
		return fmt.Errorf("credentials do not belong in a provisioning file")
	case u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return fmt.Errorf("want a base URL without query or fragment")
	}
	return nil
}

// checkRootJSON checks that b looks like TUF root metadata; the updates
// package verifies it for real.
func checkRootJSON(b []byte) error {
	var root struct {
		Signed struct {
			Type string `json:"_type"`
		} `json:"signed"`
		Signatures []json.RawMessage `json:"signatures"`
	}
	if err := json.Unmarshal(b, &root); err != nil {
		return fmt.Errorf("decoded root is not JSON: %v", err)
	}
	if root.Signed.Type != "root" || len(root.Signatures) == 0 {
		return fmt.Errorf(`decoded JSON is not signed TUF root metadata ("signed": {"_type": "root"}, "signatures")`)
	}
	return nil
}

func checkListen(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("want host:port like 0.0.0.0:9464 or 10.0.0.5:9464")
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("bad port")
	}
	if host != "" {
		if _, err := netip.ParseAddr(host); err != nil {
			return fmt.Errorf("host must be an IP address (no name lookups at boot)")
		}
	}
	return nil
}
