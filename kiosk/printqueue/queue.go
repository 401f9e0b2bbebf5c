package printqueue

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite"

	"sapar/content/migrate"
	"sapar/drivers/printer"
	"sapar/drivers/receipt"
)

// Opts tune the print queue.
type Opts struct {
	// Path of the SQLite file; "" keeps the queue in memory (lost on restart:
	// tests and tools only).
	Path string
	// MaxQueued refuses new jobs while this many wait: a stuck printer must
	// not collect slips that will print long after their owners left.
	MaxQueued int
	// MaxPerMinute refuses a new job (ErrTooMany) while this many were
	// submitted in the last minute: a local client drained a roll 16 slips
	// at a time. Counted from the stored jobs, so a restart does not reset it.
	MaxPerMinute int
	// MaxWait fails a job that waited longer than this with "expired"
	// instead of printing it for nobody (e.g. queued before a power cut).
	MaxWait time.Duration
	// PrintTimeout bounds one job, reconnects included.
	PrintTimeout time.Duration
	// KeepDone is how many printed jobs stay answerable; older ones are
	// pruned so the file does not grow for ever. Failed jobs are kept for
	// KeepFailed, for the technician.
	KeepDone   int
	KeepFailed time.Duration
	// Idle is how long the worker sleeps without a wake-up before looking
	// at the table again (jobs inserted by another process, clock jumps).
	Idle time.Duration
	Now  func() time.Time
	Log  *slog.Logger
	// OnResult is told the outcome of every job (reason "" when printed):
	// the kiosk counts it in its metrics and usage statistics. nil: nothing.
	OnResult func(job Job, reason string, paperLow bool)
}

// DefaultOpts suit one kiosk printer.
func DefaultOpts() Opts {
	return Opts{MaxQueued: 16, MaxPerMinute: 6, MaxWait: 3 * time.Minute, PrintTimeout: 2 * time.Minute,
		KeepDone: 200, KeepFailed: 30 * 24 * time.Hour, Idle: 5 * time.Second, Now: time.Now}
}

// Queue is the persistent print queue: jobs live in SQLite with the
// rendered document, so a restart loses none and a crash mid-print leaves
// a record. One worker prints them one at a time, in order.
type Queue struct {
	db    *sql.DB
	o     Opts
	print PrintFunc
	log   *slog.Logger

	wake     chan struct{}
	running  atomic.Bool
	stopped  context.Context    // done once close was called
	stop     context.CancelFunc // called by close: ends run
	done     chan struct{}      // closed when run returns
	paperLow atomic.Bool
	closeMu  sync.Once

	interrupted []Job // jobs recoverJobs found cut short by the last stop
}

// migrations are the queue's schema history, applied by content/migrate.
var migrations = []string{
	`CREATE TABLE jobs (
		seq      INTEGER PRIMARY KEY AUTOINCREMENT, -- print order
		id       TEXT NOT NULL UNIQUE,
		topic    TEXT NOT NULL,
		lang     TEXT NOT NULL,
		state    TEXT NOT NULL CHECK (state IN ('queued','printing','done','failed')),
		reason   TEXT NOT NULL DEFAULT '',
		error    TEXT NOT NULL DEFAULT '',
		doc      TEXT NOT NULL,                      -- receipt.Document as JSON
		attempts INTEGER NOT NULL DEFAULT 0,
		created  INTEGER NOT NULL,                   -- unix ms
		updated  INTEGER NOT NULL
	);
	CREATE INDEX jobs_state ON jobs(state, seq);
	CREATE TABLE job_events (
		job    INTEGER NOT NULL REFERENCES jobs(seq) ON DELETE CASCADE,
		at     INTEGER NOT NULL,
		state  TEXT NOT NULL,
		reason TEXT NOT NULL DEFAULT '',
		error  TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX job_events_job ON job_events(job);`,
}

// Open opens (creating if needed) the queue, brings its schema up to date
// and settles jobs a previous run left behind. print sends one slip.
func Open(o Opts, print PrintFunc) (*Queue, error) {
	if print == nil {
		return nil, errors.New("printqueue: no print function")
	}
	d := DefaultOpts()
	if o.MaxQueued <= 0 {
		o.MaxQueued = d.MaxQueued
	}
	if o.MaxWait <= 0 {
		o.MaxWait = d.MaxWait
	}
	if o.MaxPerMinute <= 0 {
		o.MaxPerMinute = d.MaxPerMinute
	}
	if o.PrintTimeout <= 0 {
		o.PrintTimeout = d.PrintTimeout
	}
	if o.KeepDone <= 0 {
		o.KeepDone = d.KeepDone
	}
	if o.KeepFailed <= 0 {
		o.KeepFailed = d.KeepFailed
	}
	if o.Idle <= 0 {
		o.Idle = d.Idle
	}
	if o.Now == nil {
		o.Now = d.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.OnResult == nil {
		o.OnResult = func(Job, string, bool) {}
	}
	// _txlock=immediate: every transaction here writes after reading; a
	// deferred one that read before another connection committed fails at
	// once with SQLITE_BUSY (WAL snapshot), whatever busy_timeout says.
	dsn := "file:" + o.Path + "?_txlock=immediate&_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)"
	if o.Path == "" {
		dsn = "file::memory:?_pragma=foreign_keys(1)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("printqueue: open %s: %w", o.Path, err)
	}
	if o.Path == "" {
		// Every connection to :memory: is a new empty database: keep one.
		db.SetMaxOpenConns(1)
		db.SetConnMaxLifetime(0)
	}
	if o.Path != "" {
		if err := smallPages(db); err != nil {
			db.Close()
			return nil, fmt.Errorf("printqueue: %s: %w", o.Path, err)
		}
	}
	j := &Queue{db: db, o: o, print: print, log: o.Log, wake: make(chan struct{}, 1), done: make(chan struct{})}
	j.stopped, j.stop = context.WithCancel(context.Background())
	if err := j.migrate(); err != nil {
		db.Close()
		return nil, err
	}
	if err := j.recoverJobs(); err != nil {
		db.Close()
		return nil, err
	}
	if err := j.loadInterrupted(); err != nil {
		db.Close()
		return nil, err
	}
	return j, nil
}

// queuePageSize: every WAL commit writes whole pages, and a job's three
// commits touch about five pages each; 1 KiB pages instead of SQLite's
// 4 KiB cut the bytes written per printed slip to about a third (SD-card care).
const queuePageSize = 1024

// smallPages gives a new queue file small pages. The page size is fixed once
// a database has content, and cannot change in WAL mode: on a fresh file
// switch WAL off, set it, VACUUM, and switch WAL back on, all on one
// connection.
func smallPages(db *sql.DB) error {
	ctx := context.Background()
	c, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	var v, ps int
	if err := c.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return err
	}
	if err := c.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&ps); err != nil {
		return err
	}
	if v != 0 || ps == queuePageSize {
		return nil
	}
	for _, q := range []string{`PRAGMA journal_mode = DELETE`, fmt.Sprintf(`PRAGMA page_size = %d`, queuePageSize), `VACUUM`, `PRAGMA journal_mode = WAL`} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

func (j *Queue) migrate() error {
	return migrate.Apply(context.Background(), j.db, "printqueue: "+j.o.Path, migrations)
}

// recoverJobs settles what a previous run left behind. A job still
// "printing" was cut short by a crash or power loss: it is marked failed
// ("interrupted"), not printed again, because (1) the job itself may be
// what crashed the kiosk, and printing it on every start would crash it in
// a loop; (2) part of it may already be on paper, and by the time the
// kiosk is back (tens of seconds) the person has pressed print again or
// left — an automatic second slip is a double or a slip for nobody. So
// delivery is at most once across a crash, and the choice goes back to the
// person at the screen: the record stays, the job answers with a reprint
// offer (Job.Reprint) to a page still polling it, and the page that starts
// with the restarted kiosk is told of it (Interrupted) and asks "if no slip
// came out, print again?". Whether the slip did come out cannot be told
// (interruptedText). Queued jobs that never started keep their place; the worker
// expires them if they waited longer than MaxWait.
func (j *Queue) recoverJobs() error {
	return j.tx(context.Background(), func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT ` + jobColumns + ` FROM jobs WHERE state = 'printing'`)
		if err != nil {
			return fmt.Errorf("printqueue: recovery: %w", err)
		}
		type left struct {
			seq int64
			job Job
		}
		var ls []left
		for rows.Next() {
			seq, job, err := scanJob(rows)
			if err != nil && seq == 0 {
				rows.Close()
				return err
			}
			ls = append(ls, left{seq, job})
		}
		rows.Close()
		for _, l := range ls {
			if err := j.setState(tx, l.seq, JobFailed, ReasonInterrupted, interruptedText); err != nil {
				return fmt.Errorf("printqueue: recovery: %w", err)
			}
			j.log.Warn("print job interrupted by a restart: the page offers a reprint", "job", l.job.ID)
		}
		return nil
	})
}

// interruptedText is the record of a job cut short: whether its slip came
// out cannot be known. The printer confirms what it has processed only to
// the session that sent it (GS ( H replies between chunks); after a crash
// nothing the new process can ask (DLE EOT: paper, cover, offline) says
// whether the last job was printed and cut.
const interruptedText = "the kiosk stopped while this job was printing; whether the slip came out is not known (the printer keeps no record of finished jobs)"

// Interrupted returns the jobs the last stop cut short (a crash, or a
// restart while printing) that are recent enough for their owner to be at
// the screen still (within MaxWait of being asked for), oldest first: the
// page that starts after the restart offers a reprint. The queue never
// reprints on its own (see recoverJobs).
func (j *Queue) Interrupted() []Job {
	var out []Job
	for _, job := range j.interrupted {
		if j.o.Now().Sub(job.Created) <= j.o.MaxWait {
			out = append(out, job)
		}
	}
	return out
}

// loadInterrupted finds the jobs the last stop cut short, at Open.
func (j *Queue) loadInterrupted() error {
	rows, err := j.db.Query(`SELECT `+jobColumns+` FROM jobs WHERE state = 'failed' AND reason = ? AND created > ? ORDER BY seq`,
		ReasonInterrupted, j.o.Now().Add(-j.o.MaxWait).UnixMilli())
	if err != nil {
		return fmt.Errorf("printqueue: interrupted jobs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if seq, job, err := scanJob(rows); err == nil {
			j.interrupted = append(j.interrupted, job)
		} else if seq == 0 {
			return fmt.Errorf("printqueue: interrupted jobs: %w", err)
		}
	}
	return rows.Err()
}

func (j *Queue) tx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (j *Queue) ms() int64 { return j.o.Now().UnixMilli() }

// setState moves a job and records the transition.
func (j *Queue) setState(tx *sql.Tx, seq int64, state, reason, errText string) error {
	now := j.ms()
	attempts := ""
	if state == JobPrinting {
		attempts = ", attempts = attempts + 1"
	}
	if _, err := tx.Exec(`UPDATE jobs SET state = ?, reason = ?, error = ?, updated = ?`+attempts+` WHERE seq = ?`, state, reason, errText, now, seq); err != nil {
		return err
	}
	_, err := tx.Exec(`INSERT INTO job_events (job, at, state, reason, error) VALUES (?,?,?,?,?)`, seq, now, state, reason, errText)
	return err
}

// Submit stores a job; the worker prints it in turn. ErrFull when too
// many wait.
func (j *Queue) Submit(topic, lang string, doc receipt.Document) (*Job, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("printqueue: job id: %w", err)
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("printqueue: store job: %w", err)
	}
	job := &Job{ID: hex.EncodeToString(b[:]), Topic: topic, Lang: lang, State: JobQueued, QRURL: doc.QRURL, doc: doc}
	err = j.tx(context.Background(), func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM jobs WHERE state IN ('queued','printing')`).Scan(&n); err != nil {
			return err
		}
		if n >= j.o.MaxQueued {
			return ErrFull
		}
		now := j.ms()
		if err := tx.QueryRow(`SELECT count(*) FROM jobs WHERE created > ?`, now-time.Minute.Milliseconds()).Scan(&n); err != nil {
			return err
		}
		if n >= j.o.MaxPerMinute {
			return ErrTooMany
		}
		res, err := tx.Exec(`INSERT INTO jobs (id, topic, lang, state, doc, created, updated) VALUES (?,?,?,?,?,?,?)`,
			job.ID, topic, lang, JobQueued, string(data), now, now)
		if err != nil {
			return err
		}
		seq, err := res.LastInsertId()
		if err != nil {
			return err
		}
		job.Created, job.Updated = time.UnixMilli(now), time.UnixMilli(now)
		_, err = tx.Exec(`INSERT INTO job_events (job, at, state) VALUES (?,?,?)`, seq, now, JobQueued)
		return err
	})
	if errors.Is(err, ErrFull) || errors.Is(err, ErrTooMany) {
		return nil, err
	}
	if err != nil {
		j.log.Error("print queue: store job", "err", err)
		return nil, fmt.Errorf("the print queue is not available — scan the QR code instead")
	}
	select {
	case j.wake <- struct{}{}:
	default:
	}
	return job, nil
}

const jobColumns = `seq, id, topic, lang, state, reason, error, doc, attempts, created, updated`

func scanJob(row interface{ Scan(...any) error }) (int64, Job, error) {
	var (
		seq              int64
		job              Job
		doc              string
		created, updated int64
	)
	if err := row.Scan(&seq, &job.ID, &job.Topic, &job.Lang, &job.State, &job.Reason, &job.Error, &doc, &job.Attempts, &created, &updated); err != nil {
		return 0, job, err
	}
	if err := json.Unmarshal([]byte(doc), &job.doc); err != nil {
		return seq, job, fmt.Errorf("job %s: stored document: %w", job.ID, err)
	}
	job.QRURL = job.doc.QRURL
	job.Created, job.Updated = time.UnixMilli(created), time.UnixMilli(updated)
	return seq, job, nil
}

// Get returns a job's state for the UI.
func (j *Queue) Get(id string) (Job, bool) {
	_, job, err := scanJob(j.db.QueryRow(`SELECT `+jobColumns+` FROM jobs WHERE id = ?`, id))
	if err != nil {
		if !errors.Is(err, sql.ErrNoRows) {
			j.log.Error("print queue: read job", "job", id, "err", err)
		}
		return Job{}, false
	}
	job.PaperLow = j.paperLow.Load()
	job.Reprint = job.State == JobFailed && job.Reason == ReasonInterrupted && j.o.Now().Sub(job.Created) <= j.o.MaxWait
	return job, true
}

// History returns the recorded transitions of a job, oldest first.
func (j *Queue) History(id string) ([]Job, error) {
	rows, err := j.db.Query(`SELECT e.state, e.reason, e.error, e.at FROM job_events e JOIN jobs ON jobs.seq = e.job
		WHERE jobs.id = ? ORDER BY e.rowid`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		var e Job
		var at int64
		if err := rows.Scan(&e.State, &e.Reason, &e.Error, &at); err != nil {
			return nil, err
		}
		e.ID, e.Updated = id, time.UnixMilli(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// next takes the oldest queued job and marks it printing.
func (j *Queue) next(ctx context.Context) (seq int64, job Job, ok bool, err error) {
	err = j.tx(ctx, func(tx *sql.Tx) error {
		var serr error
		seq, job, serr = scanJob(tx.QueryRow(`SELECT ` + jobColumns + ` FROM jobs WHERE state = 'queued' ORDER BY seq LIMIT 1`))
		if errors.Is(serr, sql.ErrNoRows) {
			return nil
		}
		if serr != nil && seq == 0 {
			return serr
		}
		ok = true
		if serr != nil { // unreadable document: fail it, do not block the queue
			job.State, job.Reason, job.Error = JobFailed, "error", serr.Error()
			return j.setState(tx, seq, JobFailed, "error", serr.Error())
		}
		if age := j.o.Now().Sub(job.Created); age > j.o.MaxWait {
			job.State, job.Reason = JobFailed, ReasonExpired
			return j.setState(tx, seq, JobFailed, ReasonExpired, fmt.Sprintf("waited %v in the queue", age.Round(time.Second)))
		}
		job.State = JobPrinting
		job.Attempts++
		return j.setState(tx, seq, JobPrinting, "", "")
	})
	return seq, job, ok, err
}

// finish records the outcome of a job; it uses its own context so a job
// finished while the kiosk shuts down is still recorded.
func (j *Queue) finish(seq int64, state, reason string, err error) error {
	errText := ""
	if err != nil {
		errText = err.Error()
	}
	return j.tx(context.Background(), func(tx *sql.Tx) error {
		return j.setState(tx, seq, state, reason, errText)
	})
}

// prune drops printed jobs beyond KeepDone and failed ones older than KeepFailed.
func (j *Queue) prune() error {
	_, err := j.db.Exec(`DELETE FROM jobs WHERE state = 'done' AND seq NOT IN
		(SELECT seq FROM jobs WHERE state = 'done' ORDER BY seq DESC LIMIT ?)`, j.o.KeepDone)
	if err == nil {
		_, err = j.db.Exec(`DELETE FROM jobs WHERE state = 'failed' AND updated < ?`, j.o.Now().Add(-j.o.KeepFailed).UnixMilli())
	}
	return err
}

// PrinterStatus learns the printer's state from every status read of a
// job (paper near end): the printer's OnStatus field points here.
func (j *Queue) PrinterStatus(st printer.Status) {
	if !st.RollRead {
		return // a poll during the job: the roll sensor was not asked
	}
	low := st.PaperNearEnd || st.PaperOut
	if was := j.paperLow.Swap(low); was != low {
		if low {
			j.log.Warn("printer paper near end: change the roll soon")
		} else {
			j.log.Info("printer paper no longer near end")
		}
	}
}

// Run prints queued jobs until ctx ends or Close is called. A job cut
// short is recorded failed ("interrupted").
func (j *Queue) Run(ctx context.Context) {
	if !j.running.CompareAndSwap(false, true) {
		return
	}
	defer close(j.done)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(j.stopped, cancel)()
	idle := time.NewTimer(0)
	defer idle.Stop()
	for {
		seq, job, ok, err := j.next(ctx)
		if err != nil && ctx.Err() == nil {
			j.log.Error("print queue: take job", "err", err)
		}
		if !ok {
			idle.Reset(j.o.Idle)
			select {
			case <-ctx.Done():
				return
			case <-j.wake:
			case <-idle.C:
			}
			continue
		}
		if job.State == JobFailed { // expired or unreadable
			j.report(job, job.Reason, errors.New(job.Error))
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, j.o.PrintTimeout)
		err = j.print(pctx, job.doc)
		cancel()
		state, reason := JobDone, ""
		if err != nil {
			state, reason = JobFailed, FailureReason(err)
			if ctx.Err() != nil {
				reason = ReasonInterrupted
			}
		}
		if ferr := j.finish(seq, state, reason, err); ferr != nil {
			j.log.Error("print queue: record job", "job", job.ID, "state", state, "err", ferr)
		}
		j.report(job, reason, err)
		if perr := j.prune(); perr != nil {
			j.log.Warn("print queue: prune", "err", perr)
		}
		if ctx.Err() != nil {
			return
		}
	}
}

func (j *Queue) report(job Job, reason string, err error) {
	low := j.paperLow.Load()
	j.o.OnResult(job, reason, low)
	if err != nil {
		j.log.Warn("print failed", "job", job.ID, "topic", job.Topic, "lang", job.Lang, "reason", reason, "err", err)
		return
	}
	j.log.Info("printed", "job", job.ID, "topic", job.Topic, "lang", job.Lang, "attempt", job.Attempts)
}

// Close stops the worker (if it ran), waits for it to record its last job
// ("interrupted" if one was printing), then closes the database.
func (j *Queue) Close() error {
	var err error
	j.closeMu.Do(func() {
		j.stop()
		if j.running.Load() {
			<-j.done
		}
		err = j.db.Close()
	})
	return err
}
