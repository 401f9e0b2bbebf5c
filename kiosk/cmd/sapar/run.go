package main

import "fmt"

// runRun is not built yet: its issue owns this file.
func runRun(e env) int {
	fmt.Fprintln(e.stderr, "sapar run: not available in this build yet")
	return exitFailure
}
