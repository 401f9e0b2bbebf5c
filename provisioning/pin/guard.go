package pin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"

	"sapar/content/atomicfile"
)

// Guard checks PIN attempts and keeps the lockout state in a file, so that
// restarting the kiosk does not reset the count. Safe for concurrent use:
// two attempts at once are counted one after the other.
type Guard struct {
	path   string
	policy Policy
	verify func(hash, attempt string) (bool, error)

	mu sync.Mutex
}

// NewGuard keeps its state in path (for example STATE/pin-lockout.json).
func NewGuard(path string, p Policy) *Guard {
	return &Guard{path: path, policy: p, verify: Verify}
}

// ErrLocked is returned by Check while the screen is locked.
var ErrLocked = errors.New("pin: too many wrong PINs: locked")

// Check verifies attempt against the PHC hash at time now.
//   - right PIN: ok, zero time, nil
//   - wrong PIN: not ok, zero time or the end of the lock it caused, nil
//   - locked: not ok, the end of the lock, ErrLocked (the PIN is not even checked)
//   - other errors (unusable hash, state file unwritable): not ok; fail closed.
func (g *Guard) Check(hash, attempt string, now time.Time) (ok bool, lockedUntil time.Time, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	st, err := g.load(now)
	if err != nil {
		return false, time.Time{}, err
	}
	if locked, until := st.Locked(now); locked {
		next := st.Begin(now, g.policy) // re-anchors after a clock jump back
		if next != st {
			if err := g.save(next); err != nil {
				return false, until, err
			}
		}
		return false, until, ErrLocked
	}
	pending := st.Begin(now, g.policy)
	if err := g.save(pending); err != nil {
		return false, time.Time{}, err
	}
	right, err := g.verify(hash, attempt)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("pin: %w", err)
	}
	if right {
		if err := g.save(Lockout{}); err != nil {
			return false, time.Time{}, err
		}
		return true, time.Time{}, nil
	}
	_, until := pending.Locked(now)
	return false, until, nil
}

// State returns the current lockout, for the maintenance screen
// ("locked for 7 more minutes").
func (g *Guard) State(now time.Time) (Lockout, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.load(now)
}

// load reads the state; a missing file is a clean slate, a damaged one is
// treated as a fresh lock (fail closed) rather than an open door.
func (g *Guard) load(now time.Time) (Lockout, error) {
	b, err := os.ReadFile(g.path)
	if errors.Is(err, fs.ErrNotExist) {
		return Lockout{}, nil
	}
	if err != nil {
		return Lockout{}, fmt.Errorf("pin: read lockout state: %w", err)
	}
	var l Lockout
	if err := json.Unmarshal(b, &l); err != nil || l.Failures < 0 || l.Locks < 0 {
		l = Lockout{Locks: 1, LockedAt: now, LockedUntil: now.Add(g.policy.BaseLock)}
		if err := g.save(l); err != nil {
			return l, err
		}
	}
	return l, nil
}

func (g *Guard) save(l Lockout) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(g.path, b, 0o600); err != nil {
		return fmt.Errorf("pin: save lockout state: %w", err)
	}
	return nil
}
