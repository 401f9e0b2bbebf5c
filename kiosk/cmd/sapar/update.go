package main

import "fmt"

// runUpdate is not built yet: its issue owns this file.
func runUpdate(e env) int {
	fmt.Fprintln(e.stderr, "sapar update: not available in this build yet")
	return exitFailure
}
