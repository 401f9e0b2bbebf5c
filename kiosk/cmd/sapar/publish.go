package main

import "fmt"

// runPublish is not built yet: its issue owns this file.
func runPublish(e env) int {
	fmt.Fprintln(e.stderr, "sapar publish: not available in this build yet")
	return exitFailure
}
