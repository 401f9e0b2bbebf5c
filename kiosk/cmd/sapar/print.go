package main

import "fmt"

// runPrint is not built yet: its issue owns this file.
func runPrint(e env) int {
	fmt.Fprintln(e.stderr, "sapar print: not available in this build yet")
	return exitFailure
}
