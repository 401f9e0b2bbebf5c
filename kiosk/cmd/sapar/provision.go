package main

import "fmt"

// runProvision is not built yet: its issue owns this file.
func runProvision(e env) int {
	fmt.Fprintln(e.stderr, "sapar provision: not available in this build yet")
	return exitFailure
}
