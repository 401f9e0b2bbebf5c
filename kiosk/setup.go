package kiosk

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"sapar/kiosk/maint"
	"sapar/kiosk/web/httpx"
	"sapar/kiosk/web/ui"
	"sapar/provisioning"
	"sapar/systemd"
)

// firstBoot serves the setup screen on ln until the kiosk is provisioned
// (it returns the verified state) or ctx ends (nil, nil). The listener is
// handed back open, for the kiosk's server.
func (k *Kiosk) firstBoot(ctx context.Context, ln *net.TCPListener, why string, startWatchdog func()) (*provisioning.State, error) {
	k.phase.Store("setup")
	token, err := httpx.NewToken()
	if err != nil {
		return nil, fmt.Errorf("setup screen: %w", err)
	}
	assets, err := ui.Load()
	if err != nil {
		return nil, err
	}
	sp := maint.NewSetup(maint.SetupOptions{USBRoot: k.o.USBRoot, StateDir: k.o.StateDir, ProvisioningKey: k.o.ProvisioningKey,
		LoadOptions: k.loadOptions(), Token: token, Now: k.o.Now, Log: k.log, Heartbeat: k.maint.Heartbeat}, why)
	h, err := sp.Handler(assets)
	if err != nil {
		return nil, err
	}
	hl := &handoffListener{TCPListener: ln}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan struct{})
	go func() { hs.Serve(hl); close(served) }()

	// The unit must not be restarted while a technician works: the setup
	// screen is a started service (READY), watched like the kiosk.
	systemd.Ready()
	systemd.Status("not provisioned: insert the USB stick with the signed provisioning file")
	startWatchdog()
	k.log.Warn("kiosk is not provisioned: setup screen", "url", k.URL, "usb_root", k.o.USBRoot)

	st := sp.Watch(ctx)

	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
	defer cancel()
	hs.Shutdown(sctx)
	<-served
	ln.SetDeadline(time.Time{})
	return st, nil
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
