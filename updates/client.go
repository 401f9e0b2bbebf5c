package updates

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/theupdateframework/go-tuf/v2/metadata/config"
	"github.com/theupdateframework/go-tuf/v2/metadata/fetcher"
	"github.com/theupdateframework/go-tuf/v2/metadata/updater"

	"sapar/content/bundle"
)

// Client runs verified update cycles for one kiosk state directory.
type Client struct {
	StateDir string
	// Mirrors are base URLs of the static repository (serving metadata/
	// and targets/), tried in order.
	Mirrors []string
	// USBDir is a repository directory on a stick; tried before mirrors.
	USBDir string
	// TrustedRoot is the root.json shipped in the image or provisioning:
	// the first root never comes from the network.
	TrustedRoot []byte
	// BuildTime is when this binary was built: a floor for the clock.
	BuildTime time.Time
	// Clock returns the system time; nil: time.Now.
	Clock      func() time.Time
	HTTPClient *http.Client // nil: a client with transport timeouts
	Limits     FetchLimits  // zero: DefaultFetchLimits
	// Deadline bounds a whole Update call (all sources); zero: 30 min.
	Deadline time.Duration
	Logf     func(format string, args ...any)
	// Index builds a release's derived files (the SQLite index) in staging
	// and health-checks it once active; required (content/release.Index):
	// without it a release would be activated that the kiosk cannot open.
	Index Indexer
	// OnChange is called after a new release became active (hot reload).
	OnChange func(Release)

	// Cohort places the kiosk in phased rollouts (CohortFor the device
	// key and the provisioning file's rollout group); nil: the kiosk takes
	// only releases rolled out to 100%.
	Cohort *Cohort
	// Firmware, when set, also stages newer firmware packages for the
	// root-privileged installer (firmware_client.go); nil: content only.
	Firmware *FirmwareConfig

	hook func(step string) // test seam: crash points
}

// Result says what an update cycle did.
type Result struct {
	Source         string  // mirror URL or USB dir that answered
	Changed        bool    // a new release became active
	Version        string  // version active after the cycle
	Release        Release // the active release
	Previous       string  // version that was active before (if changed)
	BytesFetched   int64   // bytes received from the source (metadata + targets)
	ObjectsFetched int     // objects downloaded
	ObjectsReused  int     // objects hard-linked from installed releases or resumed from staging
	RefTime        time.Time
	ClockNote      string // non-empty when the reference time is not the system clock
	// ContentNote says why a published release was not taken (rollout).
	ContentNote string
	Cohort      Cohort
	Firmware    FirmwareOutcome
}

func (c *Client) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}

func (c *Client) now() time.Time {
	if c.Clock != nil {
		return c.Clock()
	}
	return time.Now()
}

func (c *Client) limits() FetchLimits {
	if c.Limits == (FetchLimits{}) {
		return DefaultFetchLimits()
	}
	return c.Limits
}

type source struct {
	name        string // for logs
	metadataURL string
	targetsURL  string
	fetcher     interface {
		fetcher.Fetcher
		Bytes() int64
	}
}

// Update runs one cycle: the USB dir first (if set), then each mirror in
// order, stopping at the first source that completes. The active release is
// untouched unless a new one verified, prepared, activated and passed Health.
func (c *Client) Update(ctx context.Context) (Result, error) {
	if c.StateDir == "" {
		return Result{}, errors.New("updates: no state directory")
	}
	if len(c.TrustedRoot) == 0 {
		return Result{}, errors.New("updates: no trusted root: the image or provisioning must provide root.json")
	}
	if c.Index == nil {
		return Result{}, errNoIndexer
	}
	d := c.Deadline
	if d == 0 {
		d = 30 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	unlock, err := lockStateCtx(ctx, c.StateDir, lockWait)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	if err := (&installer{state: c.StateDir, ix: c.Index, logf: c.Logf}).finishPending(); err != nil {
		c.logf("%v", err)
	}

	var srcs []source
	if c.USBDir != "" {
		abs, err := filepath.Abs(c.USBDir)
		if err != nil {
			return Result{}, err
		}
		srcs = append(srcs, source{name: "usb:" + abs, metadataURL: dirURL(filepath.Join(abs, "metadata")),
			targetsURL: dirURL(filepath.Join(abs, "targets")), fetcher: &DirFetcher{Root: abs, MaxBytes: c.limits().MaxBytes, Ctx: ctx, Limits: c.limits()}})
	}
	for _, m := range c.Mirrors {
		m = strings.TrimRight(m, "/")
		srcs = append(srcs, source{name: m, metadataURL: m + "/metadata", targetsURL: m + "/targets",
			fetcher: &HTTPFetcher{Ctx: ctx, Client: c.HTTPClient, Limits: c.limits(), UserAgent: "sapar-kiosk", Logf: c.Logf}})
	}
	if len(srcs) == 0 {
		return Result{}, errors.New("updates: no mirror and no USB directory configured")
	}
	var errs []error
	var res Result
	for _, s := range srcs {
		if ctx.Err() != nil {
			errs = append(errs, fmt.Errorf("overall update deadline (%s) reached before %s was tried", d, s.name))
			break
		}
		res, err = c.cycle(ctx, s)
		res.Source = s.name
		res.BytesFetched = s.fetcher.Bytes()
		if err == nil {
			recordStatus(c.StateDir, c.now(), res, nil)
			if res.Changed {
				was := res.Previous
				if was == "" {
					was = "nothing"
				}
				c.logf("update from %s: now showing %s (was %s), %d bytes fetched, %d objects downloaded, %d reused",
					s.name, res.Version, was, res.BytesFetched, res.ObjectsFetched, res.ObjectsReused)
				if c.OnChange != nil {
					c.OnChange(res.Release)
				}
			} else {
				c.logf("update from %s: %s is current (%d bytes fetched)", s.name, res.Version, res.BytesFetched)
			}
			return res, nil
		}
		c.logf("update from %s refused: %v", s.name, err)
		errs = append(errs, fmt.Errorf("%s: %w", s.name, err))
	}
	err = errors.Join(errs...)
	res.Cohort = c.cohort()
	if r, aerr := ActiveRelease(c.StateDir); aerr == nil {
		res.Version, res.Release = r.Version, r
	}
	recordStatus(c.StateDir, c.now(), res, err)
	return res, fmt.Errorf("updates: no source gave a valid update, the current content stays: %w", err)
}

// trustedRoot picks the cached root (walked from the image's root by a
// previous cycle) when it is at least as new as the image's; else the image's.
func (c *Client) trustedRoot(metaDir string) []byte {
	img, err := metadata.Root().FromBytes(c.TrustedRoot)
	if err != nil {
		return c.TrustedRoot
	}
	raw, err := os.ReadFile(filepath.Join(metaDir, "root.json"))
	if err != nil {
		return c.TrustedRoot
	}
	cached, err := metadata.Root().FromBytes(raw)
	if err != nil || cached.Signed.Version < img.Signed.Version {
		return c.TrustedRoot
	}
	if err := cached.VerifyDelegate(metadata.ROOT, cached); err != nil {
		return c.TrustedRoot
	}
	return raw
}

// cleanMetadataCache removes files a power cut may have left unreadable:
// go-tuf aborts on a cached file it cannot parse instead of re-fetching.
func cleanMetadataCache(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if strings.HasPrefix(e.Name(), "tuf_tmp") {
			os.Remove(p)
			continue
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		switch e.Name() {
		case "timestamp.json":
			_, err = metadata.Timestamp().FromBytes(raw)
		case "snapshot.json":
			_, err = metadata.Snapshot().FromBytes(raw)
		case "targets.json":
			_, err = metadata.Targets().FromBytes(raw)
		case "root.json":
			_, err = metadata.Root().FromBytes(raw)
		}
		if err != nil {
			os.Remove(p)
		}
	}
}

// syncMetadata makes go-tuf's cache durable (it renames without fsync).
func syncMetadata(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			if err := syncFile(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return syncDir(dir)
}

func (c *Client) cycle(ctx context.Context, s source) (res Result, err error) {
	metaDir := filepath.Join(c.StateDir, "tuf", "metadata")
	if err := os.MkdirAll(metaDir, 0o700); err != nil {
		return res, fmt.Errorf("metadata cache: %w", err)
	}
	cleanMetadataCache(metaDir)
	defer func() {
		if serr := syncMetadata(metaDir); serr != nil && err == nil {
			err = fmt.Errorf("fsync metadata cache: %w", serr)
		}
	}()
	ref, why := referenceTime(c.now(), c.BuildTime, readFloor(c.StateDir))
	res.RefTime = ref
	if why != "" {
		res.ClockNote = fmt.Sprintf("system clock %s is behind the %s: checking expiry against that instead", c.now().UTC().Format(time.RFC3339), why)
		c.logf("%s", res.ClockNote)
	}
	cfg, err := config.New(s.metadataURL, c.trustedRoot(metaDir))
	if err != nil {
		return res, err
	}
	cfg.LocalMetadataDir = metaDir
	cfg.LocalTargetsDir = filepath.Join(c.StateDir, "tuf", "targets")
	cfg.RemoteTargetsURL = s.targetsURL
	cfg.Fetcher = s.fetcher
	cfg.RootMaxLength = 512 << 10
	cfg.TimestampMaxLength = 16 << 10
	cfg.SnapshotMaxLength = 2 << 20
	cfg.TargetsMaxLength = 8 << 20
	cfg.MaxRootRotations = 64
	up, err := updater.New(cfg)
	if err != nil {
		return res, fmt.Errorf("trusted root: %w", err)
	}
	up.UnsafeSetRefTime(ref)
	if err := up.Refresh(); err != nil {
		return res, explain(err)
	}
	if err := syncMetadata(metaDir); err != nil {
		return res, fmt.Errorf("fsync metadata cache: %w", err)
	}
	c.step("refreshed")
	if ts := up.GetTrustedMetadataSet().Timestamp; ts != nil {
		if v, ok := ts.Signed.UnrecognizedFields[signedAtField].(string); ok {
			if t, err := time.Parse(time.RFC3339, v); err == nil && t.Before(ref.Add(2*day)) {
				raiseFloor(c.StateDir, t)
			}
		}
	}
	cerr := c.content(ctx, up, &res)
	// A firmware failure never fails the content cycle (a new release was
	// perhaps just activated): it is logged and recorded, and the next
	// cycle tries again.
	if ferr := c.firmware(s, up, &res); ferr != nil {
		res.Firmware.Error = ferr.Error()
		c.logf("firmware from %s refused: %v", s.name, ferr)
	}
	return res, cerr
}

// content installs the published content bundle when it is new and this
// kiosk is inside its rollout.
func (c *Client) content(ctx context.Context, up *updater.Updater, res *Result) error {
	in := &installer{state: c.StateDir, ix: c.Index, logf: c.Logf, hook: c.hook}
	if err := in.ensureDirs(); err != nil {
		return err
	}
	active, aerr := ActiveRelease(c.StateDir)
	if aerr == nil {
		res.Version, res.Release = active.Version, active
	}
	tf, err := up.GetTargetInfo(TargetIndex)
	if err != nil {
		// A repository (or a stick) that signs only firmware is not a failed
		// cycle: the kiosk keeps its content and the firmware is looked at.
		if hasFirmwareTargets(up) {
			res.ContentNote = fmt.Sprintf("the repository publishes no content, only firmware: %s stays", orNothing(res.Version))
			return nil
		}
		return fmt.Errorf("repository has no content bundle (%s): %w", TargetIndex, explain(err))
	}
	want := hex.EncodeToString(tf.Hashes["sha256"])
	if aerr == nil && active.IndexSHA256 == want {
		return nil
	}
	// Outside the rollout the kiosk keeps what it shows; one with no content
	// at all takes the release (a blank kiosk is worse than an early one).
	if m := targetMeta(tf); aerr == nil && !c.cohort().Takes(m.Percent()) {
		res.ContentNote = fmt.Sprintf("content %s is rolled out to %d%% of kiosks; this one (bucket %d, cohort %s) keeps %s until the rollout reaches it",
			m.Version, m.Percent(), c.cohort().Bucket, c.cohort().Name(), orNothing(res.Version))
		c.logf("%s", res.ContentNote)
		return nil
	}
	if want == in.failedIndex() {
		return fmt.Errorf("the published release (index %s) failed its health check on this kiosk before; waiting for a newer one", want[:12])
	}
	_, idxRaw, err := up.DownloadTarget(tf, filepath.Join(c.StateDir, "tuf", "targets", "index.json.download"), "")
	if err != nil {
		return fmt.Errorf("download %s: %w", TargetIndex, explain(err))
	}
	idx, err := bundle.ParseIndex(idxRaw)
	if err != nil {
		return fmt.Errorf("signed index refused: %w", err)
	}
	name := releaseName(idx.Version, want)
	staging, err := in.staging(name)
	if err != nil {
		return err
	}
	c.step("staging")
	lenders := in.knownReleases()
	done := map[string]bool{}
	for _, f := range idx.Files {
		if done[f.SHA256] {
			continue
		}
		done[f.SHA256] = true
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("update deadline reached while downloading: %w", err)
		}
		dst := filepath.Join(staging, bundle.ObjectsDir, f.SHA256)
		if fileHashIs(dst, f.SHA256, f.Size) {
			res.ObjectsReused++
			continue
		}
		os.Remove(dst) // never write through a hard link into an installed release
		reused := false
		for _, l := range lenders {
			src := filepath.Join(l, bundle.ObjectsDir, f.SHA256)
			if _, err := os.Stat(src); err == nil && linkOrCopy(src, dst) == nil {
				reused = true
				break
			}
		}
		if reused {
			res.ObjectsReused++
			continue
		}
		otf, err := up.GetTargetInfo(TargetObjectPrefix + f.SHA256)
		if err != nil {
			return fmt.Errorf("index names object %s (%s) that the signed targets do not list: %w", f.SHA256[:12], f.Path, err)
		}
		if hex.EncodeToString(otf.Hashes["sha256"]) != f.SHA256 || otf.Length != f.Size {
			return fmt.Errorf("signed target for %s disagrees with the index", f.Path)
		}
		if _, _, err := up.DownloadTarget(otf, dst, ""); err != nil {
			return fmt.Errorf("download %s: %w", f.Path, explain(err))
		}
		res.ObjectsFetched++
		c.step("object")
	}
	if err := syncDir(filepath.Join(staging, bundle.ObjectsDir)); err != nil {
		return err
	}
	if err := writeFileSynced(filepath.Join(staging, bundle.IndexName), idxRaw, 0o644); err != nil {
		return err
	}
	c.step("index")
	r, err := in.activate(staging, name)
	if err != nil {
		return err
	}
	raiseFloor(c.StateDir, idx.Created)
	res.Previous = res.Version
	res.Changed, res.Version, res.Release = true, r.Version, r
	return nil
}

func (c *Client) step(s string) {
	if c.hook != nil {
		c.hook(s)
	}
}

func fileHashIs(name, sha string, size int64) bool {
	fi, err := os.Stat(name)
	if err != nil || fi.Size() != size {
		return false
	}
	data, err := os.ReadFile(name)
	return err == nil && bundle.Hash(data) == sha
}

// explain wraps a go-tuf error with what it means for the operator.
func explain(err error) error {
	var (
		exp  *metadata.ErrExpiredMetadata
		ver  *metadata.ErrBadVersionNumber
		sig  *metadata.ErrUnsignedMetadata
		hash *metadata.ErrLengthOrHashMismatch
		size *metadata.ErrDownloadLengthMismatch
		http *metadata.ErrDownloadHTTP
		dl   *metadata.ErrDownload
		syn  *json.SyntaxError
		typ  *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &exp):
		return fmt.Errorf("metadata expired (mirror stale or frozen: the publisher must run `sapar publish timestamp`; or the kiosk clock is far ahead): %w", err)
	case errors.As(err, &ver):
		return fmt.Errorf("rollback refused: the mirror offers metadata older than this kiosk already trusts: %w", err)
	case errors.As(err, &sig):
		return fmt.Errorf("signature check failed (untrusted key, threshold not met or tampered file): %w", err)
	case errors.As(err, &hash):
		return fmt.Errorf("file does not match its signed length/hash (tampered or corrupt mirror): %w", err)
	case errors.As(err, &size):
		return fmt.Errorf("oversized file refused: %w", err)
	case errors.As(err, &http):
		return fmt.Errorf("mirror answered HTTP %d for %s: %w", http.StatusCode, http.URL, err)
	case errors.As(err, &syn), errors.As(err, &typ):
		return fmt.Errorf("malformed metadata, not TUF JSON (captive portal, proxy error page or broken mirror): %w", err)
	case errors.As(err, &dl):
		return fmt.Errorf("mirror unreachable or too slow: %w", err)
	}
	return err
}

// hasFirmwareTargets reports whether the signed targets list firmware.
func hasFirmwareTargets(up *updater.Updater) bool {
	for name := range up.GetTopLevelTargets() {
		if strings.HasPrefix(name, TargetFirmwarePrefix) {
			return true
		}
	}
	return false
}
