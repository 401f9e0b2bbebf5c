package content

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// 200 concurrent searches left 200 descriptors open on index.db: the pool
// had no limit. The store opens at most MaxOpenConns connections and keeps
// few of them idle.
func TestConcurrentSearchesOpenFewConnections(t *testing.T) {
	st := sampleStore(t)
	var path string
	st.db.QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := st.Search(ctx, "ru", []string{"работа", "виза", "patent", "мигрант"}[i%4]); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if open := st.db.Stats().OpenConnections; open > StoreMaxOpenConns {
		t.Errorf("%d connections open after 200 concurrent searches, want at most %d", open, StoreMaxOpenConns)
	}
	fds := 0
	ents, _ := os.ReadDir("/proc/self/fd")
	for _, e := range ents {
		if l, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil && l == path {
			fds++
		}
	}
	if fds > StoreMaxOpenConns {
		t.Errorf("%d descriptors open on %s after 200 concurrent searches, want at most %d", fds, path, StoreMaxOpenConns)
	}
}
