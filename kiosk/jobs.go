package kiosk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"sapar/drivers/printer"
	"sapar/drivers/receipt"
)

// PrintFunc prints one slip; it returns when the printer has the whole job
// or with an error the UI can explain.
type PrintFunc func(ctx context.Context, doc receipt.Document) error

// Job states as the UI sees them.
const (
	JobQueued   = "queued"
	JobPrinting = "printing"
	JobDone     = "done"
	JobFailed   = "failed"
)

// Job is one print request.
type Job struct {
	ID      string    `json:"job"`
	Topic   string    `json:"topic"`
	Lang    string    `json:"lang"`
	State   string    `json:"state"`
	Error   string    `json:"error,omitempty"`  // for the technician's log, not shown raw
	Reason  string    `json:"reason,omitempty"` // paper-out, offline, … for the UI's words
	QRURL   string    `json:"qr_url,omitempty"`
	Created time.Time `json:"created"`
	doc     receipt.Document
}

// jobs runs print jobs one at a time, in order, on one printer.
type jobs struct {
	print PrintFunc
	log   *slog.Logger
	usage Usage
	keep  int // finished jobs remembered for status queries

	mu    sync.Mutex
	byID  map[string]*Job
	order []string
	queue chan *Job
}

func newJobs(print PrintFunc, log *slog.Logger, u Usage) *jobs {
	return &jobs{print: print, log: log, usage: u, keep: 64, byID: map[string]*Job{}, queue: make(chan *Job, 16)}
}

var errQueueFull = errors.New("the printer has too many slips waiting")

func (j *jobs) submit(topic, lang string, doc receipt.Document) (*Job, error) {
	var b [8]byte
	rand.Read(b[:])
	job := &Job{ID: hex.EncodeToString(b[:]), Topic: topic, Lang: lang, State: JobQueued, QRURL: doc.QRURL, Created: time.Now(), doc: doc}
	j.mu.Lock()
	defer j.mu.Unlock()
	select {
	case j.queue <- job:
	default:
		return nil, errQueueFull
	}
	j.byID[job.ID] = job
	j.order = append(j.order, job.ID)
	for len(j.order) > j.keep {
		delete(j.byID, j.order[0])
		j.order = j.order[1:]
	}
	return job, nil
}

func (j *jobs) get(id string) (Job, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	job, ok := j.byID[id]
	if !ok {
		return Job{}, false
	}
	return *job, true
}

func (j *jobs) set(job *Job, state, reason string, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	job.State, job.Reason = state, reason
	if err != nil {
		job.Error = err.Error()
	}
}

// run prints queued jobs until ctx ends.
func (j *jobs) run(ctx context.Context, m *metrics) {
	for {
		select {
		case <-ctx.Done():
			return
		case job := <-j.queue:
			j.set(job, JobPrinting, "", nil)
			pctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			err := j.print(pctx, job.doc)
			cancel()
			if err != nil {
				reason := failureReason(err)
				j.set(job, JobFailed, reason, err)
				m.add("sapar_prints_total", fmt.Sprintf(`result="failed",reason=%q`, reason))
				j.usage.Print(job.Topic, job.Lang, reason)
				j.log.Warn("print failed", "job", job.ID, "topic", job.Topic, "lang", job.Lang, "reason", reason, "err", err)
				continue
			}
			j.set(job, JobDone, "", nil)
			m.add("sapar_prints_total", `result="ok",reason=""`)
			j.usage.Print(job.Topic, job.Lang, "")
			j.log.Info("printed", "job", job.ID, "topic", job.Topic, "lang", job.Lang)
		}
	}
}

// failureReason names why a print failed in a word the UI turns into a
// sentence in the user's language, with the way out (scan the QR instead).
func failureReason(err error) string {
	switch {
	case errors.Is(err, printer.ErrPaperOut):
		return "paper-out"
	case errors.Is(err, printer.ErrCoverOpen):
		return "cover-open"
	case errors.Is(err, printer.ErrOffline):
		return "offline"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	return "error"
}
