//go:build webview

package main

/*
#cgo pkg-config: gtk+-3.0
#include <gtk/gtk.h>
static void sapar_fullscreen(void *w) { gtk_window_fullscreen(GTK_WINDOW(w)); }
*/
import "C"

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"

	webview "github.com/webview/webview_go"
)

// hasWindow: the webview build shows the UI in a native WebKitGTK window.
const hasWindow = true

// showWindow opens the kiosk window full-screen on url and blocks until it
// is closed or ctx ends. The page calls the bound saparReady() once it has
// drawn its first screen; with SAPAR_READY_FILE set (tests), that is
// recorded in the file. Navigation away from the kiosk's own origin is
// refused by the page's lockdown script.
func showWindow(ctx context.Context, rawURL string, log *slog.Logger) error {
	u, err := url.Parse(rawURL)
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
	w.Bind("saparReady", func(screen string) {
		log.Info("window ready", "screen", screen)
		if f := os.Getenv("SAPAR_READY_FILE"); f != "" {
			os.WriteFile(f, []byte(screen+"\n"), 0o644)
		}
	})
	w.Bind("saparNavigationRefused", func(target string) {
		log.Warn("navigation refused", "target", target)
		if f := os.Getenv("SAPAR_READY_FILE"); f != "" {
			fh, err := os.OpenFile(f, os.O_APPEND|os.O_WRONLY, 0o644)
			if err == nil {
				fmt.Fprintf(fh, "refused %s\n", target)
				fh.Close()
			}
		}
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
