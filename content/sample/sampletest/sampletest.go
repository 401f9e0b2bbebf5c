// Package sampletest gives tests the embedded sample content as an open
// content store: the one setup every kiosk-side test shares.
//
// It is for tests only; nothing in the shipped binary imports it.
package sampletest

import (
	"context"
	"path/filepath"
	"testing"

	"sapar/content"
	"sapar/content/sample"
)

// Store indexes the embedded sample as content version version in a
// temporary directory; the store is closed when the test ends.
func Store(tb testing.TB, version string) *content.Store {
	tb.Helper()
	set, err := content.Load(sample.FS())
	if err != nil {
		tb.Fatal(err)
	}
	st, err := content.OpenStore(filepath.Join(tb.TempDir(), "index.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	if err := st.Replace(context.Background(), set, version); err != nil {
		tb.Fatal(err)
	}
	return st
}
