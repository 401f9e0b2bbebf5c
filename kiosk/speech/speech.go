package speech

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
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

// Read-aloud limits: one espeak-ng at a time (a Pi has little CPU to
// spare), a short queue in front of it, and a few listeners at once. The
// synthesis slot is held only while espeak-ng runs: what a listener has not
// read yet waits in memory (a long guide is about 10 MB of WAV), so a client
// that asks and never reads holds one stream, not the slot, until the
// request ends (the UI server's write deadline cuts a stalled writer).
const (
	MaxWaiting = 4 // listeners waiting for the synthesis slot; more are told busy at once
	MaxStreams = 3 // listeners being sent audio at once
	// maxSpool bounds the unread WAV of one listener (maxSpeechRunes at
	// 150 words a minute is under 25 MB at espeak-ng's 22 kHz).
	maxSpool = 32 << 20
	// maxSynthesis bounds one espeak-ng run.
	maxSynthesis = 2 * time.Minute
)

// Speaker reads guides aloud with espeak-ng.
type Speaker struct {
	bin     string
	voices  map[string]string // kiosk language → espeak-ng voice, only those installed
	sem     chan struct{}     // one synthesis at a time
	streams chan struct{}     // listeners being sent audio (MaxStreams)
	waiting atomic.Int32      // listeners waiting for sem
}

// ErrBusy: the queue was full, or another synthesis held the slot for the
// whole wait.
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
	sp := &Speaker{bin: bin, voices: map[string]string{}, sem: make(chan struct{}, 1), streams: make(chan struct{}, MaxStreams)}
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
// (flush may be nil). It waits up to wait for the one synthesis slot in a
// queue of MaxWaiting (ErrBusy when the queue is full or the wait ends) and
// stops when ctx ends or w fails (a stalled writer's deadline). espeak-ng
// writes into a spool the listener drains at its own pace, so the slot is
// free for the next listener once synthesis ends, however slowly this one
// reads. The text reaches espeak-ng on stdin, never argv (not visible in
// ps), and is never logged. started is called once espeak-ng runs, before
// any byte.
func (sp *Speaker) Speak(ctx context.Context, w io.Writer, flush func(), lang, text string, wait time.Duration, started func()) error {
	voice := sp.Voice(lang)
	if voice == "" {
		return fmt.Errorf("speech: no voice for %s", lang)
	}
	if lang == "kaa" {
		text = kaaForKazakhVoice(text)
	}
	if err := sp.take(ctx, wait); err != nil {
		return err
	}
	select {
	case sp.streams <- struct{}{}:
		defer func() { <-sp.streams }()
	default:
		<-sp.sem
		return ErrBusy
	}
	sctx, cancel := context.WithTimeout(ctx, maxSynthesis)
	cmd := exec.CommandContext(sctx, sp.bin, "-v", voice, "-s", "150", "--stdout")
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		<-sp.sem
		return fmt.Errorf("speech: %w", err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		<-sp.sem
		return fmt.Errorf("speech: espeak-ng did not start: %w", err)
	}
	started()
	sp2 := newSpool()
	go func() { // synthesis: the slot is released when espeak-ng is done
		defer func() { <-sp.sem }()
		defer cancel()
		sp2.fill(out)
		cmd.Wait()
	}()
	defer cancel() // the listener left or failed: stop espeak-ng if it still runs
	stop := context.AfterFunc(ctx, sp2.wake)
	defer stop()
	for {
		chunk, done := sp2.take(ctx)
		if len(chunk) > 0 {
			if _, err := w.Write(chunk); err != nil {
				return nil // the page stopped listening (or stalled past the deadline)
			}
			if flush != nil {
				flush()
			}
		}
		if done || ctx.Err() != nil {
			return nil
		}
	}
}

// take waits for the synthesis slot, in a queue of at most MaxWaiting.
func (sp *Speaker) take(ctx context.Context, wait time.Duration) error {
	if sp.waiting.Add(1) > MaxWaiting {
		sp.waiting.Add(-1)
		return ErrBusy
	}
	defer sp.waiting.Add(-1)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case sp.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return ErrBusy
	}
}

// spool holds the WAV espeak-ng has written and the listener not yet read.
type spool struct {
	mu   sync.Mutex
	cond *sync.Cond
	buf  []byte
	done bool
}

func newSpool() *spool {
	s := &spool{}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// fill copies r into the spool until EOF, an error or maxSpool unread bytes.
func (s *spool) fill(r io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		s.mu.Lock()
		s.buf = append(s.buf, buf[:n]...)
		full := len(s.buf) > maxSpool
		if err != nil || full {
			s.done = true
		}
		s.cond.Broadcast()
		s.mu.Unlock()
		if err != nil || full {
			return
		}
	}
}

// take hands the listener everything written so far, waiting for more
// while synthesis runs; done once nothing more will come.
func (s *spool) take(ctx context.Context) (chunk []byte, done bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.buf) == 0 && !s.done && ctx.Err() == nil {
		s.cond.Wait()
	}
	chunk, s.buf = s.buf, nil
	return chunk, s.done && len(chunk) == 0 || s.done && ctx.Err() != nil
}

func (s *spool) wake() {
	s.mu.Lock()
	s.cond.Broadcast()
	s.mu.Unlock()
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
