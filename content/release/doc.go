// Package release turns a verified content bundle in a kiosk's state
// directory into content the kiosk can serve, and checks that it does:
// Prepare builds the SQLite index beside the bundle, Health checks its pages
// and asks it real questions, Answers asks a served index what the screens
// ask (/healthz, the watchdog probe), Open opens it (rebuilding an index that
// is missing, corrupt, stale or unreadable from the release's own bundle). WriteSourceBundle compiles
// content sources into a bundle, as `sapar content build` does.
//
// It is the one release path: `sapar run`, `sapar update`, `sapar demo`,
// the preview and the seed from the image all go through it, and
// updates.Client takes its Index as a required field. It must not import
// the kiosk or the updater, and it never activates or rolls back a release
// (the updates package owns the symlinks).
package release
