//go:build !webview

package main

import (
	"context"
	"log/slog"
)

// hasWindow is false in the default (pure Go) build: the UI is served for
// any browser and nothing opens a window.
const hasWindow = false

func showWindow(ctx context.Context, url string, log *slog.Logger) error { return nil }
