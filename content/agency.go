package content

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Agency check answers: the status of the best match, or that there is none.
const (
	CheckLicensed  = "licensed"  // in the registry, licence valid today
	CheckSuspended = "suspended" // in the registry, licence suspended
	CheckRevoked   = "revoked"   // in the registry, licence revoked
	CheckExpired   = "expired"   // listed as licensed, but valid_until has passed
	CheckNotFound  = "not_found" // no agency of that name or number in the registry
	CheckTooShort  = "too_short" // fewer than 3 letters or digits: nothing was looked up
	// CheckSimilar: no entry has exactly that name or licence number, but
	// some names begin alike or are spelt alike. Never a verdict: the
	// reader compares the licence number on the contract («ала» once
	// answered "licensed" for «Ала-Тоо Кадр»).
	CheckSimilar = "similar"
	// CheckUnavailable: the kiosk has no real registry (a production kiosk
	// on the sample content, or none at all): it cannot check; the screen
	// points to the official registry and the help desk. The server decides
	// this (Registry says what the index holds).
	CheckUnavailable = "cannot_check"
)

// What the index's registry is (AgencyResult.Registry).
const (
	RegistryOfficial = "official" // entries from the licensing bodies
	RegistrySample   = "sample"   // any entry is fictional: no answer is a real check
	RegistryEmpty    = "empty"    // no registry in the content
)

// How a registry entry matched the query.
const (
	MatchLicence = "licence" // the licence number, whatever its punctuation or script
	MatchName    = "name"    // the whole registered name (either script, case, punctuation and legal form aside)
	MatchPrefix  = "prefix"  // every word of the query starts a word of the name: a candidate, not a verdict
	MatchNear    = "near"    // a similar name (a letter or two differ): a candidate, not a verdict
)

// exactMatch: only these matches give a verdict.
func exactMatch(m string) bool { return m == MatchLicence || m == MatchName }

// AgencyMatch is one registry entry found by a check.
type AgencyMatch struct {
	Agency
	Effective string `json:"effective"` // the entry's status today: licensed, suspended, revoked or expired
	Match     string `json:"match"`     // licence, name (both exact: a verdict), prefix or near (candidates)
}

// AgencyResult is the answer to an agency check.
type AgencyResult struct {
	// Status is a Check* constant: the exact match's Effective status,
	// similar when only candidates were found, not_found or too_short.
	Status   string        `json:"status"`
	Sample   bool          `json:"sample"`   // a match is fictional sample data: say so on screen
	Registry string        `json:"registry"` // Registry*: what the index holds
	Matches  []AgencyMatch `json:"matches"`  // exact matches first, then candidates
}

// maxAgencyMatches is a screenful of matches.
const maxAgencyMatches = 8

// legalForms are words of company names that do not tell agencies apart.
var legalForms = map[string]bool{"osoo": true, "ooo": true, "mchj": true, "llc": true, "ltd": true, "xk": true, "ip": true, "sample": true}

// foldLicence is the form licence numbers are compared in: folded, without
// spaces or punctuation ("KG 0001", "kg-0001", "КГ-0001" meet).
func foldLicence(s string) string { return strings.ReplaceAll(Fold(s), " ", "") }

func nameWords(s string) []string {
	var out []string
	for _, w := range strings.Fields(Fold(s)) {
		if !legalForms[w] {
			out = append(out, w)
		}
	}
	return out
}

// matchAgency says how query matches a, or "" if it does not.
func matchAgency(a *Agency, qWords []string, qLicence string) string {
	if qLicence != "" && utf8.RuneCountInString(qLicence) >= 3 {
		lic := foldLicence(a.LicenceNo)
		if lic == qLicence || strings.TrimPrefix(lic, "sample") == qLicence {
			return MatchLicence
		}
	}
	if len(qWords) == 0 {
		return ""
	}
	whole := strings.Join(qWords, " ")
	for _, name := range []string{a.Name, a.NameTranslit} {
		if name != "" && strings.Join(nameWords(name), " ") == whole {
			return MatchName
		}
	}
	best := ""
	for _, name := range []string{a.Name, a.NameTranslit} {
		if name == "" {
			continue
		}
		words := nameWords(name)
		all, near := true, true
		for _, q := range qWords {
			exact, close := false, false
			for _, w := range words {
				if strings.HasPrefix(w, q) && (utf8.RuneCountInString(q) >= 3 || len(qWords) > 1 || w == q) {
					exact = true
					break
				}
				if similarWord(q, w) {
					close = true
				}
			}
			if !exact {
				all = false
				if !close {
					near = false
				}
			}
		}
		if all {
			return MatchPrefix
		}
		if near {
			best = MatchNear
		}
	}
	return best
}

// similarWord: one edit in words of 4–7 letters, two from 8, compared with
// the name word or its prefix of the query's length (so a typo in a word
// still being typed counts).
func similarWord(q, w string) bool {
	qr, wr := []rune(q), []rune(w)
	if len(qr) < 4 {
		return false
	}
	max := 1
	if len(qr) >= 8 {
		max = 2
	}
	if d := editDistance(qr, wr, max); d <= max {
		return true
	}
	if len(wr) > len(qr) {
		return editDistance(qr, wr[:len(qr)], max) <= max
	}
	return false
}

// editDistance is Levenshtein distance, giving up (returning max+1) once it
// must exceed max.
func editDistance(a, b []rune, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > max {
			return max + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// effectiveStatus is the status an entry has on day today.
func effectiveStatus(a *Agency, today time.Time) string {
	if a.Status != StatusLicensed {
		return a.Status
	}
	until, err := time.Parse(time.DateOnly, a.ValidUntil)
	if err == nil && today.After(until.Add(24*time.Hour-time.Nanosecond)) {
		return CheckExpired
	}
	return CheckLicensed
}

// CheckAgencySet runs an agency check over a list of entries; Store.CheckAgency
// runs it over the index. today decides whether a licence has expired.
func CheckAgencySet(agencies []*Agency, query string, today time.Time) AgencyResult {
	if utf8.RuneCountInString(query) > MaxQueryRunes {
		query = string([]rune(query)[:MaxQueryRunes])
	}
	res := AgencyResult{Matches: []AgencyMatch{}, Registry: registryKind(agencies)}
	qLicence := foldLicence(query)
	qWords := nameWords(query)
	if len(qWords) > 12 {
		qWords = qWords[:12]
	}
	if utf8.RuneCountInString(qLicence) < 3 {
		res.Status = CheckTooShort
		return res
	}
	rank := map[string]int{MatchLicence: 0, MatchName: 1, MatchPrefix: 2, MatchNear: 3}
	for _, a := range agencies {
		m := matchAgency(a, qWords, qLicence)
		if m == "" {
			continue
		}
		res.Matches = append(res.Matches, AgencyMatch{Agency: *a, Effective: effectiveStatus(a, today), Match: m})
	}
	sort.SliceStable(res.Matches, func(i, j int) bool {
		return rank[res.Matches[i].Match] < rank[res.Matches[j].Match]
	})
	if len(res.Matches) > maxAgencyMatches {
		res.Matches = res.Matches[:maxAgencyMatches]
	}
	if len(res.Matches) == 0 {
		res.Status = CheckNotFound
		if len(qWords) == 0 { // only "LLC", "ОсОО"…: nothing that names an agency
			res.Status = CheckTooShort
		}
		return res
	}
	res.Status = CheckSimilar
	if exactMatch(res.Matches[0].Match) {
		res.Status = res.Matches[0].Effective
	}
	for _, m := range res.Matches {
		res.Sample = res.Sample || m.Sample
	}
	return res
}

// registryKind says whether a registry is real: one fictional entry makes
// every answer from it a demonstration.
func registryKind(agencies []*Agency) string {
	if len(agencies) == 0 {
		return RegistryEmpty
	}
	for _, a := range agencies {
		if a.Sample {
			return RegistrySample
		}
	}
	return RegistryOfficial
}

// Agencies returns the whole registry as indexed, in source order.
func (s *Store) Agencies(ctx context.Context) ([]*Agency, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM agencies ORDER BY ord`)
	if err != nil {
		return nil, fmt.Errorf("content: agencies: %w", err)
	}
	defer rows.Close()
	var out []*Agency
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("content: agencies: %w", err)
		}
		a := &Agency{}
		if err := json.Unmarshal([]byte(data), a); err != nil {
			return nil, fmt.Errorf("content: agencies: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// CheckAgency looks an agency up in the registry by its exact registered
// name (in either script) or licence number; beginnings of names and small
// misspellings are listed as candidates (status similar), never as a verdict. It never fails on
// odd input; an error means the index did not answer.
func (s *Store) CheckAgency(ctx context.Context, query string, today time.Time) (AgencyResult, error) {
	list, err := s.Agencies(ctx)
	if err != nil {
		return AgencyResult{}, err
	}
	return CheckAgencySet(list, query, today), nil
}
