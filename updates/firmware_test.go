package updates

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// fwFixture: a repository with content v1 and a kiosk state that has it.
func fwFixture(t *testing.T) (*fixture, *server, string) {
	f := newFixture(t, InitOptions{})
	f.publish("v1", guideFiles(3, 100, ""))
	srv := serve(t, f.pub.Repo)
	state := t.TempDir()
	if _, err := f.client(state, srv.URL).Update(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	return f, srv, state
}

func (f *fixture) firmware(version, arch string, rollout int) string {
	f.t.Helper()
	p := buildDeb(f.t, f.t.TempDir(), fmt.Sprintf("sapar_%s_%s.deb", version, arch), controlFor(version, arch), "build "+version)
	if _, err := f.pub.PublishFirmware(p, rollout); err != nil {
		f.t.Fatal(err)
	}
	return p
}

func fwClient(f *fixture, state, url, installed string, co *Cohort) *Client {
	c := f.client(state, url)
	c.Cohort = co
	c.Firmware = &FirmwareConfig{Arch: "amd64", Installed: func() (string, error) { return installed, nil }}
	return c
}

func TestFirmwareStagedForItsArchitecture(t *testing.T) {
	f, srv, state := fwFixture(t)
	f.firmware("1.1-1", "arm64", 100) // another architecture: never taken here
	res, err := fwClient(f, state, srv.URL, "1.0-1", nil).Update(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if res.Firmware.Staged != "" || !strings.Contains(res.Firmware.Note, "no firmware published for amd64") {
		t.Fatalf("arm64 package offered to an amd64 kiosk: %+v", res.Firmware)
	}
	if _, err := os.Stat(firmwarePath(state, PendingDeb)); err == nil {
		t.Fatal("staged a package of the wrong architecture")
	}
	f.firmware("1.1-1", "amd64", 100)
	res, err = fwClient(f, state, srv.URL, "1.0-1", nil).Update(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if res.Firmware.Staged != "1.1-1" {
		t.Fatalf("not staged: %+v", res.Firmware)
	}
	info, err := ReadDebInfo(firmwarePath(state, PendingDeb))
	if err != nil || info.Version != "1.1-1" || info.Architecture != "amd64" {
		t.Fatalf("pending.deb: %+v %v", info, err)
	}
	st, _ := ReadStaged(state)
	if sum, _, _ := sha256File(firmwarePath(state, PendingDeb)); st.SHA256 != sum || st.Version != "1.1-1" {
		t.Fatalf("pending.json %+v does not describe pending.deb (%s)", st, sum)
	}
	// The content stays; the status shows the firmware.
	if v := mustActive(t, state); v != "v1" {
		t.Fatalf("content %s", v)
	}
	s, _ := ReadStatus(state)
	if s.Firmware.Available != "1.1-1" || s.Firmware.Installed != "1.0-1" || s.Cohort != "late" {
		t.Fatalf("status %+v", s)
	}
	// Next cycle: already staged, nothing downloaded again.
	res, _ = fwClient(f, state, srv.URL, "1.0-1", nil).Update(ctxT(t))
	if !strings.Contains(res.Firmware.Note, "staged") {
		t.Fatalf("second cycle: %+v", res.Firmware)
	}
	// A content release keeps the firmware target.
	f.publish("v2", guideFiles(3, 100, "v2"))
	rs, _ := f.pub.Rollouts()
	if len(rs) != 3 {
		t.Fatalf("rollouts after a content release: %+v", rs)
	}
}

func TestFirmwareRefusesOlderOrEqual(t *testing.T) {
	f, srv, state := fwFixture(t)
	f.firmware("2.0-1", "amd64", 100)
	for _, inst := range []string{"2.0-1", "2.0-1+hotfix1", "1:0.1"} {
		res, err := fwClient(f, state, srv.URL, inst, nil).Update(ctxT(t))
		if err != nil || res.Firmware.Staged != "" {
			t.Fatalf("installed %s: staged %q (%v)", inst, res.Firmware.Staged, err)
		}
	}
	// The publisher refuses a lower or equal version for the arch.
	for _, v := range []string{"2.0-1", "1.9-1", "2.0~rc1-1"} {
		p := buildDeb(t, t.TempDir(), "sapar_"+v+"_amd64.deb", controlFor(v, "amd64"), "x")
		if _, err := f.pub.PublishFirmware(p, 100); err == nil || !strings.Contains(err.Error(), "lower or equal") {
			t.Errorf("publish %s over 2.0-1: %v", v, err)
		}
	}
}

func TestPublishFirmwareRefusesNonPackages(t *testing.T) {
	f := newFixture(t, InitOptions{})
	dir := t.TempDir()
	notDeb := filepath.Join(dir, "sapar_1.0_amd64.deb")
	os.WriteFile(notDeb, []byte("<html>captive portal</html>"), 0o644)
	cases := map[string]string{
		"not a .deb":       notDeb,
		"wrong extension":  filepath.Join(dir, "sapar.tar.gz"),
		"no version":       buildDeb(t, dir, "nv.deb", "Package: sapar\nArchitecture: amd64\n", ""),
		"no architecture":  buildDeb(t, dir, "na.deb", "Package: sapar\nVersion: 1.0\n", ""),
		"arch all":         buildDeb(t, dir, "all.deb", controlFor("1.0", "all"), ""),
		"another package":  buildDeb(t, dir, "x.deb", "Package: cowsay\nVersion: 1.0\nArchitecture: amd64\n", ""),
		"rollout over 100": buildDeb(t, dir, "r.deb", controlFor("1.0", "amd64"), ""),
	}
	before, _ := os.ReadFile(filepath.Join(f.pub.Repo, "metadata", "timestamp.json"))
	for name, p := range cases {
		rollout := 100
		if name == "rollout over 100" {
			rollout = 150
		}
		if _, err := f.pub.PublishFirmware(p, rollout); err == nil {
			t.Errorf("%s: published", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	after, _ := os.ReadFile(filepath.Join(f.pub.Repo, "metadata", "timestamp.json"))
	if string(before) != string(after) {
		t.Fatal("a refused package changed the repository")
	}
}

func TestRolloutPhases(t *testing.T) {
	f, srv, state := fwFixture(t)
	outside := &Cohort{Bucket: 50}
	canary := &Cohort{Bucket: 99, Group: CohortCanary}
	late := &Cohort{Bucket: 0, Group: CohortLate}
	lateState := t.TempDir()
	if _, err := f.client(lateState, srv.URL).Update(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	f.firmware("1.1", "amd64", 10)
	f.makeBundle("v2", guideFiles(3, 100, "v2"))
	if _, err := f.pub.AddRollout(filepath.Join(f.dir, "bundles", "v2"), 10); err != nil {
		t.Fatal(err)
	}
	res, err := fwClient(f, state, srv.URL, "1.0", outside).Update(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed || res.Firmware.Staged != "" || mustActive(t, state) != "v1" {
		t.Fatalf("bucket 50 took a 10%% rollout: %+v", res)
	}
	if !strings.Contains(res.ContentNote, "10%") {
		t.Fatalf("content note %q", res.ContentNote)
	}
	s, _ := ReadStatus(state)
	if s.Bucket != 50 || s.ContentNote == "" || !strings.Contains(s.Firmware.Note, "10%") {
		t.Fatalf("status %+v", s)
	}
	cstate := t.TempDir()
	res, err = fwClient(f, cstate, srv.URL, "1.0", canary).Update(ctxT(t))
	if err != nil || mustActive(t, cstate) != "v2" || res.Firmware.Staged != "1.1" {
		t.Fatalf("canary: %+v %v", res, err)
	}
	// Raising to 60%: bucket 50 takes both; the canary keeps what it has; late still waits.
	if _, err := f.pub.SetRollout("content", "", 60); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pub.SetRollout("firmware", "amd64", 60); err != nil {
		t.Fatal(err)
	}
	res, err = fwClient(f, state, srv.URL, "1.0", outside).Update(ctxT(t))
	if err != nil || mustActive(t, state) != "v2" || res.Firmware.Staged != "1.1" {
		t.Fatalf("bucket 50 at 60%%: %+v %v", res, err)
	}
	if res, _ := fwClient(f, cstate, srv.URL, "1.0", canary).Update(ctxT(t)); res.Changed {
		t.Fatal("canary re-installed its release")
	}
	if res, err := fwClient(f, lateState, srv.URL, "1.0", late).Update(ctxT(t)); err != nil || res.Changed || res.Firmware.Staged != "" {
		t.Fatalf("late kiosk took a 60%% release: %+v %v", res, err)
	}
	// A kiosk with no content at all takes the release, whatever its cohort.
	empty := t.TempDir()
	if _, err := fwClient(f, empty, srv.URL, "1.0", late).Update(ctxT(t)); err != nil || mustActive(t, empty) != "v2" {
		t.Fatalf("empty late kiosk: %v", err)
	}
	if _, err := f.pub.SetRollout("content", "", 100); err != nil {
		t.Fatal(err)
	}
	if res, err := fwClient(f, lateState, srv.URL, "1.0", late).Update(ctxT(t)); err != nil || !res.Changed {
		t.Fatalf("late kiosk at 100%%: %+v %v", res, err)
	}
	if _, err := f.pub.SetRollout("firmware", "arm64", 60); err == nil {
		t.Fatal("rollout of an unpublished arch accepted")
	}
	rs, _ := f.pub.Rollouts()
	for _, r := range rs {
		if r.Percent != map[string]int{"content": 100, "firmware": 60}[r.Kind] {
			t.Errorf("%+v", r)
		}
	}
}

// TestFirmwareBadSignature: firmware metadata signed by a key the root does
// not list is refused; nothing is staged.
func TestFirmwareBadSignature(t *testing.T) {
	f, srv, state := fwFixture(t)
	f.firmware("1.1", "amd64", 100)
	st, err := f.pub.load()
	if err != nil {
		t.Fatal(err)
	}
	rogue, err := generateKey(t.TempDir(), metadata.TARGETS)
	if err != nil {
		t.Fatal(err)
	}
	tf := st.targets.Signed.Targets[FirmwareTarget("amd64")]
	m := targetMeta(tf)
	m.Version = "9.9"
	setTargetMeta(tf, m)
	_, sk, tsk, err := f.pub.targetsSigners(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.pub.writeTargetsChain(st, []*signingKey{rogue}, sk, tsk, f.pub.expiries(), true); err != nil {
		t.Fatal(err)
	}
	res, err := fwClient(f, state, srv.URL, "1.0", nil).Update(ctxT(t))
	if err == nil || !strings.Contains(err.Error(), "signature check failed") {
		t.Fatalf("rogue-signed targets: %v", err)
	}
	if res.Firmware.Staged != "" {
		t.Fatal("staged")
	}
	if _, err := os.Stat(firmwarePath(state, PendingDeb)); err == nil {
		t.Fatal("pending.deb written")
	}
}

// fakeSystem plays dpkg and systemd: InstallDeb "installs" the file's
// version; healthy says which versions come up healthy.
type fakeSystem struct {
	installed string
	healthy   map[string]bool
	dpkgFails map[string]bool
	gaveUp    map[string]bool // systemd's start limit hit: sapar.service failed
	onInstall func()          // called at each dpkg -i
	dpkgBusy  bool            // apt holds dpkg's lock all along
	restarts  int
	calls     []string
}

func (s *fakeSystem) InstalledVersion(context.Context) (string, error) { return s.installed, nil }
func (s *fakeSystem) InstallDeb(_ context.Context, p string) error {
	info, err := ReadDebInfo(p)
	if err != nil {
		return err
	}
	s.calls = append(s.calls, "dpkg -i "+info.Version)
	if s.onInstall != nil {
		s.onInstall()
	}
	if s.dpkgBusy {
		return fmt.Errorf("dpkg -i: %w (waited 10m0s)", ErrDpkgBusy)
	}
	if s.dpkgFails[info.Version] {
		return errors.New("dpkg: error processing package sapar (--install): post-installation script returned 1")
	}
	s.installed = info.Version
	return nil
}
func (s *fakeSystem) RestartKiosk(context.Context) error {
	s.calls = append(s.calls, "restart")
	return nil
}
func (s *fakeSystem) Probe(context.Context) (int, error) {
	if s.gaveUp[s.installed] {
		return s.restarts, fmt.Errorf("sapar.service is failed (result start-limit-hit): %w", ErrKioskGaveUp)
	}
	if !s.healthy[s.installed] {
		s.restarts++ // the watchdog restarts it
		return s.restarts, fmt.Errorf("sapar.service is activating/start (%s never sent READY)", s.installed)
	}
	return s.restarts, nil
}

func (s *fakeSystem) expect(t *testing.T, calls ...string) {
	t.Helper()
	if !slices.Equal(s.calls, calls) {
		t.Fatalf("system calls %q, want %q", s.calls, calls)
	}
}

func stage(t *testing.T, state, version, arch string) {
	stagePayload(t, state, version, arch, "build "+version)
}

func stagePayload(t *testing.T, state, version, arch, payload string) {
	t.Helper()
	dir := filepath.Join(state, FirmwareDir)
	os.MkdirAll(dir, 0o755)
	p := buildDeb(t, dir, PendingDeb, controlFor(version, arch), payload)
	sum, n, _ := sha256File(p)
	raw, _ := json.Marshal(FirmwareStaged{Version: version, Arch: arch, Package: "sapar", SHA256: sum, Length: n})
	os.WriteFile(filepath.Join(dir, PendingInfo), raw, 0o644)
}

func fwInstaller(state string, sys FirmwareSystem) *FirmwareInstaller {
	return &FirmwareInstaller{State: state, Arch: "amd64", Sys: sys, Verify: func(string) error { return nil }, Deadline: 300 * time.Millisecond, StableFor: 30 * time.Millisecond, Poll: 5 * time.Millisecond}
}

// installedDeb puts the package of the running version where the image
// build would: STATE/firmware/installed.deb.
func installedDeb(t *testing.T, state, version string) {
	os.MkdirAll(filepath.Join(state, FirmwareDir), 0o755)
	buildDeb(t, filepath.Join(state, FirmwareDir), InstalledDeb, controlFor(version, "amd64"), "build "+version)
}

func TestFirmwareInstall(t *testing.T) {
	for _, c := range []struct {
		name      string
		stage     string
		arch      string
		noPrev    bool
		sys       *fakeSystem
		wantRes   string
		wantCalls []string
		running   string
		bad       []string
	}{
		{name: "healthy upgrade", stage: "1.1", sys: &fakeSystem{installed: "1.0", healthy: map[string]bool{"1.0": true, "1.1": true}},
			wantRes: "installed", wantCalls: []string{"dpkg -i 1.1", "restart"}, running: "1.1"},
		{name: "unhealthy upgrade rolled back and marked bad", stage: "1.1", sys: &fakeSystem{installed: "1.0", healthy: map[string]bool{"1.0": true}},
			wantRes: "rolled-back", wantCalls: []string{"dpkg -i 1.1", "restart", "dpkg -i 1.0", "restart"}, running: "1.0", bad: []string{"1.1"}},
		{name: "dpkg failure rolled back", stage: "1.1", sys: &fakeSystem{installed: "1.0", healthy: map[string]bool{"1.0": true, "1.1": true}, dpkgFails: map[string]bool{"1.1": true}},
			wantRes: "rolled-back", wantCalls: []string{"dpkg -i 1.1", "dpkg -i 1.0", "restart"}, running: "1.0", bad: []string{"1.1"}},
		{name: "rollback unhealthy too", stage: "1.1", sys: &fakeSystem{installed: "1.0", healthy: map[string]bool{}},
			wantRes: "failed", wantCalls: []string{"dpkg -i 1.1", "restart", "dpkg -i 1.0", "restart"}, running: "1.0", bad: []string{"1.1"}},
		{name: "wrong architecture refused", stage: "1.1", arch: "arm64", sys: &fakeSystem{installed: "1.0"},
			wantRes: "refused", running: "1.0"},
		{name: "downgrade refused", stage: "0.9", sys: &fakeSystem{installed: "1.0"}, wantRes: "refused", running: "1.0"},
		{name: "dpkg lock held by apt: not installed, not marked bad", stage: "1.1", sys: &fakeSystem{installed: "1.0", dpkgBusy: true},
			wantRes: "refused", wantCalls: []string{"dpkg -i 1.1"}, running: "1.0"},
		{name: "no previous package refused", stage: "1.1", noPrev: true, sys: &fakeSystem{installed: "1.0"}, wantRes: "refused", running: "1.0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			state := t.TempDir()
			arch := c.arch
			if arch == "" {
				arch = "amd64"
			}
			stage(t, state, c.stage, arch)
			if !c.noPrev {
				installedDeb(t, state, "1.0")
			}
			res, err := fwInstaller(state, c.sys).Install(ctxT(t))
			t.Logf("result %+v, err %v", res, err)
			if res.Result != c.wantRes || (err == nil) != (c.wantRes == "installed") {
				t.Fatalf("result %q (err %v), want %q", res.Result, err, c.wantRes)
			}
			c.sys.expect(t, c.wantCalls...)
			if c.sys.installed != c.running {
				t.Fatalf("running %s, want %s", c.sys.installed, c.running)
			}
			if got := BadVersions(state); !slices.Equal(got, c.bad) {
				t.Fatalf("bad %q, want %q", got, c.bad)
			}
			for _, n := range []string{PendingDeb, PendingInfo, installingDeb, installingInfo} {
				if _, err := os.Stat(firmwarePath(state, n)); err == nil {
					t.Errorf("%s left behind", n)
				}
			}
			if r, _ := ReadInstallResult(state); r == nil || r.Result != c.wantRes {
				t.Fatalf("result.json %+v", r)
			}
			if c.wantRes == "installed" || c.wantRes == "rolled-back" {
				if info, err := ReadDebInfo(firmwarePath(state, InstalledDeb)); err != nil || info.Version != c.running {
					t.Fatalf("installed.deb is %+v (%v), want %s", info, err, c.running)
				}
			}
		})
	}
}

// TestMarkedBadNeverRetried: after a rollback the kiosk does not download
// the bad version again, and the installer refuses it if it is staged.
func TestMarkedBadNeverRetried(t *testing.T) {
	f, srv, state := fwFixture(t)
	f.firmware("1.1", "amd64", 100)
	if res, err := fwClient(f, state, srv.URL, "1.0", nil).Update(ctxT(t)); err != nil || res.Firmware.Staged != "1.1" {
		t.Fatalf("%+v %v", res, err)
	}
	keep := t.TempDir() // root's own directory on a kiosk
	buildDeb(t, keep, InstalledDeb, controlFor("1.0", "amd64"), "build 1.0")
	sys := &fakeSystem{installed: "1.0", healthy: map[string]bool{"1.0": true}}
	verified := func() *FirmwareInstaller {
		fi := fwInstaller(state, sys)
		fi.KeepDir = keep
		fi.Verify = SignedFirmwareVerifier(f.rootBytes(), filepath.Join(state, "tuf", "metadata"), "amd64")
		return fi
	}
	// A package the kiosk user put there itself is not the signed one: refused.
	stagedRaw, _ := os.ReadFile(firmwarePath(state, PendingDeb))
	stagedInfo, _ := os.ReadFile(firmwarePath(state, PendingInfo))
	stagePayload(t, state, "1.1", "amd64", "a kiosk-user build with a root shell in postinst")
	if _, err := verified().Install(ctxT(t)); err == nil || !strings.Contains(err.Error(), "not the signed firmware") {
		t.Fatalf("unsigned package: %v", err)
	}
	sys.expect(t)
	os.WriteFile(firmwarePath(state, PendingInfo), stagedInfo, 0o644)
	os.WriteFile(firmwarePath(state, PendingDeb), stagedRaw, 0o644)
	if res, err := verified().Install(ctxT(t)); err == nil || res.Result != "rolled-back" {
		t.Fatalf("%+v %v", res, err)
	}
	if info, err := ReadDebInfo(filepath.Join(keep, InstalledDeb)); err != nil || info.Version != "1.0" {
		t.Fatalf("keep dir installed.deb %+v %v", info, err)
	}
	res, err := fwClient(f, state, srv.URL, "1.0", nil).Update(ctxT(t))
	if err != nil || res.Firmware.Staged != "" || !strings.Contains(res.Firmware.Note, "marked bad") {
		t.Fatalf("bad version offered again: %+v %v", res.Firmware, err)
	}
	s, _ := ReadStatus(state)
	if !slices.Equal(s.FirmwareBad, []string{"1.1"}) || s.FirmwareInstall == nil || s.FirmwareInstall.Result != "rolled-back" {
		t.Fatalf("status %+v", s)
	}
	os.WriteFile(firmwarePath(state, PendingInfo), stagedInfo, 0o644)
	os.WriteFile(firmwarePath(state, PendingDeb), stagedRaw, 0o644)
	sys.calls = nil
	if _, err := verified().Install(ctxT(t)); err == nil || !strings.Contains(err.Error(), "marked bad") {
		t.Fatalf("staged bad version: %v", err)
	}
	sys.expect(t)
	// A newer version is taken again.
	f.firmware("1.2", "amd64", 100)
	if res, err := fwClient(f, state, srv.URL, "1.0", nil).Update(ctxT(t)); err != nil || res.Firmware.Staged != "1.2" {
		t.Fatalf("1.2: %+v %v", res.Firmware, err)
	}
}

// TestFirmwareInstallResumesRollback: a power cut during the rollback
// (installing.* left, version already marked bad) finishes the rollback.
func TestFirmwareInstallResumesRollback(t *testing.T) {
	state := t.TempDir()
	stage(t, state, "1.1", "amd64")
	installedDeb(t, state, "1.0")
	fi := fwInstaller(state, &fakeSystem{installed: "1.0"})
	in, _, err := fi.takeOver()
	if err != nil {
		t.Fatal(err)
	}
	os.Rename(firmwarePath(state, InstalledDeb), firmwarePath(state, PreviousDeb))
	in.Previous, in.HavePrevious, in.Started = "1.0", true, true
	fi.writeInstalling(in)
	fi.markBad("1.1")
	sys := &fakeSystem{installed: "1.1", healthy: map[string]bool{"1.0": true}} // the cut came after dpkg -i 1.1
	res, err := fwInstaller(state, sys).Install(ctxT(t))
	if res.Result != "rolled-back" || !res.Resumed || sys.installed != "1.0" {
		t.Fatalf("%+v %v", res, err)
	}
	sys.expect(t, "dpkg -i 1.0", "restart")
}

func TestFirmwareInstallNothingStaged(t *testing.T) {
	if _, err := fwInstaller(t.TempDir(), &fakeSystem{}).Install(ctxT(t)); !errors.Is(err, ErrNothingStaged) {
		t.Fatal(err)
	}
}

// TestFirmwareFromUSBStick: the same package staged from a repository on a
// stick, through the stick fetcher and its limits (the firmware is larger
// than the per-file cap for content objects).
func TestFirmwareFromUSBStick(t *testing.T) {
	f, _, state := fwFixture(t)
	var sb strings.Builder
	for i := 0; sb.Len() < 64<<10; i++ {
		fmt.Fprintf(&sb, "%x", uint32(i)*2654435761) // 64 KB that gzip cannot shrink much
	}
	big := sb.String()
	p := buildDeb(t, t.TempDir(), "sapar_1.1_amd64.deb", controlFor("1.1", "amd64"), big)
	if _, err := f.pub.PublishFirmware(p, 100); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(p)
	c := fwClient(f, state, "", "1.0", nil)
	c.Mirrors = nil
	c.USBDir = f.pub.Repo
	c.Limits.MaxBytes = fi.Size() / 2 // the content cap: smaller than the package
	if c.Limits.MaxBytes < 16<<10 {
		t.Fatalf("package %d bytes: too small for the test", fi.Size())
	}
	res, err := c.Update(ctxT(t))
	if err != nil || res.Firmware.Staged != "1.1" || !strings.HasPrefix(res.Source, "usb:") {
		t.Fatalf("%+v %v", res, err)
	}
	if sum, _, _ := sha256File(firmwarePath(state, PendingDeb)); sum == "" {
		t.Fatal("no pending.deb")
	}
}

// TestFirmwareTamperedPackageKeepsContentCycle: a mirror serving a package
// that does not match its signed hash is refused and recorded, while the
// content release of the same cycle is still activated.
func TestFirmwareTamperedPackageKeepsContentCycle(t *testing.T) {
	f, srv, state := fwFixture(t)
	f.firmware("1.1", "amd64", 100)
	f.publish("v2", guideFiles(3, 100, "v2"))
	matches, _ := filepath.Glob(filepath.Join(f.pub.Repo, "targets", "firmware", "amd64", "*.sapar.deb"))
	if len(matches) != 1 {
		t.Fatalf("published files %v", matches)
	}
	evil := buildDeb(t, t.TempDir(), "evil.deb", controlFor("1.1", "amd64"), "evil build")
	raw, _ := os.ReadFile(evil)
	os.WriteFile(matches[0], raw, 0o644)
	res, err := fwClient(f, state, srv.URL, "1.0", nil).Update(ctxT(t))
	if err != nil || !res.Changed || mustActive(t, state) != "v2" {
		t.Fatalf("content cycle failed because of the firmware: %+v %v", res, err)
	}
	if res.Firmware.Staged != "" || res.Firmware.Error == "" {
		t.Fatalf("tampered package: %+v", res.Firmware)
	}
	if _, err := os.Stat(firmwarePath(state, PendingDeb)); err == nil {
		t.Fatal("tampered package staged")
	}
	if s, _ := ReadStatus(state); s.Firmware.Error == "" {
		t.Fatalf("status does not record the refusal: %+v", s.Firmware)
	}
	t.Log(res.Firmware.Error)
}

// TestFirmwareCrashingBuildRolledBackAtOnce: a build that crash-loops (or
// that systemd gave up on) is rolled back as soon as that is clear, not
// after the whole health deadline.
func TestFirmwareCrashingBuildRolledBackAtOnce(t *testing.T) {
	for _, c := range []struct {
		name string
		sys  *fakeSystem
	}{
		{"restarted three times", &fakeSystem{installed: "1.0", healthy: map[string]bool{"1.0": true}}},
		{"start limit hit", &fakeSystem{installed: "1.0", healthy: map[string]bool{"1.0": true}, gaveUp: map[string]bool{"1.1": true}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			state := t.TempDir()
			stage(t, state, "1.1", "amd64")
			installedDeb(t, state, "1.0")
			fi := fwInstaller(state, c.sys)
			fi.Deadline = time.Minute
			start := time.Now()
			res, err := fi.Install(ctxT(t))
			if took := time.Since(start); took > 20*time.Second {
				t.Fatalf("took %s: waited out the deadline", took)
			}
			if res.Result != "rolled-back" || err == nil || c.sys.installed != "1.0" {
				t.Fatalf("result %+v, err %v, running %s", res, err, c.sys.installed)
			}
			if !slices.Equal(BadVersions(state), []string{"1.1"}) {
				t.Fatalf("bad %q", BadVersions(state))
			}
			c.sys.expect(t, "dpkg -i 1.1", "restart", "dpkg -i 1.0", "restart")
		})
	}
}

// TestFirmwareNotStagedAgainWhileInstalling: while the installer works on a
// version (dpkg-query still says the old one) an update cycle does not
// download and stage it again.
func TestFirmwareNotStagedAgainWhileInstalling(t *testing.T) {
	f, srv, state := fwFixture(t)
	f.firmware("1.1", "amd64", 100)
	if res, err := fwClient(f, state, srv.URL, "1.0", nil).Update(ctxT(t)); err != nil || res.Firmware.Staged != "1.1" {
		t.Fatalf("%+v %v", res, err)
	}
	// What the installer's takeOver does first.
	fi := fwInstaller(state, &fakeSystem{installed: "1.0"})
	if _, _, err := fi.takeOver(); err != nil {
		t.Fatal(err)
	}
	res, err := fwClient(f, state, srv.URL, "1.0", nil).Update(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if res.Firmware.Staged != "" || !strings.Contains(res.Firmware.Note, "being installed") {
		t.Fatalf("staged again during the install: %+v", res.Firmware)
	}
	if _, err := os.Stat(firmwarePath(state, PendingDeb)); err == nil {
		t.Fatal("pending.deb staged again")
	}
}

// TestFirmwareInstallerKeepsItsOwnCopy: while dpkg runs, the installer's
// own binary (the old firmware's) is in the root-owned directory, which is
// what sapar-firmware.service resumes with after a power cut, since the
// /usr/bin/sapar dpkg left may be the bad build; it is gone afterwards.
func TestFirmwareInstallerKeepsItsOwnCopy(t *testing.T) {
	state, keep := t.TempDir(), t.TempDir()
	stage(t, state, "1.1", "amd64")
	buildDeb(t, keep, InstalledDeb, controlFor("1.0", "amd64"), "build 1.0")
	exe := filepath.Join(t.TempDir(), "sapar")
	os.WriteFile(exe, []byte("#!/bin/sh\necho old installer\n"), 0o755)
	copyPath := filepath.Join(keep, "installer")
	var seen []string
	sys := &fakeSystem{installed: "1.0", healthy: map[string]bool{"1.0": true}}
	sys.onInstall = func() {
		b, err := os.ReadFile(copyPath)
		fi, _ := os.Stat(copyPath)
		if err != nil || string(b) != "#!/bin/sh\necho old installer\n" || fi.Mode().Perm()&0o100 == 0 {
			seen = append(seen, fmt.Sprintf("no executable copy (%v)", err))
			return
		}
		seen = append(seen, "copy")
	}
	fi := fwInstaller(state, sys)
	fi.KeepDir, fi.SelfCopy, fi.Executable = keep, copyPath, exe
	if res, _ := fi.Install(ctxT(t)); res.Result != "rolled-back" {
		t.Fatalf("result %+v", res)
	}
	if !slices.Equal(seen, []string{"copy", "copy"}) {
		t.Fatalf("at dpkg -i 1.1 and 1.0: %q", seen)
	}
	if _, err := os.Stat(copyPath); err == nil {
		t.Fatal("installer copy left behind")
	}
}

// TestDpkgFrontendLock: the install waits for apt (another process holding
// dpkg's lock-frontend) and gives up with ErrDpkgBusy; once it is free the
// lock is taken.
func TestDpkgFrontendLock(t *testing.T) {
	if os.Getenv("SAPAR_HOLD_DPKG_LOCK") != "" {
		f, err := os.OpenFile(os.Getenv("SAPAR_HOLD_DPKG_LOCK"), os.O_RDWR|os.O_CREATE, 0o640)
		if err != nil {
			os.Exit(3)
		}
		lk := syscall.Flock_t{Type: syscall.F_WRLCK}
		if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk); err != nil {
			os.Exit(4)
		}
		fmt.Println("locked")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDpkgFrontendLock$")
	cmd.Env = append(os.Environ(), "SAPAR_HOLD_DPKG_LOCK="+filepath.Join(dir, "lock-frontend"))
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "locked\n" {
		t.Fatalf("helper: %q", line)
	}
	if _, err := DpkgFrontendLock(ctxT(t), dir, 1500*time.Millisecond); !errors.Is(err, ErrDpkgBusy) {
		t.Fatalf("err %v, want ErrDpkgBusy", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	unlock, err := DpkgFrontendLock(ctxT(t), dir, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
}

// TestFirmwareOnlyRepository: a repository (or a stick) that signs only a
// firmware package is a successful cycle that stages it and keeps the
// content; one that signs neither is still an error.
func TestFirmwareOnlyRepository(t *testing.T) {
	f := newFixture(t, InitOptions{})
	srv := serve(t, f.pub.Repo)
	state := t.TempDir()
	if _, err := fwClient(f, state, srv.URL, "1.0", nil).Update(ctxT(t)); err == nil || !strings.Contains(err.Error(), "no content bundle") {
		t.Fatalf("empty repository: err %v", err)
	}
	f.firmware("1.1", "amd64", 100)
	res, err := fwClient(f, state, srv.URL, "1.0", nil).Update(ctxT(t))
	if err != nil {
		t.Fatalf("firmware-only repository failed the cycle: %v", err)
	}
	if res.Firmware.Staged != "1.1" || !strings.Contains(res.ContentNote, "no content") {
		t.Fatalf("firmware %+v, note %q", res.Firmware, res.ContentNote)
	}
}
