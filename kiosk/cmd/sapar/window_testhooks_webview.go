//go:build webview && webviewtest

package main

import (
	"fmt"
	"os"
)

// windowHooks, in a test build only (-tags webview,webviewtest), lets a test
// drive the window: SAPAR_TEST_SCRIPT names a script injected before every
// page load (screens to screenshot, a navigation to refuse, a memory soak),
// and each line the window reports (first screen, refused navigation,
// script events through saparReady) is appended to SAPAR_READY_FILE. The
// shipped binary is built without this file (window_hooks_webview.go).
type windowHooks struct {
	script    string
	readyFile string
}

func loadWindowHooks() (windowHooks, error) {
	h := windowHooks{readyFile: os.Getenv("SAPAR_READY_FILE")}
	if f := os.Getenv("SAPAR_TEST_SCRIPT"); f != "" {
		js, err := os.ReadFile(f)
		if err != nil {
			return h, fmt.Errorf("test script: %w", err)
		}
		h.script = string(js)
	}
	return h, nil
}

func (h windowHooks) record(line string) {
	if h.readyFile == "" {
		return
	}
	fh, err := os.OpenFile(h.readyFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		fmt.Fprintln(fh, line)
		fh.Close()
	}
}
