package updates

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"sapar/content/atomicfile"
)

// FirmwarePackage is the Debian package a kiosk updates itself with.
const FirmwarePackage = "sapar"

// TargetFirmwarePrefix starts the firmware targets: one per architecture,
// firmware/<arch>/sapar.deb (REPO/targets/firmware/<arch>/<sha256>.sapar.deb
// with consistent snapshots).
const TargetFirmwarePrefix = "firmware/"

// FirmwareTarget is the target path of the firmware for a Debian arch.
func FirmwareTarget(arch string) string {
	return TargetFirmwarePrefix + arch + "/" + FirmwarePackage + ".deb"
}

// TargetMeta is the custom metadata of a rollout-controlled target (the
// content index and each firmware package), signed with the targets role.
type TargetMeta struct {
	Kind    string `json:"kind"`              // "content" or "firmware"
	Version string `json:"version,omitempty"` // bundle version or Debian package version
	Package string `json:"package,omitempty"` // firmware: the Debian package name
	Arch    string `json:"arch,omitempty"`    // firmware: Debian architecture
	// Rollout is the share of kiosks (0–100) that take the target; absent:
	// 100 (repositories published before rollouts existed).
	Rollout *int `json:"rollout,omitempty"`
}

// Percent is the rollout, 100 when the publisher set none.
func (m TargetMeta) Percent() int {
	if m.Rollout == nil {
		return 100
	}
	return *m.Rollout
}

func targetMeta(tf *metadata.TargetFiles) TargetMeta {
	var m TargetMeta
	if tf != nil && tf.Custom != nil {
		json.Unmarshal(*tf.Custom, &m)
	}
	return m
}

func setTargetMeta(tf *metadata.TargetFiles, m TargetMeta) {
	raw, _ := json.Marshal(m)
	r := json.RawMessage(raw)
	tf.Custom = &r
}

func checkRollout(p int) error {
	if p < 0 || p > 100 {
		return fmt.Errorf("rollout %d%%: want a percentage from 0 (paused) to 100 (every kiosk)", p)
	}
	return nil
}

// FirmwareResult says what PublishFirmware did.
type FirmwareResult struct {
	Info           DebInfo
	Target         string
	Rollout        int
	Previous       string // version this replaced for the arch ("" if none)
	TargetsVersion int64
}

// PublishFirmware adds a .deb as the firmware target of its architecture
// (read from the package), replacing the previous one for that arch, with
// version, arch and rollout in the target's custom metadata. The content
// bundle and other architectures are left as they are. A package that is
// not a .deb, is not "sapar", is for "all"/several architectures, or is not
// newer than what is published for its arch is refused: nothing is written.
func (p *Publisher) PublishFirmware(debPath string, rollout int) (FirmwareResult, error) {
	var res FirmwareResult
	if err := checkRollout(rollout); err != nil {
		return res, fmt.Errorf("publish firmware: %w", err)
	}
	if !strings.HasSuffix(debPath, ".deb") {
		return res, fmt.Errorf("publish firmware: %s: not a .deb file name (give the sapar_VERSION_ARCH.deb that systemd/package.sh built)", debPath)
	}
	info, err := ReadDebInfo(debPath)
	if err != nil {
		return res, fmt.Errorf("publish firmware: %w", err)
	}
	res.Info, res.Rollout = info, rollout
	if info.Package != FirmwarePackage {
		return res, fmt.Errorf("publish firmware: %s is package %q; kiosks install only %q", debPath, info.Package, FirmwarePackage)
	}
	if info.Architecture == "all" || info.Architecture == "any" || strings.ContainsAny(info.Architecture, " /,") {
		return res, fmt.Errorf("publish firmware: %s has Architecture %q; publish one package per Debian architecture (amd64, arm64, armhf)", debPath, info.Architecture)
	}
	st, err := p.load()
	if err != nil {
		return res, err
	}
	tk, sk, tsk, err := p.targetsSigners(st)
	if err != nil {
		return res, err
	}
	name := FirmwareTarget(info.Architecture)
	res.Target = name
	if old, ok := st.targets.Signed.Targets[name]; ok {
		om := targetMeta(old)
		res.Previous = om.Version
		if c, err := CompareDebVersions(info.Version, om.Version); err == nil && c <= 0 {
			return res, fmt.Errorf("publish firmware: %s is version %s, but %s is already published for %s; kiosks refuse a lower or equal version: build the package with a higher Version", debPath, info.Version, om.Version, info.Architecture)
		}
	}
	f, err := os.Open(debPath)
	if err != nil {
		return res, fmt.Errorf("publish firmware: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return res, fmt.Errorf("publish firmware: %w", err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	dir := filepath.Join(p.targetsDir(), filepath.Dir(name))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, fmt.Errorf("publish firmware: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return res, err
	}
	if err := atomicfile.Copy(filepath.Join(dir, sum+"."+filepath.Base(name)), f, 0o644); err != nil {
		return res, fmt.Errorf("publish firmware: %w", err)
	}
	tf := &metadata.TargetFiles{Length: n, Hashes: metadata.Hashes{"sha256": mustHex(sum)}, Path: name}
	setTargetMeta(tf, TargetMeta{Kind: "firmware", Version: info.Version, Package: info.Package, Arch: info.Architecture, Rollout: &rollout})
	st.targets.Signed.Targets[name] = tf
	if err := p.writeTargetsChain(st, tk, sk, tsk, p.expiries(), true); err != nil {
		return res, err
	}
	res.TargetsVersion = st.targets.Signed.Version
	p.logf("published firmware %s %s for %s (%d bytes) at %d%% rollout, targets v%d", info.Package, info.Version, info.Architecture, n, rollout, res.TargetsVersion)
	return res, nil
}

func (p *Publisher) targetsSigners(st *repoState) (tk, sk, tsk []*signingKey, err error) {
	if tk, err = p.signersFor(st, metadata.TARGETS); err != nil {
		return
	}
	if sk, err = p.signersFor(st, metadata.SNAPSHOT); err != nil {
		return
	}
	tsk, err = p.signersFor(st, metadata.TIMESTAMP)
	return
}

// SetRollout changes the rollout of the content bundle (arch "") or of the
// firmware for arch, and re-signs targets, snapshot and timestamp. Kiosks
// that already took the release keep it (a lower percentage only stops
// further kiosks from taking it).
func (p *Publisher) SetRollout(kind, arch string, percent int) (Rollout, error) {
	if err := checkRollout(percent); err != nil {
		return Rollout{}, fmt.Errorf("publish rollout: %w", err)
	}
	st, err := p.load()
	if err != nil {
		return Rollout{}, err
	}
	var name string
	switch kind {
	case "content":
		name = TargetIndex
	case "firmware":
		if arch == "" {
			return Rollout{}, fmt.Errorf("publish rollout: firmware needs its architecture (amd64, arm64, armhf)")
		}
		name = FirmwareTarget(arch)
	default:
		return Rollout{}, fmt.Errorf("publish rollout: %q: want content or firmware ARCH", kind)
	}
	tf, ok := st.targets.Signed.Targets[name]
	if !ok {
		if kind == "content" {
			return Rollout{}, fmt.Errorf("publish rollout: no content bundle is published (sapar publish add first)")
		}
		return Rollout{}, fmt.Errorf("publish rollout: no firmware is published for %s (published: %s)", arch, strings.Join(p.firmwareArches(st), ", "))
	}
	tk, sk, tsk, err := p.targetsSigners(st)
	if err != nil {
		return Rollout{}, err
	}
	m := targetMeta(tf)
	was := m.Percent()
	if m.Kind == "" {
		m.Kind = kind
	}
	m.Rollout = &percent
	setTargetMeta(tf, m)
	if err := p.writeTargetsChain(st, tk, sk, tsk, p.expiries(), true); err != nil {
		return Rollout{}, err
	}
	if percent < was {
		p.logf("warning: rollout lowered from %d%% to %d%%: kiosks that already took %s keep it", was, percent, m.Version)
	}
	p.logf("%s %s: rollout %d%% → %d%%, targets v%d", name, m.Version, was, percent, st.targets.Signed.Version)
	return rolloutOf(name, tf), nil
}

func (p *Publisher) firmwareArches(st *repoState) []string {
	var a []string
	for name := range st.targets.Signed.Targets {
		if strings.HasPrefix(name, TargetFirmwarePrefix) {
			a = append(a, targetMeta(st.targets.Signed.Targets[name]).Arch)
		}
	}
	sort.Strings(a)
	if len(a) == 0 {
		return []string{"none"}
	}
	return a
}

// Rollout is one rollout-controlled target as `publish status` shows it.
type Rollout struct {
	Target  string
	Kind    string
	Arch    string
	Version string
	Percent int
	Length  int64
}

func rolloutOf(name string, tf *metadata.TargetFiles) Rollout {
	m := targetMeta(tf)
	kind := m.Kind
	if kind == "" {
		kind = "content"
		if strings.HasPrefix(name, TargetFirmwarePrefix) {
			kind = "firmware"
		}
	}
	return Rollout{Target: name, Kind: kind, Arch: m.Arch, Version: m.Version, Percent: m.Percent(), Length: tf.Length}
}

// Rollouts lists the content bundle and each firmware package with their
// rollout percentages.
func (p *Publisher) Rollouts() ([]Rollout, error) {
	st, err := p.load()
	if err != nil {
		return nil, err
	}
	var out []Rollout
	for name, tf := range st.targets.Signed.Targets {
		if name == TargetIndex || strings.HasPrefix(name, TargetFirmwarePrefix) {
			out = append(out, rolloutOf(name, tf))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Target < out[j].Target })
	return out, nil
}
