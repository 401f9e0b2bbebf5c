package content

// Stages of the journey, in the order the home screen shows them.
var Stages = []string{"thinking", "preparing", "abroad", "returning", "foreigners"}

// Guide is one topic with its language-independent facts and its texts.
type Guide struct {
	ID        string
	Stages    []string
	Audiences []string
	Countries []string // ISO 3166 alpha-2 destination countries
	Pictogram string
	Links     []Link
	Sources   []string
	Texts     map[string]*Text // by language tag
}

// Link is an outside address: shown as a QR code, never opened on the kiosk.
type Link struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// Text is a guide in one language.
type Text struct {
	Lang       string
	File       string // source file, for error messages
	Title      string
	Summary    string
	Reviewed   string            // YYYY-MM-DD
	LinkLabels map[string]string // link id → label
	Print      []string          // the printed slip: short numbered steps
	Body       string            // Markdown as written
	BodyHTML   string            // rendered by goldmark, raw HTML refused
}

// Set is a whole body of content: what a bundle carries.
type Set struct {
	Guides []*Guide
}

// Guide returns the guide with this id, or nil.
func (s *Set) Guide(id string) *Guide {
	for _, g := range s.Guides {
		if g.ID == id {
			return g
		}
	}
	return nil
}
