package kiosk

import _ "embed"

// maintenanceHTML is the technician's page: the PIN-protected maintenance
// screen, and the first-boot setup screen (the same page in "setup" mode).
//
//go:embed ui/maintenance.html
var maintenanceHTML string
