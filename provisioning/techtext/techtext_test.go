package techtext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Every key has a text in every technician language, with the English
// placeholders: a technician never sees a key or an unfilled {name}.
func TestEveryKeyInEveryLanguage(t *testing.T) {
	if err := Check(); err != nil {
		t.Fatal(err)
	}
	if n := len(Keys()); n < 100 {
		t.Fatalf("only %d keys: technician.json not embedded?", n)
	}
}

// Uzbek Latin writes oʻ and gʻ with U+02BB (the keyboard's and the guides'
// letter), never an ASCII apostrophe or a quotation mark; Russian and
// Kyrgyz texts are Cyrillic, not Latin look-alikes.
func TestLettersOfEachLanguage(t *testing.T) {
	for _, key := range Keys() {
		uz := Text("uz-Latn", key)
		for _, bad := range []string{"o'", "g'", "O'", "G'", "o‘", "g‘", "o’", "g’", "O‘", "G‘"} {
			if strings.Contains(uz, bad) {
				t.Errorf("%s: uz-Latn %q has %q: write oʻ gʻ with U+02BB", key, uz, bad)
			}
		}
		for _, l := range []string{"ru", "ky"} {
			s := Text(l, key)
			for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0x400 && r <= 0x4FF) }) {
				latin, cyr := 0, 0
				for _, r := range w {
					if r < 0x400 {
						latin++
					} else {
						cyr++
					}
				}
				if latin > 0 && cyr > 0 {
					t.Errorf("%s: %s word %q mixes Latin and Cyrillic letters", key, l, w)
				}
			}
		}
		if k := Text("ky", key); strings.ContainsAny(k, "ӊӧӱ") {
			t.Errorf("%s: ky %q uses a look-alike of ң ө ү", key, k)
		}
	}
}

func TestDuplicateKeysFound(t *testing.T) {
	got := duplicateKeys([]byte(`{"a": {"en": "x"}, "b": {"en": "{a}"}, "a": {"en": "y"}}`))
	if len(got) != 1 || !strings.Contains(got[0], "a: written twice") {
		t.Errorf("got %v", got)
	}
}

func TestFormat(t *testing.T) {
	cases := []struct {
		name string
		lang string
		m    Msg
		want string
	}{
		{"arguments in Russian", "ru", M("doctor.disk.free", "free", 120, "total", 3000), "свободно 120 МиБ из 3000 МиБ"},
		{"nested message", "en", M("doctor.printer.ok", "profile", "TM-T20III", "dev", "/dev/x", "baud", 38400, "source", M("doctor.printer.builtin")),
			"TM-T20III at /dev/x opens at 38400 baud; built-in profile (uncalibrated: sapar printer calibrate)"},
		{"list of messages", "ky", M("doctor.perm.list", "list", []Msg{M("doctor.perm.no_identity"), M("doctor.perm.other", "error", "x")}), "identity.key жок; x"},
		{"missing language falls back to English", "tg", M("pin.title"), "Technician PIN"},
		{"missing key shows itself", "ru", M("no.such.key"), "no.such.key"},
		{"unknown placeholder kept", "en", M("ov.ago"), "{age} ago"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Format(tc.lang, tc.m); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	cases := []struct {
		in   string
		want string
		ok   bool
	}{
		{"ru_RU.UTF-8", "ru", true}, {"ky_KG.UTF-8", "ky", true}, {"ky", "ky", true},
		{"uz_UZ.UTF-8", "uz-Latn", true}, {"uz-Latn", "uz-Latn", true}, {"uz_UZ@cyrillic", "", false}, {"uz-Cyrl", "", false},
		{"en_US.UTF-8", "en", true}, {"C.UTF-8", "", false}, {"POSIX", "", false}, {"", "", false}, {"tg_TJ", "", false},
	}
	for _, tc := range cases {
		if got, ok := Match(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("Match(%q) = %q %v, want %q %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	env := map[string]string{"LANG": "ky_KG.UTF-8", "LC_ALL": "C"}
	if l, ok := FromEnv(func(k string) string { return env[k] }); l != "ky" || !ok {
		t.Errorf("LC_ALL=C LANG=ky_KG: got %q %v, want ky (C names no technician language)", l, ok)
	}
	env["LC_MESSAGES"] = "ru_RU.UTF-8"
	if l, _ := FromEnv(func(k string) string { return env[k] }); l != "ru" {
		t.Errorf("LC_MESSAGES=ru_RU wins over LANG: got %q", l)
	}
}

func TestStringsForThePage(t *testing.T) {
	s := Strings()
	for _, l := range Languages {
		if s[l]["pin.title"] == "" || !utf8.ValidString(s[l]["lang.name"]) {
			t.Errorf("%s: strings incomplete", l)
		}
	}
	if s["uz-Latn"]["lang.name"] != "Oʻzbekcha" {
		t.Errorf("Uzbek endonym %q", s["uz-Latn"]["lang.name"])
	}
}
