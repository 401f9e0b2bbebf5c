package content

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"sapar/content/sample"
)

func sampleStore(t testing.TB) *Store {
	t.Helper()
	set, err := Load(sample.FS())
	if err != nil {
		t.Fatal(err)
	}
	st, err := OpenStore(filepath.Join(t.TempDir(), "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Replace(context.Background(), set, "sample-test"); err != nil {
		t.Fatal(err)
	}
	return st
}

var checkDay = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func TestAgencyCheck(t *testing.T) {
	st := sampleStore(t)
	cases := []struct {
		name, query string
		today       time.Time
		status, lic string // lic: licence number of the first match, "" for none
		match       string
	}{
		{"exact Cyrillic name gives the verdict", "Жибек Жолу Тревел Ворк", checkDay, CheckLicensed, "SAMPLE-KG-0001", MatchName},
		{"exact Latin transliteration gives the verdict for the Cyrillic entry", "jibek jolu travel work", checkDay, CheckLicensed, "SAMPLE-KG-0001", MatchName},
		{"legal form and SAMPLE mark aside, the name is exact", "ОсОО SAMPLE Жибек Жолу Тревел Ворк", checkDay, CheckLicensed, "SAMPLE-KG-0001", MatchName},
		{"three letters «ала» are never a verdict", "ала", checkDay, CheckSimilar, "SAMPLE-KG-0002", MatchPrefix},
		{"the beginning of a name is only similar", "Жибек Жолу", checkDay, CheckSimilar, "SAMPLE-KG-0001", MatchPrefix},
		{"misspelt transliteration is only similar", "Jibek Joly", checkDay, CheckSimilar, "SAMPLE-KG-0001", MatchNear},
		{"one letter off the whole name is only similar", "Жибек Жолу Тревел Ворх", checkDay, CheckSimilar, "SAMPLE-KG-0001", MatchNear},
		{"exact Cyrillic query finds the Uzbek Latin entry", "Ипак Йўли Иш", checkDay, CheckLicensed, "SAMPLE-UZ-0001", MatchName},
		{"ASCII apostrophe finds the U+02BB spelling", "ipak yo'li ish", checkDay, CheckLicensed, "SAMPLE-UZ-0001", MatchName},
		{"«Samarqand» alone is only similar", "Samarqand", checkDay, CheckSimilar, "SAMPLE-UZ-0002", MatchPrefix},
		{"licence number as written", "SAMPLE-KG-0003", checkDay, CheckSuspended, "SAMPLE-KG-0003", MatchLicence},
		{"licence number without prefix and dashes", "kg 0003", checkDay, CheckSuspended, "SAMPLE-KG-0003", MatchLicence},
		{"licence number typed in Cyrillic letters", "КГ-0003", checkDay, CheckSuspended, "SAMPLE-KG-0003", MatchLicence},
		{"licence number of a licensed agency", "SAMPLE-KG-0002", checkDay, CheckLicensed, "SAMPLE-KG-0002", MatchLicence},
		{"revoked licence says revoked", "Kerben Staff", checkDay, CheckRevoked, "SAMPLE-KG-0004", MatchName},
		{"a revoked agency's first word is only similar", "Kerben", checkDay, CheckSimilar, "SAMPLE-KG-0004", MatchPrefix},
		{"licence past valid_until says expired", "Ала-Тоо Кадр", time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC), CheckExpired, "SAMPLE-KG-0002", MatchName},
		{"licence valid on its last day", "Ала-Тоо Кадр", time.Date(2027, 3, 31, 12, 0, 0, 0, time.UTC), CheckLicensed, "SAMPLE-KG-0002", MatchName},
		{"unknown agency is not in the registry", "Golden Bridge Recruit", checkDay, CheckNotFound, "", ""},
		{"legal form alone finds nothing", "ОсОО", checkDay, CheckTooShort, "", ""},
		{"two letters are too short to check", "ab", checkDay, CheckTooShort, "", ""},
		{"FTS syntax is just text", `"kerben*" -- ;`, checkDay, CheckSimilar, "SAMPLE-KG-0004", MatchPrefix},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := st.CheckAgency(context.Background(), tc.query, tc.today)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.status {
				t.Fatalf("CheckAgency(%q).Status = %s, want %s (%+v)", tc.query, res.Status, tc.status, res.Matches)
			}
			if tc.lic == "" {
				if len(res.Matches) != 0 {
					t.Fatalf("want no matches, got %+v", res.Matches)
				}
				return
			}
			if res.Matches[0].LicenceNo != tc.lic || res.Matches[0].Match != tc.match {
				t.Fatalf("first match %s (%s), want %s (%s)", res.Matches[0].LicenceNo, res.Matches[0].Match, tc.lic, tc.match)
			}
			if !res.Sample || !res.Matches[0].Sample || res.Registry != RegistrySample {
				t.Fatal("a fictional sample entry must carry the sample flag")
			}
			if !exactMatch(tc.match) {
				for _, m := range res.Matches {
					if exactMatch(m.Match) {
						t.Fatalf("a similar answer with an exact match %+v", m)
					}
				}
			}
		})
	}
}

func TestContactsAndCountries(t *testing.T) {
	st := sampleStore(t)
	ctx := context.Background()
	all, err := st.Contacts(ctx, "ky", "", "")
	if err != nil || len(all) < 5 {
		t.Fatalf("Contacts: %d, %v", len(all), err)
	}
	if all[0].ID != "ceca-kg" || all[0].Lang != "ky" || all[0].Fallback || !strings.Contains(all[0].Name, "борбору") {
		t.Errorf("first contact in Kyrgyz: %+v", all[0])
	}
	uz, _ := st.Contacts(ctx, "uz-Latn", "UZ", "hotline")
	callCentre := false
	for _, c := range uz {
		if c.Kind != "hotline" || c.Country != "UZ" {
			t.Errorf("UZ hotline filter let through %s (%s, %s)", c.ID, c.Kind, c.Country)
		}
		if c.ID == "migrant-call-centre-uz" {
			callCentre = true
			if c.Phone != "" {
				t.Errorf("migrant call centre phone %q: must stay empty, no source gives one", c.Phone)
			}
		}
	}
	if !callCentre {
		t.Errorf("UZ hotline filter: %+v, want the migrant call centre among them", uz)
	}
	none, _ := st.Contacts(ctx, "en", "ZZ", "")
	if none == nil || len(none) != 0 {
		t.Errorf("unknown country must give an empty list, got %#v", none)
	}
	cs, err := st.Countries(ctx, "ru")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]CountryView{}
	for _, c := range cs {
		got[c.Code] = c
	}
	for _, code := range []string{"RU", "DE", "KR", "GB"} {
		c, ok := got[code]
		if !ok || len(c.Guides) == 0 {
			t.Errorf("no guides for %s", code)
			continue
		}
		if c.Name == code {
			t.Errorf("%s has no Russian name", code)
		}
	}
	if ru := got["RU"]; len(ru.Guides) > 0 && ru.Guides[0].ID != "country-russia" {
		t.Errorf("the country guide should lead its country's list: %+v", ru.Guides)
	}
}

func TestRegistryLoaderNamesFileAndLine(t *testing.T) {
	guide := fstest.MapFS{
		"guides/g/guide.yaml": {Data: []byte("id: g\nstages: [thinking]\npictogram: visa\nsources: [x]\n")},
		"guides/g/en.md":      {Data: []byte("---\ntitle: T\nsummary: S\nprint: [a]\n---\n")},
	}
	with := func(name, data string) fstest.MapFS {
		m := fstest.MapFS{}
		for k, v := range guide {
			m[k] = v
		}
		m[name] = &fstest.MapFile{Data: []byte(data)}
		return m
	}
	head := strings.Join(AgenciesHeader, ",") + "\n"
	okRow := "Жибек,Jibek,KG-1,KG,2027-01-01,licensed,CECA list,2026-01-01\n"
	contact := "- id: a\n  kind: ngo\n  country: KG\n  names: {en: A}\n  source: s\n"
	cases := []struct{ name, file, data, want string }{
		{"unknown key in a contact", ContactsFile, contact + "  fax: \"1\"\n", "contacts.yaml:6:"},
		{"invented-looking phone with letters", ContactsFile, contact + "  phone: call us\n", "contacts.yaml:1: contact \"a\": phone"},
		{"second contact with the same id names its line", ContactsFile, contact + contact, "contacts.yaml:6: contact \"a\": id \"a\" already used on line 1"},
		{"contact name in an unknown language", ContactsFile, "- id: a\n  kind: ngo\n  country: KG\n  names: {de: A}\n  source: s\n", "unknown language \"de\""},
		{"telegram that is not a t.me link", ContactsFile, contact + "  telegram: \"@chan\"\n", "must start with https://t.me/"},
		{"agencies header wrong", AgenciesFile, "name,licence\n" + okRow, "agencies.csv:1:"},
		{"agency status unknown", AgenciesFile, head + okRow + "X,Y,KG-2,KG,2027-01-01,active,CECA list,2026-01-01\n", "agencies.csv:3: status \"active\""},
		{"agency row with a missing column", AgenciesFile, head + "X,Y,KG-2,KG,2027-01-01,licensed,CECA list\n", "agencies.csv:2: wrong number of columns"},
		{"agency date not ISO", AgenciesFile, head + "X,Y,KG-2,KG,31.12.2027,licensed,CECA list,2026-01-01\n", "agencies.csv:2: valid_until"},
		{"duplicate licence number in another spelling", AgenciesFile, head + okRow + "X,Y,kg 1,KG,2027-01-01,licensed,CECA list,2026-01-01\n", "agencies.csv:3: licence number \"kg 1\" already on line 2"},
		{"sample entry missing its source mark", AgenciesFile, head + "SAMPLE X,Y,KG-2,KG,2027-01-01,licensed,CECA list,2026-01-01\n", "needs both marks"},
		{"agency from a third country", AgenciesFile, head + "X,Y,KG-2,KZ,2027-01-01,licensed,CECA list,2026-01-01\n", "KG or UZ"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(with(tc.file, tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
	set, err := Load(with(AgenciesFile, "\uFEFF"+head+okRow))
	if err != nil || len(set.Agencies) != 1 || set.Agencies[0].Sample {
		t.Fatalf("a good registry with a spreadsheet BOM: %v %+v", err, set)
	}
}

func FuzzAgencyCheck(f *testing.F) {
	set, err := Load(sample.FS())
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"Жибек Жолу", "Jibek Joly", "SAMPLE-KG-0001", "kg 0003", `"NEAR(*`, "ıǵ ʻ’'", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		res := CheckAgencySet(set.Agencies, q, checkDay)
		switch res.Status {
		case CheckLicensed, CheckSuspended, CheckRevoked, CheckExpired:
			if len(res.Matches) == 0 || !exactMatch(res.Matches[0].Match) {
				t.Fatalf("status %s without an exact match: %+v", res.Status, res.Matches)
			}
		case CheckSimilar:
			if len(res.Matches) == 0 || exactMatch(res.Matches[0].Match) {
				t.Fatalf("similar without candidates or with an exact match: %+v", res.Matches)
			}
		case CheckNotFound, CheckTooShort:
			if len(res.Matches) != 0 {
				t.Fatalf("status %s with matches", res.Status)
			}
		default:
			t.Fatalf("unknown status %q", res.Status)
		}
		if len(res.Matches) > maxAgencyMatches {
			t.Fatalf("%d matches", len(res.Matches))
		}
	})
}

func FuzzLoadRegistries(f *testing.F) {
	f.Add([]byte("- id: a\n  kind: ngo\n  country: KG\n  names: {en: A}\n  source: s\n"), []byte(strings.Join(AgenciesHeader, ",")+"\nA,B,1,KG,2027-01-01,licensed,s,2026-01-01\n"))
	f.Add([]byte("[{"), []byte("\"a,b\n"))
	f.Fuzz(func(t *testing.T, contacts, agencies []byte) {
		fsys := fstest.MapFS{
			"guides/g/guide.yaml": {Data: []byte("id: g\nstages: [thinking]\npictogram: visa\nsources: [x]\n")},
			"guides/g/en.md":      {Data: []byte("---\ntitle: T\nsummary: S\nprint: [a]\n---\n")},
			ContactsFile:          {Data: contacts},
			AgenciesFile:          {Data: agencies},
		}
		set, err := Load(fsys)
		if err != nil {
			for _, p := range err.(Problems) {
				if p.File == "" || p.Msg == "" {
					t.Fatalf("problem without file or message: %+v", p)
				}
			}
			return
		}
		for _, c := range set.Contacts {
			if len(validateContact(c)) > 0 {
				t.Fatalf("accepted a bad contact %+v", c)
			}
		}
		for _, a := range set.Agencies {
			if len(validateAgency(a)) > 0 {
				t.Fatalf("accepted a bad agency %+v", a)
			}
		}
	})
}
