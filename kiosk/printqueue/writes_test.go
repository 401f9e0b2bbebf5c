package printqueue

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"sapar/drivers/receipt"
)

func openTestQueue(t testing.TB, path string) *Queue {
	t.Helper()
	o := DefaultOpts()
	o.Path = path
	j, err := Open(o, func(context.Context, receipt.Document) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// The queue is written on every print: a new queue file gets 1 KiB pages
// (each WAL commit writes whole pages), and an existing file keeps working.
func TestQueueFileUsesSmallPages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	j := openTestQueue(t, path)
	var ps int
	var mode string
	j.db.QueryRow(`PRAGMA page_size`).Scan(&ps)
	j.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	j.Close()
	if ps != queuePageSize || mode != "wal" {
		t.Fatalf("new queue: page size %d, journal %s; want %d and wal", ps, mode, queuePageSize)
	}
	j = openTestQueue(t, path) // reopening an existing queue must not VACUUM or fail
	if _, err := j.Submit("t", "ky", receipt.Document{Title: "x"}); err != nil {
		t.Fatal(err)
	}
	j.Close()
}

func procWriteBytes() int64 {
	b, _ := os.ReadFile("/proc/self/io")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "write_bytes:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return -1
}

// BenchmarkQueueWritesPerSlip reports the bytes this process writes to
// storage per printed slip (queued → printing → done): SD-card wear.
func BenchmarkQueueWritesPerSlip(b *testing.B) {
	j := openTestQueue(b, filepath.Join(b.TempDir(), "q.db"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go j.Run(ctx)
	doc := receipt.Document{Lang: "ky", Title: "Жумуш визасы", Steps: []string{strings.Repeat("Туристтик виза менен иштөөгө болбойт. ", 8), "2", "3", "4", "5", "6", "7"}}
	before := procWriteBytes()
	for i := 0; i < b.N; i++ {
		job, err := j.Submit("t", "ky", doc)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if g, _ := j.Get(job.ID); g.State == JobDone {
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	if before >= 0 {
		b.ReportMetric(float64(procWriteBytes()-before)/float64(b.N), "written-B/slip")
	}
}
