package updates

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"sapar/content/bundle"
)

// baseline: a 2-of-3 root repository; the kiosk installed v1 then v2, and an
// untouched copy of the repository as it was at v1 is kept for replays.
type baseline struct {
	f      *fixture
	srv    *server
	state  string
	client *Client
	oldV1  string // copy of REPO at v1
}

func newBaseline(t *testing.T) *baseline {
	f := newFixture(t, InitOptions{Thresholds: map[string]int{"root": 2}, KeyCounts: map[string]int{"root": 3}})
	f.publish("v1", guideFiles(6, 300, ""))
	old := filepath.Join(t.TempDir(), "repo-v1")
	if err := os.CopyFS(old, os.DirFS(f.pub.Repo)); err != nil {
		t.Fatal(err)
	}
	f.publish("v2", guideFiles(6, 300, "v2"))
	b := &baseline{f: f, srv: serve(t, f.pub.Repo), state: t.TempDir(), oldV1: old}
	b.client = f.client(b.state, b.srv.URL)
	if res, err := b.client.Update(ctxT(t)); err != nil || res.Version != "v2" {
		t.Fatalf("baseline: %+v %v", res, err)
	}
	return b
}

func readRepoState(t *testing.T, p *Publisher) *repoState {
	st, err := p.load()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func serveBytes(path string, data []byte) func(w http.ResponseWriter, r *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != path {
			return false
		}
		w.Write(data)
		return true
	}
}

// objectURL is the served path of one object of the latest published bundle.
func objectURL(t *testing.T, b *baseline) string {
	st := readRepoState(t, b.f.pub)
	for p, tf := range st.targets.Signed.Targets {
		if strings.HasPrefix(p, TargetObjectPrefix) {
			sha := strings.TrimPrefix(p, TargetObjectPrefix)
			_ = tf
			return "/targets/bundle/objects/" + sha + "." + sha
		}
	}
	t.Fatal("no object")
	return ""
}

func TestHostileRepositories(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, b *baseline)
		want  string // in the error
	}{
		{"indefinite freeze: expired timestamp", func(t *testing.T, b *baseline) {
			b.f.clock = time.Now().Add(-3 * day)
			b.f.publish("v3", guideFiles(6, 300, "v3"))
		}, "expired"},
		{"rollback: replay of an older repository", func(t *testing.T, b *baseline) {
			b.srv.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
				http.FileServer(http.Dir(b.oldV1)).ServeHTTP(w, r)
				return true
			})
		}, "rollback"},
		{"rollback: fresh timestamp naming an older snapshot (timestamp key compromised)", func(t *testing.T, b *baseline) {
			st := readRepoState(t, b.f.pub)
			oldSnap, err := os.ReadFile(filepath.Join(b.f.pub.Repo, "metadata", "1.snapshot.json"))
			if err != nil {
				t.Fatal(err)
			}
			st.timestamp.Signed.Meta["snapshot.json"] = metaFileFor(1, oldSnap)
			tsk, _ := b.f.pub.signersFor(st, metadata.TIMESTAMP)
			if err := b.f.pub.writeTimestamp(st, tsk, DefaultExpiries()); err != nil {
				t.Fatal(err)
			}
		}, "rollback"},
		{"tampered timestamp: wrong signature", func(t *testing.T, b *baseline) {
			raw, _ := os.ReadFile(filepath.Join(b.f.pub.Repo, "metadata", "timestamp.json"))
			var m map[string]any
			json.Unmarshal(raw, &m)
			m["signed"].(map[string]any)["version"] = 99
			out, _ := json.Marshal(m)
			b.srv.setIntercept(serveBytes("/metadata/timestamp.json", out))
		}, "signature"},
		{"untrusted key signs the timestamp", func(t *testing.T, b *baseline) {
			st := readRepoState(t, b.f.pub)
			k, err := generateKey(t.TempDir(), "mallory")
			if err != nil {
				t.Fatal(err)
			}
			if err := b.f.pub.writeTimestamp(st, []*signingKey{k}, DefaultExpiries()); err != nil {
				t.Fatal(err)
			}
		}, "signature"},
		{"threshold not met: new root signed by 1 of 2 required root keys", func(t *testing.T, b *baseline) {
			st := readRepoState(t, b.f.pub)
			rk, _ := b.f.pub.signersFor(st, metadata.ROOT)
			st.root.Signed.Version++
			st.root.Signed.Roles["timestamp"].KeyIDs = nil
			k, _ := generateKey(t.TempDir(), "mallory")
			st.root.Signed.AddKey(k.pub, "timestamp")
			if err := sign(st.root, rk[:1]); err != nil {
				t.Fatal(err)
			}
			raw, _ := st.root.ToBytes(true)
			b.srv.setIntercept(serveBytes("/metadata/2.root.json", raw))
		}, "signature"},
		{"arbitrary installation: object does not match its signed hash", func(t *testing.T, b *baseline) {
			b.f.publish("v3", guideFiles(6, 300, "v3"))
			st := readRepoState(t, b.f.pub)
			idx := st.targets.Signed.Targets[TargetIndex]
			_ = idx
			raw, _ := os.ReadFile(filepath.Join(b.f.dir, "bundles", "v3", "objects", bundle.Hash(guideFiles(6, 300, "v3")["guides/g000.md"])))
			evil := []byte(strings.Repeat("X", len(raw)))
			sha := bundle.Hash(raw)
			b.srv.setIntercept(serveBytes("/targets/bundle/objects/"+sha+"."+sha, evil))
		}, "hash"},
		{"endless data: oversized timestamp", func(t *testing.T, b *baseline) {
			b.srv.setIntercept(serveBytes("/metadata/timestamp.json", make([]byte, 100<<10)))
		}, "oversized"},
		{"endless data: endless object stream", func(t *testing.T, b *baseline) {
			b.f.publish("v3", guideFiles(6, 300, "v3"))
			sha := bundle.Hash(guideFiles(6, 300, "v3")["guides/g000.md"])
			b.srv.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/targets/bundle/objects/"+sha+"."+sha {
					return false
				}
				chunk := make([]byte, 32<<10)
				for i := 0; i < 1000; i++ {
					if _, err := w.Write(chunk); err != nil {
						break
					}
				}
				return true
			})
		}, "oversized"},
		{"slow retrieval: one byte at a time", func(t *testing.T, b *baseline) {
			b.client.Limits.RequestTimeout = 400 * time.Millisecond
			b.client.Limits.Retries = 1
			b.srv.setIntercept(slowLoris("/metadata/timestamp.json"))
		}, "too slow"},
		{"slow retrieval: under the throughput floor, well inside the deadline", func(t *testing.T, b *baseline) {
			b.client.Limits.RequestTimeout = 30 * time.Second
			b.client.Limits.FloorGrace, b.client.Limits.FloorWindow = 300*time.Millisecond, 300*time.Millisecond
			b.srv.setIntercept(slowLoris("/metadata/timestamp.json"))
		}, "under the floor"},
		{"mirror answers 500", func(t *testing.T, b *baseline) {
			b.srv.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
				http.Error(w, "boom", 500)
				return true
			})
		}, "HTTP 500"},
		{"mix-and-match: targets from another repository", func(t *testing.T, b *baseline) {
			other := newFixture(t, InitOptions{})
			// Versions as long as "v3": the bundle version is in the signed
			// targets (custom metadata), and the swap must keep its length.
			other.publish("e1", guideFiles(6, 300, "evil"))
			other.publish("e2", guideFiles(6, 300, "evil2"))
			other.publish("e3", guideFiles(6, 300, "evil3"))
			b.f.publish("v3", guideFiles(6, 300, "v3"))
			v := readRepoState(t, b.f.pub).targets.Signed.Version
			if readRepoState(t, other.pub).targets.Signed.Version != v {
				t.Fatal("versions differ: the swap would not be served")
			}
			name := fmt.Sprintf("%d.targets.json", v)
			raw, _ := os.ReadFile(filepath.Join(other.pub.Repo, "metadata", name))
			b.srv.setIntercept(serveBytes("/metadata/"+name, raw))
		}, "hash"},
		{"malicious mirror serving garbage", func(t *testing.T, b *baseline) {
			b.srv.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
				w.Write([]byte("<html>captive portal: please log in</html>"))
				return true
			})
		}, "malformed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := newBaseline(t)
			tc.setup(t, b)
			start := time.Now()
			res, err := b.client.Update(ctxT(t))
			if err == nil {
				t.Fatalf("accepted: %+v", res)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error does not say %q: %v", tc.want, err)
			}
			if v := mustActive(t, b.state); v != "v2" {
				t.Fatalf("active content changed to %s", v)
			}
			st, _ := ReadStatus(b.state)
			if st.Error == "" || st.Failed != 1 {
				t.Fatalf("status does not record the failure: %+v", st)
			}
			t.Logf("refused in %s: %v", time.Since(start).Round(time.Millisecond), err)
		})
	}
}

func slowLoris(path string) func(w http.ResponseWriter, r *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if path != "" && r.URL.Path != path {
			return false
		}
		w.Header().Set("Content-Length", "16000")
		w.WriteHeader(200)
		for i := 0; i < 16000; i++ {
			if _, err := w.Write([]byte{'{'}); err != nil {
				return true
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return true
			case <-time.After(100 * time.Millisecond):
			}
		}
		return true
	}
}

func TestKeyRotationFastForward(t *testing.T) {
	b := newBaseline(t)
	for _, role := range []string{"timestamp", "snapshot", "targets", "root"} {
		if err := b.f.pub.Rotate(role); err != nil {
			t.Fatalf("rotate %s: %v", role, err)
		}
		b.f.publish("after-"+role, guideFiles(6, 300, role))
		res, err := b.client.Update(ctxT(t))
		if err != nil || res.Version != "after-"+role {
			t.Fatalf("after rotating %s: %+v %v", role, res, err)
		}
	}
	// the kiosk now trusts root v5 from its cache, not the image's v1
	raw, _ := os.ReadFile(filepath.Join(b.state, "tuf", "metadata", "root.json"))
	r, err := metadata.Root().FromBytes(raw)
	if err != nil || r.Signed.Version != 5 {
		t.Fatalf("cached root: %v %v", r.Signed.Version, err)
	}
	// a fresh kiosk with only the image root walks 1→5
	state := t.TempDir()
	res, err := b.f.client(state, b.srv.URL).Update(ctxT(t))
	if err != nil || res.Version != "after-root" {
		t.Fatalf("fresh kiosk: %+v %v", res, err)
	}
}
