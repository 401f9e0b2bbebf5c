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
	Contacts  []string         // ids in contacts.yaml: the key contacts printed on the slip
	Texts     map[string]*Text // by language tag
}

// Link is an outside address: shown as a QR code, never opened on the kiosk.
type Link struct {
	ID  string `json:"id"`
	URL string `json:"url"`
	// Origins are the countries whose citizens the link is for (KG, UZ,
	// TJ, other); empty: everyone. The slip's QR is the first link for the
	// reader's origin.
	Origins []string `json:"origins,omitempty" yaml:"origins"`
}

// Origins are the citizenships a reader can say are theirs ("whose rules
// apply"): the two countries the study covers, Tajikistan, and any other.
var Origins = []string{"KG", "UZ", "TJ", "other"}

// Text is a guide in one language.
type Text struct {
	Lang     string
	File     string // source file, for error messages
	Title    string
	Summary  string
	Reviewed string // YYYY-MM-DD: the day a native speaker checked it; "" not yet
	// Translation is how the text was made: TranslationMachine or
	// TranslationHuman. ReviewedBy is the role or organisation of the
	// native speaker who reviewed it (with Reviewed). Both stay in the
	// sources (content check's provenance matrix); the bundle carries
	// only Reviewed, which the guide screen reads.
	Translation string
	ReviewedBy  string
	LinkLabels  map[string]string // link id → label
	Print       []string          // the printed slip: short numbered steps
	Body        string            // Markdown as written
	BodyHTML    string            // rendered by goldmark, raw HTML refused

	// Where things are in File, for `content check` (0 when unknown, e.g.
	// for texts read from a bundle).
	Lines      map[string]int // front-matter key → line
	PrintLines []int          // line of each print step
	LinkLines  map[string]int // link id → line of its label
	BodyLine   int            // line of the body's first line
}

// How a text was made (the `translation:` key of a <lang>.md file).
const (
	TranslationMachine = "machine" // machine-translated or machine-transliterated
	TranslationHuman   = "human"   // written or translated by a person
)

// Set is a whole body of content: what a bundle carries.
type Set struct {
	Guides   []*Guide
	Contacts []*Contact
	Agencies []*Agency
	Synonyms []*SearchWords // synonyms.yaml: the words people type, by language
	Notices  []*Notice      // notices.yaml: urgent notices, each with a start and an expiry
}

// Contact kinds, in the order the contacts screen groups them.
var ContactKinds = []string{"state-agency", "mrc", "embassy", "hotline", "ngo", "diaspora"}

// Contact is an organisation a migrant can turn to. Empty fields mean no
// source gives the fact: a phone number is never guessed.
type Contact struct {
	ID        string            `json:"id"`
	Kind      string            `json:"kind"`
	Country   string            `json:"country"`
	Names     map[string]string `json:"names"` // by language tag
	Phone     string            `json:"phone"`
	Website   string            `json:"website"`
	Telegram  string            `json:"telegram"`
	Hours     string            `json:"hours"`
	Languages []string          `json:"languages"`
	Source    string            `json:"source"`
	// Serves are the citizenships the body helps (Origins); empty: anyone.
	// A guide's slip shows the contacts serving the reader's origin, and the
	// first state body serving it when the guide names none.
	Serves []string `json:"serves,omitempty"`
	// Checked is the day (YYYY-MM-DD) an editor last checked this entry
	// against its source; content check warns when it is missing.
	Checked string `json:"checked,omitempty"`
	File    string `json:"-"`
	Line    int    `json:"-"`
}

// Agency statuses in the registry.
const (
	StatusLicensed  = "licensed"
	StatusSuspended = "suspended"
	StatusRevoked   = "revoked"
)

// Agency is one entry of the registry of recruitment agencies. Sample
// entries are fictional and every screen that shows one must say so.
type Agency struct {
	Name         string `json:"name"`          // as registered
	NameTranslit string `json:"name_translit"` // the other script
	LicenceNo    string `json:"licence_no"`
	Country      string `json:"country"`     // issuing country: KG or UZ
	ValidUntil   string `json:"valid_until"` // YYYY-MM-DD
	Status       string `json:"status"`      // licensed, suspended, revoked
	Source       string `json:"source"`
	Date         string `json:"date"` // YYYY-MM-DD: when the source was read
	Sample       bool   `json:"sample"`
	Line         int    `json:"-"`
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
