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
	"sync"
	"sync/atomic"
	"time"

	"sapar/drivers/escpos"
	"sapar/kiosk/maint"
	"sapar/kiosk/web"
	"sapar/provisioning"
	"sapar/systemd"
	"sapar/updates"
)

// PrintQueueDB is the persistent print queue in the state dir.
const PrintQueueDB = "print-queue.db"

// The life of a kiosk process, in phases:
//
//	Start        listen on the loopback address, then in the background:
//	setup        not provisioned (or the provisioning does not verify): the
//	             first-boot screen waits for a signed file on a USB stick
//	             (setup.go);
//	running      provisioned: content, printer, usage, updates, the UI
//	             server, hot reload, READY (provisioned.go);
//
// with one watchdog for the whole life, whose probe depends on the phase
// (watchdog.go).

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
	ring    *maint.ErrorRing
	maint   *maint.Maintenance
	started time.Time

	ready    chan struct{}
	done     chan struct{}
	err      error
	cancel   context.CancelFunc
	restart  atomic.Bool
	phase    atomic.Value // "setup" | "running"
	srv      atomic.Pointer[web.Server]
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
	k.ring = maint.NewErrorRing(64)
	k.log = slog.New(k.ring.Handler(o.Log.Handler()))
	k.maint = &maint.Maintenance{StateDir: o.StateDir, Errors: k.ring, Now: o.Now, Started: k.started}
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
func (k *Kiosk) Server() *web.Server { return k.srv.Load() }

// Errors is the in-memory ring of recent warnings and errors.
func (k *Kiosk) Errors() *maint.ErrorRing { return k.ring }

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
