package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"sapar/content"
	"sapar/content/sample"
)

// commit is set at link time: go build -ldflags "-X main.commit=$(git rev-parse --short HEAD)".
var commit string

func buildCommit() string {
	if commit != "" {
		return commit
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return s.Value[:12]
			}
		}
	}
	return "unknown"
}

func runVersion(e env) int {
	v, err := content.Digest(sample.FS())
	if err != nil {
		fmt.Fprintln(e.stderr, "sapar version:", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "sapar commit %s (%s, %s/%s, webview=%v)\nembedded content sample-%s\n", buildCommit(), runtime.Version(), runtime.GOOS, runtime.GOARCH, hasWindow, v)
	return exitOK
}
