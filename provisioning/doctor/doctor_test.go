package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"sapar/content"
	"sapar/content/atomicfile"
	"sapar/content/bundle"
	"sapar/content/release"
	"sapar/content/sample"
	"sapar/drivers/escpos"
	"sapar/provisioning"
	"sapar/provisioning/techtext"
)

var t0 = time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// fixture is a provisioned kiosk in temp dirs with every dependency faked to pass.
type fixture struct {
	env  Env
	root string
}

func newFixture(t *testing.T, edit func(yaml string) string) *fixture {
	t.Helper()
	root, state := t.TempDir(), filepath.Join(t.TempDir(), "state")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" { // the fleet push agent's own metrics (fleet_test.go)
			fmt.Fprint(w, fleetAgent)
			return
		}
		if strings.Contains(r.URL.Path, "down") {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	t.Cleanup(srv.Close)
	b, err := os.ReadFile("../example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	y := string(b)
	y = strings.Replace(y, "https://updates.mrc.example.org/sapar/", srv.URL+"/a/", 1)
	y = strings.Replace(y, "http://10.20.0.2/sapar/", srv.URL+"/b/", 1)
	if edit != nil {
		y = edit(y)
	}
	if _, err := provisioning.Provision(state, provisioning.Request{Name: "site.yaml", File: []byte(y), Unsigned: true, Now: t0.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// signed-looking state: the doctor does not verify, only reports
	setSigned(t, state)
	touch(t, filepath.Join(root, "dev/serial/by-id/usb-EPSON_TM-T20III-if00"), "")
	touch(t, filepath.Join(root, "proc/412/comm"), "cage\n")
	touch(t, filepath.Join(root, "usr/lib/aarch64-linux-gnu/espeak-ng-data/lang/trk/ky"), "")
	// content and update status as the updates package leaves them
	rel := filepath.Join(state, "content/releases/v1-abc")
	if err := os.CopyFS(rel, os.DirFS(sampleRelease(t))); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("releases/v1-abc", filepath.Join(state, "content/current")); err != nil {
		t.Fatal(err)
	}
	touch(t, filepath.Join(state, updateStatus), fmt.Sprintf(`{"last_attempt":%q,"last_success":%q,"version":"2026.05.01"}`,
		t0.Add(-2*time.Hour).Format(time.RFC3339), t0.Add(-2*time.Hour).Format(time.RFC3339)))
	touch(t, filepath.Join(state, "fleet", provisioning.FleetStatusFile), fmt.Sprintf(`{"listen":%q,"link":"ok","url":"https://metrics.mrc.example.org/api/v1/write"}`, strings.TrimPrefix(srv.URL, "http://")))
	return &fixture{root: root, env: Env{
		Root: root, StateDir: state, Now: func() time.Time { return t0 }, BuildTime: defaultBuildTime,
		HTTP: srv.Client(), Timeout: 2 * time.Second,
		LookPath: func(string) (string, error) { return "/usr/bin/espeak-ng", nil },
		Getenv:   func(string) string { return "" },
		Getuid:   os.Getuid,
		OpenSerial: func(path string, baud int) (io.Closer, error) {
			if _, err := os.Stat(path); err != nil {
				return nil, err
			}
			return nopCloser{}, nil
		},
		DiskUsage: func(string) (uint64, uint64, error) { return 4 << 30, 16 << 30, nil },
	}}
}

func setSigned(t *testing.T, state string) {
	p := filepath.Join(state, provisioning.ConfigFile)
	b, _ := os.ReadFile(p)
	b = []byte(strings.Replace(string(b), `"source":`, `"signature": "c2ln",`+"\n"+`  "source":`, 1))
	os.WriteFile(p, b, 0o600)
}

func touch(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, f *fixture, name string) Result {
	t.Helper()
	rep := Run(context.Background(), f.env)
	for _, r := range rep.Results {
		if r.Check == name {
			return r
		}
	}
	t.Fatalf("no check %q", name)
	return Result{}
}

func TestAllPassOnAHealthyKiosk(t *testing.T) {
	f := newFixture(t, nil)
	rep := Run(context.Background(), f.env)
	for _, r := range rep.Results {
		if r.Status != Pass {
			t.Errorf("%s: %s %s (fix: %s)", r.Check, r.Status, r.Message, r.Fix)
		}
	}
	if rep.Failed() || rep.KioskID != "osh-airport-01" || !strings.HasPrefix(rep.DeviceID, "SPR-") {
		t.Fatalf("%+v", rep)
	}
}

func TestChecks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		check string
		yaml  func(string) string
		setup func(t *testing.T, f *fixture)
		want  Status
		inMsg string
	}{
		// provisioning
		{"not provisioned fails", "provisioning", nil, func(t *testing.T, f *fixture) { os.Remove(filepath.Join(f.env.StateDir, provisioning.ConfigFile)) }, Fail, "not provisioned"},
		{"unsigned demo provisioning warns", "provisioning", nil, func(t *testing.T, f *fixture) {
			p := filepath.Join(f.env.StateDir, provisioning.ConfigFile)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), `"signature": "c2ln",`, "", 1)), 0o600)
		}, Warn, "UNSIGNED"},
		{"damaged config fails", "provisioning", nil, func(t *testing.T, f *fixture) {
			os.WriteFile(filepath.Join(f.env.StateDir, provisioning.ConfigFile), []byte("{"), 0o600)
		}, Fail, "damaged"},
		// permissions
		{"world-readable identity key fails", "permissions", nil, func(t *testing.T, f *fixture) {
			os.Chmod(filepath.Join(f.env.StateDir, provisioning.IdentityFile), 0o644)
		}, Fail, "identity.key has mode"},
		{"group-writable state dir fails", "permissions", nil, func(t *testing.T, f *fixture) { os.Chmod(f.env.StateDir, 0o770) }, Fail, "writable by others"},
		{"missing identity key fails", "permissions", nil, func(t *testing.T, f *fixture) { os.Remove(filepath.Join(f.env.StateDir, provisioning.IdentityFile)) }, Fail, "missing"},
		{"state owned by another user warns", "permissions", nil, func(t *testing.T, f *fixture) { f.env.Getuid = func() int { return 4242 } }, Warn, "owned by uid"},
		// clock
		{"1970 clock fails", "clock", nil, func(t *testing.T, f *fixture) { f.env.Now = func() time.Time { return time.Unix(30, 0) } }, Fail, "before"},
		{"clock before provisioning fails", "clock", nil, func(t *testing.T, f *fixture) { f.env.Now = func() time.Time { return t0.Add(-48 * time.Hour) } }, Fail, "provisioned"},
		{"clock behind verified update time fails", "clock", nil, func(t *testing.T, f *fixture) {
			touch(t, filepath.Join(f.env.StateDir, "tuf/time-floor"), t0.Add(24*time.Hour).Format(time.RFC3339)+"\n")
		}, Fail, "verified update"},
		{"clock in 2099 warns", "clock", nil, func(t *testing.T, f *fixture) {
			f.env.Now = func() time.Time { return time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC) }
		}, Warn, "future"},
		{"clock shown in the kiosk's zone", "clock", nil, nil, Pass, "2026-05-04 15:30 +06"},
		// disk
		{"full disk fails", "disk", nil, func(t *testing.T, f *fixture) {
			f.env.DiskUsage = func(string) (uint64, uint64, error) { return 50 * mib, 8 << 30, nil }
		}, Fail, "50 MiB free"},
		{"low disk warns", "disk", nil, func(t *testing.T, f *fixture) {
			f.env.DiskUsage = func(string) (uint64, uint64, error) { return 300 * mib, 8 << 30, nil }
		}, Warn, "low"},
		{"unreadable disk fails", "disk", nil, func(t *testing.T, f *fixture) {
			f.env.DiskUsage = func(string) (uint64, uint64, error) { return 0, 0, syscall.ENOENT }
		}, Fail, "cannot read"},
		// printer
		{"absent printer fails clearly", "printer", nil, func(t *testing.T, f *fixture) {
			os.Remove(filepath.Join(f.root, "dev/serial/by-id/usb-EPSON_TM-T20III-if00"))
		}, Fail, "no printer at /dev/serial/by-id/usb-EPSON_TM-T20III-if00"},
		{"uncalibrated printer says so", "printer", nil, nil, Pass, "built-in profile (uncalibrated"},
		{"calibrated printer is reported with its model", "printer", nil, func(t *testing.T, f *fixture) {
			base, _ := escpos.ProfileByName("TM-T20III")
			base.Name = "TM-T20III-calibrated"
			cal := escpos.Calibrated{Profile: base, Base: "TM-T20III", Identity: escpos.Identity{Maker: "EPSON", Model: "TM-T20III"},
				Answers: []int{1}, At: time.Date(2026, 5, 2, 9, 0, 0, 0, time.UTC)}
			if err := escpos.SaveProfile(f.env.StateDir, cal, atomicfile.Write); err != nil {
				t.Fatal(err)
			}
		}, Pass, "calibrated profile TM-T20III-calibrated (EPSON TM-T20III, 2026-05-02)"},
		{"printer held by the running kiosk warns", "printer", nil, func(t *testing.T, f *fixture) {
			f.env.OpenSerial = func(string, int) (io.Closer, error) { return nil, fmt.Errorf("open: %w", syscall.EBUSY) }
		}, Warn, "in use"},
		{"printer without permission fails", "printer", nil, func(t *testing.T, f *fixture) {
			f.env.OpenSerial = func(string, int) (io.Closer, error) {
				return nil, &os.PathError{Op: "open", Path: "x", Err: os.ErrPermission}
			}
		}, Fail, "permission denied"},
		{"USB printer found through sysfs", "printer", func(y string) string {
			return strings.Replace(y, "device: /dev/serial/by-id/usb-EPSON_TM-T20III-if00", `usb: "04b8:0e28"`, 1)
		}, func(t *testing.T, f *fixture) {
			touch(t, filepath.Join(f.root, "sys/bus/usb/devices/1-1.3/idVendor"), "04b8\n")
			touch(t, filepath.Join(f.root, "sys/bus/usb/devices/1-1.3/idProduct"), "0e28\n")
			touch(t, filepath.Join(f.root, "sys/bus/usb/devices/1-1.3/1-1.3:1.0/tty/ttyACM0/dev"), "166:0")
			touch(t, filepath.Join(f.root, "dev/ttyACM0"), "")
		}, Pass, "/dev/ttyACM0"},
		{"USB printer not connected fails", "printer", func(y string) string {
			return strings.Replace(y, "device: /dev/serial/by-id/usb-EPSON_TM-T20III-if00", `usb: "04b8:0e28"`, 1)
		}, nil, Fail, "no USB device 04b8:0e28"},
		{"not provisioned printer warns", "printer", nil, func(t *testing.T, f *fixture) { os.Remove(filepath.Join(f.env.StateDir, provisioning.ConfigFile)) }, Warn, "not provisioned"},
		// display
		{"no compositor and no display fails", "display", nil, func(t *testing.T, f *fixture) { os.Remove(filepath.Join(f.root, "proc/412/comm")) }, Fail, "no display"},
		{"desktop display without cage warns", "display", nil, func(t *testing.T, f *fixture) {
			os.Remove(filepath.Join(f.root, "proc/412/comm"))
			f.env.Getenv = func(k string) string {
				if k == "WAYLAND_DISPLAY" {
					return "wayland-0"
				}
				return ""
			}
		}, Warn, "WAYLAND_DISPLAY=wayland-0"},
		// content
		{"no content yet warns", "content", nil, func(t *testing.T, f *fixture) { os.Remove(filepath.Join(f.env.StateDir, "content/current")) }, Warn, "no content release"},
		{"release without its index fails", "content", nil, func(t *testing.T, f *fixture) {
			os.Remove(filepath.Join(f.env.StateDir, "content/releases/v1-abc/index.db"))
		}, Fail, "index does not answer"},
		{"tampered content fails", "content", nil, func(t *testing.T, f *fixture) {
			objs, _ := filepath.Glob(filepath.Join(f.env.StateDir, "content/releases/v1-abc/objects/*"))
			os.WriteFile(objs[0], []byte("# Tampered"), 0o644)
		}, Fail, "damaged"},
		// updates
		{"no update yet warns", "updates", nil, func(t *testing.T, f *fixture) { os.Remove(filepath.Join(f.env.StateDir, updateStatus)) }, Warn, "no update yet"},
		{"never succeeded fails", "updates", nil, func(t *testing.T, f *fixture) {
			touch(t, filepath.Join(f.env.StateDir, updateStatus), `{"last_attempt":"2026-05-04T08:00:00Z","error":"mirror timeout"}`)
		}, Fail, "mirror timeout"},
		{"last attempt failed warns", "updates", nil, func(t *testing.T, f *fixture) {
			touch(t, filepath.Join(f.env.StateDir, updateStatus), `{"last_attempt":"2026-05-04T08:00:00Z","last_success":"2026-05-03T08:00:00Z","error":"mirror timeout"}`)
		}, Warn, "last attempt failed"},
		{"four-month-old content fails", "updates", nil, func(t *testing.T, f *fixture) {
			touch(t, filepath.Join(f.env.StateDir, updateStatus), `{"last_attempt":"2026-01-01T08:00:00Z","last_success":"2026-01-01T08:00:00Z"}`)
		}, Fail, "out of date"},
		{"expired targets metadata warns", "updates", nil, func(t *testing.T, f *fixture) {
			touch(t, filepath.Join(f.env.StateDir, "tuf/metadata/targets.json"), `{"signed":{"expires":"2026-05-01T00:00:00Z"}}`)
			touch(t, filepath.Join(f.env.StateDir, "tuf/metadata/timestamp.json"), `{"signed":{"expires":"2026-04-01T00:00:00Z"}}`)
		}, Warn, "targets metadata expired"},
		// firmware
		{"firmware line shows version, bucket and cohort", "firmware", nil, func(t *testing.T, f *fixture) {
			touch(t, filepath.Join(f.env.StateDir, updateStatus), `{"last_attempt":"2026-05-04T08:00:00Z","last_success":"2026-05-04T08:00:00Z","bucket":42,"cohort":"canary","firmware":{"checked":true,"arch":"arm64","installed":"1.0-1","available":"1.1-1","rollout":10}}`)
		}, Pass, "firmware 1.0-1 (arm64), bucket 42, cohort canary; published 1.1-1 at 10%"},
		{"firmware marked bad warns", "firmware", nil, func(t *testing.T, f *fixture) {
			touch(t, filepath.Join(f.env.StateDir, updateStatus), `{"last_attempt":"2026-05-04T08:00:00Z","last_success":"2026-05-04T08:00:00Z","firmware":{"checked":true,"arch":"arm64","installed":"1.0-1"}}`)
			touch(t, filepath.Join(f.env.StateDir, "firmware/bad"), "1.1-1\n")
			touch(t, filepath.Join(f.env.StateDir, "firmware/result.json"), `{"version":"1.1-1","result":"rolled-back","error":"not healthy"}`)
		}, Warn, "marked bad on this kiosk (never retried): 1.1-1"},
		{"firmware line shows the last install and that none is marked bad", "firmware", nil, func(t *testing.T, f *fixture) {
			touch(t, filepath.Join(f.env.StateDir, updateStatus), `{"last_attempt":"2026-05-04T08:00:00Z","last_success":"2026-05-04T08:00:00Z","bucket":7,"cohort":"default","firmware":{"checked":true,"arch":"armhf","installed":"1.1-1","available":"1.1-1","rollout":100}}`)
			touch(t, filepath.Join(f.env.StateDir, "firmware/result.json"), `{"version":"1.1-1","result":"installed","running":"1.1-1"}`)
		}, Pass, "firmware 1.1-1 (armhf), bucket 7, cohort default; published 1.1-1 at 100%; last install: 1.1-1 installed; none marked bad"},
		// maintenance (security updates)
		{"no maintenance check yet passes, says so", "maintenance", nil, nil, Pass, "no maintenance check yet"},
		{"maintenance line: window, last upgrade, last check, reboot waiting", "maintenance", nil, func(t *testing.T, f *fixture) {
			touch(t, filepath.Join(f.env.StateDir, "maintenance-status.json"), `{"first_run":"2026-04-01T20:00:00Z","last_run":"2026-05-04T09:45:00Z","window":"02:00-04:00 Asia/Bishkek","last_upgrade":"2026-05-03T20:30:00Z","reboot_required":true,"decision":{"action":"nothing","why":"outside the maintenance window 02:00-04:00 Asia/Bishkek"}}`)
		}, Pass, "window 02:00-04:00 Asia/Bishkek; security updates last installed 2026-05-03 20:30 UTC (0 days ago); last check: nothing done — outside the maintenance window 02:00-04:00 Asia/Bishkek; reboot waiting: yes"},
		{"unattended-upgrade failing warns", "maintenance", nil, func(t *testing.T, f *fixture) {
			touch(t, filepath.Join(f.env.StateDir, "maintenance-status.json"), `{"first_run":"2026-04-01T20:00:00Z","last_run":"2026-05-03T20:15:00Z","window":"02:00-04:00 Asia/Bishkek","upgrade_error":"E: dpkg was interrupted","decision":{"action":"nothing","why":"x"}}`)
		}, Warn, "the last unattended-upgrade failed: E: dpkg was interrupted"},
		{"no security update for three weeks warns", "maintenance", nil, func(t *testing.T, f *fixture) {
			touch(t, filepath.Join(f.env.StateDir, "maintenance-status.json"), `{"first_run":"2026-04-01T20:00:00Z","last_run":"2026-05-03T20:15:00Z","window":"02:00-04:00 Asia/Bishkek","last_upgrade":"2026-04-12T20:30:00Z","decision":{"action":"nothing","why":"someone is at the screen"}}`)
		}, Warn, "no security updates for more than 14 days"},
		{"never upgraded since checks began a month ago warns", "maintenance", nil, func(t *testing.T, f *fixture) {
			touch(t, filepath.Join(f.env.StateDir, "maintenance-status.json"), `{"first_run":"2026-04-01T20:00:00Z","last_run":"2026-05-03T20:15:00Z","window":"02:00-04:00 Asia/Bishkek","decision":{"action":"nothing","why":"someone is at the screen"}}`)
		}, Warn, "security updates last installed never"},
		{"firmware rollback failed fails", "firmware", nil, func(t *testing.T, f *fixture) {
			touch(t, filepath.Join(f.env.StateDir, "firmware/result.json"), `{"version":"1.1-1","result":"failed","error":"rollback not healthy"}`)
		}, Fail, "failed and so did the rollback"},
		// network
		{"one mirror down warns", "network", func(y string) string { return strings.Replace(y, "/b/", "/down/", 1) }, nil, Warn, "1 of 2 mirrors"},
		{"all mirrors down fails", "network", func(y string) string {
			return strings.Replace(strings.Replace(y, "/b/", "/down/", 1), "/a/", "/down/", 1)
		}, nil, Fail, "no mirror reachable"},
		{"unreachable mirror fails", "network", func(y string) string {
			y = strings.Replace(y, "    - http://127.0.0.1", "    - http://127.0.0.1:1/x/\n    - http://127.0.0.1", 1)
			return y
		}, func(t *testing.T, f *fixture) {
			f.env.HTTP = &http.Client{Transport: &http.Transport{}}
			// both real mirrors unreachable too
			f.env.HTTP.Transport = roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("connection refused") })
		}, Fail, "connection refused"},
		// speech
		{"missing espeak-ng fails", "speech", nil, func(t *testing.T, f *fixture) {
			f.env.LookPath = func(string) (string, error) { return "", errors.New("not found") }
		}, Fail, "apt-get install"},
		{"espeak-ng without Kyrgyz voice warns", "speech", nil, func(t *testing.T, f *fixture) {
			os.Remove(filepath.Join(f.root, "usr/lib/aarch64-linux-gnu/espeak-ng-data/lang/trk/ky"))
		}, Warn, "Kyrgyz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.yaml)
			if tc.setup != nil {
				tc.setup(t, f)
			}
			r := run(t, f, tc.check)
			if r.Status != tc.want || !strings.Contains(r.Message+" "+r.Fix, tc.inMsg) {
				t.Fatalf("%s: got %s %q (fix %q), want %s with %q", tc.check, r.Status, r.Message, r.Fix, tc.want, tc.inMsg)
			}
			if r.Status != Pass && r.Fix == "" {
				t.Fatalf("%s without a fix hint", r.Status)
			}
			speaksEveryLanguage(t, r)
		})
	}
}

// speaksEveryLanguage checks that a result's messages are catalog keys
// and render in every technician language with every argument filled.
func speaksEveryLanguage(t *testing.T, r Result) {
	t.Helper()
	msgs := []techtext.Msg{r.Text}
	if r.Hint != nil {
		msgs = append(msgs, *r.Hint)
	}
	for _, msg := range msgs {
		if !techtext.Has(msg.Key) {
			t.Errorf("%s: message key %q not in technician.json", r.Check, msg.Key)
		}
	}
	for _, l := range techtext.Languages {
		x := r.In(l)
		if strings.Contains(x.Message+x.Fix, "{") && !strings.Contains(r.Message+r.Fix, "{") {
			t.Errorf("%s in %s: unfilled placeholder in %q / %q", r.Check, l, x.Message, x.Fix)
		}
		if x.Status != r.Status || x.Check != r.Check {
			t.Errorf("%s in %s changed the status or check", r.Check, l)
		}
	}
}

// The same report in Russian: the texts are Russian, the facts (paths,
// numbers) the same, and the JSON fields of before keep their English.
func TestReportInRussian(t *testing.T) {
	f := newFixture(t, nil)
	rep := Run(context.Background(), f.env)
	ru := rep.In("ru")
	for i, r := range ru.Results {
		speaksEveryLanguage(t, rep.Results[i])
		if r.Message == rep.Results[i].Message && r.Check != "disk" {
			t.Errorf("%s: Russian message is the English one: %q", r.Check, r.Message)
		}
	}
	byCheck := map[string]Result{}
	for _, r := range ru.Results {
		byCheck[r.Check] = r
	}
	if got := byCheck["provisioning"].Message; !strings.Contains(got, "подписанная настройка") || !strings.Contains(got, "osh-airport-01") {
		t.Errorf("provisioning in Russian: %q", got)
	}
	if got := byCheck["clock"].Message; !strings.HasPrefix(got, "часы показывают ") {
		t.Errorf("clock in Russian: %q", got)
	}
	b, _ := json.Marshal(rep)
	if !strings.Contains(string(b), `"message":"kiosk osh-airport-01`) || !strings.Contains(string(b), `"text":{"key":"doctor.prov.ok"`) {
		t.Errorf("JSON lost its English message or gained no key: %.400s", b)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestSlowMirrorTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	f := newFixture(t, nil)
	f.env.Timeout = 100 * time.Millisecond
	e := f.env
	err := headOnce(context.Background(), &e, srv.URL)
	if err == nil || !strings.Contains(err.Error(), "no answer within") {
		t.Fatal(err)
	}
}

var (
	sampleOnce sync.Once
	sampleDir  string
	sampleErr  error
)

// sampleRelease is a release as sapar update leaves it: the sample content
// as a bundle (version 2026.05.01) with its index, built once per run.
func sampleRelease(t *testing.T) string {
	sampleOnce.Do(func() {
		sampleDir, sampleErr = os.MkdirTemp("", "sapar-doctor-release-*")
		if sampleErr != nil {
			return
		}
		set, err := content.Load(sample.FS())
		if err != nil {
			sampleErr = err
			return
		}
		files, err := content.Compile(set)
		if err != nil {
			sampleErr = err
			return
		}
		if _, sampleErr = bundle.Write(sampleDir, "2026.05.01", time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), files); sampleErr != nil {
			return
		}
		sampleErr = release.Prepare(sampleDir)
	})
	if sampleErr != nil {
		t.Fatal(sampleErr)
	}
	return sampleDir
}
