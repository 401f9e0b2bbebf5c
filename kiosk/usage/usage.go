package usage

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"sapar/content"
	"sapar/content/migrate"
	"slices"
	"sync"
	"time"

	_ "modernc.org/sqlite"
)

// Metric names, as stored and exported.
const (
	MetricSession     = "session"
	MetricLanguage    = "language"
	MetricGuide       = "guide"        // detail: browse | search | qr
	MetricSearch      = "search"       // detail: found | none
	MetricPrint       = "print"        // detail: ok | failure reason
	MetricAgencyCheck = "agency_check" // detail: found | not-found
	MetricIdleReset   = "idle_reset"
)

// Where a guide was opened from.
type Source string

const (
	FromBrowse Source = "browse"
	FromSearch Source = "search"
	FromQR     Source = "qr"
)

// Options configure a Counter.
type Options struct {
	// FlushEvery is the least time between two writes to the database.
	FlushEvery time.Duration
	// KeepDays: Prune deletes hours older than this.
	KeepDays int
	// Now is the clock (tests inject one).
	Now func() time.Time
	// Languages accepted as labels; anything else is counted as "und".
	Languages []string
}

// DefaultOptions: a write every 10 minutes, a year and a bit of history.
func DefaultOptions() Options {
	return Options{FlushEvery: 10 * time.Minute, KeepDays: 400, Now: time.Now,
		Languages: []string{"ky", "uz-Latn", "uz-Cyrl", "kaa", "ru", "en", "tg", "ur"}}
}

type key struct {
	hour                        int64 // unix seconds at the start of the UTC hour
	metric, topic, lang, detail string
}

// Counter counts events in memory and flushes them to SQLite. Safe for
// concurrent use by the UI handlers.
type Counter struct {
	db  *sql.DB
	opt Options

	mu        sync.Mutex
	pending   map[key]int64
	lastFlush time.Time
}

// Open opens (creating and migrating) the database at path.
func Open(ctx context.Context, path string, opt Options) (*Counter, error) {
	def := DefaultOptions()
	if opt.FlushEvery <= 0 {
		opt.FlushEvery = def.FlushEvery
	}
	if opt.KeepDays <= 0 {
		opt.KeepDays = def.KeepDays
	}
	if opt.Now == nil {
		opt.Now = def.Now
	}
	if len(opt.Languages) == 0 {
		opt.Languages = def.Languages
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("usage: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if err := migrate.Apply(ctx, db, "usage database", migrations); err != nil {
		db.Close()
		return nil, err
	}
	return &Counter{db: db, opt: opt, pending: map[key]int64{}, lastFlush: opt.Now()}, nil
}

const maxLabel = 64

func (c *Counter) topic(s string) string {
	if len(s) > maxLabel || !content.ValidID(s) {
		return "other"
	}
	return s
}

func (c *Counter) lang(s string) string {
	if slices.Contains(c.opt.Languages, s) {
		return s
	}
	return "und"
}

func (c *Counter) add(metric, topic, lang, detail string) {
	h := c.opt.Now().UTC().Truncate(time.Hour).Unix()
	c.mu.Lock()
	c.pending[key{h, metric, topic, lang, detail}]++
	c.mu.Unlock()
}

// Session counts a new session (the attract screen was touched).
func (c *Counter) Session() { c.add(MetricSession, "", "", "") }

// Language counts a language chosen in the picker.
func (c *Counter) Language(lang string) { c.add(MetricLanguage, "", c.lang(lang), "") }

// GuideOpened counts a guide shown, and from where.
func (c *Counter) GuideOpened(topic, lang string, from Source) {
	d := string(from)
	if from != FromBrowse && from != FromSearch && from != FromQR {
		d = "other"
	}
	c.add(MetricGuide, c.topic(topic), c.lang(lang), d)
}

// Search counts one search and whether anything was found. The query is
// deliberately not a parameter: it never leaves the session.
func (c *Counter) Search(lang string, found bool) {
	d := "none"
	if found {
		d = "found"
	}
	c.add(MetricSearch, "", c.lang(lang), d)
}

// Print counts a print job: reason "" for success, else a short code such
// as "paper-out", "offline", "cover-open", "timeout".
func (c *Counter) Print(topic, lang, reason string) {
	d := "ok"
	if reason != "" {
		d = reason
		if len(reason) > 32 || !content.ValidID(reason) {
			d = "other"
		}
	}
	c.add(MetricPrint, c.topic(topic), c.lang(lang), d)
}

// AgencyCheck counts a lookup in the list of licensed recruitment agencies.
func (c *Counter) AgencyCheck(lang string, found bool) {
	d := "not-found"
	if found {
		d = "found"
	}
	c.add(MetricAgencyCheck, "", c.lang(lang), d)
}

// IdleReset counts a session wiped by the idle timeout.
func (c *Counter) IdleReset() { c.add(MetricIdleReset, "", "", "") }

// FlushIfDue writes the pending counts if FlushEvery has passed since the
// last write. Call it from a ticker (Run does).
func (c *Counter) FlushIfDue(ctx context.Context) error {
	c.mu.Lock()
	due := c.opt.Now().Sub(c.lastFlush) >= c.opt.FlushEvery
	c.mu.Unlock()
	if !due {
		return nil
	}
	return c.Flush(ctx)
}

// Flush writes the pending counts now, in one transaction. On failure the
// counts are kept for the next flush.
func (c *Counter) Flush(ctx context.Context) error {
	c.mu.Lock()
	batch := c.pending
	c.pending = map[key]int64{}
	c.lastFlush = c.opt.Now()
	c.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	err := c.write(ctx, batch)
	if err != nil {
		c.mu.Lock()
		for k, n := range batch {
			c.pending[k] += n
		}
		c.mu.Unlock()
	}
	return err
}

func (c *Counter) write(ctx context.Context, batch map[key]int64) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("usage: flush: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO counts (hour, metric, topic, lang, detail, n) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (hour, metric, topic, lang, detail) DO UPDATE SET n = n + excluded.n`)
	if err != nil {
		return fmt.Errorf("usage: flush: %w", err)
	}
	defer stmt.Close()
	for k, n := range batch {
		if _, err := stmt.ExecContext(ctx, k.hour, k.metric, k.topic, k.lang, k.detail, n); err != nil {
			return fmt.Errorf("usage: flush: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("usage: flush: %w", err)
	}
	return nil
}

// Pending is how many distinct counters wait for the next flush.
func (c *Counter) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending)
}

// Run flushes every tick until ctx ends, then flushes what is left. Pass
// time.NewTicker(time.Minute).C (a flush still happens at most every
// FlushEvery), or a channel in tests. Errors go to logf.
func (c *Counter) Run(ctx context.Context, tick <-chan time.Time, logf func(string, ...any)) {
	for {
		select {
		case <-tick:
			if err := c.FlushIfDue(ctx); err != nil && logf != nil {
				logf("usage: %v", err)
			}
		case <-ctx.Done():
			if err := c.Flush(context.WithoutCancel(ctx)); err != nil && logf != nil {
				logf("usage: %v", err)
			}
			return
		}
	}
}

// Prune deletes counts older than KeepDays.
func (c *Counter) Prune(ctx context.Context) (int64, error) {
	cut := c.opt.Now().UTC().Add(-time.Duration(c.opt.KeepDays) * 24 * time.Hour).Unix()
	res, err := c.db.ExecContext(ctx, `DELETE FROM counts WHERE hour < ?`, cut)
	if err != nil {
		return 0, fmt.Errorf("usage: prune: %w", err)
	}
	return res.RowsAffected()
}

// Close flushes and closes the database.
func (c *Counter) Close() error {
	err := c.Flush(context.Background())
	if cerr := c.db.Close(); err == nil {
		err = cerr
	}
	return err
}

// Row is one stored count.
type Row struct {
	Kiosk  string // set when read from a CSV; "" for this kiosk
	Hour   time.Time
	Metric string
	Topic  string
	Lang   string
	Detail string
	Count  int64
}

// Rows returns the stored counts with from <= hour < to (flushed counts only).
func (c *Counter) Rows(ctx context.Context, from, to time.Time) ([]Row, error) {
	rs, err := c.db.QueryContext(ctx, `SELECT hour, metric, topic, lang, detail, n FROM counts
		WHERE hour >= ? AND hour < ? ORDER BY hour, metric, topic, lang, detail`, from.Unix(), to.Unix())
	if err != nil {
		return nil, fmt.Errorf("usage: rows: %w", err)
	}
	defer rs.Close()
	var out []Row
	for rs.Next() {
		var r Row
		var h int64
		if err := rs.Scan(&h, &r.Metric, &r.Topic, &r.Lang, &r.Detail, &r.Count); err != nil {
			return nil, fmt.Errorf("usage: rows: %w", err)
		}
		r.Hour = time.Unix(h, 0).UTC()
		out = append(out, r)
	}
	return out, rs.Err()
}
