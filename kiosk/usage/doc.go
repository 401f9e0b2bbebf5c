// Package usage keeps the kiosk's anonymous usage statistics: hourly counts
// of sessions, languages chosen, guides opened (and from where), searches,
// prints and why they failed, agency checks and idle resets. Counts gather in
// memory and reach SQLite in one transaction at most once per flush interval,
// so the SD card is not written at every tap. Report and CSV turn them into
// the information-needs report; FleetSource reads the same counts for the
// whole fleet from the fleet database (the kiosks' pushed metrics, Prometheus
// HTTP API); Suppress hides small counts, complementary cells included,
// before anything is published; WriteTable writes the report's tables.
//
// It must never store what a person typed or anything that identifies them:
// the API takes no free text, and every label is checked against a closed
// pattern (anything else is counted as "other"). A published report never
// shows a count under its minimum, nor one that a total gives away.
package usage
