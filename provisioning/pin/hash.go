package pin

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters written into a PHC hash.
type Params struct {
	MemoryKiB uint32 // m: memory in KiB
	Time      uint32 // t: passes over memory
	Threads   uint8  // p: lanes
	SaltLen   uint32
	KeyLen    uint32
}

// DefaultParams follow RFC 9106's second recommended option (64 MiB, t=3),
// with two lanes: a Raspberry Pi 3/4 has RAM for it and takes well under a
// second, which also slows PIN guessing on the screen.
var DefaultParams = Params{MemoryKiB: 64 * 1024, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}

// Bounds accepted in a hash read from outside (a provisioning file): below
// them a leaked hash is cheap to crack, above them one verification could
// exhaust a 1 GB board or stall the screen.
const (
	MinMemoryKiB = 19 * 1024 // OWASP minimum for argon2id
	MaxMemoryKiB = 256 * 1024
	MinTime      = 1
	MaxTime      = 10
	MaxThreads   = 8
	minSaltLen   = 8
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 64
)

// PIN length accepted by Hash: the maintenance keypad is digits only.
const (
	MinPINLen = 6
	MaxPINLen = 12
)

// ErrMalformedHash is wrapped by ParseHash errors.
var ErrMalformedHash = errors.New("not an argon2id PHC hash")

// Hash is a parsed `$argon2id$v=19$m=…,t=…,p=…$salt$hash` string.
type Hash struct {
	Params Params
	Salt   []byte
	Key    []byte
}

var b64 = base64.RawStdEncoding

// ParseHash parses and bounds-checks a PHC argon2id string.
func ParseHash(s string) (Hash, error) {
	var h Hash
	parts := strings.Split(s, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" {
		return h, fmt.Errorf("%w: want $argon2id$v=19$m=…,t=…,p=…$salt$hash", ErrMalformedHash)
	}
	if parts[1] != "argon2id" {
		return h, fmt.Errorf("%w: algorithm %q, want argon2id", ErrMalformedHash, parts[1])
	}
	if parts[2] != "v=19" {
		return h, fmt.Errorf("%w: version %q, want v=19", ErrMalformedHash, parts[2])
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || seen[k] {
			return h, fmt.Errorf("%w: bad parameter %q", ErrMalformedHash, kv)
		}
		seen[k] = true
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || (len(v) > 1 && v[0] == '0') {
			return h, fmt.Errorf("%w: bad number in %q", ErrMalformedHash, kv)
		}
		switch k {
		case "m":
			h.Params.MemoryKiB = uint32(n)
		case "t":
			h.Params.Time = uint32(n)
		case "p":
			if n > 255 {
				return h, fmt.Errorf("%w: p=%d too large", ErrMalformedHash, n)
			}
			h.Params.Threads = uint8(n)
		default:
			return h, fmt.Errorf("%w: unknown parameter %q", ErrMalformedHash, k)
		}
	}
	if !seen["m"] || !seen["t"] || !seen["p"] {
		return h, fmt.Errorf("%w: need m, t and p", ErrMalformedHash)
	}
	var err error
	if h.Salt, err = b64.Strict().DecodeString(parts[4]); err != nil {
		return h, fmt.Errorf("%w: salt is not unpadded base64", ErrMalformedHash)
	}
	if h.Key, err = b64.Strict().DecodeString(parts[5]); err != nil {
		return h, fmt.Errorf("%w: hash is not unpadded base64", ErrMalformedHash)
	}
	h.Params.SaltLen, h.Params.KeyLen = uint32(len(h.Salt)), uint32(len(h.Key))
	p := h.Params
	switch {
	case p.MemoryKiB < MinMemoryKiB || p.MemoryKiB > MaxMemoryKiB:
		return h, fmt.Errorf("%w: m=%d outside %d…%d KiB", ErrMalformedHash, p.MemoryKiB, MinMemoryKiB, MaxMemoryKiB)
	case p.Time < MinTime || p.Time > MaxTime:
		return h, fmt.Errorf("%w: t=%d outside %d…%d", ErrMalformedHash, p.Time, MinTime, MaxTime)
	case p.Threads < 1 || p.Threads > MaxThreads:
		return h, fmt.Errorf("%w: p=%d outside 1…%d", ErrMalformedHash, p.Threads, MaxThreads)
	case len(h.Salt) < minSaltLen || len(h.Salt) > maxSaltLen:
		return h, fmt.Errorf("%w: salt of %d bytes, want %d…%d", ErrMalformedHash, len(h.Salt), minSaltLen, maxSaltLen)
	case len(h.Key) < minKeyLen || len(h.Key) > maxKeyLen:
		return h, fmt.Errorf("%w: hash of %d bytes, want %d…%d", ErrMalformedHash, len(h.Key), minKeyLen, maxKeyLen)
	}
	return h, nil
}

// String renders the PHC form.
func (h Hash) String() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.Params.MemoryKiB, h.Params.Time, h.Params.Threads, b64.EncodeToString(h.Salt), b64.EncodeToString(h.Key))
}

// CheckPolicy says why a PIN is not acceptable for a new hash, or nil.
// The maintenance keypad has digits only; runs like 123456 or 000000 are the
// first an attacker tries.
func CheckPolicy(pin string) error {
	if len(pin) < MinPINLen || len(pin) > MaxPINLen {
		return fmt.Errorf("PIN must be %d to %d digits", MinPINLen, MaxPINLen)
	}
	for _, c := range pin {
		if c < '0' || c > '9' {
			return errors.New("PIN must be digits only (the maintenance keypad has no letters)")
		}
	}
	same, up, down := true, true, true
	for i := 1; i < len(pin); i++ {
		d := int(pin[i]) - int(pin[i-1])
		same = same && d == 0
		up = up && (d == 1 || d == -9)
		down = down && (d == -1 || d == 9)
	}
	if same || up || down {
		return errors.New("PIN is too easy to guess (repeated or sequential digits)")
	}
	return nil
}

// New hashes pin with p and a fresh random salt. It checks CheckPolicy first.
func New(pin string, p Params) (string, error) {
	if err := CheckPolicy(pin); err != nil {
		return "", err
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("pin: salt: %w", err)
	}
	h := Hash{Params: p, Salt: salt, Key: argon2.IDKey([]byte(pin), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)}
	return h.String(), nil
}

// Verify reports whether attempt matches the PHC hash, in constant time with
// respect to the stored key. An error means the hash itself is unusable.
func Verify(hash, attempt string) (bool, error) {
	h, err := ParseHash(hash)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(attempt), h.Salt, h.Params.Time, h.Params.MemoryKiB, h.Params.Threads, uint32(len(h.Key)))
	return subtle.ConstantTimeCompare(got, h.Key) == 1, nil
}
