package main

import "fmt"

// runContent is not built yet: its issue owns this file.
func runContent(e env) int {
	fmt.Fprintln(e.stderr, "sapar content: not available in this build yet")
	return exitFailure
}
