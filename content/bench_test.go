package content

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"sapar/content/bundle"
)

// synthWords are words of the sample's languages, so the synthetic index
// has realistic scripts and word lengths.
var synthWords = map[string][]string{
	"ky":      strings.Fields("жумуш виза келишим агенттик лицензия мигрант эмгек акы укук ден соолук үй-бүлө өлкө кайтуу документ каттоо паспорт мамлекет борбор жардам чет"),
	"uz-Latn": strings.Fields("ish viza shartnoma agentlik litsenziya migrant mehnat haqi huquq sogʻliq oila davlat qaytish hujjat roʻyxat pasport markaz yordam chet oʻzbek"),
	"uz-Cyrl": strings.Fields("иш виза шартнома агентлик лицензия мигрант меҳнат ҳақи ҳуқуқ соғлиқ оила давлат қайтиш ҳужжат рўйхат паспорт марказ ёрдам чет ўзбек"),
	"kaa":     strings.Fields("jumıs viza shártnama agentlik licenziya migrant miynet haqı huqıq densawlıq shańaraq mámleket qaytıw hújjet dizim pasport oray járdem shet"),
	"ru":      strings.Fields("работа виза договор агентство лицензия мигрант труд зарплата право здоровье семья государство возвращение документы регистрация паспорт центр помощь рубеж"),
	"en":      strings.Fields("work visa contract agency licence migrant labour wages rights health family state return documents registration passport centre help abroad"),
}

var benchLangs = []string{"ky", "uz-Latn", "uz-Cyrl", "kaa", "ru", "en"}

// synthVocab gives each language 4,000 made-up words in its script beside
// its real words; texts draw from it with a Zipf distribution, as real text
// does (a few words everywhere, most words rare).
func synthVocab(r *rand.Rand, lang string) []string {
	syll := map[string][]string{
		"ky":      strings.Fields("ка ла ма на ра та жа кө түн ың бай кыз мек сыр дар гөн үч бол таш"),
		"uz-Latn": strings.Fields("ka la ma na ra ta ja oʻ gʻa sha chi lik xon bor dan gan qiz mat yor"),
		"uz-Cyrl": strings.Fields("ка ла ма на ра та жа ўз ға ша чи лик хон бор дан ган қиз мат ёр"),
		"kaa":     strings.Fields("ka la ma na ra ta ja ıs ǵa sha sı lıq xan bar dan ǵan qız mat ńa"),
		"ru":      strings.Fields("ка ла ма на ра то же при вер ство ние ова ска тель ный про дос ком лен"),
		"en":      strings.Fields("ka la ma na ra to ter ing ment pro con tion ver able ence stra port ful der"),
	}[lang]
	v := append([]string{}, synthWords[lang]...)
	for len(v) < 4000 {
		n := 2 + r.IntN(3)
		w := ""
		for i := 0; i < n; i++ {
			w += syll[r.IntN(len(syll))]
		}
		v = append(v, w)
	}
	// Real words land at random ranks: some common, most rare. (With
	// them as the most common words of every text, a query for one
	// matches nearly all 30,000 texts and p99 is far above 10 ms.)
	r.Shuffle(len(v), func(i, j int) { v[i], v[j] = v[j], v[i] })
	return v
}

type synthGen struct {
	r     *rand.Rand
	vocab map[string][]string
	zipf  *rand.Zipf
}

func newSynthGen() *synthGen {
	r := rand.New(rand.NewPCG(1, 2))
	g := &synthGen{r: r, vocab: map[string][]string{}, zipf: rand.NewZipf(r, 1.1, 2, 3999)}
	for _, l := range benchLangs {
		g.vocab[l] = synthVocab(r, l)
	}
	return g
}

func (g *synthGen) text(lang string, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(g.vocab[lang][g.zipf.Uint64()])
		if i%12 == 11 {
			b.WriteString(".\n")
		}
	}
	return b.String()
}

// synthSet makes guides × 6 languages with ~150-word bodies.
func synthSet(guides int) *Set {
	gen := newSynthGen()
	set := &Set{}
	for i := 0; i < guides; i++ {
		g := &Guide{ID: fmt.Sprintf("guide-%05d", i), Stages: []string{Stages[i%len(Stages)]}, Countries: []string{[]string{"RU", "KZ", "KR", "TR", "GB", "DE"}[i%6]},
			Pictogram: "visa", Sources: []string{"synthetic"}, Links: []Link{{ID: "site", URL: "https://migrant.kg"}}, Texts: map[string]*Text{}}
		for _, l := range benchLangs {
			body := gen.text(l, 150)
			g.Texts[l] = &Text{Lang: l, Title: gen.text(l, 5) + fmt.Sprintf(" %d", i), Summary: gen.text(l, 20), Reviewed: "2026-11-01",
				LinkLabels: map[string]string{"site": "site"}, Print: []string{gen.text(l, 8), gen.text(l, 8)}, Body: body, BodyHTML: "<p>" + body + "</p>"}
		}
		set.Guides = append(set.Guides, g)
	}
	return set
}

var benchBundle struct {
	dir string
}

func benchBundleDir(b *testing.B) string {
	if benchBundle.dir != "" {
		return benchBundle.dir
	}
	files, err := Compile(synthSet(5000))
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), "bundle")
	if _, err := bundle.Write(dir, "bench", time.Unix(0, 0), files); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkIndexFromBundle: open and verify a bundle of 5,000 guides × 6
// languages, load it, and build the SQLite index (target: under 5 s).
func BenchmarkIndexFromBundle(b *testing.B) {
	dir := benchBundleDir(b)
	for b.Loop() {
		start := time.Now()
		bd, err := bundle.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		set, err := LoadBundle(bd)
		if err != nil {
			b.Fatal(err)
		}
		loaded := time.Since(start)
		st, err := BuildStore(filepath.Join(b.TempDir(), "index.db"))
		if err != nil {
			b.Fatal(err)
		}
		if err := st.Replace(context.Background(), set, "bench"); err != nil {
			b.Fatal(err)
		}
		st.Close()
		b.Logf("5000 guides × 6 languages: bundle open+load %v, total with index %v", loaded.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	}
}

// BenchmarkSearch5000 runs a mix of queries (exact, other script, Russian
// word forms, typos, FTS syntax) over the 5,000-guide index and reports
// p50 and p99 per query (target p99: under 10 ms).
func BenchmarkSearch5000(b *testing.B) {
	set := synthSet(5000)
	st, err := OpenStore(filepath.Join(b.TempDir(), "index.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.Replace(context.Background(), set, "bench"); err != nil {
		b.Fatal(err)
	}
	queries := []struct{ lang, q string }{
		{"ru", "договоров"}, {"ru", "лицензию агентства"}, {"uz-Latn", "меҳнат шартномаси"}, {"uz-Cyrl", "mehnat shartnoma"},
		{"uz-Latn", "o'zbek"}, {"ky", "эмгек акы"}, {"kaa", "miynet haqi"}, {"en", "pasport registraton"},
		{"en", "visa"}, {"en", `"wages*" NEAR( -`}, {"ky", "иш"}, {"en", "guide 4242"}, {"en", "xyzzy"},
	}
	ctx := context.Background()
	var times []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := queries[i%len(queries)]
		start := time.Now()
		if _, err := st.Search(ctx, q.lang, q.q); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	p := func(f float64) time.Duration { return times[int(f*float64(len(times)-1))] }
	b.ReportMetric(float64(p(0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p(0.99).Microseconds())/1000, "p99-ms")
	b.Logf("%d searches over 5000 guides × 6 languages: p50 %v, p99 %v, max %v", len(times), p(0.5), p(0.99), times[len(times)-1])
}
