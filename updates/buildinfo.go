package updates

import (
	"runtime/debug"
	"time"
)

// BuildTime is the commit time stamped into this binary by the Go toolchain
// (vcs.time), or the zero time when built outside a VCS checkout. It is a
// floor for the reference time: nothing this binary will see was signed
// before it was built.
func BuildTime() time.Time {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return time.Time{}
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.time" {
			if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
				return t
			}
		}
	}
	return time.Time{}
}
