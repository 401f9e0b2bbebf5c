package metrics

import (
	"fmt"
	"io"
	"sort"
	"sync"
)

// Counters is a tiny Prometheus text-format counter set: anonymous counts
// only (never what anyone typed).
type Counters struct {
	mu sync.Mutex
	c  map[string]float64 // `name{labels}` → value
}

// NewCounters returns an empty counter set.
func NewCounters() *Counters { return &Counters{c: map[string]float64{}} }

// Add counts one event of name with labels (`lang="ky"`, or "").
func (m *Counters) Add(name, labels string) {
	key := name
	if labels != "" {
		key += "{" + labels + "}"
	}
	m.mu.Lock()
	m.c[key]++
	m.mu.Unlock()
}

// Write writes every counter and the extra gauges, sorted.
func (m *Counters) Write(w io.Writer, extra map[string]float64) {
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
