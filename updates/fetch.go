package updates

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// FetchLimits bound every download so that no mirror, however slow or
// hostile, can hold an update cycle (or memory) hostage.
type FetchLimits struct {
	// RequestTimeout is the base time allowed for one request (headers and
	// body), before the size allowance below. A mirror that answers one
	// byte a second is cut off here.
	RequestTimeout time.Duration
	// MinBytesPerSecond adds maxLength/MinBytesPerSecond to the request
	// deadline, so an 8 MB object on a slow rural link is not cut off while
	// a 16 KB timestamp still is after ~RequestTimeout.
	MinBytesPerSecond int64
	// Retries after the first attempt, for network errors and 5xx/429.
	Retries int
	// Backoff before the first retry; doubled each time, with jitter.
	Backoff time.Duration
	// MaxBytes caps any single file whatever the metadata claims.
	MaxBytes int64
}

// DefaultFetchLimits suit a kiosk on a 2G/3G link.
func DefaultFetchLimits() FetchLimits {
	return FetchLimits{
		RequestTimeout:    30 * time.Second,
		MinBytesPerSecond: 8 << 10,
		Retries:           3,
		Backoff:           time.Second,
		MaxBytes:          16 << 20,
	}
}

func (l FetchLimits) deadline(maxLength int64) time.Duration {
	d := l.RequestTimeout
	if l.MinBytesPerSecond > 0 && maxLength > 0 {
		d += time.Duration(maxLength/l.MinBytesPerSecond) * time.Second
	}
	return d
}

// HTTPFetcher is a go-tuf fetcher.Fetcher with deadlines, retries with
// backoff, size limits and a byte counter. go-tuf's DefaultFetcher uses
// http.DefaultClient, which has no timeout: a slow-loris mirror hangs it.
type HTTPFetcher struct {
	Ctx       context.Context // overall deadline of the cycle; nil: Background
	Client    *http.Client    // nil: a client with sane transport timeouts
	Limits    FetchLimits
	UserAgent string
	Logf      func(format string, args ...any)
	bytes     atomic.Int64
}

// Bytes is the number of body bytes received so far.
func (f *HTTPFetcher) Bytes() int64 { return f.bytes.Load() }

var defaultHTTPClient = &http.Client{Transport: &http.Transport{
	Proxy:                 http.ProxyFromEnvironment,
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
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, urlPath, nil)
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
		return nil, &metadata.ErrDownload{Msg: fmt.Sprintf("download %s: %v", urlPath, timeoutHint(err, rctx))}, true
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
	data, err := io.ReadAll(io.LimitReader(&countingReader{r: res.Body, n: &f.bytes}, maxLength+1))
	if err != nil {
		return nil, &metadata.ErrDownload{Msg: fmt.Sprintf("download %s: %v", urlPath, timeoutHint(err, rctx))}, true
	}
	if int64(len(data)) > maxLength {
		return nil, &metadata.ErrDownloadLengthMismatch{Msg: fmt.Sprintf("download %s: more than %d bytes (oversized or endless response refused)", urlPath, maxLength)}, false
	}
	return data, nil, false
}

func timeoutHint(err error, ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("mirror too slow, request deadline exceeded: %w", err)
	}
	return err
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
type DirFetcher struct {
	Root     string
	MaxBytes int64
	bytes    atomic.Int64
}

// Bytes is the number of bytes read so far.
func (f *DirFetcher) Bytes() int64 { return f.bytes.Load() }

// dirURL is the file:// URL of a directory.
func dirURL(dir string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}).String()
}

// DownloadFile implements fetcher.Fetcher.
func (f *DirFetcher) DownloadFile(urlPath string, maxLength int64, _ time.Duration) ([]byte, error) {
	u, err := url.Parse(urlPath)
	if err != nil || u.Scheme != "file" {
		return nil, &metadata.ErrDownload{Msg: fmt.Sprintf("usb: not a file URL: %q", urlPath)}
	}
	root := filepath.Clean(f.Root)
	p := filepath.Clean(filepath.FromSlash(u.Path))
	if !strings.HasPrefix(p, root+string(filepath.Separator)) {
		return nil, &metadata.ErrDownload{Msg: fmt.Sprintf("usb: %s is outside %s", p, root)}
	}
	if f.MaxBytes > 0 && (maxLength <= 0 || maxLength > f.MaxBytes) {
		maxLength = f.MaxBytes
	}
	fh, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, &metadata.ErrDownloadHTTP{StatusCode: http.StatusNotFound, URL: urlPath}
	}
	if err != nil {
		return nil, &metadata.ErrDownload{Msg: fmt.Sprintf("usb: %v", err)}
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxLength+1))
	f.bytes.Add(int64(len(data)))
	if err != nil {
		return nil, &metadata.ErrDownload{Msg: fmt.Sprintf("usb: read %s: %v (stick removed?)", p, err)}
	}
	if int64(len(data)) > maxLength {
		return nil, &metadata.ErrDownloadLengthMismatch{Msg: fmt.Sprintf("usb: %s is larger than %d bytes (refused)", p, maxLength)}
	}
	return data, nil
}
