package metrics

// Every metric name the kiosk exports, in one place.
const (
	HTTPRequests   = "sapar_http_requests_total"
	GuidesOpened   = "sapar_guides_opened_total"  // {guide, lang, stage, from}
	Searches       = "sapar_searches_total"       // {lang, result}
	SessionEvents  = "sapar_session_events_total" // {event}
	Prints         = "sapar_prints_total"         // {guide, lang, result}
	PrintsPaperLow = "sapar_prints_paper_low_total"
	ReadAloud      = "sapar_read_aloud_total" // {lang}
	Uptime         = "sapar_uptime_seconds"

	UpdateLastAttempt = "sapar_update_last_attempt_timestamp_seconds"
	UpdateLastSuccess = "sapar_update_last_success_timestamp_seconds"
	UpdateSuccessAge  = "sapar_update_last_success_age_seconds"
	UpdateLastOK      = "sapar_update_last_ok"
	UpdatesSucceeded  = "sapar_updates_succeeded_total"
	UpdatesFailed     = "sapar_updates_failed_total"
	ContentInfo       = "sapar_content_info" // {version}

	PrinterOK        = "sapar_printer_ok"
	PrinterState     = "sapar_printer_state" // {state}
	PrinterSlips     = "sapar_printer_slips_total"
	PrinterFailed    = "sapar_printer_failed_total"
	PrinterPaperOuts = "sapar_printer_paper_out_events_total"
	PrinterPaperMM   = "sapar_printer_paper_used_mm_total"

	LogErrors        = "sapar_log_errors_total"
	PageHeartbeatAge = "sapar_page_heartbeat_age_seconds"

	// Whether someone is at the screen (presence.go): sapar maintenance
	// installs security updates and reboots only when KioskInUse is 0.
	KioskInUse         = "sapar_kiosk_in_use"
	PageScreen         = "sapar_page_screen" // {screen="attract|session|maintenance|unknown"}
	LastInteractionAge = "sapar_last_interaction_age_seconds"
)

// Firmware over the air and phased rollouts (issue 14), read from the
// update status and the installer's record at each scrape.
const (
	FirmwareInfo        = "sapar_firmware_info"           // {version, arch}: the installed package, as the last cycle found it
	FirmwareAvailable   = "sapar_firmware_available_info" // {version}: the version published for this kiosk's arch
	FirmwareRollout     = "sapar_firmware_rollout_percent"
	RolloutBucket       = "sapar_rollout_bucket"        // 0–99, from the device key
	RolloutCohort       = "sapar_rollout_cohort"        // {cohort="default|canary|late"}
	FirmwareLastInstall = "sapar_firmware_last_install" // {version, result="installed|rolled-back|refused|failed"}
	FirmwareInstallTime = "sapar_firmware_last_install_timestamp_seconds"
	FirmwareBad         = "sapar_firmware_bad"          // {version}: marked bad on this kiosk, never retried
	FirmwareBadVersions = "sapar_firmware_bad_versions" // how many versions are marked bad

	// Debian security updates (sapar maintenance, STATE/maintenance-status.json).
	MaintenanceLastRun     = "sapar_maintenance_last_run_timestamp_seconds"
	MaintenanceLastUpgrade = "sapar_maintenance_last_upgrade_timestamp_seconds" // last unattended-upgrade that ran to the end
	MaintenanceUpgradeOK   = "sapar_maintenance_upgrade_ok"                     // 0: the last unattended-upgrade failed
	RebootRequired         = "sapar_reboot_required"                            // 1: a package waits for a reboot in the window
)

// Fleet operations: more usage counters with bounded labels and the health
// gauges the alert rules read (systemd/fleet/rules).
const (
	LanguagesChosen = "sapar_languages_chosen_total" // {lang}
	PrintFailures   = "sapar_print_failures_total"   // {reason}
	AgencyChecks    = "sapar_agency_checks_total"    // {result="found|not-found"}
	BuildInfo       = "sapar_build_info"             // {version}

	PrinterOnline     = "sapar_printer_online"
	PrinterPaperNear  = "sapar_printer_paper_near_end"
	PrinterPaperOut   = "sapar_printer_paper_out"
	PrinterReconnects = "sapar_printer_reconnects_total"

	ContentCreated = "sapar_content_created_timestamp_seconds"
	ContentAge     = "sapar_content_age_seconds"

	DiskFree = "sapar_disk_free_bytes" // the state dir's file system
	DiskSize = "sapar_disk_size_bytes"
	ClockOK  = "sapar_clock_ok" // 0: the clock is before this binary was built
)

// Content health (issue 17): whether the index being served answers what the
// screens ask, and each repair of a release's index (at start or hot reload).
const (
	ContentHealthy        = "sapar_content_healthy"               // 1: the served index answers (release.Answers)
	ContentHealthFailures = "sapar_content_health_failures_total" // health checks (/healthz, watchdog probe) that failed
	ContentRepairs        = "sapar_content_repairs_total"         // {reason="missing|corrupt|stale|not-answering|fell-back|reseeded"}
)
