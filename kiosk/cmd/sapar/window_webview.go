//go:build webview

package main

/*
#cgo pkg-config: gtk+-3.0
#include <gtk/gtk.h>
static void sapar_fullscreen(void *w) { gtk_window_fullscreen(GTK_WINDOW(w)); }
*/
import "C"

/*
#cgo pkg-config: gtk+-3.0 webkit2gtk-4.0
#include <stdlib.h>
int sapar_lockdown(void *window, const char *origin);
*/
import "C"

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"unsafe"

	webview "github.com/webview/webview_go"
)

// refusals receives what lockdown_webview.c refused. A cgo callback cannot
// carry a Go value, so this is the one package-level hook, set once by
// showWindow before the window loads anything.
var refusals struct {
	sync.Mutex
	log   *slog.Logger
	hooks windowHooks
}

//export saparRefusedNavigation
func saparRefusedNavigation(uri *C.char) {
	target := C.GoString(uri)
	refusals.Lock()
	log, hooks := refusals.log, refusals.hooks
	refusals.Unlock()
	if log != nil {
		log.Warn("navigation refused", "target", target)
	}
	hooks.record("refused " + target)
}

// hasWindow: the webview build shows the UI in a native WebKitGTK window.
const hasWindow = true

// showWindow opens the kiosk window full-screen on url and blocks until it
// is closed or ctx ends. The page calls the bound saparReady() once it has
// drawn its first screen. The shipped binary obeys no test hook: only a
// build with the webviewtest tag records what the window reports and
// injects a test script (window_testhooks.go). Navigation away from the kiosk's own origin and new
// windows are refused by WebKit itself (lockdown_webview.c, decide-policy),
// before anything loads; the init script below is a second line inside the
// page. The context menu, developer tools and clipboard access are off.
func showWindow(ctx context.Context, rawURL string, log *slog.Logger) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("window: %w", err)
	}
	hooks, err := loadWindowHooks()
	if err != nil {
		return fmt.Errorf("window: %w", err)
	}
	w := webview.New(false)
	if w == nil {
		return fmt.Errorf("window: WebKitGTK could not start (is a display available? DISPLAY=%q WAYLAND_DISPLAY=%q)", os.Getenv("DISPLAY"), os.Getenv("WAYLAND_DISPLAY"))
	}
	defer w.Destroy()
	w.SetTitle("Sapar")
	w.SetSize(1080, 1920, webview.HintNone)
	// Full screen on X11; under the cage compositor the window fills the
	// output anyway.
	if os.Getenv("SAPAR_WINDOWED") == "" {
		C.sapar_fullscreen(w.Window())
	}
	origin := u.Scheme + "://" + u.Host
	refusals.Lock()
	refusals.log, refusals.hooks = log, hooks
	refusals.Unlock()
	corigin := C.CString(origin)
	defer C.free(unsafe.Pointer(corigin))
	// WebKit itself refuses other origins, new windows and the context menu,
	// and keeps its own rendering policy (compositing on): with compositing
	// off the production session (cage, pixman) showed a black screen in
	// every start measured, see lockdown_webview.c.
	if C.sapar_lockdown(w.Window(), corigin) != 0 {
		return fmt.Errorf("window: could not lock the web view down (no WebKitWebView in the window)")
	}
	var settled sync.Once
	w.Bind("saparReady", func(screen string) {
		log.Info("window ready", "screen", screen)
		hooks.record(screen)
		// Start-up garbage (content index build, font rasters) goes back
		// to the system once the first screen is up.
		settled.Do(func() { go debug.FreeOSMemory() })
	})
	w.Bind("saparNavigationRefused", func(target string) {
		log.Warn("navigation refused", "target", target)
		hooks.record("refused " + target)
	})
	// Runs before every page load: if the window is ever on another origin,
	// go back to the kiosk; inside the kiosk, links elsewhere are inert.
	w.Init(fmt.Sprintf(`(function(){
  var origin = %q;
  if (location.origin !== origin) { try { window.saparNavigationRefused(location.href); } catch (e) {} location.replace(origin + "/"); return; }
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[href]");
    if (a && a.href.indexOf(origin + "/") !== 0) { e.preventDefault(); try { window.saparNavigationRefused(a.href); } catch (x) {} }
  }, true);
  window.open = function (u) { try { window.saparNavigationRefused(String(u)); } catch (x) {} return null; };
  document.addEventListener("keydown", function (e) { if (e.ctrlKey || e.altKey || e.metaKey || /^F\d+$/.test(e.key)) e.preventDefault(); }, true);
})();`, origin))
	if hooks.script != "" {
		w.Init(hooks.script)
	}
	go func() {
		<-ctx.Done()
		w.Dispatch(w.Terminate)
	}()
	if !strings.HasPrefix(rawURL, origin) {
		return fmt.Errorf("window: bad url %q", rawURL)
	}
	w.Navigate(rawURL)
	w.Run()
	return nil
}
