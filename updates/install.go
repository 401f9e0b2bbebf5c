package updates

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"sapar/content/bundle"
)

// State layout under STATE:
//
//	content/current   -> releases/<name>   the active release (symlink, swapped by rename)
//	content/previous  -> releases/<name>   the release before it, kept for rollback
//	content/releases/<name>/               index.json, objects/<sha256>, whatever Prepare adds
//	content/staging/<name>/                a release being assembled (resumed after a crash)
//	content/failed                         index hash of a release that failed its health check
//	tuf/metadata/                          go-tuf's trusted metadata cache
//	tuf/time-floor                         newest verified time (see clock.go)
//	update-status.json                     last result, for doctor and the maintenance screen
const (
	contentDir  = "content"
	currentLink = "current"
	prevLink    = "previous"
	releasesDir = "releases"
	stagingDir  = "staging"
	failedFile  = "failed"
	pendingFile = "pending" // release activated but not yet health-checked
)

// ErrNoActive means the state holds no active release yet.
var ErrNoActive = errors.New("updates: no active content release")

// Release is one installed content release.
type Release struct {
	Version     string    // bundle version (index.json)
	Name        string    // directory name under content/releases
	Dir         string    // absolute path
	IndexSHA256 string    // hash of index.json: identity of the release
	Created     time.Time // bundle creation time (signed, via TUF)
}

// ActiveDir returns the directory of the active release (resolved, absolute),
// or ErrNoActive. It does not verify the release: installs only ever point
// "current" at a release that was verified and synced.
func ActiveDir(state string) (string, error) {
	c := filepath.Join(state, contentDir)
	t, err := os.Readlink(filepath.Join(c, currentLink))
	if errors.Is(err, os.ErrNotExist) {
		return "", ErrNoActive
	}
	if err != nil {
		return "", fmt.Errorf("updates: active release: %w", err)
	}
	if !filepath.IsAbs(t) {
		t = filepath.Join(c, t)
	}
	abs, err := filepath.Abs(t)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(abs, bundle.IndexName)); err != nil {
		return "", fmt.Errorf("updates: active release %s is unreadable: %w", abs, err)
	}
	return abs, nil
}

// ActiveRelease describes the active release.
func ActiveRelease(state string) (Release, error) {
	dir, err := ActiveDir(state)
	if err != nil {
		return Release{}, err
	}
	return describe(dir)
}

func describe(dir string) (Release, error) {
	raw, err := os.ReadFile(filepath.Join(dir, bundle.IndexName))
	if err != nil {
		return Release{}, fmt.Errorf("updates: %w", err)
	}
	idx, err := bundle.ParseIndex(raw)
	if err != nil {
		return Release{}, err
	}
	return Release{Version: idx.Version, Name: filepath.Base(dir), Dir: dir, IndexSHA256: bundle.Hash(raw), Created: idx.Created}, nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._+-]+`)

// releaseName is the directory name of a release: its version (made safe)
// and the start of its index hash, so a re-used version string never
// overwrites another release.
func releaseName(version, indexSHA string) string {
	v := strings.Trim(unsafeName.ReplaceAllString(version, "_"), "._")
	if len(v) > 64 {
		v = v[:64]
	}
	if v == "" {
		v = "release"
	}
	return v + "-" + indexSHA[:12]
}

// Indexer is what a release needs beyond its verified files: Prepare builds
// derived files (the SQLite index) in the staging dir before activation,
// Health checks the activated release (an error rolls it back). The kiosk's
// implementation is content/release.Index; every install path requires one.
type Indexer interface {
	Prepare(stagingDir string) error
	Health(dir string) error
}

var errNoIndexer = errors.New("updates: no release Indexer given (content/release.Index): a release would be activated without its index")

// installer turns a filled staging directory into the active release.
type installer struct {
	state string
	ix    Indexer
	logf  func(format string, args ...any)
	hook  func(step string) // test seam: crash points
}

func (in *installer) step(s string) {
	if in.hook != nil {
		in.hook(s)
	}
}

func (in *installer) content() string { return filepath.Join(in.state, contentDir) }

func (in *installer) ensureDirs() error {
	for _, d := range []string{filepath.Join(in.content(), releasesDir), filepath.Join(in.content(), stagingDir)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("updates: %w", err)
		}
	}
	return nil
}

// staging returns a clean-or-resumable staging dir for name, removing any
// other leftover staging dirs.
func (in *installer) staging(name string) (string, error) {
	if err := in.ensureDirs(); err != nil {
		return "", err
	}
	sd := filepath.Join(in.content(), stagingDir)
	entries, _ := os.ReadDir(sd)
	for _, e := range entries {
		if e.Name() != name {
			os.RemoveAll(filepath.Join(sd, e.Name()))
		}
	}
	dir := filepath.Join(sd, name)
	if err := os.MkdirAll(filepath.Join(dir, bundle.ObjectsDir), 0o755); err != nil {
		return "", fmt.Errorf("updates: staging: %w", err)
	}
	// Anything Prepare left behind in a crashed attempt is rebuilt.
	entries, _ = os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != bundle.ObjectsDir {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
	return dir, nil
}

// knownReleases lists release dirs that may lend objects (current first).
func (in *installer) knownReleases() []string {
	var out []string
	for _, l := range []string{currentLink, prevLink} {
		if t, err := os.Readlink(filepath.Join(in.content(), l)); err == nil {
			out = append(out, filepath.Join(in.content(), t))
		}
	}
	return out
}

// setLink atomically points link at target: a temporary symlink renamed
// over the old one, then the directory fsynced.
func setLink(link, target string) error {
	tmp := link + ".tmp"
	os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, link); err != nil {
		return err
	}
	return syncDir(filepath.Dir(link))
}

// activate verifies, prepares, syncs and swaps in the staging dir.
func (in *installer) activate(staging, name string) (Release, error) {
	b, err := bundle.Open(staging)
	if err != nil {
		return Release{}, fmt.Errorf("updates: staged bundle does not verify, not installed: %w", err)
	}
	in.step("verified")
	if err := in.ix.Prepare(staging); err != nil {
		return Release{}, fmt.Errorf("updates: prepare %s: %w", b.Index.Version, err)
	}
	in.step("prepared")
	if err := syncTree(staging); err != nil {
		return Release{}, fmt.Errorf("updates: fsync staging: %w", err)
	}
	in.step("synced")
	rels := filepath.Join(in.content(), releasesDir)
	final := filepath.Join(rels, name)
	rel := filepath.Join(releasesDir, name)
	if err := os.RemoveAll(final); err != nil { // leftover of a crash after rename, never the active one
		return Release{}, fmt.Errorf("updates: %w", err)
	}
	if err := os.Rename(staging, final); err != nil {
		return Release{}, fmt.Errorf("updates: move release into place: %w", err)
	}
	if err := syncDir(rels); err != nil {
		return Release{}, err
	}
	if err := syncDir(filepath.Dir(staging)); err != nil {
		return Release{}, err
	}
	in.step("renamed")
	cur := filepath.Join(in.content(), currentLink)
	prevTarget, _ := os.Readlink(cur)
	if prevTarget != "" && prevTarget != rel {
		if err := setLink(filepath.Join(in.content(), prevLink), prevTarget); err != nil {
			return Release{}, fmt.Errorf("updates: keep previous release: %w", err)
		}
	}
	in.step("previous-kept")
	pend := prevTarget
	if pend == "" {
		pend = "-"
	}
	if err := writeFileSynced(filepath.Join(in.content(), pendingFile), []byte(rel+"\n"+pend+"\n"), 0o644); err != nil {
		return Release{}, fmt.Errorf("updates: %w", err)
	}
	if err := setLink(cur, rel); err != nil {
		return Release{}, fmt.Errorf("updates: activate: %w", err)
	}
	in.step("swapped")
	r, err := describe(final)
	if err != nil {
		return Release{}, err
	}
	{
		if herr := in.ix.Health(final); herr != nil {
			in.step("unhealthy")
			writeFileSynced(filepath.Join(in.content(), failedFile), []byte(r.IndexSHA256+"\n"), 0o644)
			os.Remove(filepath.Join(in.content(), pendingFile))
			if prevTarget == "" || prevTarget == rel {
				return r, fmt.Errorf("updates: release %s failed its health check and there is no previous release to go back to: %w", r.Version, herr)
			}
			if err := setLink(cur, prevTarget); err != nil {
				return r, fmt.Errorf("updates: release %s failed its health check (%v) and rollback failed: %w", r.Version, herr, err)
			}
			in.step("rolled-back")
			os.RemoveAll(final)
			syncDir(rels)
			if in.logf != nil {
				in.logf("release %s failed its health check (%v): rolled back to %s", r.Version, herr, filepath.Base(prevTarget))
			}
			return r, fmt.Errorf("updates: release %s failed its health check, rolled back to %s: %w", r.Version, filepath.Base(prevTarget), herr)
		}
	}
	in.step("healthy")
	os.Remove(filepath.Join(in.content(), failedFile))
	os.Remove(filepath.Join(in.content(), pendingFile))
	syncDir(in.content())
	in.gc()
	return r, nil
}

// finishPending completes an activation that a crash interrupted between
// the swap and the end of the health check: the release is checked now and
// rolled back if it fails, so an unchecked release never stays active.
func (in *installer) finishPending() error {
	raw, err := os.ReadFile(filepath.Join(in.content(), pendingFile))
	if err != nil {
		return nil
	}
	lines := strings.Fields(string(raw))
	cur, _ := os.Readlink(filepath.Join(in.content(), currentLink))
	if len(lines) != 2 || cur != lines[0] {
		os.Remove(filepath.Join(in.content(), pendingFile)) // the swap never happened
		return nil
	}
	dir := filepath.Join(in.content(), cur)
	var herr error
	if _, err := bundle.Open(dir); err != nil {
		herr = err
	} else {
		herr = in.ix.Health(dir)
	}
	if herr == nil {
		if in.logf != nil {
			in.logf("release %s activated before a restart passed its health check now", filepath.Base(cur))
		}
		os.Remove(filepath.Join(in.content(), pendingFile))
		return syncDir(in.content())
	}
	if r, err := describe(dir); err == nil {
		writeFileSynced(filepath.Join(in.content(), failedFile), []byte(r.IndexSHA256+"\n"), 0o644)
	}
	if lines[1] == "-" {
		return fmt.Errorf("updates: release %s (activated before a restart) fails its health check and there is nothing to go back to: %w", filepath.Base(cur), herr)
	}
	if err := setLink(filepath.Join(in.content(), currentLink), lines[1]); err != nil {
		return fmt.Errorf("updates: roll back unhealthy release %s: %w", filepath.Base(cur), err)
	}
	os.Remove(filepath.Join(in.content(), pendingFile))
	syncDir(in.content())
	if in.logf != nil {
		in.logf("release %s (activated before a restart) failed its health check (%v): rolled back to %s", filepath.Base(cur), herr, filepath.Base(lines[1]))
	}
	return nil
}

// Recover finishes an activation interrupted by a crash or power cut
// (health-checks a release swapped in but never checked, rolling back if it
// fails). Update and InstallLocal do it themselves; the kiosk calls it at
// boot before loading ActiveDir.
func Recover(state string, ix Indexer, logf func(format string, args ...any)) error {
	if ix == nil {
		return errNoIndexer
	}
	unlock, err := lockState(state)
	if err != nil {
		return err
	}
	defer unlock()
	return (&installer{state: state, ix: ix, logf: logf}).finishPending()
}

// gc removes releases that are neither current nor previous, and staging.
func (in *installer) gc() {
	keep := map[string]bool{}
	for _, l := range []string{currentLink, prevLink} {
		if t, err := os.Readlink(filepath.Join(in.content(), l)); err == nil {
			keep[filepath.Base(t)] = true
		}
	}
	rels := filepath.Join(in.content(), releasesDir)
	entries, _ := os.ReadDir(rels)
	for _, e := range entries {
		if !keep[e.Name()] {
			os.RemoveAll(filepath.Join(rels, e.Name()))
		}
	}
	syncDir(rels)
}

// failedIndex returns the index hash of the last release that failed its
// health check ("" if none): it is not installed again.
func (in *installer) failedIndex() string {
	raw, _ := os.ReadFile(filepath.Join(in.content(), failedFile))
	return strings.TrimSpace(string(raw))
}

// InstallLocal seeds STATE from a bundle directory (the content shipped in
// the image) when the state has no usable active release; it never replaces
// an active release (updates own that). It copies the bundle into a staging
// dir, verifies it, runs prepare, swaps it in and runs health.
func InstallLocal(state, bundleDir string, ix Indexer) (Result, error) {
	return installLocal(state, bundleDir, ix, nil)
}

func installLocal(state, bundleDir string, ix Indexer, hook func(string)) (Result, error) {
	if ix == nil {
		return Result{}, errNoIndexer
	}
	unlock, err := lockState(state)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	if err := (&installer{state: state, ix: ix}).finishPending(); err != nil {
		return Result{}, err
	}
	if r, err := ActiveRelease(state); err == nil {
		return Result{Source: bundleDir, Version: r.Version, Release: r}, nil
	}
	b, err := bundle.Open(bundleDir)
	if err != nil {
		return Result{}, fmt.Errorf("updates: seed content %s does not verify: %w", bundleDir, err)
	}
	raw, err := os.ReadFile(filepath.Join(bundleDir, bundle.IndexName))
	if err != nil {
		return Result{}, err
	}
	name := releaseName(b.Index.Version, bundle.Hash(raw))
	in := &installer{state: state, ix: ix, hook: hook}
	staging, err := in.staging(name)
	if err != nil {
		return Result{}, err
	}
	for _, f := range b.Index.Files {
		dst := filepath.Join(staging, bundle.ObjectsDir, f.SHA256)
		if _, err := os.Stat(dst); err == nil {
			continue
		}
		if err := linkOrCopy(filepath.Join(bundleDir, filepath.FromSlash(bundle.ObjectPath(f.SHA256))), dst); err != nil {
			return Result{}, fmt.Errorf("updates: seed: %w", err)
		}
	}
	if err := writeFileSynced(filepath.Join(staging, bundle.IndexName), raw, 0o644); err != nil {
		return Result{}, err
	}
	r, err := in.activate(staging, name)
	res := Result{Source: bundleDir, Changed: err == nil, Version: r.Version, Release: r}
	return res, err
}

// FallBack makes the previous release active again when the active one
// cannot be served (the kiosk could neither open nor rebuild its index):
// the active one is recorded as failed, so no update installs it again, and
// "previous" is cleared. It returns the release now active; the caller
// opens (and if need be repairs) it. Without a previous release it changes
// nothing and says so.
func FallBack(state string, why error) (Release, error) {
	unlock, err := lockState(state)
	if err != nil {
		return Release{}, err
	}
	defer unlock()
	in := &installer{state: state}
	prev, err := os.Readlink(filepath.Join(in.content(), prevLink))
	if err != nil {
		return Release{}, fmt.Errorf("updates: the active release cannot be served (%v) and there is no previous release to go back to", why)
	}
	cur, _ := os.Readlink(filepath.Join(in.content(), currentLink))
	if cur == prev {
		return Release{}, fmt.Errorf("updates: the active release cannot be served (%v) and the previous release is the same one", why)
	}
	if r, err := describe(filepath.Join(in.content(), cur)); err == nil && cur != "" {
		if err := writeFileSynced(filepath.Join(in.content(), failedFile), []byte(r.IndexSHA256+"\n"), 0o644); err != nil {
			return Release{}, fmt.Errorf("updates: %w", err)
		}
	}
	if err := setLink(filepath.Join(in.content(), currentLink), prev); err != nil {
		return Release{}, fmt.Errorf("updates: fall back to %s: %w", filepath.Base(prev), err)
	}
	os.Remove(filepath.Join(in.content(), prevLink))
	os.Remove(filepath.Join(in.content(), pendingFile))
	if err := syncDir(in.content()); err != nil {
		return Release{}, err
	}
	return describe(filepath.Join(in.content(), prev))
}

// Abandon gives up every installed release when none can be served (the
// kiosk could neither open, rebuild nor fall back): the active one is
// recorded as failed, so no update installs it again, and the current and
// previous links are removed. The state then has no active release: the
// kiosk seeds again from the content in its image instead of exiting at
// every start. The release directories are left for the next gc.
func Abandon(state string, why error) error {
	unlock, err := lockState(state)
	if err != nil {
		return err
	}
	defer unlock()
	in := &installer{state: state}
	cur, _ := os.Readlink(filepath.Join(in.content(), currentLink))
	if cur != "" {
		if r, err := describe(filepath.Join(in.content(), cur)); err == nil {
			if err := writeFileSynced(filepath.Join(in.content(), failedFile), []byte(r.IndexSHA256+"\n"), 0o644); err != nil {
				return fmt.Errorf("updates: abandon: %w", err)
			}
		}
	}
	for _, l := range []string{currentLink, prevLink, pendingFile} {
		if err := os.Remove(filepath.Join(in.content(), l)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("updates: abandon (%v): %w", why, err)
		}
	}
	return syncDir(in.content())
}
