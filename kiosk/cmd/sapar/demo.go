package main

import "fmt"

// runDemo is being built by the walking-skeleton issue.
func runDemo(e env) int {
	fmt.Fprintln(e.stderr, "sapar demo: not available in this build yet")
	return exitFailure
}
