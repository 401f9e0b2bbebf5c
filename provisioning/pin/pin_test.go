package pin

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// cheap keeps tests fast; production uses DefaultParams.
var cheap = Params{MemoryKiB: MinMemoryKiB, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func mustHash(t *testing.T, pin string) string {
	t.Helper()
	h, err := New(pin, cheap)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHashAndVerify(t *testing.T) {
	h := mustHash(t, "482916")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=1,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if strings.Contains(h, "482916") {
		t.Fatal("PIN appears in its hash")
	}
	for _, tc := range []struct {
		name    string
		attempt string
		want    bool
	}{
		{"right PIN accepted", "482916", true},
		{"wrong PIN refused", "482917", false},
		{"PIN with trailing newline refused", "482916\n", false},
		{"empty PIN refused", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := Verify(h, tc.attempt)
			if err != nil || ok != tc.want {
				t.Fatalf("Verify = %v, %v; want %v", ok, err, tc.want)
			}
		})
	}
}

func TestParseHashRefuses(t *testing.T) {
	good := mustHash(t, "482916")
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	for _, tc := range []struct{ name, hash string }{
		{"empty", ""},
		{"argon2i not argon2id", "$argon2i$v=19$m=19456,t=1,p=1$" + salt + "$" + key},
		{"old version", "$argon2id$v=16$m=19456,t=1,p=1$" + salt + "$" + key},
		{"memory too small to resist cracking", "$argon2id$v=19$m=1024,t=1,p=1$" + salt + "$" + key},
		{"memory too large for the board", "$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + key},
		{"too many passes", "$argon2id$v=19$m=19456,t=99,p=1$" + salt + "$" + key},
		{"zero threads", "$argon2id$v=19$m=19456,t=1,p=0$" + salt + "$" + key},
		{"missing parameter", "$argon2id$v=19$m=19456,t=1$" + salt + "$" + key},
		{"duplicate parameter", "$argon2id$v=19$m=19456,m=19456,t=1,p=1$" + salt + "$" + key},
		{"padded base64", "$argon2id$v=19$m=19456,t=1,p=1$" + salt + "==$" + key},
		{"short salt", "$argon2id$v=19$m=19456,t=1,p=1$AAAA$" + key},
		{"extra field", good + "$x"},
		{"plain PIN", "482916"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseHash(tc.hash); !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("ParseHash(%q) err = %v", tc.hash, err)
			}
		})
	}
	if _, err := ParseHash(good); err != nil {
		t.Fatal(err)
	}
}

func TestPINPolicy(t *testing.T) {
	for _, tc := range []struct {
		name, pin string
		ok        bool
	}{
		{"six random digits accepted", "482916", true},
		{"twelve digits accepted", "482916073518", true},
		{"too short refused", "48291", false},
		{"too long refused", "4829160735182", false},
		{"letters refused", "48291a", false},
		{"all same refused", "777777", false},
		{"ascending run refused", "123456", false},
		{"wrapping run refused", "890123", false},
		{"descending run refused", "654321", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := CheckPolicy(tc.pin); (err == nil) != tc.ok {
				t.Fatalf("CheckPolicy(%q) = %v", tc.pin, err)
			}
		})
	}
}

func TestLockoutRules(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	p := DefaultPolicy
	fail := func(l Lockout, n int, at time.Time) Lockout {
		for range n {
			l = l.Begin(at, p)
		}
		return l
	}
	t.Run("four wrong PINs do not lock", func(t *testing.T) {
		if locked, _ := fail(Lockout{}, 4, t0).Locked(t0); locked {
			t.Fatal("locked after 4")
		}
	})
	t.Run("wrong PIN five times locks for five minutes", func(t *testing.T) {
		l := fail(Lockout{}, 5, t0)
		locked, until := l.Locked(t0.Add(time.Minute))
		if !locked || !until.Equal(t0.Add(5*time.Minute)) {
			t.Fatalf("locked=%v until=%v", locked, until)
		}
		if locked, _ := l.Locked(t0.Add(5 * time.Minute)); locked {
			t.Fatal("still locked after 5 minutes")
		}
	})
	t.Run("attempts while locked do not extend or count", func(t *testing.T) {
		l := fail(Lockout{}, 5, t0)
		l2 := fail(l, 10, t0.Add(time.Minute))
		if l2 != l {
			t.Fatalf("state changed while locked: %+v → %+v", l, l2)
		}
	})
	t.Run("each further lock is longer, up to the cap", func(t *testing.T) {
		l, at := Lockout{}, t0
		var got []time.Duration
		for range 8 {
			l = fail(l, 5, at)
			got = append(got, l.LockedUntil.Sub(l.LockedAt))
			at = l.LockedUntil
		}
		want := []time.Duration{5, 10, 20, 40, 80, 160, 240, 240}
		for i := range want {
			if got[i] != want[i]*time.Minute {
				t.Fatalf("lock durations %v", got)
			}
		}
	})
	t.Run("right PIN forgives", func(t *testing.T) {
		if l := fail(Lockout{}, 4, t0).Succeeded(); l != (Lockout{}) {
			t.Fatalf("%+v", l)
		}
	})
	t.Run("clock jumping back to 1970 does not lock for decades", func(t *testing.T) {
		l := fail(Lockout{}, 5, t0)
		boot := time.Date(1970, 1, 1, 0, 0, 30, 0, time.UTC)
		locked, until := l.Locked(boot)
		if !locked || until.Sub(boot) != 5*time.Minute {
			t.Fatalf("locked=%v until=%v", locked, until)
		}
	})
}

func TestGuard(t *testing.T) {
	hash := mustHash(t, "482916")
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	t.Run("wrong PIN five times locks, even the right one", func(t *testing.T) {
		g := NewGuard(filepath.Join(t.TempDir(), "pin-lockout.json"), DefaultPolicy)
		var until time.Time
		for i := range 5 {
			ok, u, err := g.Check(hash, "000001", t0.Add(time.Duration(i)*time.Second))
			if ok || err != nil {
				t.Fatalf("attempt %d: ok=%v err=%v", i, ok, err)
			}
			until = u
		}
		if !until.Equal(t0.Add(4*time.Second + 5*time.Minute)) {
			t.Fatalf("fifth wrong PIN gave lock until %v", until)
		}
		ok, u, err := g.Check(hash, "482916", t0.Add(time.Minute))
		if ok || !errors.Is(err, ErrLocked) || !u.Equal(until) {
			t.Fatalf("right PIN while locked: ok=%v until=%v err=%v", ok, u, err)
		}
		ok, _, err = g.Check(hash, "482916", until)
		if !ok || err != nil {
			t.Fatalf("right PIN after lock: ok=%v err=%v", ok, err)
		}
	})
	t.Run("restart does not reset the count", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "pin-lockout.json")
		for i := range 5 {
			g := NewGuard(path, DefaultPolicy) // a new process each time
			g.Check(hash, "000001", t0.Add(time.Duration(i)*time.Second))
		}
		_, _, err := NewGuard(path, DefaultPolicy).Check(hash, "482916", t0.Add(time.Minute))
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("power cut during hashing still counts the attempt", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "pin-lockout.json")
		g := NewGuard(path, DefaultPolicy)
		g.verify = func(string, string) (bool, error) {
			st, _ := NewGuard(path, DefaultPolicy).State(t0)
			if st.Failures != 1 {
				t.Errorf("attempt not persisted before hashing: %+v", st)
			}
			return true, nil
		}
		if ok, _, _ := g.Check(hash, "482916", t0); !ok {
			t.Fatal("not ok")
		}
	})
	t.Run("damaged state file locks rather than opens", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "pin-lockout.json")
		os.WriteFile(path, []byte("{garbage"), 0o600)
		_, _, err := NewGuard(path, DefaultPolicy).Check(hash, "482916", t0)
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("state file holds no PIN and is private", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "pin-lockout.json")
		g := NewGuard(path, DefaultPolicy)
		g.Check(hash, "913572", t0)
		b, _ := os.ReadFile(path)
		fi, _ := os.Stat(path)
		if strings.Contains(string(b), "913572") || fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode %v content %s", fi.Mode(), b)
		}
	})
	t.Run("parallel wrong PINs are each counted", func(t *testing.T) {
		g := NewGuard(filepath.Join(t.TempDir(), "pin-lockout.json"), DefaultPolicy)
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() { g.Check(hash, "000001", t0) })
		}
		wg.Wait()
		if _, _, err := g.Check(hash, "482916", t0); !errors.Is(err, ErrLocked) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("unusable hash fails closed", func(t *testing.T) {
		g := NewGuard(filepath.Join(t.TempDir(), "pin-lockout.json"), DefaultPolicy)
		if ok, _, err := g.Check("$argon2id$bad", "482916", t0); ok || err == nil {
			t.Fatalf("ok=%v err=%v", ok, err)
		}
	})
}

func BenchmarkVerifyDefaultParams(b *testing.B) {
	h, err := New("482916", DefaultParams)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		Verify(h, "482917")
	}
}
