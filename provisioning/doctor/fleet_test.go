package doctor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sapar/provisioning"
)

// fleetAgent is what a healthy vmagent's /metrics says (the lines the
// fleet check reads, as vmagent 1.79 writes them).
var fleetAgent = `vmagent_remotewrite_requests_total{url="1:secret-url", status_code="204"} 42
vmagent_remotewrite_errors_total{url="1:secret-url"} 0
vmagent_remotewrite_pending_data_bytes{path="/var/lib/sapar/fleet/buffer/persistent-queue/1_X", url="1:secret-url"} 1200
vm_persistentqueue_bytes_dropped_total{path="/var/lib/sapar/fleet/buffer/persistent-queue/1_X"} 0
`

func TestFleetCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(string) string
		status string // status.json: "" keeps the fixture's, "-" removes it
		agent  string // "" keeps the healthy agent
		want   Status
		msg    string
	}{
		{"pushing", nil, "", "", Pass, "42 pushes accepted"},
		{"no fleet section", func(y string) string { return y[:strings.Index(y, "\nfleet:")+1] }, "-", "", Pass, "not pushed"},
		{"agent never ran", nil, "-", "", Warn, "has not run yet"},
		{"agent not answering", nil, `{"listen":"127.0.0.1:1","link":"failing"}`, "", Warn, "does not answer"},
		{"link failing", nil, "failing", "", Warn, "nothing lost yet"},
		{"buffer full", nil, "", strings.Replace(fleetAgent, "bytes_dropped_total{path=\"/var/lib/sapar/fleet/buffer/persistent-queue/1_X\"} 0", "bytes_dropped_total{path=\"x\"} 5000000", 1), Fail, "dropped"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.edit)
			p := filepath.Join(f.env.StateDir, "fleet", provisioning.FleetStatusFile)
			switch tc.status {
			case "":
			case "-":
				os.Remove(p)
			case "failing":
				b, _ := os.ReadFile(p)
				os.WriteFile(p, []byte(strings.Replace(string(b), `"link":"ok"`, `"link":"failing","last_error":"couldn't send a block: 401 Unauthorized"`, 1)), 0o644)
			default:
				os.WriteFile(p, []byte(tc.status), 0o644)
			}
			if tc.agent != "" {
				old := fleetAgent
				fleetAgent = tc.agent
				t.Cleanup(func() { fleetAgent = old })
			}
			r := run(t, f, "fleet")
			if r.Status != tc.want || !strings.Contains(r.Message, tc.msg) {
				t.Errorf("got %s %q, want %s mentioning %q", r.Status, r.Message, tc.want, tc.msg)
			}
		})
	}
}
