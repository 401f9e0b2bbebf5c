package kiosk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"sapar/content"
	"sapar/content/release"
	"sapar/drivers/escpos"
	"sapar/drivers/printer"
	"sapar/kiosk/maint"
	"sapar/kiosk/metrics"
	"sapar/kiosk/slipprinter"
	"sapar/kiosk/usage"
	"sapar/kiosk/web"
	"sapar/kiosk/web/httpx"
	"sapar/kiosk/web/ui"
	"sapar/provisioning"
	"sapar/provisioning/doctor"
	"sapar/provisioning/pin"
	"sapar/systemd"
	"sapar/updates"
)

// running is one provisioned run of the kiosk: what each start-up step
// opens, and the stack of what to close, in reverse, when it ends.
type running struct {
	k       *Kiosk
	st      *provisioning.State
	cfg     *provisioning.Config
	ln      *net.TCPListener
	log     *slog.Logger
	cleanup cleanups

	notice    string         // shown on every screen and slip (the sample's warning)
	storeMu   sync.Mutex     // guards activeDir and store swaps
	activeDir string         // the release being served (or staged)
	store     *content.Store // the index opened at start
	repairs   []repair       // what opening it repaired, reported once the server runs
	version   string

	prn     *slipprinter.Printer
	counter *usage.Counter
	updates *updates.Client // nil: updates not configured
	srv     *web.Server
}

// cleanups is a stack of closers, run last-in first-out.
type cleanups []func()

func (c *cleanups) push(f func()) { *c = append(*c, f) }

func (c *cleanups) run() {
	for i := len(*c) - 1; i >= 0; i-- {
		(*c)[i]()
	}
	*c = nil
}

// runProvisioned is the running phase: each step opens one part, the
// kiosk is READY once all of them are up, and everything closes in reverse
// when ctx ends.
func (k *Kiosk) runProvisioned(ctx context.Context, ln *net.TCPListener, st *provisioning.State, startWatchdog func()) error {
	r := &running{k: k, st: st, cfg: st.Config, ln: ln, log: k.log}
	defer r.cleanup.run()
	r.log.Info("provisioned", "kiosk", r.cfg.Kiosk.ID, "device", st.DeviceID, "signed", st.Signed())
	for _, step := range []func(context.Context) error{
		r.openContent,   // recover, seed if empty, open (or repair) the active release
		r.openPrinter,   // the printer from the provisioning file
		r.openUsage,     // anonymous usage counts, written in batches
		r.openUpdates,   // the update client ("update now", sticks, schedule)
		r.serve,         // the technician's screen and the UI server, answering /healthz
		r.watchContent,  // hot reload of every newly activated release
		r.watchUpdates,  // USB sticks and the optional in-process schedule
		r.listenMetrics, // the opt-in fleet /metrics listener
	} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	r.ready(startWatchdog)
	<-ctx.Done()
	systemd.Stopping()
	r.log.Info("kiosk stopping")
	return nil
}

// openContent finishes an interrupted activation, seeds from the image if
// nothing is active, and opens the active release's index.
func (r *running) openContent(ctx context.Context) error {
	k := r.k
	if err := updates.Recover(k.o.StateDir, release.Index{}, k.logf); err != nil {
		r.log.Warn("recover interrupted activation", "err", err)
	}
	dir, err := updates.ActiveDir(k.o.StateDir)
	if errors.Is(err, updates.ErrNoActive) {
		if r.notice, err = k.seed(); err != nil {
			return err
		}
		dir, err = updates.ActiveDir(k.o.StateDir)
	}
	if err != nil {
		return fmt.Errorf("run: active content: %w", err)
	}
	if r.store, r.activeDir, r.repairs, err = k.openActive(dir); err != nil {
		// Nothing installed can be served: start again from the content in
		// the image rather than exit at every start (a crash loop).
		r.log.Error("no installed content release can be served: seeding again from the image", "err", err)
		if aerr := updates.Abandon(k.o.StateDir, err); aerr != nil {
			return fmt.Errorf("%w; and the releases cannot be given up: %v", err, aerr)
		}
		var serr error
		if r.notice, serr = k.seed(); serr != nil {
			return fmt.Errorf("%w; and seeding again failed: %v", err, serr)
		}
		if dir, serr = updates.ActiveDir(k.o.StateDir); serr != nil {
			return fmt.Errorf("%w; and seeding again failed: %v", err, serr)
		}
		var more []repair
		if r.store, r.activeDir, more, serr = k.openActive(dir); serr != nil {
			return fmt.Errorf("%w; and the seeded content does not open either: %v", err, serr)
		}
		r.repairs = append(append(r.repairs, repair{"reseeded", fmt.Sprintf("no installed release could be served (%v): seeded again from the image", err)}), more...)
	}
	r.version, _ = r.store.Version(ctx)
	r.log.Info("content", "version", r.version, "dir", r.activeDir)
	return nil
}

// openPrinter opens the printer the provisioning file names (a device path
// or a USB vendor:product) and asks it once how it is.
func (r *running) openPrinter(ctx context.Context) error {
	pc := r.cfg.Printer
	// A profile the technician calibrated on this kiosk (sapar printer
	// calibrate) wins over the built-in model it was calibrated from.
	prof, calibrated, err := escpos.ResolveProfile(r.k.o.StateDir, pc.Profile)
	if prof.Name == "" {
		return fmt.Errorf("run: printer profile: %w", err)
	}
	if err != nil {
		r.log.Warn("printer profile: using the built-in one", "profile", pc.Profile, "err", err)
	}
	dial, device := slipprinter.PortDialer(pc.Device, pc.Baud), pc.Device
	if pc.Device == "" {
		dial, device = slipprinter.USBDialer(r.k.o.SysRoot, pc.USB, pc.Baud), "usb "+pc.USB
	}
	r.prn = slipprinter.New(dial, prof, slipprinter.Opts{Device: device, Baud: pc.Baud,
		Reconnect: printer.DefaultReconnectOpts(), Now: r.k.o.Now})
	r.cleanup.push(func() { r.prn.Close() })
	ps := r.prn.Status(ctx)
	r.log.Info("printer", "device", device, "profile", prof.Name, "calibrated", calibrated, "state", ps.State)
	return nil
}

// openUsage opens the anonymous usage counts, flushed in batches.
func (r *running) openUsage(ctx context.Context) error {
	k := r.k
	uo := usage.DefaultOptions()
	uo.Languages = r.cfg.Languages.Offered
	if k.o.UsageFlushEvery > 0 {
		uo.FlushEvery = k.o.UsageFlushEvery
	}
	uo.Now = k.o.Now
	counter, err := usage.Open(ctx, filepath.Join(k.o.StateDir, provisioning.UsageDBFile), uo)
	if err != nil {
		return fmt.Errorf("run: usage statistics: %w", err)
	}
	r.counter = counter
	uctx, ustop := context.WithCancel(context.WithoutCancel(ctx))
	udone := make(chan struct{})
	tick := time.NewTicker(time.Minute)
	go func() { counter.Run(uctx, tick.C, k.logf); close(udone) }()
	r.cleanup.push(func() { tick.Stop(); ustop(); <-udone; counter.Close() })
	if n, err := counter.Prune(ctx); err != nil {
		r.log.Warn("usage prune", "err", err)
	} else if n > 0 {
		r.log.Info("usage prune", "rows", n)
	}
	return nil
}

// openUpdates makes the update client; a kiosk without one still runs.
func (r *running) openUpdates(context.Context) error {
	uc, err := r.k.updateClient(r.cfg)
	if err != nil {
		r.log.Warn("updates not available", "err", err)
		return nil
	}
	r.updates = uc
	return nil
}

// maintenance fills the technician's screen for this run.
func (r *running) maintenance(ctx context.Context, token string) *maint.Maintenance {
	k, cfg := r.k, r.cfg
	m := k.maint
	m.Token, m.Log = token, r.log
	m.Print = r.prn.Print
	m.Store = func() *content.Store { return r.srv.Store() }
	m.ContentStatus = func() (string, []string) { return r.srv.ContentStatus() }
	m.PINHash = cfg.Technician.PINHash
	m.Guard = pin.NewGuard(filepath.Join(k.o.StateDir, provisioning.PINLockoutFile), pin.DefaultPolicy)
	m.KioskID, m.KioskName, m.DeviceID = cfg.Kiosk.ID, cfg.Kiosk.Name, r.st.DeviceID
	m.Place = cfg.Place.City + " (" + cfg.Place.Kind + ")"
	m.Languages, m.Location = cfg.Languages.Offered, cfg.Location()
	m.MaintenanceWindow = cfg.MaintenanceWindow.String()
	m.Printer, m.Usage = r.prn, r.counter
	m.PrinterModel, m.PrintRaw, m.Identify, m.UseProfile = cfg.Printer.Profile, r.prn.PrintBytes, r.prn.Identify, r.prn.SetProfile
	m.TechLanguage = cfg.TechnicianLanguage()
	m.Restart = func() { k.restart.Store(true); k.cancel() }
	m.Doctor = func(ctx context.Context) doctor.Report {
		e := doctor.DefaultEnv(k.o.StateDir)
		e.BuildTime = updates.BuildTime()
		return doctor.Run(ctx, e)
	}
	if uc := r.updates; uc != nil {
		m.Update = func(_ context.Context, usb bool) (string, error) { return k.updateNow(ctx, uc, usb) }
	}
	return m
}

// serve starts the UI server (with the technician's screen mounted) on the
// kiosk's listener and waits until it answers /healthz.
func (r *running) serve(ctx context.Context) error {
	k, cfg := r.k, r.cfg
	token, err := httpx.NewToken()
	if err != nil {
		return fmt.Errorf("run: token: %w", err)
	}
	assets, err := ui.Load()
	if err != nil {
		return err
	}
	m := r.maintenance(ctx, token)
	// One registry: the UI server's usage counters and the health read at
	// scrape. Guides are counted only after the store found them, so a
	// guide label is always one of the content's ids.
	reg := metrics.New(metrics.Options{Now: k.o.Now, Health: metrics.Health{StateDir: k.o.StateDir, Now: k.o.Now,
		Printer: r.prn.Last, LogErrors: k.ring.Total, Heartbeat: m.LastHeartbeat, BuildTime: updates.BuildTime()}})
	site := SiteOptions(cfg)
	srv, err := web.NewServer(web.Options{Store: r.store, Print: r.prn.Print, Log: r.log, IdleTimeout: time.Duration(cfg.IdleTimeout),
		Place: site.Place, Notice: r.notice, SampleContent: r.notice != "", HelpDesk: site.HelpDesk,
		Country: site.Country, City: site.City, Now: k.o.Now, Location: site.Location, Usage: r.counter, Token: token, Assets: assets,
		Maintenance: m.Handler(assets), Heartbeat: m.Heartbeat, Opened: r.opened, Metrics: reg,
		QueueDB: filepath.Join(k.o.StateDir, PrintQueueDB)})
	if err != nil {
		return err
	}
	r.srv = srv
	for _, rp := range r.repairs {
		srv.ContentRepaired(rp.reason, rp.note)
	}
	r.prn.OnStatus = srv.Queue().PrinterStatus // paper near end reaches the queue and the page
	k.srv.Store(srv)
	r.cleanup.push(func() {
		r.storeMu.Lock()
		srv.Store().Close()
		r.storeMu.Unlock()
	})
	sctx, sstop := context.WithCancel(context.WithoutCancel(ctx))
	serveDone := make(chan error, 1)
	go func() { serveDone <- srv.Serve(sctx, r.ln) }()
	r.cleanup.push(func() { sstop(); <-serveDone })
	return k.waitHTTP(ctx)
}

// opened is how often each guide was opened here in the last 30 days.
func (r *running) opened(ctx context.Context) map[string]int64 {
	m, err := r.counter.Opened(ctx, r.k.o.Now().Add(-30*24*time.Hour))
	if err != nil {
		r.log.Warn("usage: guides opened", "err", err)
	}
	return m
}

// watchContent follows STATE/content/current: any swap (this process's
// update, the timer's sapar update, a stick) opens the new index and stages
// it; the server switches at the next idle moment.
func (r *running) watchContent(ctx context.Context) error {
	go func() {
		err := updates.WatchActive(ctx, r.k.o.StateDir, func(newDir string) { r.reload(ctx, newDir) })
		if err != nil && ctx.Err() == nil {
			r.log.Error("content watcher stopped: new content needs a restart", "err", err)
		}
	}()
	return nil
}

func (r *running) reload(ctx context.Context, newDir string) {
	r.storeMu.Lock()
	defer r.storeMu.Unlock()
	if newDir == r.activeDir || ctx.Err() != nil {
		return
	}
	ns, repaired, err := release.Open(newDir)
	if repaired != "" {
		r.log.Warn("hot reload: content repaired", "dir", newDir, "repair", repaired)
		r.srv.ContentRepaired(release.RepairReason(repaired), filepath.Base(newDir)+": "+repaired)
	}
	if err != nil {
		r.log.Error("hot reload: new content does not open; keeping the old", "dir", newDir, "err", err)
		return
	}
	r.activeDir = newDir
	v, _ := ns.Version(ctx)
	r.log.Info("hot reload: new content ready, switching at the next idle reset", "version", v)
	r.srv.StageStore(ns, func(old *content.Store) {
		r.log.Info("hot reload: new content serving", "version", v)
		systemd.Status(statusLine(r.prn, v))
		time.AfterFunc(r.k.o.SwapGrace, func() { old.Close() })
	})
}

// watchUpdates takes updates from sticks inserted while the kiosk runs, and
// runs the in-process schedule when one is set.
func (r *running) watchUpdates(ctx context.Context) error {
	k, uc := r.k, r.updates
	if uc == nil {
		return nil
	}
	if k.o.USBRoot != "" {
		go k.watchUSB(ctx, uc)
	}
	if k.o.UpdateEvery > 0 {
		go k.updateEvery(ctx, uc, k.o.UpdateEvery)
	}
	return nil
}

// listenMetrics opens the opt-in fleet listener (metrics.listen in the
// provisioning file): GET /metrics only. A bad address is logged, not fatal.
func (r *running) listenMetrics(ctx context.Context) error {
	addr := r.cfg.Metrics.Listen
	if addr == "" {
		return nil
	}
	stop, err := serveMetrics(addr, r.srv.MetricsHandler(), r.log)
	if err != nil {
		r.log.Error("metrics listener", "addr", addr, "err", err)
		return nil
	}
	r.cleanup.push(stop)
	return nil
}

// ready tells systemd and Start's caller that the kiosk serves.
func (r *running) ready(startWatchdog func()) {
	k := r.k
	k.phase.Store("running")
	k.readyDur = k.o.Now().Sub(k.started)
	systemd.Ready()
	systemd.Status(statusLine(r.prn, r.version))
	startWatchdog()
	r.log.Info("kiosk ready", "url", k.URL, "after", k.readyDur.Round(time.Millisecond))
	close(k.ready)
}

// serveMetrics serves h (GET /metrics only) on addr until stop is called.
// Nothing else of the kiosk is reachable on it.
func serveMetrics(addr string, h http.Handler, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "err", err)
		}
		close(done)
	}()
	log.Info("metrics listener", "addr", ln.Addr().String())
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
		<-done
	}, nil
}

// SiteOptions are what the provisioning file says about the site that the
// UI server shows and prints: the place (slip footer), the help desk, the
// country and city (which urgent notices apply) and the time zone. `sapar
// run` and `sapar print --state` both take them from here.
func SiteOptions(cfg *provisioning.Config) web.Options {
	return web.Options{Place: cfg.Kiosk.Name, HelpDesk: helpDesk(cfg), Country: kioskCountry(cfg),
		City: cfg.Place.City, Location: cfg.Location()}
}

// helpDesk is the provisioned site contact as the UI server prints it.
func helpDesk(cfg *provisioning.Config) web.HelpDesk {
	if cfg.HelpDesk == nil {
		return web.HelpDesk{}
	}
	h := cfg.HelpDesk
	return web.HelpDesk{Name: h.Name, Phone: h.Phone, Hours: h.Hours, Address: h.Address}
}

// kioskCountry is the country the kiosk stands in, from its provisioned
// time zone (Kyrgyzstan has one, Uzbekistan two); "" elsewhere. The
// content's notices for a country show only there.
func kioskCountry(cfg *provisioning.Config) string {
	switch cfg.TimeZone {
	case "Asia/Bishkek":
		return "KG"
	case "Asia/Tashkent", "Asia/Samarkand":
		return "UZ"
	}
	return ""
}
