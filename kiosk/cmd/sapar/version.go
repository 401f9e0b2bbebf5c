package main

import "fmt"

// runVersion is being built by the walking-skeleton issue.
func runVersion(e env) int {
	fmt.Fprintln(e.stderr, "sapar version: not available in this build yet")
	return exitFailure
}
