package receipt

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"sapar/drivers/escpos"
	"sapar/drivers/fonts"
)

// Document is what a slip says, independent of any content model.
type Document struct {
	Lang       string   // BCP 47 tag of the text, e.g. "ky", "uz-Latn", "ur"
	Title      string   // printed bold, double size
	Subtitle   string   // e.g. stage / country line
	Notice     string   // e.g. "SAMPLE DATA — not real"; printed white on black if set
	Steps      []string // numbered steps
	Paragraphs []string
	Contacts   []string
	QRURL      string
	QRCaption  string
	Footer     []string // kiosk place, date, content version
	// More is printed where a long guide was cut to the length budget;
	// "" uses MorePhrase(Lang) ("More: scan the QR code").
	More string `json:",omitempty"`
}

// Opts tunes the layout.
type Opts struct {
	// UserChars downloads ESC & characters for letters no code table holds
	// (Uzbek ҳ, Karakalpak ǵ, Tajik ӣ ӯ ҷ) on profiles that accept them;
	// off, such letters are transliterated (ҳ printed as х).
	UserChars bool
	// Encoder options (QR module size, raster band height).
	Encoder escpos.Opts
	// MaxBodyLines is the length budget of steps, paragraphs and contacts
	// in printed lines: a long guide printed whole is a metre of paper
	// and a queue behind it. What does not fit is left to the QR code,
	// with a "More: scan the QR code" line. 0: no budget.
	MaxBodyLines int
}

// DefaultOpts: user-defined characters on where the profile has them; a
// body budget of DefaultMaxBodyLines.
func DefaultOpts() Opts { return Opts{UserChars: true, MaxBodyLines: DefaultMaxBodyLines} }

// Render lays doc out for profile p as a complete job: init … cut.
func Render(doc Document, p escpos.Profile) ([]byte, error) {
	var buf bytes.Buffer
	if err := RenderTo(&buf, doc, p, DefaultOpts()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// RenderTo writes the job for doc to w.
func RenderTo(w io.Writer, doc Document, p escpos.Profile, opts Opts) error {
	if p.Columns <= 0 || p.Dots <= 0 {
		return fmt.Errorf("receipt: render for profile %q: no width", p.Name)
	}
	eo := opts.Encoder
	if opts.UserChars && p.UserChars && eo.Glyphs == nil {
		cells, err := fonts.CellsFor(p.CharWidth, p.CharHeight)
		if err != nil {
			return fmt.Errorf("receipt: render: %w", err)
		}
		eo.Glyphs = func(r rune, w, h int) (escpos.Glyph, bool) {
			if w != cells.W || h != cells.H || !cells.Has(r) {
				return escpos.Glyph{}, false
			}
			g := cells.Glyph(r)
			bits := make([]bool, w*h)
			for i, a := range g.Pix {
				bits[i] = a != 0
			}
			return escpos.Glyph{Width: w, Height: h, Bits: bits}, true
		}
	}
	e := escpos.NewEncoder(w, p, eo)
	cols := p.Columns
	l := &layout{e: e, p: p}
	if doc.More == "" {
		doc.More = MorePhrase(doc.Lang)
		if doc.QRURL == "" {
			doc.More = "..."
		}
	}
	_, trimmed := l.trim(doc, opts.MaxBodyLines)
	e.Init()
	if eo.Glyphs != nil {
		// Download, once, the few letters no table holds; missing ones fall back to raster or transliteration.
		text := allText(doc)
		if trimmed {
			text += "\n" + doc.More
		}
		_, _ = e.DefineUserChars(text)
	}
	if !p.Raster {
		doc = printable(e, doc)
	}
	// Measured again on the text as printed (substitutions may change lengths).
	doc, trimmed = l.trim(doc, opts.MaxBodyLines)
	if doc.Notice != "" {
		e.Align(escpos.Center)
		e.Bold(true)
		e.Reverse(true)
		for _, s := range wrap(doc.Notice, cols-2) {
			l.line(" "+s+" ", style{bold: true, reverse: true})
		}
		e.Reverse(false)
		e.Bold(false)
		e.Feed(1)
	}
	if doc.Title != "" {
		e.Align(escpos.Center)
		e.Bold(true)
		if !fonts.HasRTL(doc.Title) {
			e.Double(true)
		}
		l.paragraph(doc.Title, style{bold: true, double: true}, cols/2, func() []string { return wrap(doc.Title, cols/2) })
		e.Double(false)
		e.Bold(false)
	}
	if doc.Subtitle != "" {
		e.Align(escpos.Center)
		l.paragraph(doc.Subtitle, style{}, cols, func() []string { return wrap(doc.Subtitle, cols) })
	}
	e.Align(escpos.Left)
	e.Line(strings.Repeat("-", cols))
	for i, step := range doc.Steps {
		prefix := strconv.Itoa(i+1) + ". "
		l.paragraph(prefix+step, style{}, cols, func() []string { return hanging(prefix, step, cols) })
	}
	e.Align(escpos.Left)
	if len(doc.Steps) > 0 && len(doc.Paragraphs) > 0 {
		e.Line("")
	}
	for _, para := range doc.Paragraphs {
		l.paragraph(para, style{}, cols, func() []string { return wrap(para, cols) })
	}
	if trimmed {
		more := doc.More
		e.Align(escpos.Left)
		e.Bold(true)
		l.paragraph(more, style{bold: true}, cols, func() []string { return wrap(more, cols) })
		e.Bold(false)
	}
	e.Align(escpos.Left)
	if len(doc.Contacts) > 0 {
		e.Line(strings.Repeat("-", cols))
		for _, c := range doc.Contacts {
			l.paragraph(c, style{}, cols, func() []string { return hanging("* ", c, cols) })
			e.Align(escpos.Left)
		}
	}
	if doc.QRURL != "" {
		e.Feed(1)
		e.Align(escpos.Center)
		if err := e.QR(doc.QRURL); err != nil {
			// No QR on this model: the link as text is still useful.
			for _, s := range wrap(doc.QRURL, cols) {
				e.Line(s)
			}
		} else {
			e.Line("")
		}
		e.Align(escpos.Center)
		l.paragraph(doc.QRCaption, style{}, cols, func() []string { return wrap(doc.QRCaption, cols) })
	}
	if len(doc.Footer) > 0 {
		e.Align(escpos.Left)
		e.Line(strings.Repeat("-", cols))
		e.Align(escpos.Center)
		for _, f := range doc.Footer {
			l.paragraph(f, style{}, cols, func() []string { return wrap(f, cols) })
			e.Align(escpos.Center)
		}
	}
	e.Align(escpos.Left)
	e.Cut()
	if err := e.Err(); err != nil {
		return fmt.Errorf("receipt: render %q: %w", doc.Title, err)
	}
	if l.err != nil {
		return fmt.Errorf("receipt: render %q: %w", doc.Title, l.err)
	}
	return nil
}

// printable applies the encoder's substitutions before layout, so wrapping
// counts the characters that will really print.
func printable(e *escpos.Encoder, d Document) Document {
	f := e.Printable
	list := func(in []string) []string {
		out := make([]string, len(in))
		for i, s := range in {
			out[i] = f(s)
		}
		return out
	}
	d.Title, d.Subtitle, d.Notice, d.QRCaption, d.More = f(d.Title), f(d.Subtitle), f(d.Notice), f(d.QRCaption), f(d.More)
	d.Steps, d.Paragraphs, d.Contacts, d.Footer = list(d.Steps), list(d.Paragraphs), list(d.Contacts), list(d.Footer)
	return d
}

func allText(d Document) string {
	// Digits, rules and bullets the layout adds are text too.
	parts := []string{"0123456789. -*", d.Title, d.Subtitle, d.Notice, d.QRCaption}
	parts = append(parts, d.Steps...)
	parts = append(parts, d.Paragraphs...)
	parts = append(parts, d.Contacts...)
	parts = append(parts, d.Footer...)
	return strings.Join(parts, "\n")
}
