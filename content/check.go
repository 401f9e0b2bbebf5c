package content

import (
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"
)

// CheckOptions set the editorial rules `sapar content check` applies on top
// of what Load refuses.
type CheckOptions struct {
	Now          time.Time // "today", for stale review dates
	StaleMonths  int       // a language's reviewed date older than this is a warning (default 12)
	MaxSteps     int       // steps on a printed slip (default 8)
	MaxStepRunes int       // characters per slip step (default 120)
	Required     []string  // languages every guide must have (default CoreLanguages)
}

// CoreLanguages are the languages every guide is written in; tg and ur
// are for the guides foreigners and South Asian workers need.
var CoreLanguages = []string{"ky", "uz-Latn", "uz-Cyrl", "kaa", "ru", "en"}

func (o *CheckOptions) defaults() {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.StaleMonths <= 0 {
		o.StaleMonths = 12
	}
	if o.MaxSteps <= 0 {
		o.MaxSteps = 8
	}
	if o.MaxStepRunes <= 0 {
		o.MaxStepRunes = 120
	}
	if o.Required == nil {
		o.Required = CoreLanguages
	}
}

// Report is the result of Check: errors refuse a build, warnings do not.
type Report struct {
	Set      *Set // nil when Load found problems
	Errors   Problems
	Warnings Problems
	Matrix   Matrix
}

// OK says whether the sources may be built.
func (r *Report) OK() bool { return len(r.Errors) == 0 && r.Set != nil }

// Matrix says which guide has a text in which language, and (once the
// sources load) how each text was made and whether it was reviewed.
type Matrix struct {
	Langs    []string
	Guides   []string
	Has      map[string]map[string]bool // guide → lang → present
	Required []string
	// Prov is guide → lang → Prov* mark; nil when the sources did not load.
	Prov map[string]map[string]string
}

// Provenance marks in the matrix.
const (
	ProvReviewed = "✓" // a native speaker reviewed it
	ProvHuman    = "h" // written by a person, not reviewed
	ProvMachine  = "m" // machine-made, not reviewed
	ProvUnknown  = "?" // translation not said
)

func provOf(t *Text) string {
	switch {
	case t.Reviewed != "" && t.ReviewedBy != "":
		return ProvReviewed
	case t.Translation == TranslationMachine:
		return ProvMachine
	case t.Translation == TranslationHuman:
		return ProvHuman
	}
	return ProvUnknown
}

// Check loads the sources in fsys and applies the editorial rules: every
// problem is reported, errors as file:line: message.
func Check(fsys fs.FS, opt CheckOptions) *Report {
	opt.defaults()
	r := &Report{Matrix: matrixOf(fsys, opt.Required)}
	set, err := Load(fsys)
	if err != nil {
		if ps, ok := err.(Problems); ok {
			r.Errors = append(r.Errors, ps...)
		} else {
			r.Errors = append(r.Errors, Problem{File: ".", Msg: err.Error()})
		}
	}
	// Missing languages are reported from the folder listing, so they show
	// even when some other file does not load.
	for _, id := range r.Matrix.Guides {
		for _, l := range opt.Required {
			if !r.Matrix.Has[id][l] {
				r.Errors = append(r.Errors, Problem{File: path.Join("guides", id), Msg: fmt.Sprintf("no %s.md: every guide needs %s", l, strings.Join(opt.Required, ", "))})
			}
		}
	}
	if set == nil {
		sortProblems(r.Errors)
		return r
	}
	r.Set = set
	r.Matrix.Prov = map[string]map[string]string{}
	for _, g := range set.Guides {
		r.Matrix.Prov[g.ID] = map[string]string{}
		for tag, t := range g.Texts {
			r.Matrix.Prov[g.ID][tag] = provOf(t)
		}
	}
	errf := func(file string, line int, format string, args ...any) {
		r.Errors = append(r.Errors, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	warnf := func(file string, line int, format string, args ...any) {
		r.Warnings = append(r.Warnings, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	for _, c := range set.Contacts {
		if c.Checked == "" {
			warnf(c.File, c.Line, "contact %q: no checked date: add 'checked: YYYY-MM-DD' once you have checked it against its source", c.ID)
		}
	}
	for _, g := range set.Guides {
		gfile := path.Join("guides", g.ID, "guide.yaml")
		for _, l := range g.Links {
			if !isWebURL(l.URL) {
				errf(gfile, 0, "link %q: %q is not a full web address", l.ID, l.URL)
			} else if strings.HasPrefix(l.URL, "http://") {
				warnf(gfile, 0, "link %q: use https:// if the site has it (%s)", l.ID, l.URL)
			}
		}
		for _, t := range sortedTexts(g) {
			checkText(g, t, opt, errf, warnf)
		}
	}
	for _, c := range set.Contacts {
		for _, l := range opt.Required {
			if c.Names[l] == "" {
				warnf(c.File, c.Line, "contact %q has no %s name (the %s name is shown instead)", c.ID, l, Chain(l)[1])
			}
		}
		for tag, n := range c.Names {
			if lang, ok := LookupLanguage(tag); ok {
				for _, m := range scriptProblems(lang, n) {
					errf(c.File, c.Line, "contact %q %s name: %s", c.ID, tag, m)
				}
			}
		}
	}
	checkSynonyms(set, errf, warnf)
	sortProblems(r.Errors)
	sortProblems(r.Warnings)
	return r
}

// checkSynonyms applies the editorial rules to synonyms.yaml: each word in
// its language's script (oʻ gʻ with U+02BB in Uzbek Latin), no word that
// search already finds by the term or another word, and no term that no
// guide of the language uses (its words would find nothing).
func checkSynonyms(set *Set, errf, warnf func(string, int, string, ...any)) {
	var texts map[string][][]string // lang → folded texts, split
	for _, sw := range set.Synonyms {
		lang, _ := LookupLanguage(sw.Lang)
		line := func(i int) int {
			if i < len(sw.Lines) {
				return sw.Lines[i]
			}
			return sw.Line
		}
		if sw.Term != "" {
			for _, m := range scriptProblems(lang, sw.Term) {
				errf(sw.File, sw.Line, "term %q: %s", sw.Term, m)
			}
		}
		seen := map[string]int{}
		if sw.Term != "" {
			seen[Fold(sw.Term)] = -1
		}
		for i, w := range sw.Words {
			for _, m := range scriptProblems(lang, w) {
				errf(sw.File, line(i), "%q: %s", w, m)
			}
			if sw.Lang == "uz-Latn" {
				for _, m := range tutuqWarnings(w) {
					warnf(sw.File, line(i), "%s", m)
				}
			}
			f := Fold(w)
			if prev, dup := seen[f]; dup {
				if prev < 0 {
					warnf(sw.File, line(i), "%q is the term itself (search folds case, script and apostrophes): leave it out", w)
				} else {
					warnf(sw.File, line(i), "%q is already in the list as %q (search folds case, script and apostrophes): leave one out", w, sw.Words[prev])
				}
				continue
			}
			seen[f] = i
		}
		if sw.Term == "" {
			continue
		}
		if texts == nil {
			texts = map[string][][]string{}
			for _, g := range set.Guides {
				for l, t := range g.Texts {
					texts[l] = append(texts[l], strings.Fields(Fold(t.Title+"\n"+t.Summary+"\n"+t.Body)))
				}
			}
		}
		stems := termStems(sw.Term, sw.Lang)
		used := false
		for _, toks := range texts[sw.Lang] {
			if containsTerm(toks, stems) {
				used = true
				break
			}
		}
		if !used {
			warnf(sw.File, sw.Line, "term %q is in no %s guide, so its words find nothing: use a word the guides use, or list the words under guides:", sw.Term, sw.Lang)
		}
	}
}

func sortedTexts(g *Guide) []*Text {
	out := make([]*Text, 0, len(g.Texts))
	for _, t := range g.Texts {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Lang < out[j].Lang })
	return out
}

func sortProblems(ps Problems) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		return ps[i].Line < ps[j].Line
	})
}

var bodyURL = regexp.MustCompile(`(?i)\bhttps?://|\bwww\.[a-z0-9-]+\.[a-z]`)

func checkText(g *Guide, t *Text, opt CheckOptions, errf, warnf func(string, int, string, ...any)) {
	line := func(key string) int {
		if n := t.Lines[key]; n > 0 {
			return n
		}
		return 2
	}
	// Provenance: how the text was made, and a review only when a native
	// speaker did one (a date alone once stood for "written on").
	switch t.Translation {
	case TranslationMachine, TranslationHuman:
	case "":
		errf(t.File, 2, "no translation: add 'translation: machine' or 'translation: human' (how this text was made)")
	default:
		errf(t.File, line("translation"), "translation %q: write machine or human", t.Translation)
	}
	if t.Reviewed != "" && t.ReviewedBy == "" {
		errf(t.File, line("reviewed"), "reviewed without reviewed_by: say who (role or organisation) reviewed it, or remove reviewed until a native speaker has")
	}
	if t.ReviewedBy != "" && t.Reviewed == "" {
		errf(t.File, line("reviewed_by"), "reviewed_by without reviewed: add the date (YYYY-MM-DD) of the review")
	}
	if t.Reviewed == "" {
		// not yet reviewed: the provenance matrix lists it
	} else if d, err := time.Parse(time.DateOnly, t.Reviewed); err != nil {
		errf(t.File, line("reviewed"), "reviewed %q: write the date as YYYY-MM-DD", t.Reviewed)
	} else if d.AddDate(0, opt.StaleMonths, 0).Before(opt.Now) {
		warnf(t.File, line("reviewed"), "last reviewed %s, more than %d months ago: check the facts and update it", t.Reviewed, opt.StaleMonths)
	} else if d.After(opt.Now.Add(48 * time.Hour)) {
		warnf(t.File, line("reviewed"), "reviewed %s is in the future", t.Reviewed)
	}
	// Link labels.
	for _, l := range g.Links {
		if strings.TrimSpace(t.LinkLabels[l.ID]) == "" {
			errf(t.File, line("links"), "no label for link %q: add it under links:", l.ID)
		}
	}
	// Slip budget.
	if len(t.Print) > opt.MaxSteps {
		errf(t.File, line("print"), "the slip has %d steps, at most %d fit: shorten it", len(t.Print), opt.MaxSteps)
	}
	for i, s := range t.Print {
		ln := line("print")
		if i < len(t.PrintLines) {
			ln = t.PrintLines[i]
		}
		if n := utf8.RuneCountInString(s); n > opt.MaxStepRunes {
			errf(t.File, ln, "slip step %d has %d characters, at most %d: split or shorten it", i+1, n, opt.MaxStepRunes)
		}
		if strings.TrimSpace(s) == "" {
			errf(t.File, ln, "slip step %d is empty", i+1)
		}
		if numbered.MatchString(s) {
			warnf(t.File, ln, "slip step %d starts with a number: the printer numbers steps itself", i+1)
		}
	}
	// Script and spelling, field by field.
	lang, _ := LookupLanguage(t.Lang)
	fields := []struct {
		line int
		text string
	}{{line("title"), t.Title}, {line("summary"), t.Summary}}
	for i, s := range t.Print {
		ln := line("print")
		if i < len(t.PrintLines) {
			ln = t.PrintLines[i]
		}
		fields = append(fields, struct {
			line int
			text string
		}{ln, s})
	}
	for id, lab := range t.LinkLabels {
		ln := t.LinkLines[id]
		if ln == 0 {
			ln = line("links")
		}
		fields = append(fields, struct {
			line int
			text string
		}{ln, lab})
	}
	for i, bl := range strings.Split(t.Body, "\n") {
		fields = append(fields, struct {
			line int
			text string
		}{t.BodyLine + i, bl})
		if bodyURL.MatchString(bl) {
			warnf(t.File, t.BodyLine+i, "web address in the body: put it under links in guide.yaml so it becomes a QR code")
		}
	}
	sort.SliceStable(fields, func(i, j int) bool { return fields[i].line < fields[j].line })
	for _, f := range fields {
		for _, m := range scriptProblems(lang, f.text) {
			errf(t.File, f.line, "%s", m)
		}
		if t.Lang == "uz-Latn" {
			for _, m := range tutuqWarnings(f.text) {
				warnf(t.File, f.line, "%s", m)
			}
		}
	}
}

var numbered = regexp.MustCompile(`^\s*\d+[.)]\s`)

// uzWrongOkina finds oʻ/gʻ written with a character other than U+02BB.
var uzWrongOkina = regexp.MustCompile("([oOgG])(['`\u2018\u2019\u02BC\u00B4])")

// uzTutuq finds the tutuq belgisi (U+02BC) written as an ASCII apostrophe
// or a quotation mark between letters (taʼlim, vaʼda).
var uzTutuq = regexp.MustCompile("(\\p{L})(['`\u2018\u2019])(\\p{L})")

// scriptProblems checks that text is written in lang's script: no word
// mixing Latin and Cyrillic letters (a look-alike typed on the wrong
// keyboard), no line mostly in another script, and in Uzbek Latin oʻ gʻ
// with U+02BB.
func scriptProblems(lang Language, text string) []string {
	var out []string
	var want, other int
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) }) {
		var lat, cyr int
		for _, r := range w {
			switch {
			case unicode.Is(unicode.Latin, r):
				lat++
			case unicode.Is(unicode.Cyrillic, r):
				cyr++
			}
		}
		if lat > 0 && cyr > 0 {
			out = append(out, fmt.Sprintf("word %q mixes Latin and Cyrillic letters (a look-alike letter from the other keyboard?)", w))
		}
		for _, r := range w {
			if !unicode.IsLetter(r) {
				continue
			}
			if inScript(lang.Script, r) {
				want++
			} else {
				other++
			}
		}
	}
	// Latin brand names (Telegram, WhatsApp) are fine in a Cyrillic text;
	// a line mostly in another script is not.
	if other > want && other >= 12 {
		out = append(out, fmt.Sprintf("this line is not in %s script: %s (%s) is written in %s", scriptName(lang.Script), lang.Endonym, lang.Tag, scriptName(lang.Script)))
	}
	if lang.Tag == "uz-Latn" {
		for _, m := range uzWrongOkina.FindAllStringSubmatch(text, -1) {
			out = append(out, fmt.Sprintf("%q: write %sʻ with ʻ (U+02BB), not %U", m[0], m[1], []rune(m[2])[0]))
		}
	}
	return out
}

func tutuqWarnings(text string) []string {
	var out []string
	for _, m := range uzTutuq.FindAllStringSubmatch(text, -1) {
		if strings.ContainsAny(m[1], "oOgG") {
			continue // oʻ gʻ: reported as an error already
		}
		out = append(out, fmt.Sprintf("%q: write the tutuq belgisi as ʼ (U+02BC)", m[0]))
	}
	return out
}

func inScript(script string, r rune) bool {
	switch script {
	case "Cyrl":
		return unicode.Is(unicode.Cyrillic, r)
	case "Latn":
		return unicode.Is(unicode.Latin, r)
	case "Arab":
		return unicode.Is(unicode.Arabic, r)
	}
	return true
}

func scriptName(s string) string {
	switch s {
	case "Cyrl":
		return "Cyrillic"
	case "Latn":
		return "Latin"
	case "Arab":
		return "Arabic"
	}
	return s
}

func matrixOf(fsys fs.FS, required []string) Matrix {
	m := Matrix{Has: map[string]map[string]bool{}, Required: required}
	for _, l := range languages {
		m.Langs = append(m.Langs, l.Tag)
	}
	dirs, _ := fs.ReadDir(fsys, "guides")
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		id := d.Name()
		m.Guides = append(m.Guides, id)
		m.Has[id] = map[string]bool{}
		files, _ := fs.ReadDir(fsys, path.Join("guides", id))
		for _, f := range files {
			if tag, ok := strings.CutSuffix(f.Name(), ".md"); ok {
				m.Has[id][tag] = true
			}
		}
	}
	return m
}

// Write prints the matrix as a table: ✓ present (and, once the sources
// load, reviewed by a native speaker), h written by a person but not
// reviewed, m machine-made and not reviewed, ✗ missing and required,
// · missing and optional (it falls back), with per language the count of
// texts and of unreviewed ones at the bottom.
func (m Matrix) Write(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprint(tw, "guide")
	for _, l := range m.Langs {
		fmt.Fprint(tw, "\t", l)
	}
	fmt.Fprintln(tw, "\t")
	count, unrev := map[string]int{}, map[string]int{}
	for _, g := range m.Guides {
		fmt.Fprint(tw, g)
		for _, l := range m.Langs {
			mark := "·"
			switch {
			case m.Has[g][l]:
				mark = "✓"
				if p := m.Prov[g][l]; p != "" {
					mark = p
					if p != ProvReviewed {
						unrev[l]++
					}
				}
				count[l]++
			case contains(m.Required, l):
				mark = "✗"
			}
			fmt.Fprint(tw, "\t", mark)
		}
		fmt.Fprintln(tw, "\t")
	}
	fmt.Fprintf(tw, "%d guides", len(m.Guides))
	for _, l := range m.Langs {
		fmt.Fprint(tw, "\t", count[l])
	}
	fmt.Fprintln(tw, "\t")
	if m.Prov != nil {
		fmt.Fprint(tw, "unreviewed")
		for _, l := range m.Langs {
			fmt.Fprint(tw, "\t", unrev[l])
		}
		fmt.Fprintln(tw, "\t")
	}
	tw.Flush()
}
