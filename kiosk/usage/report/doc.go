// Package report draws the information-needs report from the kiosk's
// anonymous usage counts (package usage) as one self-contained HTML page:
// a short plain-language introduction, headline figures and bar charts
// drawn as inline SVG (top guides by language and by stage of the journey,
// sessions by hour of day, unmet searches by language, prints by outcome,
// agency checks). The same page serves one kiosk (`sapar report --state`),
// a fleet merged from several kiosks' CSV exports, and later the
// maintenance screen.
//
// It must not fetch anything (no external scripts, fonts or images), must
// not show a label that is not in a closed list or a content id (Clean
// drops anything else to "other"/"und" before it is drawn), and escapes all
// it writes through html/template.
package report
