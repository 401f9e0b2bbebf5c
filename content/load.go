package content

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"go.yaml.in/yaml/v3"
)

// MaxSourceFile refuses source files no guide needs, before parsing them.
const MaxSourceFile = 256 << 10

// Problem is one thing wrong with the sources, reported as file:line: message.
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Problems is a list of Problem that is also an error.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

type guideFile struct {
	ID        string   `yaml:"id"`
	Stages    []string `yaml:"stages"`
	Audiences []string `yaml:"audiences"`
	Countries []string `yaml:"countries"`
	Pictogram string   `yaml:"pictogram"`
	Links     []Link   `yaml:"links"`
	Sources   []string `yaml:"sources"`
	Contacts  []string `yaml:"contacts"`
}

type frontMatter struct {
	Title    string `yaml:"title"`
	Summary  string `yaml:"summary"`
	Reviewed string `yaml:"reviewed"`
	// Provenance: how the text was made and who checked it.
	Translation string            `yaml:"translation"`
	ReviewedBy  string            `yaml:"reviewed_by"`
	Links       map[string]string `yaml:"links"`
	Print       []string          `yaml:"print"`
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Load reads content sources from fsys (the layout of content/sample:
// guides/<id>/guide.yaml and guides/<id>/<lang>.md). It returns every
// problem it finds, not just the first; a Set is returned only when there
// are none.
func Load(fsys fs.FS) (*Set, error) {
	var probs Problems
	add := func(file string, line int, format string, args ...any) {
		probs = append(probs, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	dirs, err := fs.ReadDir(fsys, "guides")
	if err != nil {
		return nil, Problems{{File: "guides", Msg: "no guides directory: " + err.Error()}}
	}
	md := goldmark.New() // raw HTML is not rendered (goldmark's default is safe)
	set := &Set{}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		dir := path.Join("guides", d.Name())
		g, ok := loadGuideYAML(fsys, dir, d.Name(), add)
		if !ok {
			continue
		}
		files, _ := fs.ReadDir(fsys, dir)
		for _, f := range files {
			name := f.Name()
			if f.IsDir() || name == "guide.yaml" {
				continue
			}
			file := path.Join(dir, name)
			if !strings.HasSuffix(name, ".md") {
				add(file, 0, "unexpected file: a guide folder holds guide.yaml and <lang>.md files")
				continue
			}
			tag := strings.TrimSuffix(name, ".md")
			lang, known := LookupLanguage(tag)
			if !known || lang.Tag != tag {
				add(file, 0, "unknown language %q: name the file after one of %s", tag, strings.Join(tagList(), ", "))
				continue
			}
			t, ok := loadText(fsys, file, tag, g, md, add)
			if ok {
				g.Texts[tag] = t
			}
		}
		if len(g.Texts) == 0 {
			add(path.Join(dir, "guide.yaml"), 0, "guide %q has no language files", g.ID)
			continue
		}
		set.Guides = append(set.Guides, g)
	}
	set.Contacts = loadContacts(fsys, add)
	set.Agencies = loadAgencies(fsys, add)
	set.Synonyms = loadSynonyms(fsys, add)
	set.Notices = loadNotices(fsys, add)
	checkGuideContacts(set, add)
	checkSynonymGuides(set, add)
	if len(probs) > 0 {
		return nil, probs
	}
	sort.Slice(set.Guides, func(i, j int) bool { return set.Guides[i].ID < set.Guides[j].ID })
	return set, nil
}

// checkGuideContacts: every contact a guide names is in contacts.yaml.
func checkGuideContacts(set *Set, add func(string, int, string, ...any)) {
	known := map[string]bool{}
	for _, c := range set.Contacts {
		known[c.ID] = true
	}
	for _, g := range set.Guides {
		for _, id := range g.Contacts {
			if !known[id] {
				add(path.Join("guides", g.ID, "guide.yaml"), 0, "contact %q is not in contacts.yaml", id)
			}
		}
	}
}

func tagList() []string {
	var out []string
	for _, l := range languages {
		out = append(out, l.Tag)
	}
	return out
}

func readSource(fsys fs.FS, file string, add func(string, int, string, ...any)) ([]byte, bool) {
	st, err := fs.Stat(fsys, file)
	if err != nil {
		add(file, 0, "%v", err)
		return nil, false
	}
	if st.Size() > MaxSourceFile {
		add(file, 0, "file is %d bytes, more than the %d a source may have: split it", st.Size(), MaxSourceFile)
		return nil, false
	}
	raw, err := fs.ReadFile(fsys, file)
	if err != nil {
		add(file, 0, "%v", err)
		return nil, false
	}
	if !utf8.Valid(raw) {
		line := 1 + bytes.Count(raw[:firstInvalid(raw)], []byte("\n"))
		add(file, line, "not valid UTF-8: save the file as UTF-8")
		return nil, false
	}
	return raw, true
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// decodeStrict decodes YAML refusing unknown keys; lineOffset shifts line
// numbers for front matter that starts below line 1.
func decodeStrict(raw []byte, v any, file string, lineOffset int, add func(string, int, string, ...any)) bool {
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	err := dec.Decode(v)
	if err == nil || errors.Is(err, io.EOF) {
		return true
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		for _, e := range te.Errors {
			line, msg := splitYAMLLine(e)
			add(file, line+lineOffset, "%s", msg)
		}
		return false
	}
	line, msg := splitYAMLLine(err.Error())
	add(file, line+lineOffset, "%s", msg)
	return false
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

func splitYAMLLine(s string) (int, string) {
	m := yamlLine.FindStringSubmatch(s)
	if m == nil {
		return 0, strings.TrimPrefix(s, "yaml: ")
	}
	n := 0
	fmt.Sscanf(m[1], "%d", &n)
	return n, m[2]
}

func loadGuideYAML(fsys fs.FS, dir, name string, add func(string, int, string, ...any)) (*Guide, bool) {
	file := path.Join(dir, "guide.yaml")
	raw, ok := readSource(fsys, file, add)
	if !ok {
		return nil, false
	}
	var gf guideFile
	if !decodeStrict(raw, &gf, file, 0, add) {
		return nil, false
	}
	ok = true
	bad := func(format string, args ...any) { add(file, 0, format, args...); ok = false }
	if gf.ID != name {
		bad("id %q must equal the folder name %q", gf.ID, name)
	}
	if !idPattern.MatchString(gf.ID) {
		bad("id %q: use lowercase a-z, 0-9 and '-'", gf.ID)
	}
	if len(gf.Stages) == 0 {
		bad("no stages: give at least one of %s", strings.Join(Stages, ", "))
	}
	for _, s := range gf.Stages {
		if !contains(Stages, s) {
			bad("unknown stage %q: use %s", s, strings.Join(Stages, ", "))
		}
	}
	for _, c := range gf.Countries {
		if len(c) != 2 || strings.ToUpper(c) != c {
			bad("country %q: use an ISO 3166 two-letter code such as RU, KZ, KR", c)
		}
	}
	if gf.Pictogram == "" {
		bad("no pictogram")
	}
	seen := map[string]bool{}
	for _, l := range gf.Links {
		if l.ID == "" || seen[l.ID] {
			bad("link id %q empty or repeated", l.ID)
		}
		seen[l.ID] = true
		if !strings.HasPrefix(l.URL, "https://") && !strings.HasPrefix(l.URL, "http://") {
			bad("link %q: url %q must start with https:// or http://", l.ID, l.URL)
		}
		for _, o := range l.Origins {
			if !contains(Origins, o) {
				bad("link %q: origins %q: use %s", l.ID, o, strings.Join(Origins, ", "))
			}
		}
	}
	if len(gf.Sources) == 0 {
		bad("no sources: say where the facts come from")
	}
	if !ok {
		return nil, false
	}
	return &Guide{ID: gf.ID, Stages: gf.Stages, Audiences: gf.Audiences, Countries: gf.Countries,
		Pictogram: gf.Pictogram, Links: gf.Links, Sources: gf.Sources, Contacts: gf.Contacts, Texts: map[string]*Text{}}, true
}

func loadText(fsys fs.FS, file, tag string, g *Guide, md goldmark.Markdown, add func(string, int, string, ...any)) (*Text, bool) {
	raw, ok := readSource(fsys, file, add)
	if !ok {
		return nil, false
	}
	s := strings.ReplaceAll(string(raw), "\r\n", "\n")
	if !strings.HasPrefix(s, "---\n") {
		add(file, 1, "missing front matter: the file must start with a line '---'")
		return nil, false
	}
	end := strings.Index(s[4:], "\n---\n")
	if end < 0 && strings.HasSuffix(s, "\n---") {
		end = len(s) - 4 - 4
	}
	if end < 0 {
		add(file, 1, "front matter is not closed: add a line '---' after it")
		return nil, false
	}
	front := s[4 : 4+end+1]
	body := ""
	bodyStart := min(4+end+5, len(s))
	body = s[bodyStart:]
	var fm frontMatter
	if !decodeStrict([]byte(front), &fm, file, 1, add) {
		return nil, false
	}
	ok = true
	if strings.TrimSpace(fm.Title) == "" {
		add(file, 2, "no title")
		ok = false
	}
	if strings.TrimSpace(fm.Summary) == "" {
		add(file, 2, "no summary")
		ok = false
	}
	if len(fm.Print) == 0 {
		add(file, 2, "no print steps: the slip needs at least one")
		ok = false
	}
	for id := range fm.Links {
		if !hasLink(g, id) {
			add(file, 2, "label for unknown link %q (guide.yaml lists the links)", id)
			ok = false
		}
	}
	if !ok {
		return nil, false
	}
	var html bytes.Buffer
	if err := md.Convert([]byte(body), &html); err != nil {
		add(file, 0, "markdown: %v", err)
		return nil, false
	}
	t := &Text{Lang: tag, File: file, Title: strings.TrimSpace(fm.Title), Summary: strings.TrimSpace(fm.Summary),
		Reviewed: fm.Reviewed, Translation: strings.TrimSpace(fm.Translation), ReviewedBy: strings.TrimSpace(fm.ReviewedBy), LinkLabels: fm.Links, Print: fm.Print, Body: body, BodyHTML: html.String(),
		BodyLine: 1 + strings.Count(s[:bodyStart], "\n")}
	frontLines(front, 1, t)
	return t, true
}

// frontLines records where each front-matter key, print step and link
// label is, so that `content check` can point at the line.
func frontLines(front string, offset int, t *Text) {
	t.Lines, t.LinkLines = map[string]int{}, map[string]int{}
	var doc yaml.Node
	if yaml.Unmarshal([]byte(front), &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		t.Lines[k.Value] = k.Line + offset
		switch k.Value {
		case "print":
			for _, it := range v.Content {
				t.PrintLines = append(t.PrintLines, it.Line+offset)
			}
		case "links":
			for j := 0; j+1 < len(v.Content); j += 2 {
				t.LinkLines[v.Content[j].Value] = v.Content[j].Line + offset
			}
		}
	}
}

func hasLink(g *Guide, id string) bool {
	for _, l := range g.Links {
		if l.ID == id {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
