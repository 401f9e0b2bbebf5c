package updates

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"sapar/content/bundle"
)

// Target paths inside the TUF repository. Every object is its own target,
// so a one-guide change is one new target; the index names them all.
const (
	TargetIndex        = "bundle/" + bundle.IndexName
	TargetObjectPrefix = "bundle/" + bundle.ObjectsDir + "/"
)

// signedAtField is a custom field in the signed part of timestamp.json: the
// time the publisher signed it. Being signed, it lets a kiosk without a
// real-time clock learn a verified lower bound of the current time.
const signedAtField = "x-sapar-signed-at"

// Roles in the order a publisher thinks of them.
var roles = []string{metadata.ROOT, metadata.TARGETS, metadata.SNAPSHOT, metadata.TIMESTAMP}

// Expiries are the lifetimes given to newly signed metadata.
type Expiries struct {
	Root, Targets, Snapshot, Timestamp time.Duration
}

// DefaultExpiries: root is signed offline about once a year; targets when
// editors publish (at least quarterly); snapshot and timestamp keys are
// online, the timestamp refreshed daily by a timer so a frozen mirror is
// noticed within a day.
func DefaultExpiries() Expiries {
	return Expiries{Root: 365 * day, Targets: 90 * day, Snapshot: 21 * day, Timestamp: 1 * day}
}

const day = 24 * time.Hour

func (e Expiries) of(role string) time.Duration {
	switch role {
	case metadata.ROOT:
		return e.Root
	case metadata.TARGETS:
		return e.Targets
	case metadata.SNAPSHOT:
		return e.Snapshot
	default:
		return e.Timestamp
	}
}

// InitOptions configures a new repository.
type InitOptions struct {
	// Thresholds per role (root 2 of 3 in production, 1 for a demo).
	Thresholds map[string]int
	// Keys per role; at least the threshold (defaults to it).
	KeyCounts map[string]int
	Expiries  Expiries
}

// Publisher writes and signs a static TUF repository.
type Publisher struct {
	Repo  string           // REPO: metadata/ and targets/, served as static files
	Keys  string           // KEYS: private keys, never inside REPO
	Clock func() time.Time // nil: time.Now
	Logf  func(format string, args ...any)
}

type publisherSettings struct {
	Expiries map[string]string `json:"expiries"`
}

func (p *Publisher) now() time.Time {
	if p.Clock != nil {
		return p.Clock().UTC().Truncate(time.Second)
	}
	return time.Now().UTC().Truncate(time.Second)
}

func (p *Publisher) logf(format string, args ...any) {
	if p.Logf != nil {
		p.Logf(format, args...)
	}
}

func (p *Publisher) metaDir() string    { return filepath.Join(p.Repo, "metadata") }
func (p *Publisher) targetsDir() string { return filepath.Join(p.Repo, "targets") }

func (p *Publisher) checkPaths() error {
	if p.Repo == "" || p.Keys == "" {
		return errors.New("publish: --repo and --keys are both required")
	}
	r, err1 := filepath.Abs(p.Repo)
	k, err2 := filepath.Abs(p.Keys)
	if err1 != nil || err2 != nil {
		return errors.New("publish: cannot resolve --repo/--keys")
	}
	if k == r || strings.HasPrefix(k+"/", r+"/") {
		return fmt.Errorf("publish: keys directory %s is inside the repository %s: private keys would be served to everyone; choose a directory outside it", k, r)
	}
	return nil
}

func (p *Publisher) settingsFile() string { return filepath.Join(p.Keys, "settings.json") }

func (p *Publisher) expiries() Expiries {
	e := DefaultExpiries()
	raw, err := os.ReadFile(p.settingsFile())
	if err != nil {
		return e
	}
	var s publisherSettings
	if json.Unmarshal(raw, &s) != nil {
		return e
	}
	for role, v := range s.Expiries {
		d, err := ParseDuration(v)
		if err != nil || d <= 0 {
			continue
		}
		switch role {
		case metadata.ROOT:
			e.Root = d
		case metadata.TARGETS:
			e.Targets = d
		case metadata.SNAPSHOT:
			e.Snapshot = d
		case metadata.TIMESTAMP:
			e.Timestamp = d
		}
	}
	return e
}

// ParseDuration accepts Go durations plus a day suffix: "365d", "12h", "1d12h".
func ParseDuration(s string) (time.Duration, error) {
	if i := strings.Index(s, "d"); i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		rest := time.Duration(0)
		if s[i+1:] != "" {
			if rest, err = time.ParseDuration(s[i+1:]); err != nil {
				return 0, fmt.Errorf("bad duration %q", s)
			}
		}
		return time.Duration(n)*day + rest, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad duration %q (use e.g. 365d, 21d, 24h)", s)
	}
	return d, nil
}

// repoState is the current signed metadata of the repository.
type repoState struct {
	root      *metadata.Metadata[metadata.RootType]
	targets   *metadata.Metadata[metadata.TargetsType]
	snapshot  *metadata.Metadata[metadata.SnapshotType]
	timestamp *metadata.Metadata[metadata.TimestampType]
}

// Init creates keys and an empty, signed repository.
func (p *Publisher) Init(opts InitOptions) error {
	if err := p.checkPaths(); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(p.metaDir(), "root.json")); err == nil {
		return fmt.Errorf("publish init: %s already holds a repository; use add, timestamp or rotate", p.Repo)
	}
	if opts.Expiries == (Expiries{}) {
		opts.Expiries = DefaultExpiries()
	}
	for _, d := range []string{p.metaDir(), p.targetsDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("publish init: %w", err)
		}
	}
	if err := os.MkdirAll(p.Keys, 0o700); err != nil {
		return fmt.Errorf("publish init: %w", err)
	}
	set := publisherSettings{Expiries: map[string]string{}}
	for _, r := range roles {
		set.Expiries[r] = opts.Expiries.of(r).String()
	}
	raw, _ := json.MarshalIndent(set, "", "  ")
	if err := writeFileSynced(p.settingsFile(), append(raw, '\n'), 0o600); err != nil {
		return fmt.Errorf("publish init: %w", err)
	}
	now := p.now()
	root := metadata.Root(now.Add(opts.Expiries.Root))
	signers := map[string][]*signingKey{}
	for _, r := range roles {
		th := opts.Thresholds[r]
		if th < 1 {
			th = 1
		}
		n := opts.KeyCounts[r]
		if n < th {
			n = th
		}
		for i := 0; i < n; i++ {
			k, err := generateKey(p.Keys, r)
			if err != nil {
				return fmt.Errorf("publish init: %w", err)
			}
			if err := root.Signed.AddKey(k.pub, r); err != nil {
				return fmt.Errorf("publish init: %w", err)
			}
			signers[r] = append(signers[r], k)
		}
		root.Signed.Roles[r].Threshold = th
	}
	st := &repoState{root: root}
	st.targets = metadata.Targets(now.Add(opts.Expiries.Targets))
	if err := p.signAndWriteRoot(root, signers[metadata.ROOT], nil); err != nil {
		return err
	}
	if err := p.writeTargetsChain(st, signers[metadata.TARGETS], signers[metadata.SNAPSHOT], signers[metadata.TIMESTAMP], opts.Expiries, false); err != nil {
		return err
	}
	p.logf("initialised repository %s (root threshold %d of %d); keys in %s", p.Repo,
		root.Signed.Roles[metadata.ROOT].Threshold, len(root.Signed.Roles[metadata.ROOT].KeyIDs), p.Keys)
	return nil
}

// load reads the current metadata chain from REPO/metadata.
func (p *Publisher) load() (*repoState, error) {
	if err := p.checkPaths(); err != nil {
		return nil, err
	}
	st := &repoState{}
	var err error
	if st.root, err = metadata.Root().FromFile(filepath.Join(p.metaDir(), "root.json")); err != nil {
		return nil, fmt.Errorf("publish: no repository at %s (run sapar publish init first): %w", p.Repo, err)
	}
	if st.timestamp, err = metadata.Timestamp().FromFile(filepath.Join(p.metaDir(), "timestamp.json")); err != nil {
		return nil, fmt.Errorf("publish: read timestamp: %w", err)
	}
	sv := st.timestamp.Signed.Meta["snapshot.json"].Version
	if st.snapshot, err = metadata.Snapshot().FromFile(filepath.Join(p.metaDir(), fmt.Sprintf("%d.snapshot.json", sv))); err != nil {
		return nil, fmt.Errorf("publish: read snapshot: %w", err)
	}
	tv := st.snapshot.Signed.Meta["targets.json"].Version
	if st.targets, err = metadata.Targets().FromFile(filepath.Join(p.metaDir(), fmt.Sprintf("%d.targets.json", tv))); err != nil {
		return nil, fmt.Errorf("publish: read targets: %w", err)
	}
	return st, nil
}

func (p *Publisher) signersFor(st *repoState, role string) ([]*signingKey, error) {
	r := st.root.Signed.Roles[role]
	ks, err := loadKeys(p.Keys, role, r.KeyIDs)
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	if len(ks) < r.Threshold {
		return nil, fmt.Errorf("publish: %d of the %d %s keys needed are in %s: bring the %s key directory (offline media) and retry",
			len(ks), r.Threshold, role, keyDir(p.Keys, role), role)
	}
	return ks, nil
}

func sign[T metadata.Roles](m *metadata.Metadata[T], keys []*signingKey) error {
	m.ClearSignatures()
	for _, k := range keys {
		if _, err := m.Sign(k.signer); err != nil {
			return fmt.Errorf("sign: %w", err)
		}
	}
	return nil
}

func (p *Publisher) signAndWriteRoot(root *metadata.Metadata[metadata.RootType], keys, oldKeys []*signingKey) error {
	all := append([]*signingKey{}, oldKeys...)
	seen := map[string]bool{}
	for _, k := range oldKeys {
		seen[k.id] = true
	}
	for _, k := range keys {
		if !seen[k.id] {
			all = append(all, k)
		}
	}
	if err := sign(root, all); err != nil {
		return fmt.Errorf("publish: root: %w", err)
	}
	raw, err := root.ToBytes(true)
	if err != nil {
		return err
	}
	if err := writeFileSynced(filepath.Join(p.metaDir(), fmt.Sprintf("%d.root.json", root.Signed.Version)), raw, 0o644); err != nil {
		return fmt.Errorf("publish: write root: %w", err)
	}
	return writeFileSynced(filepath.Join(p.metaDir(), "root.json"), raw, 0o644)
}

func metaFileFor(version int64, raw []byte) *metadata.MetaFiles {
	m := metadata.MetaFile(version)
	m.Length = int64(len(raw))
	m.Hashes = metadata.Hashes{"sha256": mustHex(bundle.Hash(raw))}
	return m
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err) // only called on our own sha256 output
	}
	return b
}

// writeTargetsChain signs (if newTargets) targets, then snapshot, then
// timestamp, writing each before the role that points at it, so a mirror
// that syncs in file order never serves a timestamp naming a missing file.
func (p *Publisher) writeTargetsChain(st *repoState, tk, sk, tsk []*signingKey, exp Expiries, bump bool) error {
	now := p.now()
	if bump {
		st.targets.Signed.Version++
	}
	st.targets.Signed.Expires = now.Add(exp.Targets)
	if err := sign(st.targets, tk); err != nil {
		return fmt.Errorf("publish: targets: %w", err)
	}
	traw, err := st.targets.ToBytes(false) // compact: it lists every object, kiosks fetch it on each change
	if err != nil {
		return err
	}
	if err := writeFileSynced(filepath.Join(p.metaDir(), fmt.Sprintf("%d.targets.json", st.targets.Signed.Version)), traw, 0o644); err != nil {
		return fmt.Errorf("publish: write targets: %w", err)
	}
	if st.snapshot == nil {
		st.snapshot = metadata.Snapshot(now)
		st.snapshot.Signed.Version = 0
	}
	st.snapshot.Signed.Meta["targets.json"] = metaFileFor(st.targets.Signed.Version, traw)
	return p.writeSnapshotChain(st, sk, tsk, exp)
}

func (p *Publisher) writeSnapshotChain(st *repoState, sk, tsk []*signingKey, exp Expiries) error {
	now := p.now()
	st.snapshot.Signed.Version++
	st.snapshot.Signed.Expires = now.Add(exp.Snapshot)
	if err := sign(st.snapshot, sk); err != nil {
		return fmt.Errorf("publish: snapshot: %w", err)
	}
	sraw, err := st.snapshot.ToBytes(false)
	if err != nil {
		return err
	}
	if err := writeFileSynced(filepath.Join(p.metaDir(), fmt.Sprintf("%d.snapshot.json", st.snapshot.Signed.Version)), sraw, 0o644); err != nil {
		return fmt.Errorf("publish: write snapshot: %w", err)
	}
	if st.timestamp == nil {
		st.timestamp = metadata.Timestamp(now)
		st.timestamp.Signed.Version = 0
	}
	st.timestamp.Signed.Meta["snapshot.json"] = metaFileFor(st.snapshot.Signed.Version, sraw)
	return p.writeTimestamp(st, tsk, exp)
}

func (p *Publisher) writeTimestamp(st *repoState, tsk []*signingKey, exp Expiries) error {
	now := p.now()
	st.timestamp.Signed.Version++
	st.timestamp.Signed.Expires = now.Add(exp.Timestamp)
	if st.timestamp.Signed.UnrecognizedFields == nil {
		st.timestamp.Signed.UnrecognizedFields = map[string]any{}
	}
	st.timestamp.Signed.UnrecognizedFields[signedAtField] = now.Format(time.RFC3339)
	if err := sign(st.timestamp, tsk); err != nil {
		return fmt.Errorf("publish: timestamp: %w", err)
	}
	raw, err := st.timestamp.ToBytes(false) // compact: fetched every cycle
	if err != nil {
		return err
	}
	if err := writeFileSynced(filepath.Join(p.metaDir(), "timestamp.json"), raw, 0o644); err != nil {
		return fmt.Errorf("publish: write timestamp: %w", err)
	}
	return nil
}

// AddResult says what a publish changed.
type AddResult struct {
	Version        string
	TargetsVersion int64
	Objects        int // distinct objects in the bundle
	NewObjects     int // objects not already in the repository
}

// Add publishes a bundle: every object and the index become targets (the
// targets role lists exactly this bundle), files are copied under
// REPO/targets with their hash prefix, then targets, snapshot and timestamp
// are signed.
func (p *Publisher) Add(bundleDir string) (AddResult, error) { return p.AddRollout(bundleDir, 100) }

// AddRollout is Add with the share of kiosks (0–100) that take the bundle
// (sapar publish rollout raises it later). Firmware targets are kept.
func (p *Publisher) AddRollout(bundleDir string, rollout int) (AddResult, error) {
	if err := checkRollout(rollout); err != nil {
		return AddResult{}, fmt.Errorf("publish add: %w", err)
	}
	st, err := p.load()
	if err != nil {
		return AddResult{}, err
	}
	b, err := bundle.Open(bundleDir)
	if err != nil {
		return AddResult{}, fmt.Errorf("publish add: bundle does not verify, nothing published: %w", err)
	}
	tk, err := p.signersFor(st, metadata.TARGETS)
	if err != nil {
		return AddResult{}, err
	}
	sk, err := p.signersFor(st, metadata.SNAPSHOT)
	if err != nil {
		return AddResult{}, err
	}
	tsk, err := p.signersFor(st, metadata.TIMESTAMP)
	if err != nil {
		return AddResult{}, err
	}
	res := AddResult{Version: b.Index.Version}
	objDir := filepath.Join(p.targetsDir(), "bundle", bundle.ObjectsDir)
	if err := os.MkdirAll(objDir, 0o755); err != nil {
		return res, fmt.Errorf("publish add: %w", err)
	}
	targets := map[string]*metadata.TargetFiles{}
	for _, f := range b.Index.Files {
		name := TargetObjectPrefix + f.SHA256
		if _, dup := targets[name]; dup {
			continue
		}
		res.Objects++
		targets[name] = &metadata.TargetFiles{Length: f.Size, Hashes: metadata.Hashes{"sha256": mustHex(f.SHA256)}, Path: name}
		dst := filepath.Join(objDir, f.SHA256+"."+f.SHA256)
		if _, err := os.Stat(dst); err == nil {
			continue
		}
		data, err := b.ReadFile(f.Path)
		if err != nil {
			return res, fmt.Errorf("publish add: %w", err)
		}
		if err := writeFileSynced(dst, data, 0o644); err != nil {
			return res, fmt.Errorf("publish add: %w", err)
		}
		res.NewObjects++
	}
	idxRaw, err := os.ReadFile(filepath.Join(bundleDir, bundle.IndexName))
	if err != nil {
		return res, fmt.Errorf("publish add: %w", err)
	}
	isum := bundle.Hash(idxRaw)
	if err := writeFileSynced(filepath.Join(p.targetsDir(), "bundle", isum+"."+bundle.IndexName), idxRaw, 0o644); err != nil {
		return res, fmt.Errorf("publish add: %w", err)
	}
	targets[TargetIndex] = &metadata.TargetFiles{Length: int64(len(idxRaw)), Hashes: metadata.Hashes{"sha256": mustHex(isum)}, Path: TargetIndex}
	setTargetMeta(targets[TargetIndex], TargetMeta{Kind: "content", Version: b.Index.Version, Rollout: &rollout})
	for name, tf := range st.targets.Signed.Targets {
		if strings.HasPrefix(name, TargetFirmwarePrefix) {
			targets[name] = tf // a content release leaves the firmware as published
		}
	}
	st.targets.Signed.Targets = targets
	if err := p.writeTargetsChain(st, tk, sk, tsk, p.expiries(), true); err != nil {
		return res, err
	}
	res.TargetsVersion = st.targets.Signed.Version
	p.logf("published bundle %s: %d objects (%d new), rollout %d%%, targets v%d, snapshot v%d, timestamp v%d",
		res.Version, res.Objects, res.NewObjects, rollout, st.targets.Signed.Version, st.snapshot.Signed.Version, st.timestamp.Signed.Version)
	return res, nil
}

// Timestamp re-signs timestamp.json (and snapshot.json when it would expire
// before the next two timestamp periods). Run it from a timer, well inside
// the timestamp lifetime.
func (p *Publisher) Timestamp() error {
	st, err := p.load()
	if err != nil {
		return err
	}
	exp := p.expiries()
	tsk, err := p.signersFor(st, metadata.TIMESTAMP)
	if err != nil {
		return err
	}
	if st.snapshot.Signed.Expires.Before(p.now().Add(2 * exp.Timestamp)) {
		sk, err := p.signersFor(st, metadata.SNAPSHOT)
		if err != nil {
			return err
		}
		p.logf("snapshot v%d expires %s: re-signing it", st.snapshot.Signed.Version, st.snapshot.Signed.Expires.Format(time.RFC3339))
		if err := p.writeSnapshotChain(st, sk, tsk, exp); err != nil {
			return err
		}
	} else if err := p.writeTimestamp(st, tsk, exp); err != nil {
		return err
	}
	p.logf("timestamp v%d expires %s", st.timestamp.Signed.Version, st.timestamp.Signed.Expires.Format(time.RFC3339))
	for _, w := range p.warnings(st, exp) {
		p.logf("warning: %s", w)
	}
	return nil
}

// Rotate replaces every key of role with fresh ones (as many as before),
// writes root N+1 signed by the old and the new root keys, and re-signs the
// metadata that the new keys now sign. The old private keys move to
// KEYS/retired.
func (p *Publisher) Rotate(role string) error {
	st, err := p.load()
	if err != nil {
		return err
	}
	r, ok := st.root.Signed.Roles[role]
	if !ok {
		return fmt.Errorf("publish rotate: unknown role %q (root, targets, snapshot, timestamp)", role)
	}
	exp := p.expiries()
	oldRoot, err := p.signersFor(st, metadata.ROOT)
	if err != nil {
		return err
	}
	old, err := loadKeys(p.Keys, role, r.KeyIDs)
	if err != nil {
		return err
	}
	n := len(r.KeyIDs)
	for _, id := range append([]string{}, r.KeyIDs...) {
		if err := st.root.Signed.RevokeKey(id, role); err != nil {
			return fmt.Errorf("publish rotate: %w", err)
		}
	}
	var fresh []*signingKey
	for i := 0; i < n; i++ {
		k, err := generateKey(p.Keys, role)
		if err != nil {
			return fmt.Errorf("publish rotate: %w", err)
		}
		if err := st.root.Signed.AddKey(k.pub, role); err != nil {
			return fmt.Errorf("publish rotate: %w", err)
		}
		fresh = append(fresh, k)
	}
	st.root.Signed.Version++
	st.root.Signed.Expires = p.now().Add(exp.Root)
	newRoot := oldRoot
	if role == metadata.ROOT {
		newRoot = fresh
	}
	if err := p.signAndWriteRoot(st.root, newRoot, oldRoot); err != nil {
		return err
	}
	for _, k := range old {
		if err := retireKey(p.Keys, k, role); err != nil {
			return fmt.Errorf("publish rotate: retire old key: %w", err)
		}
	}
	p.logf("root v%d: %s now signed by %d new key(s); old keys moved to %s", st.root.Signed.Version, role, n, filepath.Join(p.Keys, "retired"))
	// Re-sign what the rotated role signs, and everything above it.
	switch role {
	case metadata.ROOT:
		return nil
	case metadata.TIMESTAMP:
		return p.writeTimestamp(st, fresh, exp)
	}
	tsk, err := p.signersFor(st, metadata.TIMESTAMP)
	if err != nil {
		return err
	}
	sk, err := p.signersFor(st, metadata.SNAPSHOT)
	if err != nil {
		return err
	}
	if role == metadata.SNAPSHOT {
		return p.writeSnapshotChain(st, sk, tsk, exp)
	}
	return p.writeTargetsChain(st, fresh, sk, tsk, exp, true)
}

// RoleStatus describes one role of the repository.
type RoleStatus struct {
	Role       string
	Version    int64
	Expires    time.Time
	Threshold  int
	Keys       int // keys the root lists for the role
	KeysHere   int // of which private keys are present under KEYS
	Expired    bool
	ExpireSoon bool
}

// Status reports versions, expiries and which keys are at hand.
func (p *Publisher) Status() ([]RoleStatus, []string, error) {
	st, err := p.load()
	if err != nil {
		return nil, nil, err
	}
	now := p.now()
	exp := p.expiries()
	var out []RoleStatus
	for _, role := range roles {
		r := st.root.Signed.Roles[role]
		ks, _ := loadKeys(p.Keys, role, r.KeyIDs)
		rs := RoleStatus{Role: role, Threshold: r.Threshold, Keys: len(r.KeyIDs), KeysHere: len(ks)}
		switch role {
		case metadata.ROOT:
			rs.Version, rs.Expires = st.root.Signed.Version, st.root.Signed.Expires
		case metadata.TARGETS:
			rs.Version, rs.Expires = st.targets.Signed.Version, st.targets.Signed.Expires
		case metadata.SNAPSHOT:
			rs.Version, rs.Expires = st.snapshot.Signed.Version, st.snapshot.Signed.Expires
		case metadata.TIMESTAMP:
			rs.Version, rs.Expires = st.timestamp.Signed.Version, st.timestamp.Signed.Expires
		}
		rs.Expired = !rs.Expires.After(now)
		rs.ExpireSoon = !rs.Expired && rs.Expires.Sub(now) < soon(role, exp)
		out = append(out, rs)
	}
	return out, p.warnings(st, exp), nil
}

func soon(role string, exp Expiries) time.Duration {
	if role == metadata.TIMESTAMP {
		return exp.Timestamp / 2
	}
	return exp.of(role) / 4
}

func (p *Publisher) warnings(st *repoState, exp Expiries) []string {
	now := p.now()
	var w []string
	check := func(role string, v int64, t time.Time) {
		switch {
		case !t.After(now):
			w = append(w, fmt.Sprintf("%s v%d EXPIRED %s: kiosks refuse this repository until it is re-signed", role, v, t.Format(time.RFC3339)))
		case t.Sub(now) < soon(role, exp):
			w = append(w, fmt.Sprintf("%s v%d expires %s (in %s): re-sign it soon", role, v, t.Format(time.RFC3339), t.Sub(now).Round(time.Hour)))
		}
	}
	check(metadata.ROOT, st.root.Signed.Version, st.root.Signed.Expires)
	check(metadata.TARGETS, st.targets.Signed.Version, st.targets.Signed.Expires)
	check(metadata.SNAPSHOT, st.snapshot.Signed.Version, st.snapshot.Signed.Expires)
	check(metadata.TIMESTAMP, st.timestamp.Signed.Version, st.timestamp.Signed.Expires)
	sort.Strings(w)
	return w
}

// ResignTargets re-signs the current targets (same content, new version and
// expiry) and the chain above it; for the quarterly targets refresh.
func (p *Publisher) ResignTargets() error {
	st, err := p.load()
	if err != nil {
		return err
	}
	tk, err := p.signersFor(st, metadata.TARGETS)
	if err != nil {
		return err
	}
	sk, err := p.signersFor(st, metadata.SNAPSHOT)
	if err != nil {
		return err
	}
	tsk, err := p.signersFor(st, metadata.TIMESTAMP)
	if err != nil {
		return err
	}
	return p.writeTargetsChain(st, tk, sk, tsk, p.expiries(), true)
}

// ResignRoot writes root N+1 with the same keys and a fresh expiry, signed
// by the current root keys (on the offline machine, yearly).
func (p *Publisher) ResignRoot() error {
	st, err := p.load()
	if err != nil {
		return err
	}
	rk, err := p.signersFor(st, metadata.ROOT)
	if err != nil {
		return err
	}
	st.root.Signed.Version++
	st.root.Signed.Expires = p.now().Add(p.expiries().Root)
	if err := p.signAndWriteRoot(st.root, rk, nil); err != nil {
		return err
	}
	p.logf("root v%d expires %s", st.root.Signed.Version, st.root.Signed.Expires.Format(time.RFC3339))
	return nil
}
