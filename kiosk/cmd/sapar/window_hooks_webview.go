//go:build webview && !webviewtest

package main

// windowHooks is empty in the shipped binary: it records nothing and
// injects no script, whatever the environment says. Tests build with the
// webviewtest tag (window_testhooks_webview.go).
type windowHooks struct{ script string }

func loadWindowHooks() (windowHooks, error) { return windowHooks{}, nil }

func (windowHooks) record(string) {}
