package content

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"sapar/content/bundle"
)

// Logical paths of a compiled bundle (content/bundle stores each as one
// content-addressed object, so a one-guide edit changes one small file):
//
//	guides/<id>/guide.json   the language-independent facts, and which languages exist
//	guides/<id>/<lang>.json  one text: title, summary, Markdown and rendered HTML, slip steps
//	contacts.json            the contacts directory
//	agencies.json            the agency registry
//	synonyms.json            the words people type (synonyms.yaml); only when there are any,
//	                         so content without them stays readable by older kiosks
const (
	bundleContacts = "contacts.json"
	bundleAgencies = "agencies.json"
	bundleSynonyms = "synonyms.json"
	// bundleNotices: firmware before the notices refuses a bundle that has
	// it (unknown file): publish notices only once the fleet runs firmware
	// that reads them.
	bundleNotices = "notices.json"
)

type guideJSON struct {
	ID        string   `json:"id"`
	Stages    []string `json:"stages"`
	Audiences []string `json:"audiences"`
	Countries []string `json:"countries"`
	Pictogram string   `json:"pictogram"`
	Links     []Link   `json:"links"`
	Sources   []string `json:"sources"`
	Contacts  []string `json:"contacts,omitempty"`
	Langs     []string `json:"langs"`
}

type textJSON struct {
	Lang       string            `json:"lang"`
	Title      string            `json:"title"`
	Summary    string            `json:"summary"`
	Reviewed   string            `json:"reviewed"`
	LinkLabels map[string]string `json:"link_labels"`
	Print      []string          `json:"print"`
	Body       string            `json:"body"`
	BodyHTML   string            `json:"body_html"`
}

// Compile turns a loaded Set into the logical files of a bundle.
func Compile(set *Set) (map[string][]byte, error) {
	files := map[string][]byte{}
	put := func(p string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("content: compile %s: %w", p, err)
		}
		files[p] = b
		return nil
	}
	for _, g := range set.Guides {
		gj := guideJSON{ID: g.ID, Stages: g.Stages, Audiences: g.Audiences, Countries: g.Countries,
			Pictogram: g.Pictogram, Links: g.Links, Sources: g.Sources, Contacts: g.Contacts}
		for _, t := range sortedTexts(g) {
			gj.Langs = append(gj.Langs, t.Lang)
			if err := put(path.Join("guides", g.ID, t.Lang+".json"), textJSON{Lang: t.Lang, Title: t.Title, Summary: t.Summary,
				Reviewed: t.Reviewed, LinkLabels: t.LinkLabels, Print: t.Print, Body: t.Body, BodyHTML: t.BodyHTML}); err != nil {
				return nil, err
			}
		}
		if err := put(path.Join("guides", g.ID, "guide.json"), gj); err != nil {
			return nil, err
		}
	}
	contacts := set.Contacts
	if contacts == nil {
		contacts = []*Contact{}
	}
	agencies := set.Agencies
	if agencies == nil {
		agencies = []*Agency{}
	}
	if err := put(bundleContacts, contacts); err != nil {
		return nil, err
	}
	if err := put(bundleAgencies, agencies); err != nil {
		return nil, err
	}
	if len(set.Synonyms) > 0 {
		if err := put(bundleSynonyms, set.Synonyms); err != nil {
			return nil, err
		}
	}
	if len(set.Notices) > 0 {
		if err := put(bundleNotices, set.Notices); err != nil {
			return nil, err
		}
	}
	return files, nil
}

func decodeJSONStrict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data")
	}
	return nil
}

// LoadBundle reads the content of a verified bundle. It checks what Load
// checks of the structure (ids, languages, stages, links, registries) and
// refuses the whole bundle on the first problem, so a kiosk never indexes
// content that did not pass.
func LoadBundle(b *bundle.Bundle) (*Set, error) {
	fail := func(p string, format string, args ...any) error {
		return fmt.Errorf("content: bundle %s: %s: %s", b.Index.Version, p, fmt.Sprintf(format, args...))
	}
	set := &Set{}
	texts := map[string]map[string]*Text{} // guide → lang → text
	guides := map[string]*guideJSON{}
	// Reading, hashing and decoding tens of thousands of small objects is
	// the slow part of a load: done concurrently, checked in order below.
	paths := b.Paths()
	raws := make([][]byte, len(paths))
	errs := make([]error, len(paths))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(paths) {
					return
				}
				raws[i], errs[i] = b.ReadFile(paths[i])
			}
		}()
	}
	wg.Wait()
	for i, p := range paths {
		raw, err := raws[i], errs[i]
		raws[i] = nil
		if err != nil {
			return nil, err
		}
		switch {
		case p == bundleContacts:
			if err := decodeJSONStrict(raw, &set.Contacts); err != nil {
				return nil, fail(p, "%v", err)
			}
			seen := map[string]bool{}
			for _, c := range set.Contacts {
				if c == nil {
					return nil, fail(p, "null contact")
				}
				if msgs := validateContact(c); len(msgs) > 0 {
					return nil, fail(p, "contact %q: %s", c.ID, msgs[0])
				}
				if seen[c.ID] {
					return nil, fail(p, "contact %q twice", c.ID)
				}
				seen[c.ID] = true
			}
		case p == bundleAgencies:
			if err := decodeJSONStrict(raw, &set.Agencies); err != nil {
				return nil, fail(p, "%v", err)
			}
			seen := map[string]bool{}
			for _, a := range set.Agencies {
				if a == nil {
					return nil, fail(p, "null agency")
				}
				if msgs := validateAgency(a); len(msgs) > 0 {
					return nil, fail(p, "agency %q: %s", a.LicenceNo, msgs[0])
				}
				if k := foldLicence(a.LicenceNo); seen[k] {
					return nil, fail(p, "licence %q twice", a.LicenceNo)
				} else {
					seen[k] = true
				}
			}
		case p == bundleSynonyms:
			if err := decodeJSONStrict(raw, &set.Synonyms); err != nil {
				return nil, fail(p, "%v", err)
			}
		case p == bundleNotices:
			if err := decodeJSONStrict(raw, &set.Notices); err != nil {
				return nil, fail(p, "%v", err)
			}
			for _, n := range set.Notices {
				if n == nil || n.Start.IsZero() || n.Expires.IsZero() {
					return nil, fail(p, "a notice needs a start and an expiry")
				}
				if msgs := validateNotice(n); len(msgs) > 0 {
					return nil, fail(p, "notice %q: %s", n.ID, msgs[0])
				}
			}
		case strings.HasPrefix(p, "guides/") && strings.Count(p, "/") == 2 && strings.HasSuffix(p, ".json"):
			id, file := path.Base(path.Dir(p)), path.Base(p)
			if file == "guide.json" {
				var gj guideJSON
				if err := decodeJSONStrict(raw, &gj); err != nil {
					return nil, fail(p, "%v", err)
				}
				if gj.ID != id {
					return nil, fail(p, "id %q in folder %q", gj.ID, id)
				}
				guides[id] = &gj
				continue
			}
			tag := strings.TrimSuffix(file, ".json")
			if l, ok := LookupLanguage(tag); !ok || l.Tag != tag {
				return nil, fail(p, "unknown language %q", tag)
			}
			var tj textJSON
			if err := decodeJSONStrict(raw, &tj); err != nil {
				return nil, fail(p, "%v", err)
			}
			if tj.Lang != tag || strings.TrimSpace(tj.Title) == "" || strings.TrimSpace(tj.Summary) == "" || len(tj.Print) == 0 {
				return nil, fail(p, "text needs its language, a title, a summary and print steps")
			}
			if texts[id] == nil {
				texts[id] = map[string]*Text{}
			}
			texts[id][tag] = &Text{Lang: tag, File: p, Title: tj.Title, Summary: tj.Summary, Reviewed: tj.Reviewed,
				LinkLabels: tj.LinkLabels, Print: tj.Print, Body: tj.Body, BodyHTML: tj.BodyHTML}
		default:
			return nil, fail(p, "unexpected file in a content bundle")
		}
	}
	for id := range texts {
		if guides[id] == nil {
			return nil, fail("guides/"+id, "texts without guide.json")
		}
	}
	for id, gj := range guides {
		if !idPattern.MatchString(id) {
			return nil, fail("guides/"+id, "bad id")
		}
		if len(gj.Stages) == 0 || gj.Pictogram == "" || len(gj.Sources) == 0 {
			return nil, fail("guides/"+id, "needs stages, a pictogram and sources")
		}
		for _, s := range gj.Stages {
			if !contains(Stages, s) {
				return nil, fail("guides/"+id, "unknown stage %q", s)
			}
		}
		for _, c := range gj.Countries {
			if !isCountry(c) {
				return nil, fail("guides/"+id, "bad country %q", c)
			}
		}
		for _, l := range gj.Links {
			if l.ID == "" || !isWebURL(l.URL) {
				return nil, fail("guides/"+id, "bad link %q", l.ID)
			}
		}
		if len(gj.Langs) == 0 || len(gj.Langs) != len(texts[id]) {
			return nil, fail("guides/"+id, "guide.json lists languages %v, the bundle has %d texts", gj.Langs, len(texts[id]))
		}
		g := &Guide{ID: id, Stages: gj.Stages, Audiences: gj.Audiences, Countries: gj.Countries, Pictogram: gj.Pictogram,
			Links: gj.Links, Sources: gj.Sources, Contacts: gj.Contacts, Texts: map[string]*Text{}}
		for _, l := range gj.Langs {
			t := texts[id][l]
			if t == nil {
				return nil, fail("guides/"+id, "guide.json lists %s, the bundle has no %s.json", l, l)
			}
			g.Texts[l] = t
		}
		set.Guides = append(set.Guides, g)
	}
	if len(set.Guides) == 0 {
		return nil, fail(bundle.IndexName, "no guides")
	}
	if err := validateSynonyms(set.Synonyms, mapOf(guides)); err != nil {
		return nil, fail(bundleSynonyms, "%v", err)
	}
	sort.Slice(set.Guides, func(i, j int) bool { return set.Guides[i].ID < set.Guides[j].ID })
	return set, nil
}

func mapOf(guides map[string]*guideJSON) map[string]bool {
	out := make(map[string]bool, len(guides))
	for id := range guides {
		out[id] = true
	}
	return out
}
