package kiosk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"sapar/content/release"
	"sapar/drivers/emulator"
	"sapar/drivers/escpos"
	"sapar/drivers/printer"
	"sapar/kiosk/slipprinter"
	"sapar/kiosk/web"
)

// DemoOptions configure the demo kiosk.
type DemoOptions struct {
	Addr        string        // loopback address to listen on; port 0 picks a free one
	OutDir      string        // where slips are saved (NNN.bin, NNN.png); "" makes a temporary one
	IdleTimeout time.Duration // idle reset of the UI
	Profile     string        // printer model the virtual printer behaves like
	Content     fs.FS         // content sources (the embedded sample by default)
	Log         *slog.Logger
}

// Demo is a running demo kiosk: the whole path on real parts, with a
// virtual printer on a pseudo-terminal in place of the hardware.
type Demo struct {
	URL     string
	OutDir  string
	Version string

	cancel  context.CancelFunc
	stopped chan struct{} // closed when the server has stopped
	err     error         // why it stopped, valid after stopped is closed
	cleanup []func()
	once    sync.Once
	srv     *web.Server // for Reload (demo_reload.go)
	state   string      // temporary state directory, where Reload builds new indexes
}

// StartDemo loads the content, builds its index in a temporary directory,
// starts the virtual printer and opens it through the serial driver, and
// serves the UI. It returns once the server is listening.
func StartDemo(ctx context.Context, opt DemoOptions) (_ *Demo, err error) {
	if opt.Log == nil {
		opt.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opt.Profile == "" {
		opt.Profile = "TM-T20III"
	}
	d := &Demo{stopped: make(chan struct{})}
	defer func() {
		if err != nil {
			d.runCleanup()
		}
	}()
	if err := requireLoopback(opt.Addr); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "sapar-demo-*")
	if err != nil {
		return nil, fmt.Errorf("demo: temporary state: %w", err)
	}
	d.cleanup = append(d.cleanup, func() { os.RemoveAll(tmp) })
	d.state = tmp
	// The same release path as an installed kiosk: bundle, index, health.
	store, version, err := release.Build(opt.Content, filepath.Join(tmp, "release-0"), "sample-", time.Now())
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	d.Version = version
	d.cleanup = append(d.cleanup, func() { store.Close() })

	prof, err := escpos.ProfileByName(opt.Profile)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	d.OutDir = opt.OutDir
	if d.OutDir == "" {
		if d.OutDir, err = os.MkdirTemp("", "sapar-slips-*"); err != nil {
			return nil, fmt.Errorf("demo: slip directory: %w", err)
		}
	} else if err := os.MkdirAll(d.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("demo: slip directory: %w", err)
	}
	log := opt.Log
	virt, err := emulator.NewVirtual(emulator.VirtualOpts{OutDir: d.OutDir, Profile: prof,
		OnSlip: func(n int, s *emulator.Slip, bin, png string) {
			log.Info("slip printed", "n", n, "png", png, "bin", bin)
		}})
	if err != nil {
		return nil, fmt.Errorf("demo: virtual printer: %w", err)
	}
	d.cleanup = append(d.cleanup, func() { virt.Close() })
	// The same adapter as production: real ESC/POS bytes through the serial
	// driver to the emulated printer on the other end of the pty.
	prn := slipprinter.New(slipprinter.PortDialer(virt.DevicePath(), 115200), prof,
		slipprinter.Opts{Device: virt.DevicePath(), Baud: 115200, Reconnect: printer.DefaultReconnectOpts()})
	d.cleanup = append(d.cleanup, func() { prn.Close() })

	srv, err := web.NewServer(web.Options{Store: store, Log: log, IdleTimeout: opt.IdleTimeout, Place: "Sapar demo",
		Notice:   "DEMO — sample content from the MRC information-needs study; agency entries are fictional",
		HelpDesk: web.SampleHelpDesk, SampleAgencies: true, SampleContent: true,
		Print: prn.Print, QueueDB: filepath.Join(tmp, "queue.db")})
	if err != nil {
		return nil, err
	}
	prn.OnStatus = srv.Queue().PrinterStatus
	d.srv = srv
	ln, err := net.Listen("tcp", opt.Addr)
	if err != nil {
		return nil, fmt.Errorf("demo: listen on %s: %w (is another kiosk running? try --addr 127.0.0.1:0)", opt.Addr, err)
	}
	d.URL = "http://" + ln.Addr().String() + "/"
	sctx, cancel := context.WithCancel(ctx)
	d.cancel = cancel
	go func() { d.err = srv.Serve(sctx, ln); close(d.stopped) }()
	return d, nil
}

func requireLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w (use 127.0.0.1:PORT)", addr, err)
	}
	ip := net.ParseIP(host)
	if host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return fmt.Errorf("address %q is not loopback: the kiosk UI listens on 127.0.0.1 only", addr)
}

// Wait blocks until the demo stops (its context ends or Close is called).
func (d *Demo) Wait() error {
	<-d.stopped
	d.runCleanup()
	return d.err
}

// Close stops the demo and removes its temporary state (slips are kept).
func (d *Demo) Close() error {
	if d.cancel != nil {
		d.cancel()
	}
	select {
	case <-d.stopped:
		d.runCleanup()
		if errors.Is(d.err, net.ErrClosed) {
			return nil
		}
		return d.err
	case <-time.After(5 * time.Second):
		d.runCleanup()
		return errors.New("demo: server did not stop within 5 s")
	}
}

func (d *Demo) runCleanup() {
	d.once.Do(func() {
		for i := len(d.cleanup) - 1; i >= 0; i-- {
			d.cleanup[i]()
		}
	})
}
