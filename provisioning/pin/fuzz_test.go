package pin

import "testing"

// FuzzParseHash: pin_hash comes from outside (the provisioning file); a
// hostile one must be refused, never panic, and never pass with cost
// parameters outside the bounds.
func FuzzParseHash(f *testing.F) {
	f.Add("$argon2id$v=19$m=65536,t=3,p=2$dTf4l/jkpOlG5g/DsiSguA$GlEk/l4UWDUctmTMPatz0NHtfXnbaWLDDp1Ps9mkgzk")
	f.Add("$argon2id$v=19$m=,t=3,p=2$$")
	f.Add("$argon2id$v=19$m=4294967295,t=4294967295,p=255$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHash(s)
		if err != nil {
			return
		}
		p := h.Params
		if p.MemoryKiB < MinMemoryKiB || p.MemoryKiB > MaxMemoryKiB || p.Time < MinTime || p.Time > MaxTime || p.Threads < 1 || p.Threads > MaxThreads {
			t.Fatalf("accepted out-of-bounds %+v", p)
		}
		if h2, err := ParseHash(h.String()); err != nil || h2.String() != h.String() {
			t.Fatalf("round trip: %v", err)
		}
	})
}
