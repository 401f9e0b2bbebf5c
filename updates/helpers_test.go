package updates

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"sapar/content/bundle"
)

// fixture is a publisher repository and its keys in a temp dir.
type fixture struct {
	t     testing.TB
	dir   string
	pub   *Publisher
	clock time.Time
}

func testLogf(t testing.TB) func(string, ...any) {
	return func(f string, a ...any) { t.Helper(); t.Logf(f, a...) }
}

func newFixture(t *testing.T, opts InitOptions) *fixture { return newFixtureTB(t, opts) }

func newBenchFixture(b *testing.B) *fixture { return newFixtureTB(b, InitOptions{}) }

func serveB(b *testing.B, dir string) *server { return serveTB(b, dir) }

func newFixtureTB(t testing.TB, opts InitOptions) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{t: t, dir: dir, clock: time.Now().UTC()}
	f.pub = &Publisher{Repo: filepath.Join(dir, "repo"), Keys: filepath.Join(dir, "keys"), Clock: func() time.Time { return f.clock }}
	if err := f.pub.Init(opts); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) rootBytes() []byte {
	raw, err := os.ReadFile(filepath.Join(f.pub.Repo, "metadata", "1.root.json"))
	if err != nil {
		f.t.Fatal(err)
	}
	return raw
}

// files makes n guide-like files; change alters the content of file #k.
func guideFiles(n int, size int, variant string) map[string][]byte {
	m := map[string][]byte{}
	for i := 0; i < n; i++ {
		body := make([]byte, size)
		for j := range body {
			body[j] = byte('a' + (i+j)%26)
		}
		copy(body, fmt.Sprintf("guide %d\n", i))
		m[fmt.Sprintf("guides/g%03d.md", i)] = body
	}
	if variant != "" {
		m["guides/g000.md"] = append([]byte(variant+"\n"), m["guides/g000.md"]...)
	}
	return m
}

// makeBundle writes a bundle and returns its dir.
func (f *fixture) makeBundle(version string, files map[string][]byte) string {
	f.t.Helper()
	d := filepath.Join(f.dir, "bundles", version)
	if _, err := bundle.Write(d, version, f.clock, files); err != nil {
		f.t.Fatal(err)
	}
	return d
}

func (f *fixture) publish(version string, files map[string][]byte) string {
	f.t.Helper()
	d := f.makeBundle(version, files)
	if _, err := f.pub.Add(d); err != nil {
		f.t.Fatal(err)
	}
	return d
}

// server serves the repo over loopback HTTP, counting bytes and letting a
// test intercept requests.
type server struct {
	*httptest.Server
	bytes     atomic.Int64
	mu        sync.Mutex
	intercept func(w http.ResponseWriter, r *http.Request) bool
	requests  []string
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n.Add(int64(n))
	return n, err
}

func serve(t *testing.T, dir string) *server { return serveTB(t, dir) }

func serveTB(t testing.TB, dir string) *server {
	s := &server{}
	fs := http.FileServer(http.Dir(dir))
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.URL.Path)
		ic := s.intercept
		s.mu.Unlock()
		if ic != nil && ic(w, r) {
			return
		}
		fs.ServeHTTP(countingWriter{w, &s.bytes}, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) setIntercept(fn func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	s.intercept = fn
	s.mu.Unlock()
}

func fastLimits() FetchLimits {
	return FetchLimits{RequestTimeout: 2 * time.Second, MinBytesPerSecond: 1 << 20, Retries: 2, Backoff: 20 * time.Millisecond, MaxBytes: 16 << 20}
}

// testPrepare writes a derived file like the SQLite index would be.
func testPrepare(dir string) error {
	b, err := bundle.Open(dir)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "search.idx"), []byte(b.Index.Version+"\n"), 0o644)
}

// testIndex is the Indexer of these tests: testPrepare, then testHealth
// unless unhealthy says the release in dir is broken.
type testIndex struct{ unhealthy func(dir string) error }

func (testIndex) Prepare(dir string) error { return testPrepare(dir) }

func (ix testIndex) Health(dir string) error {
	if ix.unhealthy != nil {
		if err := ix.unhealthy(dir); err != nil {
			return err
		}
	}
	return testHealth(dir)
}

func testHealth(dir string) error {
	raw, err := os.ReadFile(filepath.Join(dir, "search.idx"))
	if err != nil {
		return fmt.Errorf("index missing: %w", err)
	}
	if len(raw) == 0 {
		return fmt.Errorf("index empty")
	}
	return nil
}

func (f *fixture) client(state string, mirrors ...string) *Client {
	return &Client{
		StateDir: state, Mirrors: mirrors, TrustedRoot: f.rootBytes(),
		Limits: fastLimits(), Deadline: 20 * time.Second, Logf: testLogf(f.t),
		Index: testIndex{},
	}
}

// mustActive checks the state has a complete, verified active release and
// returns its version.
func mustActive(t testing.TB, state string) string {
	t.Helper()
	dir, err := ActiveDir(state)
	if err != nil {
		t.Fatalf("no active release: %v", err)
	}
	b, err := bundle.Open(dir)
	if err != nil {
		t.Fatalf("active release does not verify: %v", err)
	}
	if err := testHealth(dir); err != nil {
		t.Fatalf("active release unhealthy: %v", err)
	}
	return b.Index.Version
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var _ = metadata.ROOT
