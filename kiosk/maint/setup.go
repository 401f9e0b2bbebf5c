package kiosk

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"

	"sapar/provisioning"
	"sapar/systemd"
)

// setupScreen is the first-boot technician screen: it watches the USB
// mount root for a signed provisioning file and provisions from it. Only a
// file signed with the MRC key in the image is accepted, so nothing typed
// on the screen can configure the kiosk: the touch screens guide the
// technician, show what was found and why it was refused.
type setupScreen struct {
	k    *Kiosk
	poke chan struct{}

	mu        sync.Mutex
	st        setupState
	lastTried string // file identity (path, size, mtime) that failed: not retried until it changes
}

func (sp *setupScreen) state() setupState {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.st
}

func (sp *setupScreen) set(f func(*setupState)) {
	sp.mu.Lock()
	f(&sp.st)
	sp.mu.Unlock()
}

// firstBoot serves the setup screen on ln until the kiosk is provisioned
// (it returns the verified state) or ctx ends (nil, nil). The listener is
// handed back open, for the kiosk's server.
func (k *Kiosk) firstBoot(ctx context.Context, ln *net.TCPListener, why string, startWatchdog func()) (*provisioning.State, error) {
	k.phase.Store("setup")
	sp := &setupScreen{k: k, poke: make(chan struct{}, 1)}
	sp.st = setupState{Phase: "waiting", USBRoot: k.o.USBRoot, Error: why}
	if len(k.o.ProvisioningKey) == 0 {
		sp.st.Error = "this image has no MRC provisioning key: a signed provisioning file cannot be checked (rebuild the image with /usr/share/sapar/provisioning.pub)"
	}
	var tok [16]byte
	rand.Read(tok[:])
	token := hex.EncodeToString(tok[:])
	static, assets, err := loadStatic()
	if err != nil {
		return nil, err
	}
	page, err := renderMaintenancePage(assets, map[string]any{"token": token, "mode": "setup"})
	if err != nil {
		return nil, fmt.Errorf("setup screen: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(page)
	})
	mux.HandleFunc("GET /maintenance", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/", http.StatusSeeOther) })
	mux.HandleFunc("GET /static/", func(w http.ResponseWriter, r *http.Request) {
		f, ok := static[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.ctype)
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Write(f.data)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "not provisioned"})
	})
	mux.HandleFunc("GET /api/setup/state", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, sp.state()) })
	tokenOK := func(r *http.Request) bool { return constantEq(r.Header.Get("X-Sapar-Token"), token) }
	mux.HandleFunc("POST /api/setup/scan", func(w http.ResponseWriter, r *http.Request) {
		if !tokenOK(r) {
			apiError(w, http.StatusForbidden, "missing or wrong kiosk token")
			return
		}
		sp.mu.Lock()
		sp.lastTried = "" // the technician asks to try the same file again
		sp.mu.Unlock()
		select {
		case sp.poke <- struct{}{}:
		default:
		}
		writeJSON(w, http.StatusAccepted, sp.state())
	})
	mux.HandleFunc("POST /api/heartbeat", func(w http.ResponseWriter, r *http.Request) {
		if !tokenOK(r) {
			apiError(w, http.StatusForbidden, "missing or wrong kiosk token")
			return
		}
		k.maint.Heartbeat(k.o.Now())
		w.WriteHeader(http.StatusNoContent)
	})
	hl := &handoffListener{TCPListener: ln}
	hs := &http.Server{Handler: localOnly(mux), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan struct{})
	go func() { hs.Serve(hl); close(served) }()

	// The unit must not be restarted while a technician works: the setup
	// screen is a started service (READY), watched like the kiosk.
	systemd.Ready()
	systemd.Status("not provisioned: insert the USB stick with the signed provisioning file")
	startWatchdog()
	k.log.Warn("kiosk is not provisioned: setup screen", "url", k.URL, "usb_root", k.o.USBRoot)

	st := sp.watch(ctx)

	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
	defer cancel()
	hs.Shutdown(sctx)
	<-served
	ln.SetDeadline(time.Time{})
	return st, nil
}

// watch looks for a provisioning file on every stick under the USB root:
// on fsnotify events, on a poke from the screen, and every 2 s (mounting
// over an existing directory makes no inotify event).
func (sp *setupScreen) watch(ctx context.Context) *provisioning.State {
	k := sp.k
	var w *fsnotify.Watcher
	if k.o.USBRoot != "" {
		var err error
		if w, err = fsnotify.NewWatcher(); err != nil {
			k.log.Warn("setup: no file watcher; polling", "err", err)
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
		dirs := []string{k.o.USBRoot}
		if es, err := os.ReadDir(k.o.USBRoot); err == nil {
			for _, e := range es {
				if e.IsDir() {
					dirs = append(dirs, filepath.Join(k.o.USBRoot, e.Name()))
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
			k.log.Warn("setup: watcher", "err", err)
		}
	}
}

// scan tries the provisioning file of each stick once.
func (sp *setupScreen) scan() *provisioning.State {
	k := sp.k
	if k.o.USBRoot == "" {
		return nil
	}
	dirs := []string{k.o.USBRoot}
	if es, err := os.ReadDir(k.o.USBRoot); err == nil {
		for _, e := range es {
			if e.IsDir() {
				dirs = append(dirs, filepath.Join(k.o.USBRoot, e.Name()))
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
			sp.set(func(s *setupState) { s.Phase, s.Error, s.File = "waiting", err.Error(), d })
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
		sp.set(func(s *setupState) {
			s.Phase, s.File, s.Error, s.Message = "provisioning", path, "", "checking the signature and the settings"
		})
		st, err := sp.provision(path)
		if err != nil {
			k.log.Warn("setup: provisioning file refused", "file", path, "err", err)
			sp.mu.Lock()
			sp.lastTried = id
			sp.st.Phase, sp.st.Error, sp.st.Message = "waiting", err.Error(), ""
			sp.mu.Unlock()
			continue
		}
		k.log.Info("provisioned from USB", "file", path, "kiosk", st.Config.Kiosk.ID, "device", st.DeviceID)
		sp.set(func(s *setupState) {
			*s = setupState{Phase: "starting", USBRoot: k.o.USBRoot, File: path, Message: "provisioned — starting the kiosk",
				KioskID: st.Config.Kiosk.ID, KioskName: st.Config.Kiosk.Name, DeviceID: st.DeviceID, DeviceQR: qrDataURL(st.DeviceID)}
		})
		return st
	}
	if !found {
		sp.set(func(s *setupState) {
			if s.Phase == "waiting" && s.File != "" {
				s.File, s.Error = "", ""
			}
		})
	}
	return nil
}

func (sp *setupScreen) provision(path string) (*provisioning.State, error) {
	k := sp.k
	if len(k.o.ProvisioningKey) == 0 {
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
	if err := os.MkdirAll(k.o.StateDir, 0o750); err != nil {
		return nil, err
	}
	if _, err := provisioning.Provision(k.o.StateDir, provisioning.Request{Name: filepath.Base(path), File: file, Sig: sig,
		PublicKey: k.o.ProvisioningKey, Now: k.o.Now(), Options: k.loadOptions().Options}); err != nil {
		return nil, err
	}
	return provisioning.Load(k.o.StateDir, k.loadOptions())
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

// handoffListener lets the setup server stop accepting without closing
// the socket, so the kiosk's server takes over the same address and the
// window on it never sees a refused connection for long.
type handoffListener struct {
	*net.TCPListener
	closed atomic.Bool
}

func (h *handoffListener) Accept() (net.Conn, error) {
	c, err := h.TCPListener.Accept()
	if h.closed.Load() {
		if err == nil {
			c.Close()
		}
		return nil, net.ErrClosed
	}
	return c, err
}

func (h *handoffListener) Close() error {
	h.closed.Store(true)
	return h.TCPListener.SetDeadline(time.Now())
}

// loadStatic reads the embedded assets the way NewServer does (hashed URLs).
func loadStatic() (map[string]staticFile, map[string]string, error) {
	static, assets := map[string]staticFile{}, map[string]string{}
	err := fs.WalkDir(staticFS, "ui/static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		name := strings.TrimPrefix(p, "ui/static/")
		url := "/static/" + hex.EncodeToString(sum[:6]) + "/" + name
		assets[name] = url
		static[url] = staticFile{data: data, ctype: contentType(name)}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("kiosk: ui assets: %w", err)
	}
	return static, assets, nil
}
