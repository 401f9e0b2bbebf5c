package metrics

// Every metric name the kiosk exports, in one place.
const (
	HTTPRequests   = "sapar_http_requests_total"
	GuidesOpened   = "sapar_guides_opened_total"  // {lang}
	Searches       = "sapar_searches_total"       //
	SessionEvents  = "sapar_session_events_total" // {event}
	Prints         = "sapar_prints_total"         // {result, reason}
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
)
