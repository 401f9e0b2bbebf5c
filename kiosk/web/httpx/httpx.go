// Package httpx holds the small HTTP pieces every kiosk-side server shares
// (the UI server, the maintenance handlers, the first-boot setup screen):
// JSON answers and errors, the loopback guard with the lockdown headers,
// and the per-boot token that state-changing calls carry.
//
// It must not hold routes or state of its own.
package httpx

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
)

// JSON answers v as JSON with status, never cached.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// Error answers {"error": msg} with status.
func Error(w http.ResponseWriter, status int, msg string) {
	JSON(w, status, map[string]string{"error": msg})
}

// HTML answers a page, never cached.
func HTML(w http.ResponseWriter, page []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(page)
}

// LocalOnly refuses requests addressed to another host name (DNS
// rebinding: a page elsewhere cannot reach the kiosk through a name that
// resolves to 127.0.0.1) and sets headers that keep the page from loading
// anything from outside.
func LocalOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		if host != "127.0.0.1" && host != "localhost" && host != "::1" && host != "[::1]" {
			http.Error(w, "forbidden host", http.StatusForbidden)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// TokenHeader carries the per-boot token on state-changing calls.
const TokenHeader = "X-Sapar-Token"

// NewToken makes a per-boot token (128 random bits, hex).
func NewToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// TokenOK reports whether r carries token. The token is in the page the
// kiosk serves, so any local process can read it; what it stops is a page
// from another origin (which cannot read the kiosk's page or set the
// header on a cross-origin request without a preflight the kiosk refuses)
// driving the printer or the counters.
func TokenOK(r *http.Request, token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get(TokenHeader)), []byte(token)) == 1
}

// RequireToken answers 403 and returns false when r lacks token.
func RequireToken(w http.ResponseWriter, r *http.Request, token string) bool {
	if !TokenOK(r, token) {
		Error(w, http.StatusForbidden, "missing or wrong kiosk token")
		return false
	}
	return true
}
