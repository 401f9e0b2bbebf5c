package content

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// SynonymsFile holds the words people type that the guides do not use,
// beside guides/. It is optional.
const SynonymsFile = "synonyms.yaml"

// SearchWords are words people type for something the guides say in other
// words (synonyms.yaml). Search finds them as if they were in the guide.
// Exactly one of Term and Guide is set:
//
//   - Term: a word or phrase the guides of Lang use; Words find every guide
//     whose Lang text uses it (as strongly as where the term stands: title
//     and summary count as synonyms, the body as body text);
//
//   - Guide: a guide id; Words find that guide, even where it has no text in
//     Lang (it is then shown in the reader's fallback language).
//
//   - Common: words that say little about which guide is meant (my, how,
//     to go, to work); search still matches them but lets the other words
//     of a query decide.
//
// They are words, not facts: never a number, a name of an agency or a claim.
type SearchWords struct {
	Lang   string   `json:"lang"`
	Term   string   `json:"term,omitempty"`
	Guide  string   `json:"guide,omitempty"`
	Common bool     `json:"common,omitempty"`
	Words  []string `json:"words"`
	File   string   `json:"-"`
	Line   int      `json:"-"`
	Lines  []int    `json:"-"` // line of each word, for `content check`
}

// Limits of one entry of synonyms.yaml: a search word is what someone
// types, not a sentence.
const (
	maxSynonymRunes = 60
	maxSynonymWords = 6
)

// manyDigits finds what looks like a phone, licence or other number: facts
// belong in a guide with their source, never in the search words.
var manyDigits = regexp.MustCompile(`[0-9]{3,}`)
var webish = regexp.MustCompile(`(?i)https?:|www\.|@|\.(kg|uz|ru|com|org)\b`)

// loadSynonyms parses synonyms.yaml strictly:
//
//	ru:                       # a language (file names of the guides)
//	  terms:                  # a term the guides use: the words people type for it
//	    регистрация: [прописка, прописаться]
//	  guides:                 # a guide: more words that find it
//	    unpaid-wages-help: [не платят зарплату, кинули с зарплатой]
//	  common: [мой, как, где]  # words that say little: the others decide
//
// Unknown keys and languages are errors with their line.
func loadSynonyms(fsys fs.FS, add func(string, int, string, ...any)) []*SearchWords {
	if _, err := fs.Stat(fsys, SynonymsFile); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	raw, ok := readSource(fsys, SynonymsFile, add)
	if !ok {
		return nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		line, msg := splitYAMLLine(err.Error())
		add(SynonymsFile, line, "%s", msg)
		return nil
	}
	if len(doc.Content) == 0 {
		return nil // an empty file: no synonyms
	}
	bad := func(n *yaml.Node, format string, args ...any) {
		add(SynonymsFile, n.Line, format, args...)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		bad(root, "synonyms.yaml is a map of languages (ky:, ru: …), each with terms: and guides:")
		return nil
	}
	var out []*SearchWords
	seenLang := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		lang, known := LookupLanguage(k.Value)
		if k.Kind != yaml.ScalarNode || !known || lang.Tag != k.Value {
			bad(k, "unknown language %q: use one of %s", k.Value, strings.Join(tagList(), ", "))
			continue
		}
		if prev, dup := seenLang[k.Value]; dup {
			bad(k, "language %s already given on line %d: keep one section per language", k.Value, prev)
			continue
		}
		seenLang[k.Value] = k.Line
		if v.Kind != yaml.MappingNode {
			bad(v, "%s: give terms: and/or guides: under it", k.Value)
			continue
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			kk, vv := v.Content[j], v.Content[j+1]
			kind := kk.Value
			if kind != "terms" && kind != "guides" && kind != "common" {
				bad(kk, "unknown key %q under %s: use terms: (a term the guides use → words people type), guides: (a guide id → words) or common: (words that say little)", kind, k.Value)
				continue
			}
			if kind == "common" {
				sw := &SearchWords{Lang: k.Value, Common: true, File: SynonymsFile, Line: kk.Line}
				if vv.Kind != yaml.SequenceNode || len(vv.Content) == 0 {
					bad(kk, "%s.common: give a list of words, such as [my, how, where]", k.Value)
					continue
				}
				okEntry := true
				for _, w := range vv.Content {
					if w.Kind != yaml.ScalarNode {
						bad(w, "common: each word is plain text")
						okEntry = false
						continue
					}
					sw.Words = append(sw.Words, strings.TrimSpace(w.Value))
					sw.Lines = append(sw.Lines, w.Line)
					for _, m := range validateSearchWord(w.Value) {
						bad(w, "%q: %s", w.Value, m)
						okEntry = false
					}
					if len(strings.Fields(w.Value)) > 1 {
						bad(w, "%q: common words are single words", w.Value)
						okEntry = false
					}
				}
				if okEntry {
					out = append(out, sw)
				}
				continue
			}
			if vv.Kind != yaml.MappingNode {
				bad(vv, "%s.%s: a map, one entry a line, such as  регистрация: [прописка, прописаться]", k.Value, kind)
				continue
			}
			seen := map[string]int{}
			for m := 0; m+1 < len(vv.Content); m += 2 {
				key, list := vv.Content[m], vv.Content[m+1]
				name := strings.TrimSpace(key.Value)
				if key.Kind != yaml.ScalarNode || name == "" {
					bad(key, "%s.%s: empty or odd key", k.Value, kind)
					continue
				}
				if prev, dup := seen[Fold(name)]; dup {
					bad(key, "%q is already listed on line %d: merge the two lists", name, prev)
					continue
				}
				seen[Fold(name)] = key.Line
				sw := &SearchWords{Lang: k.Value, File: SynonymsFile, Line: key.Line}
				if kind == "terms" {
					sw.Term = name
				} else {
					sw.Guide = name
				}
				if list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
					bad(key, "%q: give a list of words, such as [word one, word two]", name)
					continue
				}
				okEntry := true
				for _, w := range list.Content {
					if w.Kind != yaml.ScalarNode {
						bad(w, "%q: each word is plain text", name)
						okEntry = false
						continue
					}
					sw.Words = append(sw.Words, strings.TrimSpace(w.Value))
					sw.Lines = append(sw.Lines, w.Line)
				}
				if kind == "terms" {
					for _, m := range validateSearchWord(sw.Term) {
						bad(key, "term %q: %s", sw.Term, m)
						okEntry = false
					}
				}
				for n, w := range sw.Words {
					for _, m := range validateSearchWord(w) {
						add(SynonymsFile, sw.Lines[n], "%q: %s", w, m)
						okEntry = false
					}
				}
				if okEntry {
					out = append(out, sw)
				}
			}
		}
	}
	return out
}

// validateSearchWord says what is wrong with one search word or term; it is
// used on sources and again on bundles.
func validateSearchWord(w string) []string {
	var msgs []string
	switch {
	case strings.TrimSpace(w) == "":
		msgs = append(msgs, "empty word")
	case utf8.RuneCountInString(w) > maxSynonymRunes:
		msgs = append(msgs, fmt.Sprintf("%d characters, at most %d: a search word is what someone types, not a sentence", utf8.RuneCountInString(w), maxSynonymRunes))
	case len(strings.Fields(w)) > maxSynonymWords:
		msgs = append(msgs, fmt.Sprintf("%d words, at most %d: give the telling words, not a sentence", len(strings.Fields(w)), maxSynonymWords))
	case Fold(w) == "":
		msgs = append(msgs, "no letters")
	}
	if manyDigits.MatchString(w) {
		msgs = append(msgs, "a number: search words are words — a phone, licence or other number belongs in a guide with its source")
	}
	if webish.MatchString(w) {
		msgs = append(msgs, "a web address: put links in guide.yaml, where they become QR codes")
	}
	return msgs
}

// checkSynonymGuides: every guide synonyms.yaml names exists.
func checkSynonymGuides(set *Set, add func(string, int, string, ...any)) {
	for _, sw := range set.Synonyms {
		if sw.Guide != "" && set.Guide(sw.Guide) == nil {
			add(sw.File, sw.Line, "guide %q is not in guides/ (the folder name is the id)", sw.Guide)
		}
	}
}

// validateSynonyms checks the search words of a bundle: known languages and
// guides, words that pass validateSearchWord.
func validateSynonyms(list []*SearchWords, guides map[string]bool) error {
	for _, sw := range list {
		if sw == nil {
			return fmt.Errorf("null entry")
		}
		if l, ok := LookupLanguage(sw.Lang); !ok || l.Tag != sw.Lang {
			return fmt.Errorf("unknown language %q", sw.Lang)
		}
		kinds := 0
		for _, set := range []bool{sw.Term != "", sw.Guide != "", sw.Common} {
			if set {
				kinds++
			}
		}
		if kinds != 1 {
			return fmt.Errorf("%s entry needs one of a term, a guide or common", sw.Lang)
		}
		if sw.Guide != "" && !guides[sw.Guide] {
			return fmt.Errorf("words for unknown guide %q", sw.Guide)
		}
		if sw.Term != "" {
			if m := validateSearchWord(sw.Term); len(m) > 0 {
				return fmt.Errorf("term %q: %s", sw.Term, m[0])
			}
		}
		if len(sw.Words) == 0 {
			return fmt.Errorf("%s %s%s: no words", sw.Lang, sw.Term, sw.Guide)
		}
		for _, w := range sw.Words {
			if m := validateSearchWord(w); len(m) > 0 {
				return fmt.Errorf("word %q: %s", w, m[0])
			}
		}
	}
	return nil
}
