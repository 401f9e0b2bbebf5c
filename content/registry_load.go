package content

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"io/fs"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Source files of the two registries, beside guides/. Both are optional:
// content without them has no contacts or no agency registry.
const (
	ContactsFile = "contacts.yaml"
	AgenciesFile = "agencies.csv"
)

// AgenciesHeader is the exact first line agencies.csv must have.
var AgenciesHeader = []string{"name", "name_translit", "licence_no", "country", "valid_until", "status", "source", "date"}

type contactFile struct {
	ID        string            `yaml:"id"`
	Kind      string            `yaml:"kind"`
	Country   string            `yaml:"country"`
	Names     map[string]string `yaml:"names"`
	Phone     string            `yaml:"phone"`
	Website   string            `yaml:"website"`
	Telegram  string            `yaml:"telegram"`
	Hours     string            `yaml:"hours"`
	Languages []string          `yaml:"languages"`
	Source    string            `yaml:"source"`
	Serves    []string          `yaml:"serves"`
	Checked   string            `yaml:"checked"`
}

func loadContacts(fsys fs.FS, add func(string, int, string, ...any)) []*Contact {
	list, lines, ok := loadYAMLList[contactFile](fsys, ContactsFile, add)
	if !ok {
		return nil
	}
	seen := map[string]int{}
	var out []*Contact
	for i, cf := range list {
		c := &Contact{ID: cf.ID, Kind: cf.Kind, Country: cf.Country, Names: cf.Names, Phone: cf.Phone,
			Website: cf.Website, Telegram: cf.Telegram, Hours: cf.Hours, Languages: cf.Languages,
			Source: cf.Source, Serves: cf.Serves, Checked: cf.Checked, File: ContactsFile, Line: lines[i]}
		if c.Languages == nil {
			c.Languages = []string{}
		}
		msgs := validateContact(c)
		if prev, dup := seen[c.ID]; dup && c.ID != "" {
			msgs = append(msgs, "id "+quote(c.ID)+" already used on line "+strconv.Itoa(prev))
		}
		seen[c.ID] = c.Line
		for _, m := range msgs {
			add(ContactsFile, c.Line, "contact %s: %s", quote(c.ID), m)
		}
		if len(msgs) == 0 {
			out = append(out, c)
		}
	}
	return out
}

var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{3,24}$`)

// validateContact returns what is wrong with c (nothing for a good entry).
// It is used on sources and again on bundles.
func validateContact(c *Contact) []string {
	var msgs []string
	if !idPattern.MatchString(c.ID) {
		msgs = append(msgs, "id: use lowercase a-z, 0-9 and '-'")
	}
	if !contains(ContactKinds, c.Kind) {
		msgs = append(msgs, "kind "+quote(c.Kind)+": use one of "+strings.Join(ContactKinds, ", "))
	}
	if !isCountry(c.Country) {
		msgs = append(msgs, "country "+quote(c.Country)+": use an ISO 3166 two-letter code such as KG, UZ, RU")
	}
	if len(c.Names) == 0 {
		msgs = append(msgs, "no names: give the name in each language")
	}
	if c.Checked != "" {
		if _, err := time.Parse(time.DateOnly, c.Checked); err != nil {
			msgs = append(msgs, "checked "+quote(c.Checked)+": write the date as YYYY-MM-DD")
		}
	}
	for _, o := range c.Serves {
		if !contains(Origins, o) {
			msgs = append(msgs, "serves "+quote(o)+": use "+strings.Join(Origins, ", "))
		}
	}
	for tag, n := range c.Names {
		if l, ok := LookupLanguage(tag); !ok || l.Tag != tag {
			msgs = append(msgs, "names: unknown language "+quote(tag))
		} else if strings.TrimSpace(n) == "" {
			msgs = append(msgs, "names: empty "+tag+" name")
		}
	}
	for _, tag := range c.Languages {
		if l, ok := LookupLanguage(tag); !ok || l.Tag != tag {
			msgs = append(msgs, "languages: unknown language "+quote(tag))
		}
	}
	if c.Phone != "" && !phonePattern.MatchString(c.Phone) {
		msgs = append(msgs, "phone "+quote(c.Phone)+": digits, spaces, + - ( ) only; leave \"\" when no source gives one")
	}
	if c.Website != "" && !isWebURL(c.Website) {
		msgs = append(msgs, "website "+quote(c.Website)+": must be a full https:// or http:// address")
	}
	if c.Telegram != "" && !strings.HasPrefix(c.Telegram, "https://t.me/") {
		msgs = append(msgs, "telegram "+quote(c.Telegram)+": must start with https://t.me/")
	}
	if strings.TrimSpace(c.Source) == "" {
		msgs = append(msgs, "no source: say where the facts come from")
	}
	return msgs
}

func loadAgencies(fsys fs.FS, add func(string, int, string, ...any)) []*Agency {
	if _, err := fs.Stat(fsys, AgenciesFile); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	raw, ok := readSource(fsys, AgenciesFile, add)
	if !ok {
		return nil
	}
	raw = bytes.TrimPrefix(raw, []byte("\uFEFF")) // spreadsheets save a BOM
	r := csv.NewReader(bytes.NewReader(raw))
	r.FieldsPerRecord = len(AgenciesHeader)
	head, err := r.Read()
	if err != nil {
		add(AgenciesFile, 1, "header: %v (want %s)", csvErr(err), strings.Join(AgenciesHeader, ","))
		return nil
	}
	for i, h := range AgenciesHeader {
		if strings.TrimSpace(head[i]) != h {
			add(AgenciesFile, 1, "header column %d is %q, want %q (header: %s)", i+1, head[i], h, strings.Join(AgenciesHeader, ","))
			return nil
		}
	}
	var out []*Agency
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			line := 0
			if errors.As(err, &pe) {
				line = pe.Line
			}
			add(AgenciesFile, line, "%s", csvErr(err))
			if pe != nil && errors.Is(pe.Err, csv.ErrFieldCount) {
				continue
			}
			return nil
		}
		line, _ := r.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		a := &Agency{Name: rec[0], NameTranslit: rec[1], LicenceNo: rec[2], Country: rec[3], ValidUntil: rec[4],
			Status: rec[5], Source: rec[6], Date: rec[7], Line: line}
		a.Sample = isSampleAgency(a)
		msgs := validateAgency(a)
		key := foldLicence(a.LicenceNo)
		if prev, dup := seen[key]; dup && key != "" {
			msgs = append(msgs, "licence number "+quote(a.LicenceNo)+" already on line "+strconv.Itoa(prev))
		}
		seen[key] = line
		for _, m := range msgs {
			add(AgenciesFile, line, "%s", m)
		}
		if len(msgs) == 0 {
			out = append(out, a)
		}
	}
	return out
}

func csvErr(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return "wrong number of columns: every row needs " + strconv.Itoa(len(AgenciesHeader)) + " (" + strings.Join(AgenciesHeader, ",") + "); put a value with a comma in double quotes"
		}
		return pe.Err.Error()
	}
	return err.Error()
}

// isSampleAgency: fictional entries are marked twice, by the name prefix and
// by the source, so neither can be lost alone.
func isSampleAgency(a *Agency) bool {
	return strings.HasPrefix(a.Name, "SAMPLE") || strings.Contains(strings.ToLower(a.Source), "not real")
}

func validateAgency(a *Agency) []string {
	var msgs []string
	if a.Name == "" {
		msgs = append(msgs, "no name")
	}
	if foldLicence(a.LicenceNo) == "" {
		msgs = append(msgs, "no licence number")
	}
	if a.Country != "KG" && a.Country != "UZ" {
		msgs = append(msgs, "country "+quote(a.Country)+": KG or UZ (the country that issued the licence)")
	}
	switch a.Status {
	case StatusLicensed, StatusSuspended, StatusRevoked:
	default:
		msgs = append(msgs, "status "+quote(a.Status)+": licensed, suspended or revoked")
	}
	if _, err := time.Parse(time.DateOnly, a.ValidUntil); err != nil {
		msgs = append(msgs, "valid_until "+quote(a.ValidUntil)+": write the date as YYYY-MM-DD")
	}
	if _, err := time.Parse(time.DateOnly, a.Date); err != nil {
		msgs = append(msgs, "date "+quote(a.Date)+": write the date the source was read as YYYY-MM-DD")
	}
	if a.Source == "" {
		msgs = append(msgs, "no source: name the official list this entry comes from")
	}
	if a.Sample && !(strings.HasPrefix(a.Name, "SAMPLE") && strings.Contains(strings.ToLower(a.Source), "not real")) {
		msgs = append(msgs, "a fictional entry needs both marks: a name starting with SAMPLE and the source \"sample data — not real\"")
	}
	return msgs
}

func isCountry(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && !strings.ContainsAny(s, " \t\n")
}

func quote(s string) string { return `"` + s + `"` }

// loadYAMLList reads an optional editors' file holding a YAML list of T,
// strictly (unknown keys refused, errors through add with file:line), and
// gives each entry's line. ok is false when the file is absent or refused.
func loadYAMLList[T any](fsys fs.FS, name string, add func(string, int, string, ...any)) (list []T, lines []int, ok bool) {
	if _, err := fs.Stat(fsys, name); errors.Is(err, fs.ErrNotExist) {
		return nil, nil, false
	}
	raw, ok := readSource(fsys, name, add)
	if !ok {
		return nil, nil, false
	}
	if !decodeStrict(raw, &list, name, 0, add) {
		return nil, nil, false
	}
	// A second pass over the node tree gives each entry's line.
	var doc yaml.Node
	yaml.Unmarshal(raw, &doc)
	lines = make([]int, len(list))
	if len(doc.Content) == 1 && doc.Content[0].Kind == yaml.SequenceNode {
		for i, n := range doc.Content[0].Content {
			if i < len(lines) {
				lines[i] = n.Line
			}
		}
	}
	return list, lines, true
}
