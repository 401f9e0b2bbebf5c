//go:build webview

// WebKitGTK-level lockdown of the kiosk window: navigation to any other
// origin and new windows are refused before WebKit loads anything, the
// context menu never opens, pinch zoom is off, and the page cannot read the
// clipboard.
#include <gtk/gtk.h>
#include <webkit2/webkit2.h>
#include <stdlib.h>
#include <string.h>

extern void saparRefusedNavigation(char *uri);

static char *sapar_origin = NULL;

static int sapar_same_origin(const char *uri) {
	size_t n = strlen(sapar_origin);
	if (strncmp(uri, sapar_origin, n) != 0) return 0;
	return uri[n] == '/' || uri[n] == '\0' || uri[n] == '?' || uri[n] == '#';
}

static gboolean sapar_decide(WebKitWebView *v, WebKitPolicyDecision *d, WebKitPolicyDecisionType type, gpointer data) {
	if (type != WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION && type != WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION)
		return FALSE;
	WebKitNavigationAction *a = webkit_navigation_policy_decision_get_navigation_action(WEBKIT_NAVIGATION_POLICY_DECISION(d));
	const char *uri = webkit_uri_request_get_uri(webkit_navigation_action_get_request(a));
	if (type == WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION || uri == NULL || !sapar_same_origin(uri)) {
		saparRefusedNavigation((char *)(uri ? uri : ""));
		webkit_policy_decision_ignore(d);
		return TRUE;
	}
	return FALSE;
}

static gboolean sapar_no_menu(WebKitWebView *v, WebKitContextMenu *m, GdkEvent *e, WebKitHitTestResult *h, gpointer data) {
	return TRUE; /* handled: no menu */
}

static GtkWidget *sapar_no_window(WebKitWebView *v, WebKitNavigationAction *a, gpointer data) {
	const char *uri = webkit_uri_request_get_uri(webkit_navigation_action_get_request(a));
	saparRefusedNavigation((char *)(uri ? uri : ""));
	return NULL;
}

// sapar_lockdown is given the GtkWindow that webview_go made; its only
// child is the WebKitWebView.
int sapar_lockdown(void *window, const char *origin) {
	GtkWidget *child = gtk_bin_get_child(GTK_BIN(window));
	if (child == NULL || !WEBKIT_IS_WEB_VIEW(child)) return -1;
	WebKitWebView *wv = WEBKIT_WEB_VIEW(child);
	free(sapar_origin);
	sapar_origin = strdup(origin);
	g_signal_connect(wv, "decide-policy", G_CALLBACK(sapar_decide), NULL);
	g_signal_connect(wv, "context-menu", G_CALLBACK(sapar_no_menu), NULL);
	g_signal_connect(wv, "create", G_CALLBACK(sapar_no_window), NULL);
	// A kiosk shows one small local page: no page cache, smallest memory
	// caches (the web process has not started yet, so this applies to it).
	webkit_web_context_set_cache_model(webkit_web_view_get_context(wv), WEBKIT_CACHE_MODEL_DOCUMENT_VIEWER);
	WebKitSettings *s = webkit_web_view_get_settings(wv);
	webkit_settings_set_enable_page_cache(s, FALSE);
	// The hardware acceleration policy stays WebKit's own (compositing on).
	// Turning compositing off (POLICY_NEVER, what WEBKIT_DISABLE_COMPOSITING_MODE=1
	// does) saves about 80 MB PSS but under the production session (cage,
	// wlroots pixman renderer) it painted a black screen in every start
	// measured: only the first 200x237 frame and the animated hand reached the
	// output (webview_cage_test.go). Disabling the DMA-BUF renderer or forcing
	// Skia CPU rendering blanked it the same way.
	webkit_settings_set_javascript_can_access_clipboard(s, FALSE);
	webkit_settings_set_javascript_can_open_windows_automatically(s, FALSE);
	webkit_settings_set_enable_developer_extras(s, FALSE);
	webkit_settings_set_zoom_text_only(s, FALSE);
	webkit_web_view_set_zoom_level(wv, 1.0);
	return 0;
}
