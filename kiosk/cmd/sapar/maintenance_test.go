package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sapar/updates"
)

// `sapar maintenance` as sapar-maintenance.service runs it: a signed state
// with a maintenance window, a kiosk answering /metrics, unattended-upgrade
// and systemctl found on PATH (stand-ins that record their arguments).
func TestMaintenanceCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key := filepath.Join(dir, "mrc.key")
	if code, _, errs := runSapar(t, ctx, "provision", "keygen", "--out", key); code != 0 {
		t.Fatalf("keygen: %s", errs)
	}
	raw, err := os.ReadFile("../../../provisioning/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bishkek, _ := time.LoadLocation("Asia/Bishkek")
	now := time.Now().In(bishkek)
	around := now.Add(-time.Hour).Format("15:04") + "-" + now.Add(time.Hour).Format("15:04")
	later := now.Add(2*time.Hour).Format("15:04") + "-" + now.Add(4*time.Hour).Format("15:04")
	provision := func(window string) string {
		site := strings.Replace(string(raw), `maintenance_window: "02:00-04:00"`, `maintenance_window: "`+window+`"`, 1)
		file := filepath.Join(t.TempDir(), "site.yaml")
		os.WriteFile(file, []byte(site), 0o644)
		if code, _, errs := runSapar(t, ctx, "provision", "sign", "--key", key, file); code != 0 {
			t.Fatalf("sign: %s", errs)
		}
		state := filepath.Join(t.TempDir(), "state")
		if code, _, errs := runSapar(t, ctx, "provision", "--state", state, "--file", file, "--pubkey", key+".pub"); code != 0 {
			t.Fatalf("provision: %s", errs)
		}
		return state
	}
	kiosk := func(inUse string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			screen := map[string]string{"0": "attract", "1": "session"}[inUse]
			io.WriteString(w, "sapar_kiosk_in_use "+inUse+"\nsapar_page_screen{screen=\""+screen+"\"} 1\nsapar_last_interaction_age_seconds 3600\n")
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/"
	}
	// Stand-ins for the system's commands, first on PATH.
	bin := filepath.Join(dir, "bin")
	calls := filepath.Join(dir, "calls")
	os.MkdirAll(bin, 0o755)
	for name, body := range map[string]string{
		"unattended-upgrade": `echo unattended-upgrade "$@" >>` + calls + `; if [ -e ` + filepath.Join(dir, "upgrade-fails") + ` ]; then echo "E: dpkg was interrupted" >&2; exit 1; fi`,
		"systemctl":          `echo systemctl "$@" >>` + calls,
	} {
		os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755)
	}
	t.Setenv("PATH", bin+":"+os.Getenv("PATH"))
	reboot := filepath.Join(dir, "reboot-required")

	for _, tc := range []struct {
		name, window, inUse string
		rebootRequired      bool
		staged, failing     bool
		code                int
		out                 string   // said on stderr (the journal)
		calls               []string // the commands run
	}{
		{"outside the window: nothing, the kiosk is not asked", later, "0", true, false, false, exitOK, "nothing: outside the maintenance window " + later + " Asia/Bishkek", nil},
		{"inside, nobody there, a kernel waiting: upgrade then reboot", around, "0", true, false, false, exitOK, "reboot: a reboot is required by linux-image-6.1.0-28-arm64",
			[]string{"unattended-upgrade", "systemctl reboot"}},
		{"inside, nobody there, nothing needs a reboot: upgrade only", around, "0", false, false, false, exitOK, "nothing: security updates already installed in this window",
			[]string{"unattended-upgrade"}},
		{"someone at the screen: nothing", around, "1", true, false, false, exitOK, "nothing: someone is at the screen (screen session, last tap 1h0m0s ago)", nil},
		{"firmware staged: nothing", around, "0", true, true, false, exitOK, "nothing: a firmware install is in progress (staged 9.9.9)", nil},
		{"unattended-upgrade fails: exit 1, the pending reboot still happens", around, "0", true, false, true, exitFailure, "reboot:",
			[]string{"unattended-upgrade", "systemctl reboot"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			state := provision(tc.window)
			os.Remove(calls)
			os.Remove(reboot)
			os.Remove(filepath.Join(dir, "upgrade-fails"))
			if tc.rebootRequired {
				os.WriteFile(reboot, []byte("*** System restart required ***\n"), 0o644)
				os.WriteFile(reboot+".pkgs", []byte("linux-image-6.1.0-28-arm64\n"), 0o644)
			}
			if tc.failing {
				os.WriteFile(filepath.Join(dir, "upgrade-fails"), nil, 0o644)
			}
			if tc.staged {
				os.MkdirAll(filepath.Join(state, updates.FirmwareDir), 0o755)
				os.WriteFile(filepath.Join(state, updates.FirmwareDir, updates.PendingDeb), []byte("!<arch>\n"), 0o644)
				os.WriteFile(filepath.Join(state, updates.FirmwareDir, updates.PendingInfo), []byte(`{"version":"9.9.9"}`), 0o644)
			}
			code, _, errs := runSapar(t, ctx, "maintenance", "--state", state, "--provisioning-key", key+".pub",
				"--url", kiosk(tc.inUse), "--reboot-required", reboot)
			got, _ := os.ReadFile(calls)
			var ran []string
			for _, l := range strings.Split(strings.TrimSpace(string(got)), "\n") {
				if l = strings.TrimSpace(l); l != "" {
					ran = append(ran, l)
				}
			}
			if code != tc.code || !strings.Contains(errs, "sapar maintenance: "+tc.out) || strings.Join(ran, "|") != strings.Join(tc.calls, "|") {
				t.Fatalf("exit %d, ran %q\nstderr:\n%s\nwant exit %d saying %q, ran %q", code, ran, errs, tc.code, tc.out, tc.calls)
			}
			st, err := updates.ReadMaintenanceStatus(state)
			if err != nil || st.LastRun.IsZero() || !strings.HasPrefix(st.Window, tc.window) {
				t.Fatalf("status %+v (%v)", st, err)
			}
		})
	}
	if code, _, _ := runSapar(t, ctx, "maintenance"); code != exitUsage {
		t.Errorf("maintenance without --state: exit %d, want %d", code, exitUsage)
	}
}
