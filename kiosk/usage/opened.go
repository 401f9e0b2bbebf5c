package usage

import (
	"context"
	"fmt"
	"time"
)

// Opened counts how often each guide was opened at this kiosk since since
// (flushed counts only): what the search screen offers when nothing fits.
func (c *Counter) Opened(ctx context.Context, since time.Time) (map[string]int64, error) {
	rs, err := c.db.QueryContext(ctx, `SELECT topic, sum(n) FROM counts WHERE metric = ? AND hour >= ? AND topic != 'other' GROUP BY topic`,
		MetricGuide, since.Unix())
	if err != nil {
		return nil, fmt.Errorf("usage: opened: %w", err)
	}
	defer rs.Close()
	out := map[string]int64{}
	for rs.Next() {
		var topic string
		var n int64
		if err := rs.Scan(&topic, &n); err != nil {
			return nil, fmt.Errorf("usage: opened: %w", err)
		}
		out[topic] = n
	}
	return out, rs.Err()
}
