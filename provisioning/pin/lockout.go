package pin

import "time"

// Policy says how wrong PINs are punished.
type Policy struct {
	MaxFailures int           // wrong PINs in a row before a lock
	BaseLock    time.Duration // first lock; each further lock doubles it
	MaxLock     time.Duration // the doubling stops here
}

// DefaultPolicy: 5 wrong PINs lock for 5 minutes, then 10, 20, … up to 4 hours.
var DefaultPolicy = Policy{MaxFailures: 5, BaseLock: 5 * time.Minute, MaxLock: 4 * time.Hour}

// Lockout is the persisted state: counters and times only, never a PIN.
// It is a value with pure methods so the rules can be tested with any clock.
type Lockout struct {
	Failures    int       `json:"failures"`     // wrong PINs since the last success or lock
	Locks       int       `json:"locks"`        // locks since the last success: the next lock is longer
	LockedAt    time.Time `json:"locked_at"`    // when the current lock began
	LockedUntil time.Time `json:"locked_until"` // zero when not locked
}

// Locked reports whether an attempt at now must be refused without checking,
// and until when. A clock that went backwards (a Raspberry Pi boots with no
// real-time clock) does not turn a lock of minutes into one of decades, nor
// end it: the lock is counted again from now.
func (l Lockout) Locked(now time.Time) (bool, time.Time) {
	if l.LockedUntil.IsZero() {
		return false, time.Time{}
	}
	if now.Before(l.LockedAt) {
		return true, now.Add(l.LockedUntil.Sub(l.LockedAt))
	}
	if now.Before(l.LockedUntil) {
		return true, l.LockedUntil
	}
	return false, time.Time{}
}

// Begin counts an attempt before it is checked, so that cutting the power
// while the hash is computed does not give a free guess. Call Succeeded when
// it turns out right.
func (l Lockout) Begin(now time.Time, p Policy) Lockout {
	if locked, until := l.Locked(now); locked {
		if now.Before(l.LockedAt) { // re-anchor a lock after a clock jump back
			l.LockedAt, l.LockedUntil = now, until
		}
		return l
	}
	if !l.LockedUntil.IsZero() { // a lock has run out: start counting again
		l.LockedAt, l.LockedUntil = time.Time{}, time.Time{}
	}
	l.Failures++
	if l.Failures >= p.MaxFailures {
		d := p.BaseLock
		for i := 0; i < l.Locks && d < p.MaxLock; i++ {
			d *= 2
		}
		if d > p.MaxLock {
			d = p.MaxLock
		}
		l.Locks++
		l.Failures = 0
		l.LockedAt, l.LockedUntil = now, now.Add(d)
	}
	return l
}

// Succeeded is the state after a right PIN: everything forgiven.
func (l Lockout) Succeeded() Lockout { return Lockout{} }
