package updates

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"runtime"
)

// Rollout groups a provisioning file may put a kiosk in.
const (
	CohortDefault = ""       // by bucket
	CohortCanary  = "canary" // takes every release with a rollout above 0%
	CohortLate    = "late"   // takes a release only at 100%
)

// bucketDomain separates this use of the device key from any other hash of
// it (the device id is SHA-256 of the same key: the bucket cannot be read
// off the id).
const bucketDomain = "sapar rollout bucket v1"

// Cohort is where a kiosk stands in phased rollouts.
type Cohort struct {
	Bucket int    // 0–99, from the device identity
	Group  string // CohortDefault, CohortCanary or CohortLate
}

// CohortFor derives the kiosk's bucket from its device public key: HMAC-
// SHA-256 keyed with a fixed domain string, first 8 bytes mod 100 (bias
// below 1e-17). Stable across re-provisioning (the key is kept), uniform,
// and not derivable from the kiosk id chosen by the MRC.
func CohortFor(devicePublicKey []byte, group string) (Cohort, error) {
	switch group {
	case CohortDefault, CohortCanary, CohortLate:
	default:
		return Cohort{}, fmt.Errorf("updates: rollout group %q: want canary or late", group)
	}
	m := hmac.New(sha256.New, []byte(bucketDomain))
	m.Write(devicePublicKey)
	sum := m.Sum(nil)
	return Cohort{Bucket: int(binary.BigEndian.Uint64(sum[:8]) % 100), Group: group}, nil
}

// Takes reports whether a release at rollout percent reaches this kiosk:
// canary kiosks take anything above 0%, late ones only 100%, the others
// when their bucket is below the percentage (so raising it keeps every
// kiosk that already took the release inside).
func (c Cohort) Takes(percent int) bool {
	switch {
	case percent <= 0:
		return false
	case percent >= 100:
		return true
	case c.Group == CohortCanary:
		return true
	case c.Group == CohortLate:
		return false
	}
	return c.Bucket < percent
}

// Name is the group for status and metrics ("default" when none).
func (c Cohort) Name() string {
	if c.Group == "" {
		return "default"
	}
	return c.Group
}

// DebianArch maps a Go architecture to Debian's name for it.
func DebianArch(goarch string) string {
	switch goarch {
	case "arm":
		return "armhf" // Raspberry Pi OS 32-bit, Debian armhf (GOARM=7)
	case "386":
		return "i386"
	}
	return goarch // amd64, arm64, riscv64, ppc64le, s390x
}

// HostArch is this binary's Debian architecture.
func HostArch() string { return DebianArch(runtime.GOARCH) }
