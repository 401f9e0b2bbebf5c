package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// A web page elsewhere that points a DNS name at 127.0.0.1 must not reach
// the kiosk's API (DNS rebinding), and every answer carries the lockdown
// headers that keep the page from loading anything from outside.
func TestLocalOnlyRefusesOtherHostNames(t *testing.T) {
	h := LocalOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }))
	cases := []struct {
		host string
		want int
	}{
		{"127.0.0.1:8080", http.StatusOK},
		{"localhost:8080", http.StatusOK},
		{"[::1]:8080", http.StatusOK},
		{"evil.example:8080", http.StatusForbidden},
		{"127.0.0.1.nip.io:8080", http.StatusForbidden},
		{"10.0.0.5", http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.host, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/api/guides", nil)
			req.Host = tc.host
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("Host %s: status %d, want %d", tc.host, rec.Code, tc.want)
			}
			if tc.want == http.StatusOK && rec.Header().Get("Content-Security-Policy") == "" {
				t.Error("no Content-Security-Policy on an allowed answer")
			}
		})
	}
}
