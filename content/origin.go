package content

import (
	"context"
	"slices"
)

// for says whether something meant for the citizenships list (empty:
// everyone) is for a citizen of origin.
func forOrigin(list []string, origin string) bool {
	return len(list) == 0 || slices.Contains(list, origin)
}

// reachable: the content holds a way to reach c (never invented).
func reachable(c ContactView) bool { return c.Phone != "" || c.Website != "" || c.Telegram != "" }

// originMatters: a guide whose links or contacts are not all for everyone.
func originMatters(g *GuideView) bool {
	for _, l := range g.Links {
		if len(l.Origins) > 0 {
			return true
		}
	}
	for _, c := range g.Contacts {
		if len(c.Serves) > 0 {
			return true
		}
	}
	return false
}

// ForOrigin narrows a guide to what applies to a citizen of origin (one of
// Origins): the links for that origin first (the slip's QR is the first),
// the contacts that serve them and, when none of the guide's contacts
// serving them can be reached, the directory's state bodies serving that
// origin that can — so every slip
// names an office its reader can turn to. An unknown origin leaves g as
// it is.
func (s *Store) ForOrigin(ctx context.Context, g *GuideView, origin string) error {
	g.OriginMatters = originMatters(g)
	if !slices.Contains(Origins, origin) {
		return nil
	}
	g.Origin = origin
	var mine, rest []LinkView
	for _, l := range g.Links {
		switch {
		case len(l.Origins) > 0 && slices.Contains(l.Origins, origin):
			mine = append(mine, l)
		case len(l.Origins) == 0:
			rest = append(rest, l)
		}
	}
	g.Links = append(mine, rest...)
	var contacts []ContactView
	served := false
	for _, c := range g.Contacts {
		if forOrigin(c.Serves, origin) {
			contacts = append(contacts, c)
			served = served || slices.Contains(c.Serves, origin) && reachable(c)
		}
	}
	if !served {
		all, err := s.Contacts(ctx, g.Lang, "", "state-agency")
		if err != nil {
			return err
		}
		for _, c := range all {
			if slices.Contains(c.Serves, origin) && reachable(c) && !slices.ContainsFunc(contacts, func(x ContactView) bool { return x.ID == c.ID }) {
				contacts = append(contacts, c)
			}
		}
	}
	g.Contacts = contacts
	return nil
}
