package kiosk

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sapar/content"
	"sapar/content/bundle"
	"sapar/content/release"
	"sapar/drivers/escpos"
	"sapar/provisioning"
	"sapar/provisioning/doctor"
	"sapar/provisioning/pin"
	"sapar/kiosk/usage"
	"sapar/systemd"
	"sapar/updates"
)

// PrintQueueDB is the persistent print queue in the state dir.
const PrintQueueDB = "print-queue.db"

// RunOptions configure the production kiosk.
type RunOptions struct {
	StateDir string
	Addr     string // loopback address of the UI
	// ProvisioningKey is the MRC provisioning key baked into the image:
	// only a state provisioned from a file it signed is run.
	ProvisioningKey ed25519.PublicKey
	// ContentSeed is the content shipped in the image (a bundle dir with
	// index.json, or a content source dir), installed when the state has no
	// active release yet.
	ContentSeed string
	// FallbackContent is used as the seed when ContentSeed does not exist
	// (the embedded sample); FallbackNotice is then shown on every screen.
	FallbackContent fs.FS
	FallbackNotice  string
	// USBRoot is where sticks are mounted (e.g. /media/sapar): a provisioning
	// file at first boot, an update repository later. "" watches nothing.
	USBRoot string
	// SysRoot prefixes /sys when a printer is configured by USB id ("/").
	SysRoot string
	Log     *slog.Logger
	// RequireHeartbeat makes the watchdog probe demand a heartbeat from the
	// page (the webview build, where the page is ours to watch).
	RequireHeartbeat bool
	HeartbeatMaxAge  time.Duration // default 45 s
	// UpdateEvery runs an update cycle in-process at this period; 0 leaves
	// scheduling to sapar-update.timer (systemd/README.md: the chosen way).
	UpdateEvery time.Duration
	// UsageFlushEvery: least time between two writes of the usage counts
	// (0: usage.DefaultOptions, 10 min): SD-card care.
	UsageFlushEvery time.Duration
	// SwapGrace is how long an old content store stays open after a hot
	// reload, for requests still using it (default 10 s).
	SwapGrace time.Duration
	// HTTPClient and FetchLimits are passed to the update client (tests).
	HTTPClient  *http.Client
	FetchLimits updates.FetchLimits
	Now         func() time.Time
}

// Kiosk is a running production kiosk.
type Kiosk struct {
	URL string

	o       RunOptions
	log     *slog.Logger
	ring    *ErrorRing
	maint   *Maintenance
	started time.Time

	ready    chan struct{}
	done     chan struct{}
	err      error
	cancel   context.CancelFunc
	restart  atomic.Bool
	phase    atomic.Value // "setup" | "running"
	srv      atomic.Pointer[Server]
	client   http.Client
	readyDur time.Duration
}

// Start listens on the loopback address and brings the kiosk up in the
// background: the first-boot setup screen if the state is not provisioned
// (or its provisioning does not verify), otherwise the kiosk. Ready() is
// closed when the kiosk serves content with its printer driver set up.
func Start(ctx context.Context, o RunOptions) (*Kiosk, error) {
	if o.StateDir == "" {
		return nil, errors.New("run: give the state directory (--state DIR)")
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:8080"
	}
	if err := requireLoopback(o.Addr); err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SysRoot == "" {
		o.SysRoot = "/"
	}
	if o.HeartbeatMaxAge <= 0 {
		o.HeartbeatMaxAge = 45 * time.Second
	}
	if o.SwapGrace <= 0 {
		o.SwapGrace = 10 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	k := &Kiosk{o: o, ready: make(chan struct{}), done: make(chan struct{}), started: o.Now()}
	k.ring = NewErrorRing(64)
	k.log = slog.New(k.ring.Handler(o.Log.Handler()))
	k.maint = &Maintenance{StateDir: o.StateDir, Errors: k.ring, Now: o.Now}
	k.phase.Store("starting")
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("run: listen on %s: %w (is another kiosk running?)", o.Addr, err)
	}
	k.URL = "http://" + ln.Addr().String() + "/"
	k.client = http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	ctx, k.cancel = context.WithCancel(ctx)
	go func() {
		defer close(k.done)
		k.err = k.run(ctx, ln.(*net.TCPListener))
		if k.err != nil {
			k.log.Error("kiosk stopped", "err", k.err)
		}
	}()
	return k, nil
}

// Ready is closed once the kiosk serves content (after first boot, once provisioned).
func (k *Kiosk) Ready() <-chan struct{} { return k.ready }

// ReadyAfter is how long start-up took, from Start to READY.
func (k *Kiosk) ReadyAfter() time.Duration { return k.readyDur }

// Done is closed when the kiosk has stopped.
func (k *Kiosk) Done() <-chan struct{} { return k.done }

// Wait blocks until the kiosk stops and says why.
func (k *Kiosk) Wait() error { <-k.done; return k.err }

// Close stops the kiosk and waits for it.
func (k *Kiosk) Close() error {
	k.cancel()
	select {
	case <-k.done:
		return k.err
	case <-time.After(20 * time.Second):
		return errors.New("run: kiosk did not stop within 20 s")
	}
}

// RestartRequested reports whether the technician asked for a restart.
func (k *Kiosk) RestartRequested() bool { return k.restart.Load() }

// Server is the UI server once running (nil during first boot).
func (k *Kiosk) Server() *Server { return k.srv.Load() }

// Errors is the in-memory ring of recent warnings and errors.
func (k *Kiosk) Errors() *ErrorRing { return k.ring }

func (k *Kiosk) logf(format string, args ...any) { k.log.Info(fmt.Sprintf(format, args...)) }

func (k *Kiosk) run(ctx context.Context, ln *net.TCPListener) error {
	defer ln.Close()
	// One watchdog for the whole life; the probe depends on the phase.
	wdCtx, wdStop := context.WithCancel(ctx)
	defer wdStop()
	var wdOnce sync.Once
	startWatchdog := func() {
		wdOnce.Do(func() {
			go func() {
				if err := systemd.Watchdog(wdCtx, k.probe, func(f string, a ...any) { k.log.Warn(fmt.Sprintf(f, a...)) }); err != nil {
					k.log.Error("watchdog", "err", err)
				}
			}()
		})
	}
	st, err := provisioning.Load(k.o.StateDir, k.loadOptions())
	if err != nil {
		why := err.Error()
		if errors.Is(err, provisioning.ErrNotProvisioned) {
			why = ""
		} else {
			k.log.Error("provisioning does not load: showing the setup screen", "err", err)
		}
		st, err = k.firstBoot(ctx, ln, why, startWatchdog)
		if err != nil {
			return err
		}
		if st == nil { // ctx ended
			systemd.Stopping()
			return nil
		}
	}
	return k.runProvisioned(ctx, ln, st, startWatchdog)
}

func (k *Kiosk) loadOptions() provisioning.LoadOptions {
	return provisioning.LoadOptions{PublicKey: k.o.ProvisioningKey, Options: provisioning.Options{Profiles: escpos.ProfileNames()}}
}

// probe is what the watchdog checks before each WATCHDOG=1.
func (k *Kiosk) probe(ctx context.Context) error {
	if s := k.srv.Load(); s != nil {
		if err := s.Store().Ping(ctx); err != nil {
			return fmt.Errorf("content store: %w", err)
		}
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, k.URL+"healthz", nil)
	resp, err := k.client.Do(req)
	if err != nil {
		return fmt.Errorf("http self-request: %w", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("http self-request: /healthz answered %s", resp.Status)
	}
	if k.o.RequireHeartbeat {
		last := k.maint.LastHeartbeat()
		since := last
		if since.IsZero() {
			since = k.started // grace for the page to load
		}
		if age := k.o.Now().Sub(since); age > k.o.HeartbeatMaxAge {
			if last.IsZero() {
				return fmt.Errorf("page heartbeat: none in %s since start", age.Round(time.Second))
			}
			return fmt.Errorf("page heartbeat %s old", age.Round(time.Second))
		}
	}
	return nil
}

func (k *Kiosk) runProvisioned(ctx context.Context, ln *net.TCPListener, st *provisioning.State, startWatchdog func()) (err error) {
	cfg := st.Config
	log := k.log
	log.Info("provisioned", "kiosk", cfg.Kiosk.ID, "device", st.DeviceID, "signed", st.Signed())
	var closers []func()
	defer func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}()

	// Content: finish an interrupted activation, seed from the image if
	// nothing is active, open the active release's index.
	if err := updates.Recover(k.o.StateDir, release.Index{}, k.logf); err != nil {
		log.Warn("recover interrupted activation", "err", err)
	}
	notice := ""
	dir, err := updates.ActiveDir(k.o.StateDir)
	if errors.Is(err, updates.ErrNoActive) {
		if notice, err = k.seed(); err != nil {
			return err
		}
		dir, err = updates.ActiveDir(k.o.StateDir)
	}
	if err != nil {
		return fmt.Errorf("run: active content: %w", err)
	}
	store, dir, err := k.openActive(dir)
	if err != nil {
		return err
	}
	var storeMu sync.Mutex // guards activeDir and store swaps
	activeDir := dir
	version, _ := store.Version(ctx)
	log.Info("content", "version", version, "dir", dir)

	// Printer.
	prof, err := escpos.ProfileByName(cfg.Printer.Profile)
	if err != nil {
		return fmt.Errorf("run: printer profile: %w", err)
	}
	dial, device := printerDialer(cfg.Printer, k.o.SysRoot)
	drv := newPrinterDriver(cfg.Printer, prof, dial, device, log, k.o.Now)
	closers = append(closers, func() { drv.Close() })
	ps := drv.Status(ctx)
	log.Info("printer", "device", device, "profile", prof.Name, "state", ps.State)

	// Anonymous usage counts, written in batches.
	uo := usage.DefaultOptions()
	uo.Languages = cfg.Languages.Offered
	if k.o.UsageFlushEvery > 0 {
		uo.FlushEvery = k.o.UsageFlushEvery
	}
	uo.Now = k.o.Now
	counter, err := usage.Open(ctx, filepath.Join(k.o.StateDir, provisioning.UsageDBFile), uo)
	if err != nil {
		return fmt.Errorf("run: usage statistics: %w", err)
	}
	uctx, ustop := context.WithCancel(context.WithoutCancel(ctx))
	udone := make(chan struct{})
	tick := time.NewTicker(time.Minute)
	go func() { counter.Run(uctx, tick.C, k.logf); close(udone) }()
	closers = append(closers, func() { tick.Stop(); ustop(); <-udone; counter.Close() })
	if n, err := counter.Prune(ctx); err != nil {
		log.Warn("usage prune", "err", err)
	} else if n > 0 {
		log.Info("usage prune", "rows", n)
	}

	// Updates: the client used by "update now", the USB watcher and the optional schedule.
	uc, err := k.updateClient(cfg)
	if err != nil {
		log.Warn("updates not available", "err", err)
	}

	m := k.maint
	m.PINHash = cfg.Technician.PINHash
	m.Guard = pin.NewGuard(filepath.Join(k.o.StateDir, provisioning.PINLockoutFile), pin.DefaultPolicy)
	m.KioskID, m.KioskName, m.DeviceID = cfg.Kiosk.ID, cfg.Kiosk.Name, st.DeviceID
	m.Place = cfg.Place.City + " (" + cfg.Place.Kind + ")"
	m.Languages, m.Location = cfg.Languages.Offered, cfg.Location()
	m.Printer, m.Usage = drv, counter
	m.Restart = func() { k.restart.Store(true); k.cancel() }
	m.Doctor = func(ctx context.Context) doctor.Report {
		e := doctor.DefaultEnv(k.o.StateDir)
		e.BuildTime = updates.BuildTime()
		return doctor.Run(ctx, e)
	}
	if uc != nil {
		m.Update = func(rctx context.Context, usb bool) (string, error) {
			uctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
			defer cancel()
			if !usb {
				res, err := uc.Update(uctx)
				if err != nil {
					return "", err
				}
				return describeUpdate(res), nil
			}
			repos := findUSBRepos(k.o.USBRoot)
			if len(repos) == 0 {
				return "", fmt.Errorf("no update repository found on a stick under %s (metadata/root.json or sapar/metadata/root.json)", k.o.USBRoot)
			}
			var last error
			for _, r := range repos {
				res, err := uc.UpdateUSB(uctx, r)
				if err == nil {
					return describeUpdate(res), nil
				}
				last = err
			}
			return "", last
		}
	}

	srv, err := NewServer(Options{Store: store, Print: drv.Print, Log: log, IdleTimeout: time.Duration(cfg.IdleTimeout),
		Place: cfg.Kiosk.Name, Notice: notice, Now: k.o.Now, Usage: counter, Maintenance: m, ExtraMetrics: k.writeExtraMetrics,
		QueueDB: filepath.Join(k.o.StateDir, PrintQueueDB)})
	if err != nil {
		return err
	}
	k.srv.Store(srv)
	closers = append(closers, func() {
		storeMu.Lock()
		srv.Store().Close()
		storeMu.Unlock()
	})
	sctx, sstop := context.WithCancel(context.WithoutCancel(ctx))
	serveDone := make(chan error, 1)
	go func() { serveDone <- srv.Serve(sctx, ln) }()
	closers = append(closers, func() { sstop(); <-serveDone })
	if err := k.waitHTTP(ctx); err != nil {
		return err
	}

	// Hot reload: any swap of STATE/content/current (this process's update,
	// the timer's sapar update, a stick) opens the new index and switches.
	go func() {
		err := updates.WatchActive(ctx, k.o.StateDir, func(newDir string) {
			storeMu.Lock()
			defer storeMu.Unlock()
			if newDir == activeDir || ctx.Err() != nil {
				return
			}
			ns, repaired, err := release.Open(newDir)
			if repaired != "" {
				log.Warn("hot reload: content repaired", "dir", newDir, "repair", repaired)
			}
			if err != nil {
				log.Error("hot reload: new content does not open; keeping the old", "dir", newDir, "err", err)
				return
			}
			activeDir = newDir
			v, _ := ns.Version(ctx)
			log.Info("hot reload: new content ready, switching at the next idle reset", "version", v)
			srv.StageStore(ns, func(old *content.Store) {
				log.Info("hot reload: new content serving", "version", v)
				systemd.Status(k.statusLine(drv, v))
				time.AfterFunc(k.o.SwapGrace, func() { old.Close() })
			})
		})
		if err != nil && ctx.Err() == nil {
			log.Error("content watcher stopped: new content needs a restart", "err", err)
		}
	}()
	if uc != nil && k.o.USBRoot != "" {
		w := &updates.USBWatcher{Root: k.o.USBRoot, Logf: k.logf, Run: func(ctx context.Context, repo string) {
			res, err := uc.UpdateUSB(ctx, repo)
			if err != nil {
				log.Warn("USB update failed", "repo", repo, "err", err)
				return
			}
			log.Info("USB update", "result", describeUpdate(res))
		}}
		go func() {
			if err := w.Watch(ctx); err != nil && ctx.Err() == nil {
				log.Warn("USB watcher stopped", "err", err)
			}
		}()
	}
	if uc != nil && k.o.UpdateEvery > 0 {
		go func() {
			t := time.NewTicker(k.o.UpdateEvery)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if res, err := uc.Update(ctx); err != nil {
						log.Warn("scheduled update failed", "err", err)
					} else {
						log.Info("scheduled update", "result", describeUpdate(res))
					}
				}
			}
		}()
	}
	if addr := cfg.Metrics.Listen; addr != "" {
		if stop, err := k.serveMetrics(ctx, addr, srv); err != nil {
			log.Error("metrics listener", "addr", addr, "err", err)
		} else {
			closers = append(closers, stop)
		}
	}

	k.phase.Store("running")
	k.readyDur = k.o.Now().Sub(k.started)
	systemd.Ready()
	systemd.Status(k.statusLine(drv, version))
	startWatchdog()
	log.Info("kiosk ready", "url", k.URL, "after", k.readyDur.Round(time.Millisecond))
	close(k.ready)

	<-ctx.Done()
	systemd.Stopping()
	log.Info("kiosk stopping")
	return nil
}

func (k *Kiosk) statusLine(drv *printerDriver, version string) string {
	return fmt.Sprintf("content %s; printer %s", version, drv.Last().State)
}

// waitHTTP waits until the UI server answers /healthz.
func (k *Kiosk) waitHTTP(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, k.URL+"healthz", nil)
		resp, err := k.client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = errors.New(resp.Status)
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return fmt.Errorf("run: the UI server does not answer: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (k *Kiosk) updateClient(cfg *provisioning.Config) (*updates.Client, error) {
	root := cfg.Updates.Root.Inline
	if len(root) == 0 {
		var err error
		if root, err = os.ReadFile(cfg.Updates.Root.File); err != nil {
			return nil, fmt.Errorf("trusted root: %w", err)
		}
	}
	var mirrors []string
	for _, m := range cfg.Updates.Mirrors {
		mirrors = append(mirrors, strings.TrimRight(m, "/"))
	}
	return &updates.Client{StateDir: k.o.StateDir, Mirrors: mirrors, TrustedRoot: root, BuildTime: updates.BuildTime(),
		Clock: k.o.Now, HTTPClient: k.o.HTTPClient, Limits: k.o.FetchLimits, Logf: k.logf,
		Index: release.Index{}}, nil
}

func describeUpdate(r updates.Result) string {
	if r.Changed {
		return fmt.Sprintf("updated to %s from %s (%d bytes, %d objects downloaded, %d reused)", r.Version, r.Source, r.BytesFetched, r.ObjectsFetched, r.ObjectsReused)
	}
	return fmt.Sprintf("%s is current (checked %s, %d bytes)", r.Version, r.Source, r.BytesFetched)
}

// findUSBRepos lists update repositories on the sticks mounted under root.
func findUSBRepos(root string) []string {
	if root == "" {
		return nil
	}
	var out []string
	cands := []string{root, filepath.Join(root, "sapar")}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if e.IsDir() {
			cands = append(cands, filepath.Join(root, e.Name()), filepath.Join(root, e.Name(), "sapar"))
		}
	}
	for _, c := range cands {
		if _, err := os.Stat(filepath.Join(c, "metadata", "root.json")); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// openActive opens the active release's index. An index that is missing
// (a release installed by an older sapar update), stale or unreadable is
// rebuilt from the release's verified bundle; a release that still cannot
// be served is given up for the previous one. Each repair is logged as a
// warning (so the maintenance screen's error list shows it): a kiosk never
// crash-loops on one bad release.
func (k *Kiosk) openActive(dir string) (*content.Store, string, error) {
	for tries := 0; ; tries++ {
		st, repaired, err := release.Open(dir)
		if repaired != "" {
			k.log.Warn("content repaired", "dir", dir, "repair", repaired)
		}
		if err == nil {
			return st, dir, nil
		}
		if tries > 0 {
			return nil, "", fmt.Errorf("run: the previous content release cannot be served either: %w (run sapar doctor; sapar update or a USB stick installs a fresh release)", err)
		}
		r, ferr := updates.FallBack(k.o.StateDir, err)
		if ferr != nil {
			return nil, "", fmt.Errorf("run: open the content of %s: %w; %v (run sapar doctor; sapar update or a USB stick installs a fresh release)", dir, err, ferr)
		}
		k.log.Error("content release cannot be served: went back to the previous release", "bad", filepath.Base(dir), "now", r.Version, "err", err)
		dir = r.Dir
	}
}

// seed installs the content shipped in the image when nothing is active.
// It returns the notice to show when that content is only the sample.
func (k *Kiosk) seed() (notice string, err error) {
	src := k.o.ContentSeed
	var fsys fs.FS
	if src != "" {
		if _, err := os.Stat(filepath.Join(src, bundle.IndexName)); err == nil {
			k.log.Info("seeding content from the image", "bundle", src)
			_, err := updates.InstallLocal(k.o.StateDir, src, release.Index{})
			return "", err
		}
		if fi, err := os.Stat(src); err == nil && fi.IsDir() {
			fsys = os.DirFS(src)
		}
	}
	if fsys == nil {
		if k.o.FallbackContent == nil {
			return "", fmt.Errorf("run: no content installed and no seed at %q: run sapar update, or bring a USB stick", src)
		}
		k.log.Warn("no content in the image: seeding the embedded sample", "seed", src)
		fsys, notice = k.o.FallbackContent, k.o.FallbackNotice
	}
	tmp, err := os.MkdirTemp("", "sapar-seed-*")
	if err != nil {
		return "", fmt.Errorf("run: seed: %w", err)
	}
	defer os.RemoveAll(tmp)
	bdir := filepath.Join(tmp, "bundle")
	created := updates.BuildTime()
	if created.IsZero() {
		created = k.o.Now()
	}
	if _, err := release.WriteSourceBundle(fsys, bdir, "seed-", created); err != nil {
		return "", fmt.Errorf("run: seed: %w", err)
	}
	if _, err := updates.InstallLocal(k.o.StateDir, bdir, release.Index{}); err != nil {
		return "", fmt.Errorf("run: seed: %w", err)
	}
	return notice, nil
}
