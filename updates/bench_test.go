package updates

import (
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkUpdateBytes measures what a kiosk downloads for a 200-object
// bundle (2 KB guides): a first install, a one-guide change and a no-change
// cycle, and how long activation takes. Figures are bytes on the wire
// (HTTP bodies) per cycle.
//
//	go test ./updates -run '^$' -bench UpdateBytes -benchtime 5x
func BenchmarkUpdateBytes(b *testing.B) {
	for _, tc := range []string{"first install", "one-guide change", "no change"} {
		b.Run(tc, func(b *testing.B) {
			var bytes, objects int64
			var activation time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				f := newBenchFixture(b)
				files := guideFiles(200, 2000, "")
				f.publish("v1", files)
				srv := serveB(b, f.pub.Repo)
				state := filepath.Join(b.TempDir(), "state")
				c := f.client(state, srv.URL)
				c.Logf = nil
				if tc != "first install" {
					if _, err := c.Update(b.Context()); err != nil {
						b.Fatal(err)
					}
				}
				if tc == "one-guide change" {
					f.publish("v2", guideFiles(200, 2000, "quota changed"))
				}
				before := srv.bytes.Load()
				b.StartTimer()
				start := time.Now()
				res, err := c.Update(b.Context())
				activation += time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				bytes += srv.bytes.Load() - before
				objects += int64(res.ObjectsFetched)
			}
			b.ReportMetric(float64(bytes)/float64(b.N), "wire-bytes/op")
			b.ReportMetric(float64(objects)/float64(b.N), "objects/op")
			b.ReportMetric(float64(activation.Milliseconds())/float64(b.N), "cycle-ms/op")
		})
	}
}
