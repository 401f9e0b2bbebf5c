package updates

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// FetchLimits bound every download so that no mirror, however slow or
// hostile, can hold an update cycle (or memory) hostage.
type FetchLimits struct {
	// RequestTimeout is the base time allowed for one request (headers and
	// body), before the size allowance below.
	RequestTimeout time.Duration
	// MinBytesPerSecond adds maxLength/MinBytesPerSecond to the request
	// deadline, so an 8 MB object on a slow rural link is not cut off while
	// a 16 KB timestamp still is after ~RequestTimeout.
	MinBytesPerSecond int64
	// Retries after the first attempt, for quick failures only: refused or
	// reset connections, 5xx, 408, 429. A mirror that was too slow (the
	// floor below, the request deadline, no headers in time) is not asked
	// again in this cycle: the next source is tried at once.
	Retries int
	// Backoff before the first retry; doubled each time, with jitter.
	Backoff time.Duration
	// MaxBytes caps any single file whatever the metadata claims.
	MaxBytes int64
	// FloorBytesPerSecond is the throughput below which a response is cut
	// off once FloorGrace has passed since its headers arrived, averaged
	// over the last FloorWindow. Slow retrieval: a mirror sending one byte
	// a second held a cycle for 136 s under the deadline alone (4 attempts
	// of 32 s); with the floor it is dropped 10 s after its first byte.
	// 1 KiB/s is far below a poor 2G (EDGE) link, so a working mirror is
	// never cut. Zero: 1 KiB/s; negative: no floor.
	FloorBytesPerSecond int64
	// FloorGrace is how long a response may start slowly (TCP slow start,
	// a CDN filling its cache) before the floor applies. Zero: 10 s.
	FloorGrace time.Duration
	// FloorWindow is the sliding window the throughput is averaged over, so
	// a cell handover stall of a few seconds does not cut a good link.
	// Zero: 10 s.
	FloorWindow time.Duration
}

// DefaultFetchLimits suit a kiosk on a 2G/3G link.
func DefaultFetchLimits() FetchLimits {
	return FetchLimits{
		RequestTimeout:      30 * time.Second,
		MinBytesPerSecond:   8 << 10,
		Retries:             3,
		Backoff:             time.Second,
		MaxBytes:            16 << 20,
		FloorBytesPerSecond: 1 << 10,
		FloorGrace:          10 * time.Second,
		FloorWindow:         10 * time.Second,
	}
}

func (l FetchLimits) deadline(maxLength int64) time.Duration {
	d := l.RequestTimeout
	if l.MinBytesPerSecond > 0 && maxLength > 0 {
		d += time.Duration(maxLength/l.MinBytesPerSecond) * time.Second
	}
	return d
}

// floor returns the throughput floor with defaults filled in; ok is false
// when the floor is disabled.
func (l FetchLimits) floor() (f rateFloor, ok bool) {
	d := DefaultFetchLimits()
	f = rateFloor{floor: l.FloorBytesPerSecond, grace: l.FloorGrace, window: l.FloorWindow}
	if f.floor == 0 {
		f.floor = d.FloorBytesPerSecond
	}
	if f.grace == 0 {
		f.grace = d.FloorGrace
	}
	if f.window == 0 {
		f.window = d.FloorWindow
	}
	return f, f.floor > 0
}

// rateFloor decides when a response body is too slow: once grace has passed
// since the headers, the bytes received over the last window (or since the
// headers, if that is shorter) must average at least floor per second.
type rateFloor struct {
	floor         int64 // bytes per second
	grace, window time.Duration
	start         time.Time
	samples       []rateSample // oldest first; samples[0] is the window's base
}

type rateSample struct {
	at time.Time
	n  int64
}

func (r *rateFloor) begin(now time.Time) {
	r.start = now
	r.samples = []rateSample{{now, 0}}
}

// observe records that total bytes had arrived at now and says whether the
// response is under the floor, with the figures for the message.
func (r *rateFloor) observe(now time.Time, total int64) (slow bool, got int64, over time.Duration) {
	r.samples = append(r.samples, rateSample{now, total})
	for len(r.samples) > 1 && !r.samples[1].at.After(now.Add(-r.window)) {
		r.samples = r.samples[1:]
	}
	base := r.samples[0]
	got, over = total-base.n, now.Sub(base.at)
	if now.Sub(r.start) < r.grace {
		return false, got, over
	}
	return float64(got) < float64(r.floor)*over.Seconds(), got, over
}

// tick is how often the floor is checked: a tenth of the window.
func (r *rateFloor) tick() time.Duration {
	return min(max(r.window/10, 10*time.Millisecond), time.Second)
}

// errTooSlow is the cause a request is cancelled with when it is under the
// throughput floor.
type errTooSlow struct{ msg string }

func (e *errTooSlow) Error() string { return e.msg }

// watch checks the floor every tick until stop is called, cancelling the
// request with an errTooSlow cause when it is under it.
func (r *rateFloor) watch(cut context.CancelCauseFunc, total *atomic.Int64) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(r.tick())
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				if slow, got, over := r.observe(now, total.Load()); slow {
					cut(&errTooSlow{fmt.Sprintf("%d bytes in the last %s, under the floor of %d B/s", got, over.Round(100*time.Millisecond), r.floor)})
					return
				}
			}
		}
	}()
	return func() { close(done) }
}

// HTTPFetcher is a go-tuf fetcher.Fetcher with deadlines, a throughput
// floor, retries with backoff, size limits and a byte counter. go-tuf's
// DefaultFetcher uses http.DefaultClient, which has no timeout: a slow-loris
// mirror hangs it. Make one per mirror and cycle: once a mirror was too
// slow, the fetcher answers every further request with that verdict.
type HTTPFetcher struct {
	Ctx       context.Context // overall deadline of the cycle; nil: Background
	Client    *http.Client    // nil: a client with sane transport timeouts
	Limits    FetchLimits
	UserAgent string
	Logf      func(format string, args ...any)
	bytes     atomic.Int64
	tooSlow   atomic.Pointer[metadata.ErrDownload] // set once: the mirror is abandoned
}

// Bytes is the number of body bytes received so far.
func (f *HTTPFetcher) Bytes() int64 { return f.bytes.Load() }

var defaultHTTPClient = &http.Client{Transport: &http.Transport{
	Proxy:                 http.ProxyFromEnvironment,
	DialContext:           (&net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	TLSHandshakeTimeout:   15 * time.Second,
	ResponseHeaderTimeout: 30 * time.Second,
	IdleConnTimeout:       60 * time.Second,
	MaxIdleConnsPerHost:   4,
}}

// DownloadFile implements fetcher.Fetcher.
func (f *HTTPFetcher) DownloadFile(urlPath string, maxLength int64, _ time.Duration) ([]byte, error) {
	ctx := f.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if e := f.tooSlow.Load(); e != nil {
		return nil, &metadata.ErrDownload{Msg: fmt.Sprintf("download %s: not asked: this mirror was too slow earlier in the cycle (%s)", urlPath, e.Msg)}
	}
	if f.Limits.MaxBytes > 0 && (maxLength <= 0 || maxLength > f.Limits.MaxBytes) {
		maxLength = f.Limits.MaxBytes
	}
	backoff := f.Limits.Backoff
	var lastErr error
	for attempt := 0; attempt <= f.Limits.Retries; attempt++ {
		if attempt > 0 {
			wait := backoff + time.Duration(rand.Int64N(int64(backoff)/2+1))
			if f.Logf != nil {
				f.Logf("retrying %s in %s after: %v", urlPath, wait.Round(time.Millisecond), lastErr)
			}
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("download %s: %w (last error: %v)", urlPath, ctx.Err(), lastErr)
			case <-time.After(wait):
			}
			backoff *= 2
		}
		data, err, retry := f.once(ctx, urlPath, maxLength)
		if err == nil {
			return data, nil
		}
		lastErr = err
		if !retry || ctx.Err() != nil {
			return nil, err
		}
	}
	return nil, lastErr
}

func (f *HTTPFetcher) once(ctx context.Context, urlPath string, maxLength int64) ([]byte, error, bool) {
	rctx, cancel := context.WithTimeout(ctx, f.Limits.deadline(maxLength))
	defer cancel()
	bctx, cut := context.WithCancelCause(rctx)
	defer cut(nil)
	req, err := http.NewRequestWithContext(bctx, http.MethodGet, urlPath, nil)
	if err != nil {
		return nil, err, false
	}
	if f.UserAgent != "" {
		req.Header.Set("User-Agent", f.UserAgent)
	}
	c := f.Client
	if c == nil {
		c = defaultHTTPClient
	}
	res, err := c.Do(req)
	if err != nil {
		return f.failed(ctx, bctx, urlPath, maxLength, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		retry := res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusRequestTimeout
		return nil, &metadata.ErrDownloadHTTP{StatusCode: res.StatusCode, URL: urlPath}, retry
	}
	if cl := res.Header.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n > maxLength {
			return nil, &metadata.ErrDownloadLengthMismatch{Msg: fmt.Sprintf("download %s: server announces %d bytes, at most %d expected (oversized file refused)", urlPath, n, maxLength)}, false
		}
	}
	var got atomic.Int64
	if fl, ok := f.Limits.floor(); ok {
		fl.begin(time.Now())
		defer fl.watch(cut, &got)()
	}
	data, err := io.ReadAll(io.LimitReader(&countingReader{r: res.Body, n: &got}, maxLength+1))
	f.bytes.Add(got.Load())
	if err != nil {
		return f.failed(ctx, bctx, urlPath, maxLength, err)
	}
	if int64(len(data)) > maxLength {
		return nil, &metadata.ErrDownloadLengthMismatch{Msg: fmt.Sprintf("download %s: more than %d bytes (oversized or endless response refused)", urlPath, maxLength)}, false
	}
	return data, nil, false
}

// failed classifies a request error: too slow (under the floor, past the
// request deadline, or any other timeout) abandons the mirror for the
// cycle; the end of the cycle's own context stops; anything else (refused,
// reset) may be retried.
func (f *HTTPFetcher) failed(ctx, bctx context.Context, urlPath string, maxLength int64, err error) ([]byte, error, bool) {
	if ctx.Err() != nil {
		return nil, &metadata.ErrDownload{Msg: fmt.Sprintf("download %s: %v (%v)", urlPath, context.Cause(ctx), err)}, false
	}
	var slow *errTooSlow
	var ne net.Error
	why := ""
	switch cause := context.Cause(bctx); {
	case errors.As(cause, &slow):
		why = slow.msg
	case errors.Is(cause, context.DeadlineExceeded):
		why = fmt.Sprintf("request deadline (%s) exceeded", f.Limits.deadline(maxLength))
	case errors.As(err, &ne) && ne.Timeout():
		why = err.Error()
	default:
		return nil, &metadata.ErrDownload{Msg: fmt.Sprintf("download %s: %v", urlPath, err)}, true
	}
	e := &metadata.ErrDownload{Msg: fmt.Sprintf("download %s: mirror too slow: %s; given up for this cycle, not retried", urlPath, why)}
	f.tooSlow.CompareAndSwap(nil, e)
	return nil, e, false
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// DirFetcher serves a repository from a directory (a USB stick): file://
// URLs under Root are read from disk; an absent file answers HTTP 404 as
// go-tuf expects (it probes N+1.root.json until a 404).
//
// A stick is read as a stick, whatever is on it: only regular files (a FIFO
// at metadata/timestamp.json once blocked a plain open forever, holding the
// update lock until SIGKILL; devices and sockets are refused the same way,
// before they are opened), only paths that stay inside Root (a symlinked
// metadata/ or targets/ leading elsewhere is refused: os.Root), and every
// read bounded by the cycle's context and the same deadline as an HTTP
// request of that size.
type DirFetcher struct {
	Root     string
	MaxBytes int64
	// Ctx ends every read (SIGTERM, the cycle's deadline); nil: Background.
	Ctx context.Context
	// Limits give each file the deadline of an HTTP request of its size
	// (a stick that stops answering cannot hold the cycle longer); zero:
	// DefaultFetchLimits.
	Limits FetchLimits
	bytes  atomic.Int64
	read   func(root, rel string, max int64) ([]byte, error) // test seam; nil: readRegular
}

// Bytes is the number of bytes read so far.
func (f *DirFetcher) Bytes() int64 { return f.bytes.Load() }

// dirURL is the file:// URL of a directory.
func dirURL(dir string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}).String()
}

// stickPath maps a file:// URL to a path relative to root, refusing
// anything that is not a plain local path inside it.
func stickPath(root, urlPath string) (string, error) {
	u, err := url.Parse(urlPath)
	if err != nil || u.Scheme != "file" || u.Host != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("usb: not a plain file URL: %q", urlPath)
	}
	if strings.ContainsRune(u.Path, 0) {
		return "", fmt.Errorf("usb: NUL in %q", urlPath)
	}
	root = filepath.Clean(root)
	p := filepath.Clean(filepath.FromSlash(u.Path))
	rel, err := filepath.Rel(root, p)
	if err != nil || !filepath.IsLocal(rel) {
		return "", fmt.Errorf("usb: %s is outside %s", p, root)
	}
	return rel, nil
}

// DownloadFile implements fetcher.Fetcher.
func (f *DirFetcher) DownloadFile(urlPath string, maxLength int64, _ time.Duration) ([]byte, error) {
	root := filepath.Clean(f.Root)
	rel, err := stickPath(root, urlPath)
	if err != nil {
		return nil, &metadata.ErrDownload{Msg: err.Error()}
	}
	if f.MaxBytes > 0 && (maxLength <= 0 || maxLength > f.MaxBytes) {
		maxLength = f.MaxBytes
	}
	ctx := f.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	limits := f.Limits
	if limits == (FetchLimits{}) {
		limits = DefaultFetchLimits()
	}
	d := limits.deadline(maxLength)
	type result struct {
		data []byte
		err  error
	}
	// The read runs apart so that a stick that never answers (a failing
	// flash chip, a hung mount) costs a goroutine, not the cycle: the
	// goroutine ends, and closes the file, when the kernel answers.
	read := f.read
	if read == nil {
		read = readRegular
	}
	ch := make(chan result, 1)
	go func() {
		data, err := read(root, rel, maxLength)
		ch <- result{data, err}
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	var r result
	select {
	case r = <-ch:
	case <-ctx.Done():
		return nil, &metadata.ErrDownload{Msg: fmt.Sprintf("usb: read %s: %v", rel, context.Cause(ctx))}
	case <-timer.C:
		return nil, &metadata.ErrDownload{Msg: fmt.Sprintf("usb: read %s: no answer within %s (stick failing or removed?): given up", rel, d)}
	}
	f.bytes.Add(int64(len(r.data)))
	if errors.Is(r.err, fs.ErrNotExist) {
		return nil, &metadata.ErrDownloadHTTP{StatusCode: http.StatusNotFound, URL: urlPath}
	}
	if r.err != nil {
		return nil, r.err
	}
	if int64(len(r.data)) > maxLength {
		return nil, &metadata.ErrDownloadLengthMismatch{Msg: fmt.Sprintf("usb: %s is larger than %d bytes (refused)", rel, maxLength)}
	}
	return r.data, nil
}

// readRegular reads at most max+1 bytes of root/rel if it is a regular file
// reached without leaving root. It looks before it opens (a FIFO or device
// is never opened), opens without blocking and without taking a terminal,
// and checks the opened file again (it may have been swapped in between).
func readRegular(root, rel string, max int64) ([]byte, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, &metadata.ErrDownload{Msg: fmt.Sprintf("usb: %v (stick removed?)", err)}
	}
	defer r.Close()
	refused := func(err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return &stickRefused{fmt.Sprintf("usb: %s refused: %v (files are read only from inside the stick; a symlink leading off it is not followed)", rel, err)}
	}
	fi, err := r.Stat(rel)
	if err != nil {
		return nil, refused(err)
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular(rel, fi.Mode())
	}
	fh, err := r.OpenFile(rel, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, refused(err)
	}
	defer fh.Close()
	if fi, err = fh.Stat(); err != nil {
		return nil, &metadata.ErrDownload{Msg: fmt.Sprintf("usb: %s: %v", rel, err)}
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular(rel, fi.Mode())
	}
	data, err := io.ReadAll(io.LimitReader(fh, max+1))
	if err != nil {
		return data, &metadata.ErrDownload{Msg: fmt.Sprintf("usb: read %s: %v (stick removed?)", rel, err)}
	}
	return data, nil
}

func notRegular(rel string, m fs.FileMode) error {
	kind := "special file"
	switch {
	case m&fs.ModeNamedPipe != 0:
		kind = "named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		kind = "socket"
	case m&fs.ModeDevice != 0:
		kind = "device node"
	case m.IsDir():
		kind = "directory"
	}
	return &stickRefused{fmt.Sprintf("usb: %s is a %s, not a regular file: refused (a repository on a stick holds plain files only)", rel, kind)}
}

// stickRefused is what is on the stick, not how it answers: not a download
// error (which the client reports as "unreachable or too slow").
type stickRefused struct{ msg string }

func (e *stickRefused) Error() string { return e.msg }
