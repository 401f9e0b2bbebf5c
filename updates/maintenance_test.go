package updates

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The policy: outside the window, during a firmware install, or with
// someone at the screen nothing happens; else one upgrade per window, then
// a reboot only if a package asked for one.
func TestDecide(t *testing.T) {
	idle := MaintenanceFacts{InWindow: true, Window: "02:00-04:00 Asia/Bishkek", PresenceNote: "screen attract"}
	with := func(edit func(*MaintenanceFacts)) MaintenanceFacts { f := idle; edit(&f); return f }
	for _, tc := range []struct {
		name string
		f    MaintenanceFacts
		want string
		why  string
	}{
		{"clock before the build: nothing, even inside the window", with(func(f *MaintenanceFacts) { f.ClockWrong, f.RebootRequired = true, true }), ActNothing, "the clock is before this firmware was built"},
		{"outside the window nothing happens, even with a reboot pending", with(func(f *MaintenanceFacts) { f.InWindow, f.RebootRequired = false, true }), ActNothing, "outside the maintenance window 02:00-04:00 Asia/Bishkek"},
		{"inside the window, nobody there: upgrade", idle, ActUpgrade, "installing security updates"},
		{"someone at the screen: nothing", with(func(f *MaintenanceFacts) { f.InUse, f.PresenceNote = true, "screen session" }), ActNothing, "someone is at the screen (screen session)"},
		{"someone at the screen with a reboot pending: no reboot", with(func(f *MaintenanceFacts) { f.InUse, f.UpgradedThisWindow, f.RebootRequired = true, true, true }), ActNothing, "someone is at the screen"},
		{"firmware install in progress: no upgrade", with(func(f *MaintenanceFacts) { f.FirmwareBusy = "installing 1.4.0" }), ActNothing, "firmware install is in progress (installing 1.4.0)"},
		{"firmware install in progress: no reboot", with(func(f *MaintenanceFacts) {
			f.FirmwareBusy, f.UpgradedThisWindow, f.RebootRequired = "staged 1.4.0", true, true
		}), ActNothing, "firmware install"},
		{"upgraded and a reboot required: reboot", with(func(f *MaintenanceFacts) {
			f.UpgradedThisWindow, f.RebootRequired, f.RebootPackages = true, true, []string{"linux-image-6.1.0-28-arm64", "libc6"}
		}), ActReboot, "a reboot is required by linux-image-6.1.0-28-arm64, libc6"},
		{"a reboot pending from before: upgrade first", with(func(f *MaintenanceFacts) { f.RebootRequired = true }), ActUpgrade, "installing"},
		{"upgraded, no reboot required: nothing", with(func(f *MaintenanceFacts) { f.UpgradedThisWindow = true }), ActNothing, "already installed in this window"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(tc.f)
			if d.Action != tc.want || !strings.Contains(d.Why, tc.why) {
				t.Fatalf("Decide = %s (%s), want %s saying %q", d.Action, d.Why, tc.want, tc.why)
			}
		})
	}
}

// fakeMaintenance answers InUse from a list (one answer per call) and
// records what was done.
type fakeMaintenance struct {
	inUse      []bool
	upgradeErr error
	reboot     bool
	calls      []string
}

func (f *fakeMaintenance) InUse(context.Context) (bool, string) {
	f.calls = append(f.calls, "in-use?")
	if len(f.inUse) == 0 {
		return false, "screen attract"
	}
	v := f.inUse[0]
	f.inUse = f.inUse[1:]
	return v, map[bool]string{true: "screen session", false: "screen attract"}[v]
}
func (f *fakeMaintenance) Upgrade(context.Context) error {
	f.calls = append(f.calls, "unattended-upgrade")
	return f.upgradeErr
}
func (f *fakeMaintenance) RebootRequired() (bool, []string) { return f.reboot, nil }
func (f *fakeMaintenance) Reboot(context.Context) error {
	f.calls = append(f.calls, "reboot")
	return nil
}

// The check the timer runs every 15 minutes, against a fake system: who
// is asked, what runs, in which order, and what is recorded.
func TestMaintainerRun(t *testing.T) {
	night := time.Date(2026, 12, 1, 20, 30, 0, 0, time.UTC) // 02:30 in Bishkek
	inWindow := func(t time.Time) bool {
		h := t.Add(6 * time.Hour).Hour()
		return h >= 2 && h < 4
	}
	for _, tc := range []struct {
		name    string
		now     time.Time
		sys     fakeMaintenance
		staged  bool      // a firmware package waits for the installer
		before  time.Time // an earlier upgrade recorded
		want    []string  // calls, in order
		action  string    // the recorded decision
		wantErr bool
	}{
		{"afternoon: the kiosk is not even asked", night.Add(-10 * time.Hour), fakeMaintenance{reboot: true}, false, time.Time{}, nil, ActNothing, false},
		{"night, idle, kernel update: upgrade, ask again, reboot", night, fakeMaintenance{reboot: true}, false, time.Time{},
			[]string{"in-use?", "unattended-upgrade", "in-use?", "reboot"}, ActReboot, false},
		{"night, idle, nothing needs a reboot: upgrade only", night, fakeMaintenance{}, false, time.Time{},
			[]string{"in-use?", "unattended-upgrade", "in-use?"}, ActNothing, false},
		{"someone walks up during the upgrade: no reboot", night, fakeMaintenance{reboot: true, inUse: []bool{false, true}}, false, time.Time{},
			[]string{"in-use?", "unattended-upgrade", "in-use?"}, ActNothing, false},
		{"someone at the screen: nothing runs", night, fakeMaintenance{reboot: true, inUse: []bool{true}}, false, time.Time{},
			[]string{"in-use?"}, ActNothing, false},
		{"firmware staged: nothing runs", night, fakeMaintenance{reboot: true}, true, time.Time{},
			[]string{"in-use?"}, ActNothing, false},
		{"firmware installer running (holds its lock): nothing runs", night, fakeMaintenance{reboot: true}, false, time.Time{},
			[]string{"in-use?"}, ActNothing, false},
		{"already upgraded 20 minutes ago in this window: no second upgrade, reboot", night, fakeMaintenance{reboot: true}, false, night.Add(-20 * time.Minute),
			[]string{"in-use?", "reboot"}, ActReboot, false},
		{"upgraded last night: upgrade again tonight", night, fakeMaintenance{}, false, night.Add(-24 * time.Hour),
			[]string{"in-use?", "unattended-upgrade", "in-use?"}, ActNothing, false},
		{"unattended-upgrade fails: reported, the pending reboot still happens", night, fakeMaintenance{reboot: true, upgradeErr: errors.New("dpkg was interrupted")}, false, time.Time{},
			[]string{"in-use?", "unattended-upgrade", "in-use?", "reboot"}, ActReboot, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			state := t.TempDir()
			if tc.staged {
				os.MkdirAll(filepath.Join(state, FirmwareDir), 0o755)
				os.WriteFile(firmwarePath(state, PendingDeb), []byte("!<arch>\n"), 0o644)
				os.WriteFile(firmwarePath(state, PendingInfo), []byte(`{"version":"1.4.0"}`), 0o644)
			}
			if strings.Contains(tc.name, "holds its lock") {
				unlock, err := lockStateCtx(context.Background(), filepath.Join(state, FirmwareDir), time.Second)
				if err != nil {
					t.Fatal(err)
				}
				defer unlock()
			}
			if !tc.before.IsZero() {
				os.WriteFile(filepath.Join(state, MaintenanceStatusFile), []byte(`{"last_upgrade":"`+tc.before.Format(time.RFC3339)+`"}`), 0o644)
			}
			var logs []string
			m := &Maintainer{State: state, Sys: &tc.sys, InWindow: inWindow, Window: "02:00-04:00 Asia/Bishkek", WindowLength: 2 * time.Hour,
				Clock: func() time.Time { return tc.now }, Logf: func(f string, a ...any) { logs = append(logs, f) }}
			d, err := m.Run(context.Background())
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tc.wantErr)
			}
			if strings.Contains(tc.name, "holds its lock") && !strings.Contains(d.Why, "another update is running since") {
				t.Errorf("the decision does not say who holds the lock: %s", d.Why)
			}
			if !slices.Equal(tc.sys.calls, tc.want) || d.Action != tc.action {
				t.Fatalf("calls %v, decision %s (%s); want %v, %s", tc.sys.calls, d.Action, d.Why, tc.want, tc.action)
			}
			st, err := ReadMaintenanceStatus(state)
			if err != nil || st.Decision != d || !st.LastRun.Equal(tc.now) || st.Window != "02:00-04:00 Asia/Bishkek" {
				t.Fatalf("recorded %+v (%v), want the decision %+v at %v", st, err, d, tc.now)
			}
			if st.RebootRequired != tc.sys.reboot {
				t.Fatalf("recorded reboot_required %v, the system says %v (outside the window too: the screens show it)", st.RebootRequired, tc.sys.reboot)
			}
			upgraded := slices.Contains(tc.want, "unattended-upgrade") && tc.sys.upgradeErr == nil
			if upgraded != st.LastUpgrade.Equal(tc.now) || (tc.sys.upgradeErr != nil) != (st.UpgradeErr != "") {
				t.Fatalf("recorded upgrade %v (error %q); upgraded now: %v", st.LastUpgrade, st.UpgradeErr, upgraded)
			}
			if len(logs) == 0 {
				t.Fatal("nothing logged: the journal must say why it did or did not act")
			}
		})
	}
}

// What the real system reads off the kiosk's /metrics and /run.
func TestSystemMaintenanceReads(t *testing.T) {
	serve := func(body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/metrics" {
				http.NotFound(w, r)
				return
			}
			io.WriteString(w, body)
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/"
	}
	for _, tc := range []struct {
		name, url string
		inUse     bool
		note      string
	}{
		{"attract screen, tapped long ago: idle", serve("sapar_kiosk_in_use 0\nsapar_last_interaction_age_seconds 7260.4\nsapar_page_screen{screen=\"attract\"} 1\n"), false, "screen attract, last tap 2h1m0s ago"},
		{"a session: in use", serve("sapar_kiosk_in_use 1\nsapar_page_screen{screen=\"session\"} 1\n"), true, "screen session, no tap since the kiosk started"},
		{"an older kiosk without the figure: in use", serve("sapar_uptime_seconds 5\n"), true, "no sapar_kiosk_in_use"},
		{"no kiosk listening: nobody can use it", "http://127.0.0.1:1/", false, "does not answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inUse, note := SystemMaintenance{URL: tc.url}.InUse(context.Background())
			if inUse != tc.inUse || !strings.Contains(note, tc.note) {
				t.Fatalf("InUse = %v (%s), want %v saying %q", inUse, note, tc.inUse, tc.note)
			}
		})
	}
	dir := t.TempDir()
	flag := filepath.Join(dir, "reboot-required")
	sys := SystemMaintenance{RebootRequiredFile: flag}
	if req, _ := sys.RebootRequired(); req {
		t.Fatal("reboot required without the file")
	}
	os.WriteFile(flag, []byte("*** System restart required ***\n"), 0o644)
	os.WriteFile(flag+".pkgs", []byte("libc6\nlinux-image-6.1.0-28-arm64\nlibc6\n"), 0o644)
	if req, pkgs := sys.RebootRequired(); !req || !slices.Equal(pkgs, []string{"libc6", "linux-image-6.1.0-28-arm64"}) {
		t.Fatalf("RebootRequired = %v %v", req, pkgs)
	}
}
