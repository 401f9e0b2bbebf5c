package updates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

const statusFile = "update-status.json"

// Status is the last update result, kept in STATE for `sapar doctor`, the
// maintenance screen and /metrics.
type Status struct {
	LastAttempt  time.Time `json:"last_attempt"`
	LastSuccess  time.Time `json:"last_success,omitzero"`
	Source       string    `json:"source,omitempty"`
	Version      string    `json:"version,omitempty"` // active after the attempt
	Changed      bool      `json:"changed"`
	Error        string    `json:"error,omitempty"`
	BytesFetched int64     `json:"bytes_fetched"`
	Succeeded    int64     `json:"succeeded_total"` // counters for metrics
	Failed       int64     `json:"failed_total"`
	ClockNote    string    `json:"clock_note,omitempty"`
	// Phased rollouts: where this kiosk stands, and why a release waited.
	Bucket      int    `json:"bucket"`
	Cohort      string `json:"cohort,omitempty"`
	ContentNote string `json:"content_note,omitempty"`
	// Firmware is what the last cycle found and staged.
	Firmware FirmwareOutcome `json:"firmware,omitzero"`
	// Read from STATE/firmware by ReadStatus (the installer writes them):
	// the last install's result and the versions marked bad.
	FirmwareInstall *FirmwareInstallResult `json:"firmware_install,omitempty"`
	FirmwareBad     []string               `json:"firmware_bad,omitempty"`
}

// ReadStatus returns the recorded status (zero Status if none yet).
func ReadStatus(state string) (Status, error) {
	var s Status
	raw, err := os.ReadFile(filepath.Join(state, statusFile))
	if os.IsNotExist(err) {
		s.FirmwareInstall, _ = ReadInstallResult(state)
		s.FirmwareBad = BadVersions(state)
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("updates: status: %w", err)
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return Status{}, fmt.Errorf("updates: status: %w", err)
	}
	s.FirmwareInstall, _ = ReadInstallResult(state)
	s.FirmwareBad = BadVersions(state)
	return s, nil
}

func recordStatus(state string, now time.Time, res Result, err error) {
	s, _ := ReadStatus(state)
	s.LastAttempt = now
	s.Source = res.Source
	s.Changed = res.Changed
	s.BytesFetched = res.BytesFetched
	s.ClockNote = res.ClockNote
	s.Bucket, s.Cohort = res.Cohort.Bucket, res.Cohort.Name()
	s.ContentNote = res.ContentNote
	if res.Firmware.Checked || err == nil {
		s.Firmware = res.Firmware
	}
	s.FirmwareInstall, s.FirmwareBad = nil, nil // kept in STATE/firmware, merged by ReadStatus
	if r, aerr := ActiveRelease(state); aerr == nil {
		s.Version = r.Version
	}
	if err != nil {
		s.Error = err.Error()
		s.Failed++
	} else {
		s.Error = ""
		s.LastSuccess = now
		s.Succeeded++
	}
	raw, _ := json.MarshalIndent(s, "", "  ")
	writeFileSynced(filepath.Join(state, statusFile), append(raw, '\n'), 0o644)
}

// lockWait is how long a cycle, Recover or InstallLocal waits for another
// one to finish before giving up with ErrUpdateRunning: long enough for a
// no-change cycle or a USB install to end, short enough that a stuck holder
// is reported to the technician instead of hanging "update now".
const lockWait = time.Minute

// ErrUpdateRunning is returned (wrapped, with who holds it and since when)
// when the state lock stays taken for longer than the wait.
var ErrUpdateRunning = errors.New("another update is running")

const lockFile = ".update.lock"

// lockHolder is written into the lock file by whoever holds it, for the
// message of the one that waits.
type lockHolder struct {
	PID     int       `json:"pid"`
	Since   time.Time `json:"since"`
	Command string    `json:"command,omitempty"`
}

func (h lockHolder) String() string {
	if h.Since.IsZero() {
		return "since an unknown time"
	}
	s := "since " + h.Since.UTC().Format(time.RFC3339)
	if h.PID > 0 {
		s += fmt.Sprintf(" (pid %d", h.PID)
		if h.Command != "" {
			s += ", " + h.Command
		}
		s += ")"
	}
	return s
}

// parseLockHolder reads what a lock file says; garbage gives a zero holder.
func parseLockHolder(raw []byte) lockHolder {
	var h lockHolder
	if json.Unmarshal(raw, &h) != nil || h.PID < 0 {
		return lockHolder{}
	}
	return h
}

// lockState takes an exclusive lock on STATE so a timer-run `sapar update`,
// the USB watcher and the kiosk never install at the same time, waiting at
// most lockWait.
func lockState(state string) (func(), error) {
	return lockStateCtx(context.Background(), state, lockWait)
}

// lockStateCtx takes the state lock, waiting at most wait and never past
// ctx (SIGTERM, the cycle's deadline). On failure the error says who holds
// it since when and wraps ErrUpdateRunning.
func lockStateCtx(ctx context.Context, state string, wait time.Duration) (func(), error) {
	if err := os.MkdirAll(state, 0o755); err != nil {
		return nil, fmt.Errorf("updates: state dir: %w", err)
	}
	name := filepath.Join(state, lockFile)
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("updates: lock: %w", err)
	}
	start := time.Now()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for pause := 10 * time.Millisecond; ; pause = min(2*pause, 250*time.Millisecond) {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("updates: lock: %w", err)
		}
		var why string
		select {
		case <-time.After(pause):
			continue
		case <-ctx.Done():
			why = context.Cause(ctx).Error() // SIGTERM
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				why = "the update's deadline passed"
			}
		case <-timer.C:
			why = "gave up"
		}
		raw, _ := os.ReadFile(name)
		f.Close()
		return nil, fmt.Errorf("updates: %w %s; %s after waiting %s: try again when it has finished", ErrUpdateRunning,
			parseLockHolder(raw), why, time.Since(start).Round(100*time.Millisecond))
	}
	cmd := filepath.Base(os.Args[0])
	if len(os.Args) > 1 {
		cmd += " " + os.Args[1]
	}
	raw, _ := json.Marshal(lockHolder{PID: os.Getpid(), Since: time.Now().UTC().Truncate(time.Second), Command: cmd})
	if f.Truncate(0) == nil {
		f.WriteAt(append(raw, '\n'), 0)
	}
	return func() { f.Truncate(0); syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}
