package content

import (
	"context"
	"fmt"
	"sort"
)

// DefaultPopular is how many guides Popular returns when asked for n <= 0:
// a screenful of large tiles.
const DefaultPopular = 8

// Popular returns up to n guides for a screen that has nothing better to
// show — a search that found nothing, or before anything is typed — so the
// screen is never blank while the index has guides. opened counts how often
// each guide was opened (guide id → count, e.g. this kiosk's anonymous
// usage counts of the last weeks; nil when there are none): the most opened
// come first. Guides without counts follow, those written in the most
// languages first (the core safety guides are in all eight), then by id.
// Texts are in lang or its first fallback, marked.
func (s *Store) Popular(ctx context.Context, lang string, opened map[string]int64, n int) ([]Summary, error) {
	if n <= 0 {
		n = DefaultPopular
	}
	all, err := s.List(ctx, "", lang)
	if err != nil {
		return nil, err
	}
	langs := map[string]int{}
	rows, err := s.db.QueryContext(ctx, `SELECT guide_id, count(*) FROM texts GROUP BY guide_id`)
	if err != nil {
		return nil, fmt.Errorf("content: popular: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var k int
		if err := rows.Scan(&id, &k); err != nil {
			return nil, fmt.Errorf("content: popular: %w", err)
		}
		langs[id] = k
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("content: popular: %w", err)
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if opened[a.ID] != opened[b.ID] {
			return opened[a.ID] > opened[b.ID]
		}
		if langs[a.ID] != langs[b.ID] {
			return langs[a.ID] > langs[b.ID]
		}
		return a.ID < b.ID
	})
	if len(all) > n {
		all = all[:n]
	}
	return all, nil
}
