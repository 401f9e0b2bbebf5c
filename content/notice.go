package content

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"
)

// NoticesFile is the editors' urgent notices: a border closed, a scam
// going round. Each is shown as a banner on every screen and printed at
// the top of slips from Start until Expires, then disappears by itself.
const NoticesFile = "notices.yaml"

// Notice is one urgent notice.
type Notice struct {
	ID        string            `json:"id"`
	Start     time.Time         `json:"start"`
	Expires   time.Time         `json:"expires"`
	Countries []string          `json:"countries,omitempty"` // kiosks in these countries only; empty: all
	Places    []string          `json:"places,omitempty"`    // kiosks in these cities (provisioning place.city) only; empty: all
	Texts     map[string]string `json:"texts"`               // by language tag
	Line      int               `json:"-"`
}

// NoticeView is a notice in the reader's language.
type NoticeView struct {
	ID       string    `json:"id"`
	Lang     string    `json:"lang"`
	Fallback bool      `json:"fallback"`
	Text     string    `json:"text"`
	Expires  time.Time `json:"expires"`
}

type noticeFile struct {
	ID        string            `yaml:"id"`
	Start     string            `yaml:"start"`
	Expires   string            `yaml:"expires"`
	Countries []string          `yaml:"countries"`
	Places    []string          `yaml:"places"`
	Texts     map[string]string `yaml:"texts"`
}

// maxNoticeRunes keeps a notice to a banner line or two.
const maxNoticeRunes = 240

func loadNotices(fsys fs.FS, add func(string, int, string, ...any)) []*Notice {
	list, lines, ok := loadYAMLList[noticeFile](fsys, NoticesFile, add)
	if !ok {
		return nil
	}
	var out []*Notice
	for i, nf := range list {
		n := &Notice{ID: nf.ID, Countries: nf.Countries, Places: nf.Places, Texts: nf.Texts, Line: lines[i]}
		var msgs []string
		parse := func(key, v string) time.Time {
			if strings.TrimSpace(v) == "" {
				msgs = append(msgs, "no "+key+": give it as 2026-12-01T08:00:00+06:00 (a notice without an expiry would never disappear)")
				return time.Time{}
			}
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				msgs = append(msgs, key+" "+quote(v)+": write it as 2026-12-01T08:00:00+06:00 (RFC 3339, with the time zone)")
			}
			return t
		}
		n.Start, n.Expires = parse("start", nf.Start), parse("expires", nf.Expires)
		msgs = append(msgs, validateNotice(n)...)
		for _, m := range msgs {
			add(NoticesFile, n.Line, "notice %s: %s", quote(n.ID), m)
		}
		if len(msgs) == 0 {
			out = append(out, n)
		}
	}
	return out
}

// validateNotice returns what is wrong with n (bundles are checked the same way).
func validateNotice(n *Notice) []string {
	var msgs []string
	if !idPattern.MatchString(n.ID) {
		msgs = append(msgs, "id: use lowercase a-z, 0-9 and '-'")
	}
	if !n.Start.IsZero() && !n.Expires.IsZero() && !n.Expires.After(n.Start) {
		msgs = append(msgs, "expires must be after start")
	}
	if len(n.Texts) == 0 {
		msgs = append(msgs, "no texts: give the notice in at least one language (texts: {ky: …, ru: …})")
	}
	for tag, t := range n.Texts {
		if l, ok := LookupLanguage(tag); !ok || l.Tag != tag {
			msgs = append(msgs, "texts: unknown language "+quote(tag))
		} else if strings.TrimSpace(t) == "" {
			msgs = append(msgs, "texts: empty "+tag+" text")
		} else if len([]rune(t)) > maxNoticeRunes {
			msgs = append(msgs, fmt.Sprintf("texts: the %s text has %d characters, at most %d fit a banner", tag, len([]rune(t)), maxNoticeRunes))
		}
	}
	for _, c := range n.Countries {
		if !isCountry(c) {
			msgs = append(msgs, "countries "+quote(c)+": use ISO codes such as KG, UZ")
		}
	}
	return msgs
}

// Active says whether n shows now on a kiosk in country and city.
func (n *Notice) Active(now time.Time, country, city string) bool {
	if now.Before(n.Start) || !now.Before(n.Expires) {
		return false
	}
	if len(n.Countries) > 0 && !slices.Contains(n.Countries, country) {
		return false
	}
	if len(n.Places) > 0 && !slices.ContainsFunc(n.Places, func(p string) bool { return strings.EqualFold(p, city) }) {
		return false
	}
	return true
}

// Notices returns the notices valid at now for a kiosk in country and city,
// in lang (following its fallback chain; a notice with no text in the
// chain is shown in the first language it has).
func (s *Store) Notices(ctx context.Context, lang string, now time.Time, country, city string) ([]NoticeView, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM notices ORDER BY ord`)
	if err != nil {
		return nil, fmt.Errorf("content: notices: %w", err)
	}
	defer rows.Close()
	out := []NoticeView{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("content: notices: %w", err)
		}
		var n Notice
		if err := json.Unmarshal([]byte(data), &n); err != nil {
			return nil, fmt.Errorf("content: notices: %w", err)
		}
		if !n.Active(now, country, city) {
			continue
		}
		v := NoticeView{ID: n.ID, Expires: n.Expires}
		for i, l := range Chain(lang) {
			if t := n.Texts[l]; t != "" {
				v.Lang, v.Text, v.Fallback = l, t, i > 0
				break
			}
		}
		if v.Text == "" {
			tags := make([]string, 0, len(n.Texts))
			for tag := range n.Texts {
				tags = append(tags, tag)
			}
			slices.Sort(tags)
			v.Lang, v.Text, v.Fallback = tags[0], n.Texts[tags[0]], true
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
