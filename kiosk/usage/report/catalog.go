package report

import (
	"context"
	"errors"
	"fmt"

	"sapar/content"
)

// GuideInfo is what the report needs to know about a guide.
type GuideInfo struct {
	Title  string
	Stages []string // content.Stages
}

// Catalog maps content ids to their titles and stages. A topic missing
// from it is shown by its id, under the stage "not in this content".
type Catalog map[string]GuideInfo

// CatalogFromSet takes titles in lang (following its fallback chain, then
// any language) and stages from a loaded content set, such as the
// embedded sample.
func CatalogFromSet(set *content.Set, lang string) Catalog {
	c := Catalog{}
	for _, g := range set.Guides {
		info := GuideInfo{Stages: g.Stages}
		for _, l := range content.Chain(lang) {
			if t := g.Texts[l]; t != nil && t.Title != "" {
				info.Title = t.Title
				break
			}
		}
		if info.Title == "" {
			for _, t := range g.Texts {
				info.Title = t.Title
				break
			}
		}
		c[g.ID] = info
	}
	return c
}

// CatalogFromStore looks up the given topics in a content index (such as
// the kiosk's active release, STATE/content/current/index.db). Topics the
// index does not know are left out.
func CatalogFromStore(ctx context.Context, st *content.Store, topics []string, lang string) (Catalog, error) {
	c := Catalog{}
	for _, id := range topics {
		v, err := st.Guide(ctx, id, lang)
		if errors.Is(err, content.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("report: titles: %w", err)
		}
		c[id] = GuideInfo{Title: v.Title, Stages: v.Stages}
	}
	return c, nil
}
