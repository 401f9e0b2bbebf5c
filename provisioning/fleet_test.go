package provisioning

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestFleetSection(t *testing.T) {
	example := string(readExample(t))
	i := strings.Index(example, "\nfleet:")
	if i < 0 {
		t.Fatal("example.yaml has no fleet: section")
	}
	base := example[:i+1]
	c, err := Parse("example.yaml", []byte(example), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f := c.Fleet; f == nil || f.RemoteWrite != "https://metrics.mrc.example.org/api/v1/write" || time.Duration(f.Interval) != time.Minute ||
		f.BearerTokenFile != "/etc/sapar/fleet-token" || f.BufferMB != 512 {
		t.Errorf("example fleet: %+v", c.Fleet)
	}
	if c, err := Parse("site.yaml", []byte(base), Options{}); err != nil || c.Fleet != nil {
		t.Errorf("without fleet: %v, %+v", err, c)
	}
	min := base + "fleet:\n  remote_write: http://127.0.0.1:8428/api/v1/write\n"
	if c, err := Parse("site.yaml", []byte(min), Options{}); err != nil || time.Duration(c.Fleet.Interval) != time.Minute || c.Fleet.BufferMB != DefaultFleetBufferMB {
		t.Errorf("defaults: %v %+v", err, c)
	}
	line := strings.Count(base, "\n") + 2 // the line after "fleet:"
	for _, tc := range []struct{ name, section, want string }{
		{"plain http over the internet", "  remote_write: http://metrics.example.org/api/v1/write\n", "plain http only"},
		{"password in the URL", "  remote_write: https://kiosk:secret@metrics.example.org/api/v1/write\n", "no user or password"},
		{"not a URL", "  remote_write: metrics.example.org\n", "want a URL"},
		{"interval too short", "  remote_write: https://m.example.org/api/v1/write\n  interval: 500ms\n", "outside 1s"},
		{"misspelt key", "  remote_write: https://m.example.org/api/v1/write\n  bearer_tokn_file: /etc/x\n", `did you mean "bearer_token_file"`},
		{"relative token file", "  remote_write: https://m.example.org/api/v1/write\n  bearer_token_file: fleet-token\n", "absolute"},
		{"both auths", "  remote_write: https://m.example.org/api/v1/write\n  bearer_token_file: /etc/t\n  basic_auth: {username: k, password_file: /etc/p}\n", "not both"},
		{"no remote_write", "  interval: 60s\n", "remote_write: missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("site.yaml", []byte(base+"fleet:\n"+tc.section), Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "site.yaml:") {
				t.Fatalf("got %v, want %q with file:line", err, tc.want)
			}
			if tc.name == "plain http over the internet" && !strings.Contains(err.Error(), fmt.Sprintf("site.yaml:%d:", line)) {
				t.Errorf("want line %d: %v", line, err)
			}
		})
	}
}
