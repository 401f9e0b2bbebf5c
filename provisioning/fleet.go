package provisioning

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Fleet is the optional fleet: section — where `sapar push-metrics` sends
// this kiosk's metrics (Prometheus remote-write) through NAT and cellular
// links, buffering on disk while the link is down. Absent: nothing is pushed.
type Fleet struct {
	RemoteWrite     string   `json:"remote_write"`                // https://…/api/v1/write
	Interval        Duration `json:"interval"`                    // scrape and push period; default DefaultFleetInterval
	BearerTokenFile string   `json:"bearer_token_file,omitempty"` // absolute path; or
	BasicAuth       *Basic   `json:"basic_auth,omitempty"`
	BufferMB        int      `json:"buffer_mb"`  // disk buffer cap for outages; default DefaultFleetBufferMB
	SendEvery       Duration `json:"send_every"` // batch this long before sending; default DefaultFleetSendEvery
}

// Basic is HTTP basic authentication with the password in a file.
type Basic struct {
	Username     string `json:"username"`
	PasswordFile string `json:"password_file"`
}

// Fleet push defaults and bounds.
const (
	DefaultFleetInterval = Duration(60 * time.Second)
	// DefaultFleetSendEvery batches five scrapes into one request: the
	// labels compress across them and HTTP/TLS overhead is paid 288 times a
	// day instead of 1440 (systemd/fleet/README.md has the figures); an
	// alert waits up to this long more.
	DefaultFleetSendEvery = Duration(5 * time.Minute)
	MinFleetInterval      = time.Second // below 10s only for tests: each scrape costs cellular data
	MaxFleetInterval      = time.Hour
	// DefaultFleetBufferMB: vmagent keeps its disk buffer in chunks of up
	// to 500 MB and calls that the least practical cap; at about 1 MB a
	// day it is months of outage.
	DefaultFleetBufferMB = 512
	MinFleetBufferMB     = 16
	MaxFleetBufferMB     = 4096

	// FleetDir is where push-metrics keeps its files in the state dir:
	// the agent's scrape config, its disk buffer and agent.json.
	FleetDir = "fleet"
	// FleetAgentAddr is the push agent's own HTTP address (loopback):
	// its metrics tell `sapar doctor` how the fleet link is.
	FleetAgentAddr = "127.0.0.1:8429"
)

func (p *parser) fleet(n *yaml.Node, path string, c *Config) {
	f := &Fleet{Interval: DefaultFleetInterval, BufferMB: DefaultFleetBufferMB, SendEvery: DefaultFleetSendEvery}
	absFile := func(n *yaml.Node, path string, dst *string) {
		if s, ok := p.str(n, path); ok {
			if !filepath.IsAbs(s) || filepath.Clean(s) != s {
				p.fail(n, path, "%q: want an absolute, clean path like /etc/sapar/fleet-token", s)
				return
			}
			*dst = s
		}
	}
	p.mapping(n, path,
		field{"remote_write", true, func(n *yaml.Node, path string) {
			if s, ok := p.str(n, path); ok {
				if err := checkRemoteWrite(s); err != nil {
					p.fail(n, path, "%q: %v", s, err)
					return
				}
				f.RemoteWrite = s
			}
		}},
		field{"interval", false, func(n *yaml.Node, path string) {
			if s, ok := p.str(n, path); ok {
				d, err := time.ParseDuration(s)
				if err != nil {
					p.fail(n, path, "%q is not a duration like 60s or 5m", s)
					return
				}
				if d < MinFleetInterval || d > MaxFleetInterval {
					p.fail(n, path, "%v is outside %v…%v", d, MinFleetInterval, MaxFleetInterval)
					return
				}
				f.Interval = Duration(d)
			}
		}},
		field{"send_every", false, func(n *yaml.Node, path string) {
			if s, ok := p.str(n, path); ok {
				d, err := time.ParseDuration(s)
				if err != nil || d < time.Second || d > MaxFleetInterval {
					p.fail(n, path, "%q: want a duration from 1s to %v, like 5m", s, MaxFleetInterval)
					return
				}
				f.SendEvery = Duration(d)
			}
		}},
		field{"bearer_token_file", false, func(n *yaml.Node, path string) { absFile(n, path, &f.BearerTokenFile) }},
		field{"basic_auth", false, func(n *yaml.Node, path string) {
			b := &Basic{}
			p.mapping(n, path,
				field{"username", true, func(n *yaml.Node, path string) { p.text(n, path, 64, &b.Username) }},
				field{"password_file", true, func(n *yaml.Node, path string) { absFile(n, path, &b.PasswordFile) }},
			)
			f.BasicAuth = b
		}},
		field{"buffer_mb", false, func(n *yaml.Node, path string) {
			if v, ok := p.integer(n, path); ok {
				if v < MinFleetBufferMB || v > MaxFleetBufferMB {
					p.fail(n, path, "%d is outside %d…%d (megabytes of the SD card kept for an outage)", v, MinFleetBufferMB, MaxFleetBufferMB)
					return
				}
				f.BufferMB = v
			}
		}},
	)
	if f.BearerTokenFile != "" && f.BasicAuth != nil {
		p.fail(n, path, "give bearer_token_file or basic_auth, not both")
	}
	c.Fleet = f
}

// checkRemoteWrite accepts an https URL, or http to a private or loopback
// address (an MRC office server on a VPN); credentials never go in the URL.
func checkRemoteWrite(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("want a URL like https://metrics.mrc.example.org/api/v1/write")
	}
	if u.User != nil {
		return fmt.Errorf("no user or password in the URL: use bearer_token_file or basic_auth")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("no query or fragment: the remote-write path only")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); ip != nil && (ip.IsLoopback() || ip.IsPrivate()) || host == "localhost" {
			return nil
		}
		return fmt.Errorf("plain http only to a loopback or private address (metrics cross the internet: use https)")
	}
	return fmt.Errorf("scheme %q: want https", strings.TrimSuffix(u.Scheme, ":"))
}
