package systemd

import (
	"testing"
	"time"
)

func TestWatchdogInterval(t *testing.T) {
	const self = 4242
	cases := []struct {
		name      string
		usec, pid string
		want      time.Duration
		ok        bool
	}{
		{"no WatchdogSec= in the unit", "", "", 0, false},
		{"watchdog for this process", "30000000", "4242", 30 * time.Second, true},
		{"WATCHDOG_PID unset (sapar.service unsets it under cage)", "20000000", "", 20 * time.Second, true},
		{"watchdog belongs to the parent (cage)", "30000000", "1", 0, false},
		{"garbage pid", "30000000", "cage", 0, false},
		{"zero interval", "0", "4242", 0, false},
		{"negative interval", "-5", "4242", 0, false},
		{"garbage interval", "30s", "4242", 0, false},
		{"interval beyond 63 bits is refused", "18446744073709551615", "", 0, false},
		{"interval beyond time.Duration is clamped, not wrapped", "9223372036854775807", "", 9223372036854775 * time.Microsecond, true},
		{"largest representable interval", "9223372036854775", "", 9223372036854775 * time.Microsecond, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := watchdogInterval(c.usec, c.pid, self)
			if got != c.want || ok != c.ok {
				t.Fatalf("watchdogInterval(%q, %q) = (%v, %v), want (%v, %v)", c.usec, c.pid, got, ok, c.want, c.ok)
			}
		})
	}
}
