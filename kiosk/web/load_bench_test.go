package web

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sapar/content"
	"sapar/content/sample"
	"sapar/drivers/receipt"
)

// The load figures of issue 17 (a hostile local client), measured on
// loopback with a bounded client: every connection has a deadline, so a
// refused or queued one costs the benchmark time, never a hang. Run:
//
//	go test ./kiosk/web/ -run XXX -bench Load -benchtime 1x
//
// "unbounded" is the server as it was (only ReadHeaderTimeout), "bounded"
// the defaults (DefaultLimits). RSS is the test process's: server and client.

var loadQueries = []string{"работа", "виза", "patent", "jumush", "мигрант", "ish", "pasport", "консульство", "qarz", "регистрация"}

// loadServer serves the sample content, indexed the way a kiosk opens a
// release (content.OpenStore), on loopback with lim.
func loadServer(b *testing.B, lim Limits) (addr, index string) {
	b.Helper()
	set, err := content.Load(sample.FS())
	if err != nil {
		b.Fatal(err)
	}
	index = filepath.Join(b.TempDir(), "index.db")
	st, err := content.OpenStore(index)
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Replace(context.Background(), set, "bench"); err != nil {
		b.Fatal(err)
	}
	srv, err := NewServer(Options{Store: st, Print: func(context.Context, receipt.Document) error { return nil }, Limits: lim, Espeak: "-"})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	b.Cleanup(func() { cancel(); <-done; st.Close() })
	return ln.Addr().String(), index
}

var unbounded = Limits{ReadTimeout: time.Hour, WriteTimeout: time.Hour, IdleTimeout: time.Hour, MaxConns: 1 << 20}

func rssMB() float64 {
	raw, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// fdsOn counts this process's descriptors open on path.
func fdsOn(path string) int {
	ents, _ := os.ReadDir("/proc/self/fd")
	n := 0
	for _, e := range ents {
		if l, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil && l == path {
			n++
		}
	}
	return n
}

// BenchmarkLoadConcurrentSearches: 200 clients search at once, each on its
// own connection with a 60 s deadline.
func BenchmarkLoadConcurrentSearches(b *testing.B) {
	for _, tc := range []struct {
		name string
		lim  Limits
	}{{"unbounded", unbounded}, {"bounded", Limits{}}} {
		b.Run(tc.name, func(b *testing.B) {
			addr, index := loadServer(b, tc.lim)
			const clients = 200
			var lat []time.Duration
			var failed int
			for b.Loop() {
				var mu sync.Mutex
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i := range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						c := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
						<-start
						t0 := time.Now()
						resp, err := c.Get("http://" + addr + "/api/search?lang=ru&q=" + url.QueryEscape(loadQueries[i%len(loadQueries)]))
						ok := err == nil && resp.StatusCode == 200
						if err == nil {
							io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
						}
						d := time.Since(t0)
						mu.Lock()
						lat = append(lat, d)
						if !ok {
							failed++
						}
						mu.Unlock()
					}()
				}
				close(start)
				wg.Wait()
			}
			slices.Sort(lat)
			ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
			b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
			b.ReportMetric(float64(failed), "failed")
			b.ReportMetric(rssMB(), "RSS-MB")
			b.ReportMetric(float64(fdsOn(index)), "index.db-fds")
		})
	}
}

// BenchmarkLoadIdleKeepAlive: 5,000 clients each ask /healthz once and
// keep the connection open, idle. Figures: RSS before and while they are
// held, how many were answered within 10 s, and how many the server still
// holds after its idle timeout (bounded: 30 s).
func BenchmarkLoadIdleKeepAlive(b *testing.B) {
	for _, tc := range []struct {
		name string
		lim  Limits
	}{{"unbounded", unbounded}, {"bounded", Limits{}}} {
		b.Run(tc.name, func(b *testing.B) {
			addr, _ := loadServer(b, tc.lim)
			const clients = 5000
			for b.Loop() {
				runtime.GC()
				before := rssMB()
				conns := make([]net.Conn, clients)
				answered := make([]bool, clients)
				var wg sync.WaitGroup
				sem := make(chan struct{}, 256) // the client opens at most 256 at a time
				for i := range clients {
					wg.Add(1)
					sem <- struct{}{}
					go func() {
						defer wg.Done()
						defer func() { <-sem }()
						c, err := net.DialTimeout("tcp", addr, 10*time.Second)
						if err != nil {
							return
						}
						conns[i] = c
						c.SetDeadline(time.Now().Add(10 * time.Second))
						fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
						resp, err := http.ReadResponse(bufio.NewReader(c), nil)
						if err == nil {
							io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
							answered[i] = resp.StatusCode == 200
						}
					}()
				}
				wg.Wait()
				held := rssMB()
				n := 0
				for _, a := range answered {
					if a {
						n++
					}
				}
				b.ReportMetric(before, "RSS-before-MB")
				b.ReportMetric(held, "RSS-held-MB")
				b.ReportMetric(float64(n), "answered")
				// Still open on the server after its idle timeout (+5 s)?
				idle := tc.lim.IdleTimeout
				if idle <= 0 {
					idle = DefaultLimits().IdleTimeout
				}
				if idle < time.Minute {
					time.Sleep(idle + 5*time.Second)
					open := 0
					for _, c := range conns {
						if c == nil {
							continue
						}
						c.SetReadDeadline(time.Now().Add(time.Millisecond))
						if _, err := c.Read(make([]byte, 1)); err != nil {
							if ne, ok := err.(net.Error); ok && ne.Timeout() {
								open++
							}
						}
					}
					b.ReportMetric(float64(open), "open-after-idle")
				}
				for _, c := range conns {
					if c != nil {
						c.Close()
					}
				}
			}
		})
	}
}
