package printer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"sapar/drivers/escpos"
)

// Opts tunes Send. Each field names the symptom it prevents.
type Opts struct {
	// ChunkBytes is written before waiting for the printer to confirm it
	// processed everything so far. A cheap printer with a 4 KB buffer and no
	// flow control drops bytes (garbled or missing lines) when a whole slip
	// is written at once: keep this under half its buffer.
	ChunkBytes int
	// StatusTimeout is how long a status reply may take. A printer that is
	// switched off or unplugged never answers: without it Send would hang.
	StatusTimeout time.Duration
	// AckTimeout is how long one chunk may take to print. A slow mechanism
	// printing a raster band needs seconds; a stuck one must not hang the queue.
	AckTimeout time.Duration
	// PollEvery is how often status is asked while a chunk prints, so paper
	// running out mid-slip is reported within this time, not at AckTimeout.
	PollEvery time.Duration
	// CheckStatus asks DLE EOT before the job: an empty roll is reported
	// before a slip is lost instead of after.
	CheckStatus bool
	// ProcessID waits for GS ( H replies between chunks. Printers that do
	// not know the command would time out: turn it off and set PaceBaud.
	ProcessID bool
	// PaceBaud, when ProcessID is off, spaces chunks by the time the bytes
	// need on a line of this speed times PaceFactor (printing is slower
	// than the wire). 0 disables time pacing.
	PaceBaud   int
	PaceFactor float64
	// ClearBuffers sends DLE DC4 8 first, so a retried job does not print
	// after the half left in the buffer by a failed one.
	ClearBuffers bool

	// Now and Sleep are the clock; tests may replace them.
	Now   func() time.Time
	Sleep func(time.Duration)
	// OnStatus, if set, receives every status read (e.g. paper near end).
	OnStatus func(Status)
}

// DefaultOpts suits Epson-class printers with a 4 KB buffer.
func DefaultOpts() Opts {
	return Opts{
		ChunkBytes:    1024,
		StatusTimeout: 2 * time.Second,
		AckTimeout:    20 * time.Second,
		PollEvery:     250 * time.Millisecond,
		CheckStatus:   true,
		ProcessID:     true,
		PaceFactor:    2,
		ClearBuffers:  true,
		Now:           time.Now,
		Sleep:         time.Sleep,
	}
}

// readTimeouter is implemented by serial ports (serialport.Port, go.bug.st/serial).
type readTimeouter interface {
	SetReadTimeout(time.Duration) error
}

// modemLines is implemented by serialport.Port.
type modemLines interface {
	ModemLines() (cts, dsr bool, err error)
}

// Send writes job to the printer on rw and returns once the printer has
// processed all of it, or a *JobError wrapping ErrPaperOut, ErrCoverOpen,
// ErrOffline, ErrPrinter or ErrGarbled. rw should support read timeouts
// (SetReadTimeout); otherwise its Read must not block when nothing comes.
func Send(ctx context.Context, rw io.ReadWriter, job []byte, opts Opts) error {
	s := newSession(rw, opts)
	return s.send(ctx, job)
}

type session struct {
	rw      io.ReadWriter
	o       Opts
	in      []byte // bytes read and not yet understood
	sent    int
	total   int
	seq     int
	noModem bool
}

func newSession(rw io.ReadWriter, o Opts) *session {
	d := DefaultOpts()
	if o.ChunkBytes <= 0 {
		o.ChunkBytes = d.ChunkBytes
	}
	if o.StatusTimeout <= 0 {
		o.StatusTimeout = d.StatusTimeout
	}
	if o.AckTimeout <= 0 {
		o.AckTimeout = d.AckTimeout
	}
	if o.PollEvery <= 0 {
		o.PollEvery = d.PollEvery
	}
	if o.PaceFactor <= 0 {
		o.PaceFactor = d.PaceFactor
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = time.Sleep
	}
	return &session{rw: rw, o: o}
}

func (s *session) fail(op string, err error) error {
	if s.sent > 0 && s.o.ClearBuffers && !errors.Is(err, ErrDisconnected) {
		// Drop the rest of the job from the printer's buffer: otherwise a
		// printer that ran out of paper prints the second half once the
		// roll is reloaded — a half slip after the job was reported failed,
		// and before its retry. DLE DC4 8 is real-time: obeyed even then.
		_ = s.write(escpos.CmdClearBuffers)
	}
	return &JobError{Op: op, Sent: s.sent, Total: s.total, Err: err}
}

func (s *session) send(ctx context.Context, job []byte) error {
	s.total = len(job)
	if rt, ok := s.rw.(readTimeouter); ok {
		if err := rt.SetReadTimeout(20 * time.Millisecond); err != nil {
			return s.fail("set read timeout", err)
		}
	}
	if s.o.ClearBuffers {
		if err := s.write(escpos.CmdClearBuffers); err != nil {
			return s.fail("clear buffers", fmt.Errorf("%w: %w", ErrDisconnected, err))
		}
	}
	if s.o.CheckStatus {
		st, err := s.status(ctx, true)
		if err != nil {
			return s.fail("status before job", err)
		}
		if err := st.Err(); err != nil {
			return s.fail("status before job", err)
		}
	}
	pieces := escpos.Split(job, s.o.ChunkBytes)
	chunks := len(pieces)
	for i, chunk := range pieces {
		if err := ctx.Err(); err != nil {
			return s.fail(fmt.Sprintf("chunk %d/%d", i+1, chunks), err)
		}
		if err := s.waitModem(ctx); err != nil {
			return s.fail(fmt.Sprintf("chunk %d/%d", i+1, chunks), err)
		}
		if err := s.write(chunk); err != nil {
			return s.fail(fmt.Sprintf("chunk %d/%d", i+1, chunks), fmt.Errorf("%w: %w", ErrDisconnected, err))
		}
		s.sent += len(chunk)
		if err := s.sync(ctx, len(chunk)); err != nil {
			return s.fail(fmt.Sprintf("chunk %d/%d", i+1, chunks), err)
		}
	}
	return nil
}

func (s *session) write(b []byte) error {
	for len(b) > 0 {
		n, err := s.rw.Write(b)
		if err != nil {
			return err
		}
		if n == 0 {
			return io.ErrShortWrite
		}
		b = b[n:]
	}
	return nil
}

// sync waits until the printer has processed everything written.
func (s *session) sync(ctx context.Context, n int) error {
	if !s.o.ProcessID {
		if s.o.PaceBaud > 0 {
			s.o.Sleep(time.Duration(float64(n*10) * s.o.PaceFactor * float64(time.Second) / float64(s.o.PaceBaud)))
		}
		return nil
	}
	s.seq++
	id := []byte(fmt.Sprintf("%04d", s.seq%10000))
	if err := s.write(append(append([]byte{}, escpos.CmdProcessID...), id...)); err != nil {
		return fmt.Errorf("%w: %w", ErrDisconnected, err)
	}
	want := append(append([]byte{0x37, 0x22}, id...), 0)
	deadline := s.o.Now().Add(s.o.AckTimeout)
	nextPoll := s.o.Now().Add(s.o.PollEvery)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.fill(); err != nil {
			return fmt.Errorf("%w: %w", ErrDisconnected, err)
		}
		if i := bytes.Index(s.in, want); i >= 0 {
			s.in = s.in[i+len(want):]
			return nil
		}
		now := s.o.Now()
		if now.After(deadline) {
			return fmt.Errorf("%w: no confirmation within %v", ErrOffline, s.o.AckTimeout)
		}
		if now.After(nextPoll) {
			nextPoll = now.Add(s.o.PollEvery)
			st, err := s.status(ctx, false)
			if err != nil {
				return err
			}
			if err := st.Err(); err != nil {
				return err
			}
		}
	}
}

// fill reads what is available (one read, bounded by the read timeout).
func (s *session) fill() error {
	buf := make([]byte, 64)
	n, err := s.rw.Read(buf)
	s.in = append(s.in, buf[:n]...)
	if len(s.in) > 4096 {
		s.in = s.in[len(s.in)-256:]
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if n == 0 {
		if _, ok := s.rw.(readTimeouter); !ok {
			s.o.Sleep(5 * time.Millisecond)
		}
	}
	return nil
}

// status asks DLE EOT 1, 2 and 4 (all=true) or just 2, one at a time.
func (s *session) status(ctx context.Context, all bool) (Status, error) {
	var st Status
	ns := []byte{2}
	if all {
		ns = []byte{1, 2, 4}
	}
	for _, n := range ns {
		b, err := s.query(ctx, n)
		if err != nil {
			return st, err
		}
		st.apply(n, b)
	}
	if s.o.OnStatus != nil {
		s.o.OnStatus(st)
	}
	return st, nil
}

// query sends DLE EOT n and returns the reply byte. Bytes before it that are
// not status replies (process ID and clear-buffer replies, line noise) are
// skipped; status bytes already waiting are stale and dropped.
func (s *session) query(ctx context.Context, n byte) (byte, error) {
	s.drop()
	if err := s.write([]byte{escpos.DLE, escpos.EOT, n}); err != nil {
		return 0, fmt.Errorf("%w: %w", ErrDisconnected, err)
	}
	deadline := s.o.Now().Add(s.o.StatusTimeout)
	garbage := 0
	var kept []byte // block replies (process ID) a sync still waits for
	defer func() { s.in = append(kept, s.in...) }()
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		for len(s.in) > 0 {
			if skip := replyLen(s.in); skip > 0 {
				if skip > len(s.in) {
					break
				}
				kept = append(kept, s.in[:skip]...)
				s.in = s.in[skip:]
				continue
			}
			b := s.in[0]
			s.in = s.in[1:]
			if isStatusByte(b) {
				return b, nil
			}
			garbage++
		}
		if err := s.fill(); err != nil {
			return 0, fmt.Errorf("%w: %w", ErrDisconnected, err)
		}
		if s.o.Now().After(deadline) {
			if garbage > 0 {
				return 0, fmt.Errorf("%w: %d bytes that are no status reply", ErrGarbled, garbage)
			}
			return 0, fmt.Errorf("%w: no status reply within %v", ErrOffline, s.o.StatusTimeout)
		}
	}
}

// drop discards status bytes already received (replies to queries that
// were not ours, e.g. DLE EOT sequences occurring inside raster data), but
// keeps process ID replies a later sync may wait for.
func (s *session) drop() {
	var keep []byte
	for len(s.in) > 0 {
		if l := replyLen(s.in); l > 0 {
			l = min(l, len(s.in))
			keep = append(keep, s.in[:l]...)
			s.in = s.in[l:]
			continue
		}
		s.in = s.in[1:]
	}
	s.in = keep
}

// replyLen is the length of a block reply at the start of b (0x37 0x22 …
// process ID: 7 bytes; 0x37 0x25 0x00 clear buffers: 3), else 0.
func replyLen(b []byte) int {
	if len(b) >= 2 && b[0] == 0x37 {
		switch b[1] {
		case 0x22:
			return 7
		case 0x25:
			return 3
		}
	}
	if len(b) == 1 && b[0] == 0x37 {
		return 2 // wait for the second byte
	}
	return 0
}

// waitModem waits while CTS or DSR is low, on ports that report them.
func (s *session) waitModem(ctx context.Context) error {
	ml, ok := s.rw.(modemLines)
	if !ok || s.noModem {
		return nil
	}
	deadline := s.o.Now().Add(s.o.AckTimeout)
	for {
		cts, dsr, err := ml.ModemLines()
		if err != nil {
			s.noModem = true // a pty or an adapter without lines: rely on replies
			return nil
		}
		if cts && dsr {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if s.o.Now().After(deadline) {
			if !dsr {
				return fmt.Errorf("%w: DSR low", ErrOffline)
			}
			return fmt.Errorf("%w: busy (CTS low) for %v", ErrOffline, s.o.AckTimeout)
		}
		s.o.Sleep(10 * time.Millisecond)
	}
}
