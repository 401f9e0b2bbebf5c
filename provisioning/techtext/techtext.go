package techtext

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

//go:embed technician.json
var catalogJSON []byte

// Languages are the technician languages (BCP 47), in the order the
// screen's language picker shows them.
var Languages = []string{"ru", "ky", "uz-Latn", "en"}

// Default is the language when neither the provisioning file nor the
// environment chooses one: technicians in both countries read Russian.
const Default = "ru"

// Msg is a message by key with its arguments: what the doctor reports and
// the maintenance API answers, formatted in the reader's language. An
// argument is a string or number, a Msg, or a []Msg (joined with "; ").
type Msg struct {
	Key  string         `json:"key"`
	Args map[string]any `json:"args,omitempty"`
}

// M makes a Msg from key and name/value pairs: M("doctor.disk.free",
// "free", 120, "total", 3000).
func M(key string, kv ...any) Msg {
	m := Msg{Key: key}
	for i := 0; i+1 < len(kv); i += 2 {
		if m.Args == nil {
			m.Args = map[string]any{}
		}
		m.Args[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}

// IsZero reports an empty message.
func (m Msg) IsZero() bool { return m.Key == "" }

// catalog is technician.json: key → language → text.
type catalog map[string]map[string]string

var load = sync.OnceValues(func() (catalog, error) {
	var c catalog
	if err := json.Unmarshal(catalogJSON, &c); err != nil {
		return nil, fmt.Errorf("techtext: technician.json: %w", err)
	}
	return c, nil
})

// Check validates the catalog: every key has a non-empty text in every
// technician language, with the same placeholders as the English one.
// Tests and `sapar` at start call it.
func Check() error {
	c, err := load()
	if err != nil {
		return err
	}
	problems := duplicateKeys(catalogJSON)
	for _, key := range slices.Sorted(maps.Keys(c)) {
		want := placeholders(c[key]["en"])
		for _, l := range Languages {
			s, ok := c[key][l]
			switch {
			case !ok || strings.TrimSpace(s) == "":
				problems = append(problems, fmt.Sprintf("%s: no %s text", key, l))
			case !slices.Equal(placeholders(s), want):
				problems = append(problems, fmt.Sprintf("%s: %s has placeholders %v, English %v", key, l, placeholders(s), want))
			}
		}
		for l := range c[key] {
			if !slices.Contains(Languages, l) {
				problems = append(problems, fmt.Sprintf("%s: %q is not a technician language", key, l))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("techtext: technician.json:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// duplicateKeys finds a key written twice in technician.json (JSON keeps
// the last silently: two people adding the same message would lose one).
func duplicateKeys(b []byte) []string {
	d := json.NewDecoder(bytes.NewReader(b))
	var problems []string
	seen := map[string]bool{}
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return problems
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				depth++
			} else {
				depth--
			}
		case string:
			if depth == 1 {
				if seen[v] {
					problems = append(problems, fmt.Sprintf("%s: written twice", v))
				}
				seen[v] = true
				// skip the value: the language map
				var skip json.RawMessage
				if d.Decode(&skip) != nil {
					return problems
				}
			}
		}
	}
}

// placeholders are the sorted distinct {names} in s.
func placeholders(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		out = append(out, s[i+1:i+j])
		s = s[i+j+1:]
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Has reports whether key is in the catalog.
func Has(key string) bool {
	c, _ := load()
	_, ok := c[key]
	return ok
}

// Keys lists every key, sorted.
func Keys() []string {
	c, _ := load()
	return slices.Sorted(maps.Keys(c))
}

// Text is key's text in lang, else in English, else the key itself (a
// missing word shows, it does not break the screen).
func Text(lang, key string) string {
	c, _ := load()
	if s := c[key][lang]; s != "" {
		return s
	}
	if s := c[key]["en"]; s != "" {
		return s
	}
	return key
}

// Format renders m in lang: each {name} replaced by its argument, itself
// formatted when it is a message.
func Format(lang string, m Msg) string {
	if m.Key == "" {
		return ""
	}
	s := Text(lang, m.Key)
	if len(m.Args) == 0 {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		j := -1
		if i >= 0 {
			j = strings.IndexByte(s[i:], '}')
		}
		if i < 0 || j < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		name := s[i+1 : i+j]
		if v, ok := m.Args[name]; ok {
			b.WriteString(arg(lang, v))
		} else {
			b.WriteString(s[i : i+j+1])
		}
		s = s[i+j+1:]
	}
	return b.String()
}

func arg(lang string, v any) string {
	switch v := v.(type) {
	case Msg:
		return Format(lang, v)
	case *Msg:
		if v == nil {
			return ""
		}
		return Format(lang, *v)
	case []Msg:
		parts := make([]string, len(v))
		for i, m := range v {
			parts[i] = Format(lang, m)
		}
		return strings.Join(parts, "; ")
	case string:
		return v
	}
	return fmt.Sprint(v)
}

// Strings is every text by language and key, for the maintenance page
// (languages missing a key get the English text).
func Strings() map[string]map[string]string {
	c, _ := load()
	out := make(map[string]map[string]string, len(Languages))
	for _, l := range Languages {
		m := make(map[string]string, len(c))
		for k := range c {
			m[k] = Text(l, k)
		}
		out[l] = m
	}
	return out
}

// Match maps a language tag or a POSIX locale ("ru_RU.UTF-8", "ky-KG",
// "uz_UZ", "uz-Latn", "en_US.UTF-8") to a technician language. Uzbek is
// Latin unless the tag says Cyrillic (uz-Cyrl, uz_UZ@cyrillic), which has
// no technician text: false, as for C, POSIX and other languages.
func Match(tag string) (string, bool) {
	s := strings.TrimSpace(tag)
	s, mod, _ := strings.Cut(s, "@")
	s, _, _ = strings.Cut(s, ".")
	parts := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == '_' || r == '-' })
	if len(parts) == 0 {
		return "", false
	}
	switch parts[0] {
	case "ru", "ky", "en":
		return parts[0], true
	case "uz":
		if strings.EqualFold(mod, "cyrillic") || slices.Contains(parts[1:], "cyrl") {
			return "", false
		}
		return "uz-Latn", true
	}
	return "", false
}

// FromEnv picks the command line's language from the environment:
// LC_ALL, then LC_MESSAGES, then LANG, the first that names a technician
// language.
func FromEnv(getenv func(string) string) (string, bool) {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if l, ok := Match(getenv(k)); ok {
			return l, true
		}
	}
	return "", false
}
