package content

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

func replaceRegistries(ctx context.Context, tx *sql.Tx, set *Set) error {
	for i, c := range set.Contacts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO contacts VALUES (?,?,?,?,?)`, c.ID, i, c.Kind, c.Country, jsonText(c)); err != nil {
			return fmt.Errorf("content: index contact %s: %w", c.ID, err)
		}
	}
	for i, a := range set.Agencies {
		if _, err := tx.ExecContext(ctx, `INSERT INTO agencies VALUES (?,?,?)`, i, foldLicence(a.LicenceNo), jsonText(a)); err != nil {
			return fmt.Errorf("content: index agency %s: %w", a.LicenceNo, err)
		}
	}
	for i, n := range set.Notices {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notices VALUES (?,?)`, i, jsonText(n)); err != nil {
			return fmt.Errorf("content: index notice %s: %w", n.ID, err)
		}
	}
	return nil
}

// ContactView is a contact with its name in the reader's language (or the
// first fallback that has one: Lang says which, Fallback that it happened).
// Empty phone, website, telegram or hours mean no source gives them.
type ContactView struct {
	ID        string   `json:"id"`
	Kind      string   `json:"kind"`
	Country   string   `json:"country"`
	Name      string   `json:"name"`
	Lang      string   `json:"lang"`
	Fallback  bool     `json:"fallback"`
	Phone     string   `json:"phone"`
	Website   string   `json:"website"`
	Telegram  string   `json:"telegram"`
	Hours     string   `json:"hours"`
	Languages []string `json:"languages"`
	Source    string   `json:"source"`
	Serves    []string `json:"serves,omitempty"` // citizenships it helps; empty: anyone
}

func viewContact(c *Contact, lang string) ContactView {
	v := ContactView{ID: c.ID, Kind: c.Kind, Country: c.Country, Phone: c.Phone, Website: c.Website,
		Telegram: c.Telegram, Hours: c.Hours, Languages: c.Languages, Source: c.Source, Serves: c.Serves}
	if v.Languages == nil {
		v.Languages = []string{}
	}
	for i, l := range Chain(lang) {
		if n := c.Names[l]; n != "" {
			v.Name, v.Lang, v.Fallback = n, l, i > 0
			return v
		}
	}
	tags := make([]string, 0, len(c.Names))
	for t := range c.Names {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	if len(tags) > 0 {
		v.Name, v.Lang, v.Fallback = c.Names[tags[0]], tags[0], true
	}
	return v
}

// Contacts lists contacts in source order, filtered by country and kind
// ("" for any), named in lang with fallbacks.
func (s *Store) Contacts(ctx context.Context, lang, country, kind string) ([]ContactView, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM contacts WHERE (?1 = '' OR country = ?1) AND (?2 = '' OR kind = ?2) ORDER BY ord`, country, kind)
	if err != nil {
		return nil, fmt.Errorf("content: contacts: %w", err)
	}
	defer rows.Close()
	out := []ContactView{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("content: contacts: %w", err)
		}
		var c Contact
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			return nil, fmt.Errorf("content: contacts: %w", err)
		}
		out = append(out, viewContact(&c, lang))
	}
	return out, rows.Err()
}

// Contact returns one contact in lang, or ErrNotFound.
func (s *Store) Contact(ctx context.Context, id, lang string) (ContactView, error) {
	var data string
	err := s.db.QueryRowContext(ctx, `SELECT data FROM contacts WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return ContactView{}, fmt.Errorf("%w: contact %q", ErrNotFound, id)
	}
	if err != nil {
		return ContactView{}, fmt.Errorf("content: contact %s: %w", id, err)
	}
	var c Contact
	if err := json.Unmarshal([]byte(data), &c); err != nil {
		return ContactView{}, fmt.Errorf("content: contact %s: %w", id, err)
	}
	return viewContact(&c, lang), nil
}

// CountryView is a destination country with the guides about it.
type CountryView struct {
	Code   string    `json:"code"` // ISO 3166 alpha-2
	Name   string    `json:"name"` // in the reader's language where known, else English
	Guides []Summary `json:"guides"`
}

// Countries lists the destination countries guides are about, the country
// with most guides first, each with its guides in lang (fallbacks marked).
func (s *Store) Countries(ctx context.Context, lang string) ([]CountryView, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, pictogram, countries FROM guides ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("content: countries: %w", err)
	}
	type guide struct{ id, pict string }
	byCountry := map[string][]guide{}
	for rows.Next() {
		var id, pict, countries string
		if err := rows.Scan(&id, &pict, &countries); err != nil {
			rows.Close()
			return nil, fmt.Errorf("content: countries: %w", err)
		}
		var cs []string
		json.Unmarshal([]byte(countries), &cs)
		for _, c := range cs {
			byCountry[c] = append(byCountry[c], guide{id, pict})
		}
	}
	rows.Close()
	out := make([]CountryView, 0, len(byCountry))
	for code, gs := range byCountry {
		cv := CountryView{Code: code, Name: CountryName(code, lang), Guides: []Summary{}}
		for _, g := range gs {
			sum, ok, err := s.summary(ctx, g.id, lang)
			if err != nil {
				return nil, err
			}
			if ok {
				sum.Pictogram = g.pict
				cv.Guides = append(cv.Guides, sum)
			}
		}
		// The country's own guide (country-…) leads its list.
		sort.SliceStable(cv.Guides, func(i, j int) bool {
			ci, cj := isCountryGuide(cv.Guides[i].ID), isCountryGuide(cv.Guides[j].ID)
			if ci != cj {
				return ci
			}
			return cv.Guides[i].Title < cv.Guides[j].Title
		})
		out = append(out, cv)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i].Guides) != len(out[j].Guides) {
			return len(out[i].Guides) > len(out[j].Guides)
		}
		return out[i].Code < out[j].Code
	})
	return out, nil
}

func isCountryGuide(id string) bool { return len(id) > 8 && id[:8] == "country-" }
