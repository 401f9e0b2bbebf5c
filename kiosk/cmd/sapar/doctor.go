package main

import "fmt"

// runDoctor is not built yet: its issue owns this file.
func runDoctor(e env) int {
	fmt.Fprintln(e.stderr, "sapar doctor: not available in this build yet")
	return exitFailure
}
