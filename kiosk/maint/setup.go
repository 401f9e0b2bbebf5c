package maint

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"sapar/kiosk/web/httpx"
	"sapar/kiosk/web/ui"
	"sapar/provisioning"
	"sapar/provisioning/techtext"
)

// Setup is the first-boot technician screen: it watches the USB mount root
// for a signed provisioning file and provisions from it. Only a file signed
// with the MRC key in the image is accepted, so nothing typed on the screen
// can configure the kiosk: the screen guides the technician, shows what was
// found and why it was refused. Handler serves it; Watch waits for a file.
type Setup struct {
	o         SetupOptions
	poke      chan struct{}
	mu        sync.Mutex
	st        SetupState
	lastTried string // file identity (path, size, mtime) that failed: not retried until it changes
}

// SetupOptions is what the setup screen needs from the kiosk.
type SetupOptions struct {
	USBRoot         string
	StateDir        string
	ProvisioningKey ed25519.PublicKey
	LoadOptions     provisioning.LoadOptions
	Token           string
	Now             func() time.Time
	Log             *slog.Logger
	// Heartbeat is told each page heartbeat (the watchdog's page check).
	Heartbeat func(time.Time)
}

// NewSetup prepares the setup screen; why is shown as the first error
// (e.g. why an existing state was refused).
func NewSetup(o SetupOptions, why string) *Setup {
	if o.Log == nil {
		o.Log = discardLog()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Heartbeat == nil {
		o.Heartbeat = func(time.Time) {}
	}
	sp := &Setup{o: o, poke: make(chan struct{}, 1)}
	sp.st = SetupState{Phase: "waiting", USBRoot: o.USBRoot, Error: why}
	if len(o.ProvisioningKey) == 0 {
		sp.st.Error, sp.st.ErrorCode = techtext.Text("en", "setup.no_key"), "setup.no_key"
	}
	return sp
}

func (sp *Setup) state() SetupState {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.st
}

func (sp *Setup) set(f func(*SetupState)) {
	sp.mu.Lock()
	f(&sp.st)
	sp.mu.Unlock()
}

// Handler serves the setup screen and its API; every route is listed here.
func (sp *Setup) Handler(assets *ui.Assets) (http.Handler, error) {
	page, err := assets.MaintenancePage(pageBoot(sp.o.Token, "setup", ""))
	if err != nil {
		return nil, fmt.Errorf("setup screen: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { httpx.HTML(w, page) })
	mux.HandleFunc("GET /maintenance", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/", http.StatusSeeOther) })
	mux.Handle("GET /static/", assets)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		httpx.JSON(w, http.StatusOK, map[string]string{"status": "not provisioned"})
	})
	mux.HandleFunc("GET /api/setup/state", func(w http.ResponseWriter, r *http.Request) { httpx.JSON(w, http.StatusOK, sp.state()) })
	mux.HandleFunc("POST /api/setup/scan", func(w http.ResponseWriter, r *http.Request) {
		if !httpx.RequireToken(w, r, sp.o.Token) {
			return
		}
		sp.mu.Lock()
		sp.lastTried = "" // the technician asks to try the same file again
		sp.mu.Unlock()
		select {
		case sp.poke <- struct{}{}:
		default:
		}
		httpx.JSON(w, http.StatusAccepted, sp.state())
	})
	mux.HandleFunc("POST /api/heartbeat", func(w http.ResponseWriter, r *http.Request) {
		if !httpx.RequireToken(w, r, sp.o.Token) {
			return
		}
		sp.o.Heartbeat(sp.o.Now())
		w.WriteHeader(http.StatusNoContent)
	})
	return httpx.LocalOnly(mux), nil
}

// Watch looks for a provisioning file on every stick under the USB root
// until one provisions the kiosk (it returns the verified state) or ctx
// ends (nil): on fsnotify events, on a poke from the screen, and every 2 s
// (mounting over an existing directory makes no inotify event).
func (sp *Setup) Watch(ctx context.Context) *provisioning.State {
	var w *fsnotify.Watcher
	if sp.o.USBRoot != "" {
		var err error
		if w, err = fsnotify.NewWatcher(); err != nil {
			sp.o.Log.Warn("setup: no file watcher; polling", "err", err)
			w = nil
		} else {
			defer w.Close()
		}
	}
	watched := map[string]bool{}
	addWatches := func() {
		if w == nil {
			return
		}
		dirs := []string{sp.o.USBRoot}
		if es, err := os.ReadDir(sp.o.USBRoot); err == nil {
			for _, e := range es {
				if e.IsDir() {
					dirs = append(dirs, filepath.Join(sp.o.USBRoot, e.Name()))
				}
			}
		}
		for _, d := range dirs {
			if !watched[d] && w.Add(d) == nil {
				watched[d] = true
			}
		}
	}
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	var events <-chan fsnotify.Event
	var errs <-chan error
	if w != nil {
		events, errs = w.Events, w.Errors
	}
	for {
		addWatches()
		if st := sp.scan(); st != nil {
			return st
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-sp.poke:
		case ev := <-events:
			if ev.Op&(fsnotify.Remove|fsnotify.Rename) != 0 {
				delete(watched, ev.Name)
			}
			time.Sleep(300 * time.Millisecond) // let a copy or a mount finish
		case err := <-errs:
			sp.o.Log.Warn("setup: watcher", "err", err)
		}
	}
}

// scan tries the provisioning file of each stick once.
func (sp *Setup) scan() *provisioning.State {
	if sp.o.USBRoot == "" {
		return nil
	}
	dirs := []string{sp.o.USBRoot}
	if es, err := os.ReadDir(sp.o.USBRoot); err == nil {
		for _, e := range es {
			if e.IsDir() {
				dirs = append(dirs, filepath.Join(sp.o.USBRoot, e.Name()))
			}
		}
	}
	found := false
	for _, d := range dirs {
		path, err := provisioning.FindFile(d, true)
		if errors.Is(err, provisioning.ErrNoFile) || errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			sp.set(func(s *SetupState) { s.Phase, s.Error, s.ErrorCode, s.File = "waiting", err.Error(), "", d })
			found = true
			continue
		}
		found = true
		id := fileIdentity(path)
		sp.mu.Lock()
		skip := id == sp.lastTried
		sp.mu.Unlock()
		if skip {
			continue
		}
		sp.set(func(s *SetupState) {
			s.Phase, s.File, s.Error, s.ErrorCode, s.Message = "provisioning", path, "", "", "checking the signature and the settings"
		})
		st, err := sp.provision(path)
		if err != nil {
			sp.o.Log.Warn("setup: provisioning file refused", "file", path, "err", err)
			sp.mu.Lock()
			sp.lastTried = id
			sp.st.Phase, sp.st.Error, sp.st.Message, sp.st.ErrorCode = "waiting", err.Error(), "", ""
			if errors.Is(err, provisioning.ErrBadSignature) {
				sp.st.ErrorCode = "setup.bad_signature"
			}
			sp.mu.Unlock()
			continue
		}
		sp.o.Log.Info("provisioned from USB", "file", path, "kiosk", st.Config.Kiosk.ID, "device", st.DeviceID)
		sp.set(func(s *SetupState) {
			*s = SetupState{Phase: "starting", USBRoot: sp.o.USBRoot, File: path, Message: "provisioned — starting the kiosk",
				KioskID: st.Config.Kiosk.ID, KioskName: st.Config.Kiosk.Name, DeviceID: st.DeviceID, DeviceQR: qrDataURL(st.DeviceID)}
		})
		return st
	}
	if !found {
		sp.set(func(s *SetupState) {
			if s.Phase == "waiting" && s.File != "" {
				s.File, s.Error, s.ErrorCode = "", "", ""
			}
		})
	}
	return nil
}

func (sp *Setup) provision(path string) (*provisioning.State, error) {
	if len(sp.o.ProvisioningKey) == 0 {
		return nil, errors.New("this image has no MRC provisioning key")
	}
	file, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sig, err := os.ReadFile(path + provisioning.SigExt)
	if err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	if err := os.MkdirAll(sp.o.StateDir, 0o750); err != nil {
		return nil, err
	}
	if _, err := provisioning.Provision(sp.o.StateDir, provisioning.Request{Name: filepath.Base(path), File: file, Sig: sig,
		PublicKey: sp.o.ProvisioningKey, Now: sp.o.Now(), Options: sp.o.LoadOptions.Options}); err != nil {
		return nil, err
	}
	return provisioning.Load(sp.o.StateDir, sp.o.LoadOptions)
}

func fileIdentity(path string) string {
	var b strings.Builder
	for _, p := range []string{path, path + provisioning.SigExt} {
		fi, err := os.Stat(p)
		if err != nil {
			fmt.Fprintf(&b, "%s:-;", p)
			continue
		}
		fmt.Fprintf(&b, "%s:%d:%d;", p, fi.Size(), fi.ModTime().UnixNano())
	}
	return b.String()
}
