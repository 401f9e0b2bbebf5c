package kiosk

import (
	"fmt"
	"io"
	"sort"
	"sync"
)

// metrics is a tiny Prometheus text-format counter set: anonymous counts
// only (never what anyone typed).
type metrics struct {
	mu sync.Mutex
	c  map[string]float64 // `name{labels}` → value
}

func newMetrics() *metrics { return &metrics{c: map[string]float64{}} }

func (m *metrics) add(name, labels string) {
	key := name
	if labels != "" {
		key += "{" + labels + "}"
	}
	m.mu.Lock()
	m.c[key]++
	m.mu.Unlock()
}

func (m *metrics) write(w io.Writer, extra map[string]float64) {
	m.mu.Lock()
	all := make(map[string]float64, len(m.c)+len(extra))
	for k, v := range m.c {
		all[k] = v
	}
	m.mu.Unlock()
	for k, v := range extra {
		all[k] = v
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "%s %g\n", k, all[k])
	}
}
