package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sapar/provisioning"
)

// What the update cycle and the firmware installer record (updates/status.go,
// updates/firmware_install.go), read here without importing updates.
type firmwareStatusFile struct {
	Bucket   int    `json:"bucket"`
	Cohort   string `json:"cohort"`
	Firmware struct {
		Checked   bool   `json:"checked"`
		Arch      string `json:"arch"`
		Installed string `json:"installed"`
		Available string `json:"available"`
		Rollout   int    `json:"rollout"`
		Note      string `json:"note"`
		Error     string `json:"error"`
	} `json:"firmware"`
}

type firmwareResultFile struct {
	Version string `json:"version"`
	Result  string `json:"result"`
	Error   string `json:"error"`
}

// checkFirmware: the installed firmware, the kiosk's bucket and cohort, what
// is published, the last install and the versions marked bad.
func checkFirmware(_ context.Context, e *Env, _ *provisioning.State) Result {
	fix := m("doctor.fix.firmware", "dir", e.StateDir)
	var s firmwareStatusFile
	b, err := os.ReadFile(filepath.Join(e.StateDir, updateStatus))
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	var r firmwareResultFile
	if b, err := os.ReadFile(filepath.Join(e.StateDir, "firmware", "result.json")); err == nil {
		json.Unmarshal(b, &r)
	}
	if r.Result == "failed" {
		return fail(m("doctor.firmware.failed", "version", r.Version, "error", r.Error), fix)
	}
	if err != nil || !s.Firmware.Checked {
		return pass(m("doctor.firmware.unchecked")) // informational: updates has its own check
	}
	avail := s.Firmware.Available
	if avail == "" {
		avail = "-"
	}
	line := m("doctor.firmware.line", "installed", s.Firmware.Installed, "arch", s.Firmware.Arch, "bucket", fmt.Sprint(s.Bucket),
		"cohort", s.Cohort, "available", avail, "rollout", fmt.Sprint(s.Firmware.Rollout))
	var bad []string
	if b, err := os.ReadFile(filepath.Join(e.StateDir, "firmware", "bad")); err == nil {
		bad = strings.Fields(string(b))
	}
	if s.Firmware.Error != "" {
		return warn(m("doctor.firmware.refused", "line", line, "error", s.Firmware.Error), fix)
	}
	if len(bad) > 0 || r.Result == "rolled-back" {
		return warn(m("doctor.firmware.bad", "line", line, "bad", strings.Join(bad, ", "), "result", r.Result, "error", r.Error), fix)
	}
	return pass(line)
}
