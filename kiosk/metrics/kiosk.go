package metrics

import (
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sys/unix"

	"sapar/kiosk/slipprinter"
	"sapar/updates"
)

// Health is where the kiosk's health figures are read at each scrape; a
// nil or zero field is left out.
type Health struct {
	StateDir  string // update results (update-status.json), the active release, disk free
	Now       func() time.Time
	Printer   func() slipprinter.State
	LogErrors func() int64     // warnings and errors logged since start
	Heartbeat func() time.Time // the page's last heartbeat (zero: none yet)
	BuildTime time.Time        // a floor for the clock (updates.BuildTime); zero: no clock check
	Version   string           // firmware version for sapar_build_info
}

// healthCollector turns Health into const metrics at each scrape: an
// unchecked collector (Describe sends nothing) since which figures exist
// depends on the kiosk's state.
type healthCollector struct{ h Health }

func (c *healthCollector) Describe(chan<- *prometheus.Desc) {}

// PrinterStates is the closed set of the printer state label.
var PrinterStates = []string{"ready", "paper-near-end", "paper-out", "cover-open", "offline", "error", "printing", "unknown"}

// printerState maps slipprinter's words ("ready, paper near end") to a code.
func printerState(s string) string {
	switch {
	case strings.Contains(s, "paper out"):
		return "paper-out"
	case strings.Contains(s, "cover open"):
		return "cover-open"
	case strings.Contains(s, "offline"), strings.Contains(s, "connected"):
		return "offline"
	case strings.Contains(s, "error"):
		return "error"
	case strings.Contains(s, "near end"):
		return "paper-near-end"
	case strings.Contains(s, "printing"):
		return "printing"
	case strings.HasPrefix(s, "ready"):
		return "ready"
	}
	return "unknown"
}

func (c *healthCollector) Collect(ch chan<- prometheus.Metric) {
	h := c.h
	now := h.Now()
	emit := func(name, help string, t prometheus.ValueType, v float64, kv ...string) {
		var keys, vals []string
		for i := 0; i+1 < len(kv); i += 2 {
			keys, vals = append(keys, kv[i]), append(vals, kv[i+1])
		}
		ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(name, help, keys, nil), t, v, vals...)
	}
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	if h.Version != "" {
		emit(BuildInfo, "The firmware version running.", gauge, 1, "version", h.Version)
	}
	if h.StateDir != "" {
		if st, err := updates.ReadStatus(h.StateDir); err == nil && !st.LastAttempt.IsZero() {
			emit(UpdateLastAttempt, "When the last update cycle ran (unix seconds).", gauge, unixSeconds(st.LastAttempt))
			emit(UpdateLastSuccess, "When an update cycle last succeeded (unix seconds; 0: never).", gauge, unixSeconds(st.LastSuccess))
			if !st.LastSuccess.IsZero() {
				emit(UpdateSuccessAge, "Seconds since an update cycle last succeeded.", gauge, now.Sub(st.LastSuccess).Seconds())
			}
			emit(UpdateLastOK, "1 if the last update cycle succeeded.", gauge, b2f(st.Error == "" && !st.LastSuccess.IsZero()))
			emit(UpdatesSucceeded, "Update cycles that succeeded.", counter, float64(st.Succeeded))
			emit(UpdatesFailed, "Update cycles that failed.", counter, float64(st.Failed))
		}
		if st, err := updates.ReadStatus(h.StateDir); err == nil {
			firmwareFigures(st, emit)
		}
		if ms, err := updates.ReadMaintenanceStatus(h.StateDir); err == nil && !ms.LastRun.IsZero() {
			emit(MaintenanceLastRun, "When sapar maintenance last checked (unix seconds).", gauge, unixSeconds(ms.LastRun))
			if !ms.LastUpgrade.IsZero() {
				emit(MaintenanceLastUpgrade, "When unattended-upgrade (Debian security updates) last ran to the end (unix seconds).", gauge, unixSeconds(ms.LastUpgrade))
			}
			emit(MaintenanceUpgradeOK, "0 if the last unattended-upgrade failed.", gauge, b2f(ms.UpgradeErr == ""))
			emit(RebootRequired, "1 if an installed update waits for a reboot (done in the maintenance window, nobody at the screen).", gauge, b2f(ms.RebootRequired))
		}
		if rel, err := updates.ActiveRelease(h.StateDir); err == nil {
			emit(ContentInfo, "The content version being served.", gauge, 1, "version", rel.Version)
			if !rel.Created.IsZero() {
				emit(ContentCreated, "When the content being served was published (unix seconds).", gauge, unixSeconds(rel.Created))
				emit(ContentAge, "Seconds since the content being served was published.", gauge, now.Sub(rel.Created).Seconds())
			}
		}
		var fs unix.Statfs_t
		if unix.Statfs(h.StateDir, &fs) == nil {
			emit(DiskFree, "Bytes free to the kiosk on the state dir's file system.", gauge, float64(fs.Bavail)*float64(fs.Bsize))
			emit(DiskSize, "Size of the state dir's file system in bytes.", gauge, float64(fs.Blocks)*float64(fs.Bsize))
		}
	}
	if !h.BuildTime.IsZero() {
		emit(ClockOK, "1 if the kiosk's clock is not before this binary was built (a Pi has no real-time clock).", gauge, b2f(!now.Before(h.BuildTime)))
	}
	if h.Printer != nil {
		p := h.Printer()
		code := printerState(p.State)
		emit(PrinterOK, "1 if the printer can print now.", gauge, b2f(p.OK))
		emit(PrinterOnline, "1 if the printer answers.", gauge, b2f(code != "offline" && code != "unknown"))
		emit(PrinterPaperNear, "1 if the paper roll is near its end.", gauge, b2f(code == "paper-near-end"))
		emit(PrinterPaperOut, "1 if the printer is out of paper.", gauge, b2f(code == "paper-out"))
		emit(PrinterState, "The printer's state (one of PrinterStates): the series with the current one is 1.", gauge, 1, "state", code)
		emit(PrinterSlips, "Slips printed since start.", counter, float64(p.Slips))
		emit(PrinterFailed, "Slips that failed since start.", counter, float64(p.Failed))
		emit(PrinterPaperOuts, "Paper-out events since start.", counter, float64(p.PaperOuts))
		emit(PrinterPaperMM, "Estimated paper used since start, in millimetres.", counter, p.PaperMM)
		emit(PrinterReconnects, "Times the printer port was (re)opened.", counter, float64(p.Reconnects))
	}
	if h.LogErrors != nil {
		emit(LogErrors, "Warnings and errors logged since start.", counter, float64(h.LogErrors()))
	}
	if h.Heartbeat != nil {
		if hb := h.Heartbeat(); !hb.IsZero() {
			emit(PageHeartbeatAge, "Seconds since the page's last heartbeat (the watchdog's page check).", gauge, now.Sub(hb).Seconds())
		}
	}
}

// InstallResults is the closed set of the last install's result label.
var InstallResults = []string{"installed", "rolled-back", "refused", "failed"}

// maxBadLabels bounds the bad-version series (the count is exact).
const maxBadLabels = 10

// firmwareFigures: the installed firmware, the kiosk's place in phased
// rollouts, the last install and the versions marked bad.
func firmwareFigures(st updates.Status, emit func(name, help string, t prometheus.ValueType, v float64, kv ...string)) {
	gauge := prometheus.GaugeValue
	fw := st.Firmware
	installed := fw.Installed
	if in := st.FirmwareInstall; in != nil && in.Running != "" && in.Time.After(st.LastAttempt) {
		installed = in.Running // installed after the last cycle looked
	}
	if installed != "" {
		emit(FirmwareInfo, "The firmware (sapar package) installed: version and Debian architecture.", gauge, 1, "version", installed, "arch", fw.Arch)
	}
	if fw.Checked {
		if fw.Available != "" {
			emit(FirmwareAvailable, "The firmware version published for this kiosk's architecture.", gauge, 1, "version", fw.Available)
			emit(FirmwareRollout, "The published firmware's rollout percentage.", gauge, float64(fw.Rollout))
		}
	}
	if !st.LastAttempt.IsZero() {
		emit(RolloutBucket, "This kiosk's bucket in phased rollouts (0–99, from its device key): it takes a release rolled out to more than this percentage.", gauge, float64(st.Bucket))
		cohort := st.Cohort
		if cohort == "" {
			cohort = "default"
		}
		emit(RolloutCohort, "This kiosk's rollout group (default: by bucket; canary first; late only at 100%): the series with the current one is 1.", gauge, 1,
			"cohort", oneOf(cohort, []string{"default", "canary", "late"}))
	}
	if in := st.FirmwareInstall; in != nil && in.Result != "" {
		emit(FirmwareLastInstall, "The last firmware install: the version tried and its result (installed, rolled-back, refused, failed).", gauge, 1,
			"version", in.Version, "result", oneOf(in.Result, InstallResults))
		emit(FirmwareInstallTime, "When the last firmware install ended (unix seconds).", gauge, unixSeconds(in.Time))
	}
	bad := st.FirmwareBad
	emit(FirmwareBadVersions, "Firmware versions marked bad on this kiosk (failed their health check; never retried).", gauge, float64(len(bad)))
	if len(bad) > maxBadLabels {
		bad = bad[len(bad)-maxBadLabels:]
	}
	for _, v := range bad {
		emit(FirmwareBad, "A firmware version marked bad on this kiosk (the newest ten).", gauge, 1, "version", v)
	}
}

func unixSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.Unix())
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
