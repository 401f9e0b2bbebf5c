// Package updates moves signed content bundles from a publisher to kiosks
// with The Update Framework (go-tuf v2): the publisher side writes a static
// TUF repository (metadata/ and targets/) that any web server, object store,
// CDN or USB stick can serve; the kiosk side refreshes the metadata from
// mirrors or a stick, downloads only the objects it does not already have,
// verifies and prepares the new release in a staging directory, swaps a
// symlink atomically, health-checks it and rolls back on failure.
//
// It must not trust anything it has not verified against the root that ships
// in the image, must not let a wrong clock (a Pi has no RTC) block updates
// forever, and must never leave the kiosk without a complete active release,
// whatever moment the power is cut. It knows nothing about SQLite or the UI:
// every install path requires an Indexer (content/release.Index) that
// builds the index in staging and health-checks the activated release.
package updates
