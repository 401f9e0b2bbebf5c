package systemd

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"
)

// WatchdogInterval reports the service watchdog interval that systemd asks
// for (WatchdogSec= in the unit, passed as $WATCHDOG_USEC) and whether it is
// meant for this process. Like sd_watchdog_enabled(3), it reports false when
// $WATCHDOG_PID is set and names another process: then a parent such as the
// cage compositor owns the watchdog. sapar.service unsets WATCHDOG_PID
// (UnsetEnvironment=) precisely so that the kiosk, a child of cage, owns it.
func WatchdogInterval() (time.Duration, bool) {
	return watchdogInterval(os.Getenv("WATCHDOG_USEC"), os.Getenv("WATCHDOG_PID"), os.Getpid())
}

func watchdogInterval(usec, pid string, self int) (time.Duration, bool) {
	if usec == "" {
		return 0, false
	}
	u, err := strconv.ParseUint(usec, 10, 63)
	if err != nil || u == 0 {
		return 0, false
	}
	if pid != "" {
		p, err := strconv.Atoi(pid)
		if err != nil || p != self {
			return 0, false
		}
	}
	const max = uint64(1<<63-1) / uint64(time.Microsecond)
	if u > max {
		u = max
	}
	return time.Duration(u) * time.Microsecond, true
}

// Watchdog keeps systemd's service watchdog fed for as long as the kiosk is
// healthy. Every half interval it runs probe (with a deadline of half the
// interval) and sends WATCHDOG=1 only if the probe passed. A failing or
// hanging probe means no ping, so systemd kills and restarts the kiosk once
// WatchdogSec= passes without one: that is the point, a frozen webview or a
// blocked database gets the kiosk restarted rather than a dead screen. If the
// probe passes again before the deadline the pings resume.
//
// Without a watchdog for this process (see WatchdogInterval) Watchdog returns
// nil at once. It returns nil when ctx ends, and an error only if the notify
// socket cannot be written to. logf may be nil.
func Watchdog(ctx context.Context, probe func(context.Context) error, logf func(string, ...any)) error {
	interval, ok := WatchdogInterval()
	if !ok {
		return nil
	}
	socket := os.Getenv("NOTIFY_SOCKET")
	if socket == "" {
		return nil
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	return watchdog(ctx, socket, interval/2, probe, logf)
}

func watchdog(ctx context.Context, socket string, every time.Duration, probe func(context.Context) error, logf func(string, ...any)) error {
	if every <= 0 {
		every = time.Millisecond
	}
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	failing := false
	for {
		pctx, cancel := context.WithTimeout(ctx, every)
		err := probe(pctx)
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		switch {
		case err != nil && !failing:
			failing = true
			logf("watchdog: health probe failed, no longer pinging systemd: %v", err)
			// Best effort: show why in "systemctl status" before the restart.
			_, _ = notify(socket, "STATUS="+oneLine("health probe failed: "+err.Error()))
		case err == nil:
			msg := "WATCHDOG=1"
			if failing {
				failing = false
				logf("watchdog: health probe passes again, pinging systemd")
				msg = "WATCHDOG=1\nSTATUS=health probe passes again"
			}
			if _, err := notify(socket, msg); err != nil {
				return fmt.Errorf("systemd: watchdog: %w", err)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}
