package speech

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"time"

	"sapar/content"
)

// speechVoices maps the kiosk's languages to espeak-ng voices. Tajik has no
// voice (espeak-ng 1.51 has none, and reading Tajik with the Persian voice
// needs Arabic script): the button is hidden. Karakalpak is read by the
// Kazakh voice after transliteration to Cyrillic (kaaForKazakhVoice): both
// are Kipchak Turkic languages with the same vowel harmony and nearly the
// same sound inventory, and espeak-ng's kk voice reads Cyrillic only.
var speechVoices = map[string]string{
	"ky": "ky", "uz-Latn": "uz", "uz-Cyrl": "uz", "kaa": "kk", "ru": "ru", "en": "en", "ur": "ur",
}

// maxSpeechRunes caps what one request synthesises (a long guide is about
// 4,000 letters; this keeps a runaway guide from tying up the CPU).
const maxSpeechRunes = 8000

// Speaker reads guides aloud with espeak-ng.
type Speaker struct {
	bin    string
	voices map[string]string // kiosk language → espeak-ng voice, only those installed
	sem    chan struct{}     // one synthesis at a time
}

// ErrBusy: another synthesis held the slot for the whole wait.
var ErrBusy = errors.New("read-aloud is busy")

// New finds espeak-ng (bin "" looks on PATH, "-" turns speech off) and
// keeps the voices it really has. It returns nil when there is none: the UI
// then hides the read-aloud button.
func New(bin string) *Speaker {
	if bin == "-" {
		return nil
	}
	if bin == "" {
		p, err := exec.LookPath("espeak-ng")
		if err != nil {
			return nil
		}
		bin = p
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "--voices").Output()
	if err != nil {
		return nil
	}
	have := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) >= 2 {
			have[f[1]] = true
			if base, _, ok := strings.Cut(f[1], "-"); ok {
				have[base] = true // en-gb answers to -v en
			}
		}
	}
	sp := &Speaker{bin: bin, voices: map[string]string{}, sem: make(chan struct{}, 1)}
	for lang, v := range speechVoices {
		if have[v] {
			sp.voices[lang] = v
		}
	}
	if len(sp.voices) == 0 {
		return nil
	}
	return sp
}

// Langs lists the kiosk languages that can be read aloud (nil Speaker: none).
func (sp *Speaker) Langs() []string {
	if sp == nil {
		return []string{}
	}
	var out []string
	for _, l := range content.Languages() {
		if sp.voices[l.Tag] != "" {
			out = append(out, l.Tag)
		}
	}
	return out
}

// Voice is the espeak-ng voice for a kiosk language ("" when none).
func (sp *Speaker) Voice(lang string) string {
	if sp == nil {
		return ""
	}
	return sp.voices[lang]
}

// Speak streams text read in lang's voice to w as WAV, flushing as it goes
// (flush may be nil). It waits up to wait for the one synthesis slot
// (ErrBusy after that) and stops when ctx ends or w stops taking bytes.
// The text reaches espeak-ng on stdin, never argv (not visible in ps), and
// is never logged. started is called once espeak-ng runs, before any byte.
func (sp *Speaker) Speak(ctx context.Context, w io.Writer, flush func(), lang, text string, wait time.Duration, started func()) error {
	voice := sp.Voice(lang)
	if voice == "" {
		return fmt.Errorf("speech: no voice for %s", lang)
	}
	if lang == "kaa" {
		text = kaaForKazakhVoice(text)
	}
	select {
	case sp.sem <- struct{}{}:
		defer func() { <-sp.sem }()
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(wait):
		return ErrBusy
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, sp.bin, "-v", voice, "-s", "150", "--stdout")
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("speech: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("speech: espeak-ng did not start: %w", err)
	}
	started()
	br := bufio.NewReaderSize(out, 32<<10)
	buf := make([]byte, 32<<10)
	for {
		n, rerr := br.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				break // the page stopped listening
			}
			if flush != nil {
				flush()
			}
		}
		if rerr != nil {
			break
		}
	}
	cancel()
	cmd.Wait()
	return nil
}

var (
	blockEnd = regexp.MustCompile(`(?i)</(p|li|h[1-6]|tr|div)>|<br\s*/?>`)
	anyTag   = regexp.MustCompile(`<[^>]*>`)
)

// Text is what the speaker reads of a guide: the title, the numbered steps
// (the same as the printed slip), then the whole body, with pauses between
// blocks.
func Text(g *content.GuideView) string {
	var b strings.Builder
	b.WriteString(g.Title)
	b.WriteString(".\n")
	for _, p := range g.Print {
		b.WriteString(p)
		if !strings.HasSuffix(p, ".") {
			b.WriteString(".")
		}
		b.WriteString("\n")
	}
	body := blockEnd.ReplaceAllString(g.BodyHTML, ".\n")
	body = html.UnescapeString(anyTag.ReplaceAllString(body, " "))
	body = strings.ReplaceAll(body, "..\n", ".\n")
	b.WriteString(body)
	runes := []rune(b.String())
	if len(runes) > maxSpeechRunes {
		runes = runes[:maxSpeechRunes]
	}
	return string(runes)
}

// kaaLatinToCyrillic spells Karakalpak Latin (2016 alphabet) in the Cyrillic
// letters espeak-ng's Kazakh voice knows: á→ә, ǵ→ғ, ı→ы, ń→ң, ó→ө, ú→ү,
// q→қ, h→һ, w→у (Kazakh у is also the glide [w]), digraphs sh, ch first.
var kaaLatinToCyrillic = strings.NewReplacer(
	"Sh", "Ш", "SH", "Ш", "sh", "ш", "Ch", "Ч", "CH", "Ч", "ch", "ч",
	"A", "А", "a", "а", "Á", "Ә", "á", "ә", "B", "Б", "b", "б", "C", "Ц", "c", "ц",
	"D", "Д", "d", "д", "E", "Е", "e", "е", "F", "Ф", "f", "ф", "G", "Г", "g", "г",
	"Ǵ", "Ғ", "ǵ", "ғ", "H", "Һ", "h", "һ", "X", "Х", "x", "х", "Í", "Ы", "ı", "ы",
	"I", "И", "i", "и", "J", "Ж", "j", "ж", "K", "К", "k", "к", "Q", "Қ", "q", "қ",
	"L", "Л", "l", "л", "M", "М", "m", "м", "N", "Н", "n", "н", "Ń", "Ң", "ń", "ң",
	"O", "О", "o", "о", "Ó", "Ө", "ó", "ө", "P", "П", "p", "п", "R", "Р", "r", "р",
	"S", "С", "s", "с", "T", "Т", "t", "т", "U", "У", "u", "у", "Ú", "Ү", "ú", "ү",
	"V", "В", "v", "в", "W", "У", "w", "у", "Y", "Й", "y", "й", "Z", "З", "z", "з",
	// Karakalpak Cyrillic letters the Kazakh voice lacks.
	"Ў", "У", "ў", "у", "Ҳ", "Һ", "ҳ", "һ",
)

// kaaForKazakhVoice prepares Karakalpak text for the kk voice. Words in
// capitals that are Latin abbreviations (QR, SMS) pass through unchanged.
func kaaForKazakhVoice(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if isLatinAcronym(w) {
			continue
		}
		words[i] = kaaLatinToCyrillic.Replace(w)
	}
	return strings.Join(words, " ")
}

func isLatinAcronym(w string) bool {
	w = strings.TrimRight(w, ".,:;!?)")
	if len([]rune(w)) < 2 {
		return false
	}
	for _, r := range w {
		if !(r >= 'A' && r <= 'Z') && !(r >= '0' && r <= '9') && r != '-' {
			return false
		}
	}
	return true
}
