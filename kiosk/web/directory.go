package web

import (
	"errors"
	"net/http"
	"strings"

	"sapar/content"
	"sapar/kiosk/web/httpx"
)

// agencyGuide is the guide whose print steps say what to do after an agency
// check, and whose links are the official registries.
const agencyGuide = "check-agency-licence"

// registryContacts are the bodies that keep the official registry of
// licensed agencies, by issuing country (study §2.1): CECA in Kyrgyzstan,
// the Agency of Migration in Uzbekistan.
var registryContacts = []struct{ country, contact string }{{"KG", "ceca-kg"}, {"UZ", "agency-of-migration-uz"}}

// The UI's content API beyond guides and search: contacts directory,
// agency check, country guides (routes.go lists the routes).
//
// Every endpoint takes lang (any BCP 47 spelling: "uz", "uz-Latn-UZ", "kaa")
// and answers in it, falling back along the language's chain; "lang" and
// "fallback" in each item say what was used. Errors are {"error": MSG} with
// status 400 (bad parameter), 404 or 500.
//
// GET /api/contacts?lang=L&country=KG&kind=hotline   (country, kind optional)
//
//	[{"id":"ceca-kg","kind":"state-agency","country":"KG","name":"…","lang":"ky","fallback":false,
//	  "phone":"","website":"https://migrant.kg","telegram":"","hours":"","languages":["ky","ru"],
//	  "source":"Study §2.1 …","qr":{"website":"/api/contacts/qr?id=ceca-kg&field=website"}}]
//
//	Empty phone/website/telegram/hours mean no source gives them: show nothing,
//	never a placeholder number. kind is one of state-agency, mrc, embassy,
//	hotline, ngo, diaspora. "qr" has a key for each address the contact has.
//
// GET /api/contacts/qr?id=ID&field=website|telegram → image/png QR code of
// that contact's address (only addresses the content holds are encoded).
//
// GET /api/agency?lang=L&q=NAME-OR-LICENCE-NUMBER
//
//	{"query":"Жибек Жолу",
//	 "status":"licensed",        // licensed | suspended | revoked | expired (an exact name or licence number:
//	                             // the verdict) | similar (only candidates: never a verdict) | not_found |
//	                             // too_short | cannot_check (a production kiosk without a real registry)
//	 "sample":true,              // a match is FICTIONAL sample data: the verdict must say so
//	 "registry":"sample",        // sample | official | empty
//	 "matches":[{"name":"SAMPLE Жибек Жолу Тревел Ворк","name_translit":"SAMPLE Jibek Jolu Travel Work",
//	   "licence_no":"SAMPLE-KG-0001","country":"KG","valid_until":"2027-06-30","status":"licensed",
//	   "effective":"licensed",   // status today: an expired licence says expired
//	   "match":"name",           // licence | name (exact) | prefix | near (candidates: list them neutrally)
//	   "source":"sample data — not real","date":"2026-11-27","sample":true}],
//	 "next":{"guide":"check-agency-licence","lang":"ky","fallback":false,"steps":["…","…"]},
//	 "registries":[{"country":"KG","contact":"ceca-kg","name":"…","url":"https://migrant.kg",
//	   "qr":"/api/contacts/qr?id=ceca-kg&field=website"}]}
//
//	"next.steps" is what to do next (check the official list, how to report a
//	suspicious recruiter) in the reader's language; "registries" are the
//	official lists to show as QR codes (the issuing country of the first
//	match first). The query is never logged or counted, only whether
//	something was found.
//
// GET /api/countries?lang=L
//
//	[{"code":"RU","name":"Россия","guides":[{"id":"country-russia","title":"…","summary":"…",
//	  "lang":"ru","fallback":false,"pictogram":"country"}]}]
//
//	Destination countries with most guides first; the country's own guide
//	leads its list.

type contactJSON struct {
	content.ContactView
	QR map[string]string `json:"qr"`
}

func withQR(c content.ContactView) contactJSON {
	out := contactJSON{ContactView: c, QR: map[string]string{}}
	if c.Website != "" {
		out.QR["website"] = "/api/contacts/qr?id=" + c.ID + "&field=website"
	}
	if c.Telegram != "" {
		out.QR["telegram"] = "/api/contacts/qr?id=" + c.ID + "&field=telegram"
	}
	return out
}

func validCode(s string) bool {
	if s == "" {
		return true
	}
	if len(s) > 20 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-') {
			return false
		}
	}
	return true
}

func (s *Server) handleContacts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	country, kind := strings.ToUpper(q.Get("country")), q.Get("kind")
	if !validCode(country) || !validCode(kind) {
		httpx.Error(w, http.StatusBadRequest, "country is an ISO code such as KG; kind is one of "+strings.Join(content.ContactKinds, ", "))
		return
	}
	list, err := s.Store().Contacts(r.Context(), langOf(r), country, kind)
	if err != nil {
		s.opt.Log.Error("contacts", "err", err)
		httpx.Error(w, http.StatusInternalServerError, "contacts are not available")
		return
	}
	out := make([]contactJSON, 0, len(list))
	for _, c := range list {
		out = append(out, withQR(c))
	}
	httpx.JSON(w, http.StatusOK, out)
}

func (s *Server) handleContactQR(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, err := s.Store().Contact(r.Context(), q.Get("id"), "en")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	var url string
	switch q.Get("field") {
	case "website":
		url = c.Website
	case "telegram":
		url = c.Telegram
	}
	if url == "" {
		http.NotFound(w, r)
		return
	}
	s.writeQR(w, url)
}

type agencyNext struct {
	Guide    string   `json:"guide"`
	Lang     string   `json:"lang"`
	Fallback bool     `json:"fallback"`
	Steps    []string `json:"steps"`
}

type agencyRegistry struct {
	Country string `json:"country"`
	Contact string `json:"contact"`
	Name    string `json:"name"`
	URL     string `json:"url"`
	QR      string `json:"qr"`
}

type agencyJSON struct {
	Query string `json:"query"`
	content.AgencyResult
	Next       *agencyNext      `json:"next"`
	Registries []agencyRegistry `json:"registries"`
}

func (s *Server) handleAgency(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	query, ok := queryOf(w, r)
	if !ok {
		return
	}
	st := s.Store()
	res, err := st.CheckAgency(r.Context(), query, s.opt.Now())
	if err != nil {
		s.opt.Log.Error("agency check", "err", err) // never the query
		httpx.Error(w, http.StatusInternalServerError, "the agency registry is not available")
		return
	}
	if res.Registry != content.RegistryOfficial && !s.opt.SampleAgencies {
		// A production kiosk on the sample content (or none): no answer
		// from fictional entries, only the official registries and the help desk.
		res = content.AgencyResult{Status: content.CheckUnavailable, Registry: res.Registry, Matches: []content.AgencyMatch{}}
	}
	out := agencyJSON{Query: query, AgencyResult: res, Registries: []agencyRegistry{}}
	if g, err := st.Guide(r.Context(), agencyGuide, lang); err == nil {
		out.Next = &agencyNext{Guide: g.ID, Lang: g.Lang, Fallback: g.Fallback, Steps: g.Print}
	} else if !errors.Is(err, content.ErrNotFound) {
		s.opt.Log.Error("agency check guide", "err", err)
	}
	first := ""
	if len(res.Matches) > 0 {
		first = res.Matches[0].Country
	}
	for _, pass := range []bool{true, false} {
		for _, rc := range registryContacts {
			if (rc.country == first) != pass {
				continue
			}
			c, err := st.Contact(r.Context(), rc.contact, lang)
			if err != nil || c.Website == "" {
				continue
			}
			out.Registries = append(out.Registries, agencyRegistry{Country: rc.country, Contact: c.ID, Name: c.Name,
				URL: c.Website, QR: "/api/contacts/qr?id=" + c.ID + "&field=website"})
		}
	}
	s.opt.Usage.AgencyCheck(lang, len(res.Matches) > 0)
	s.metrics.AgencyCheck(len(res.Matches) > 0)
	httpx.JSON(w, http.StatusOK, out)
}

// GET /api/notices?lang=L → [{"id","lang","fallback","text","expires"}]:
// the content's urgent notices valid now for this kiosk's country and
// city, in the reader's language; the page shows them as a banner on every
// screen (an expired one is simply no longer answered).
func (s *Server) handleNotices(w http.ResponseWriter, r *http.Request) {
	list, err := s.Store().Notices(r.Context(), langOf(r), s.opt.Now(), s.opt.Country, s.opt.City)
	if err != nil {
		s.opt.Log.Error("notices", "err", err)
		httpx.Error(w, http.StatusInternalServerError, "notices are not available")
		return
	}
	httpx.JSON(w, http.StatusOK, list)
}

func (s *Server) handleCountries(w http.ResponseWriter, r *http.Request) {
	list, err := s.Store().Countries(r.Context(), langOf(r))
	if err != nil {
		s.opt.Log.Error("countries", "err", err)
		httpx.Error(w, http.StatusInternalServerError, "content is not available")
		return
	}
	httpx.JSON(w, http.StatusOK, list)
}
