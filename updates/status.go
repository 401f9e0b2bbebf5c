package updates

import (
	"encoding/json"
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
}

// ReadStatus returns the recorded status (zero Status if none yet).
func ReadStatus(state string) (Status, error) {
	var s Status
	raw, err := os.ReadFile(filepath.Join(state, statusFile))
	if os.IsNotExist(err) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("updates: status: %w", err)
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return Status{}, fmt.Errorf("updates: status: %w", err)
	}
	return s, nil
}

func recordStatus(state string, now time.Time, res Result, err error) {
	s, _ := ReadStatus(state)
	s.LastAttempt = now
	s.Source = res.Source
	s.Changed = res.Changed
	s.BytesFetched = res.BytesFetched
	s.ClockNote = res.ClockNote
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

// lockState takes an exclusive lock on STATE so a timer-run `sapar update`,
// the USB watcher and the kiosk never install at the same time.
func lockState(state string) (func(), error) {
	if err := os.MkdirAll(state, 0o755); err != nil {
		return nil, fmt.Errorf("updates: state dir: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(state, ".update.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("updates: lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("updates: lock: %w", err)
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}
