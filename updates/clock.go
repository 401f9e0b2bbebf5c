package updates

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The clock rule. A Pi has no real-time clock: until NTP answers (and on a
// kiosk with no network it never does) the system clock may read 1970.
// TUF checks expiry against a reference time: a clock stuck in the past
// makes nothing look expired (what a freeze attack wants: replaying
// years-old metadata), and a clock that runs ahead makes valid metadata look
// expired.
//
// Reference time = the latest of
//   - the system clock,
//   - the build time of this binary (nothing it will ever see was signed
//     before it was built),
//   - the time floor: the newest *verified* time seen, that is the
//     x-sapar-signed-at field of a timestamp.json that passed TUF checks,
//     and the creation time of an installed bundle (signed through TUF).
//
// So a 1970 clock checks expiry as of the newest trustworthy moment known:
// valid updates go through; metadata that expired before that moment (years
// old) is refused. The system clock is never written into the floor, so a
// clock that once ran into 2040 cannot brick the kiosk after it is fixed.

const floorFile = "time-floor"

func readFloor(state string) time.Time {
	raw, err := os.ReadFile(filepath.Join(state, "tuf", floorFile))
	if err != nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(string(raw)))
	if err != nil {
		return time.Time{}
	}
	return t
}

// raiseFloor records t as verified time if it is newer than the floor.
func raiseFloor(state string, t time.Time) error {
	if t.IsZero() || !t.After(readFloor(state)) {
		return nil
	}
	if err := os.MkdirAll(filepath.Join(state, "tuf"), 0o700); err != nil {
		return err
	}
	return writeFileSynced(filepath.Join(state, "tuf", floorFile), []byte(t.UTC().Format(time.RFC3339)+"\n"), 0o644)
}

// referenceTime applies the rule; why is non-empty when the system clock
// was overridden, for the log.
func referenceTime(now, build, floor time.Time) (ref time.Time, why string) {
	ref = now
	if build.After(ref) {
		ref, why = build, "build time "+build.UTC().Format(time.RFC3339)
	}
	if floor.After(ref) {
		ref, why = floor, "newest verified time "+floor.UTC().Format(time.RFC3339)
	}
	return ref, why
}
