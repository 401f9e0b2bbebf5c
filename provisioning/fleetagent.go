package provisioning

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The fleet push agent's files and figures: written by `sapar push-metrics`
// (kiosk/metrics/pushagent), read by `sapar doctor` — one definition for both.

// FleetStatusFile is the push agent's state for the doctor, in FleetAgentDir.
const FleetStatusFile = "status.json"

// FleetAgentDir is the push agent's directory in the state dir.
func FleetAgentDir(state string) string { return filepath.Join(state, FleetDir) }

// FleetStatus is STATE/fleet/status.json, for `sapar doctor`.
type FleetStatus struct {
	Listen    string    `json:"listen"`     // the agent's /metrics
	Started   time.Time `json:"started"`    // when push-metrics started the agent
	Link      string    `json:"link"`       // "starting", "ok", "failing"
	Since     time.Time `json:"since"`      // when Link last changed
	LastError string    `json:"last_error"` // the agent's last complaint, secrets masked
	URL       string    `json:"url"`        // remote_write, without query
}

// ReadFleetStatus reads STATE/fleet/status.json.
func ReadFleetStatus(state string) (FleetStatus, error) {
	var s FleetStatus
	b, err := os.ReadFile(filepath.Join(FleetAgentDir(state), FleetStatusFile))
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal(b, &s)
}

// FleetAgentFigures are what the agent's own /metrics say about the link.
type FleetAgentFigures struct {
	OK, Failed      float64 // remote-write requests answered 2xx; errors (refused, 4xx, 5xx, timeouts)
	BytesSent       float64 // body bytes of remote-write requests (compressed)
	PendingBytes    float64 // waiting in memory and on disk
	DroppedBytes    float64 // dropped because the disk buffer was full
	ScrapesFailed   float64
	ScrapesOK       float64
	RequestsByCode  map[string]float64
	PersistentBytes float64 // written to the disk buffer so far
}

var sampleRe = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? ([-+0-9.eE]+|NaN|[+-]Inf)$`)

// ParseFleetAgentMetrics reads the figures from vmagent's /metrics text.
func ParseFleetAgentMetrics(r io.Reader) FleetAgentFigures {
	f := FleetAgentFigures{RequestsByCode: map[string]float64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		m := sampleRe.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		v, _ := strconv.ParseFloat(m[3], 64)
		switch m[1] {
		case "vmagent_remotewrite_requests_total":
			code := labelValue(m[2], "status_code")
			f.RequestsByCode[code] += v
			if strings.HasPrefix(code, "2") {
				f.OK += v
			}
		case "vmagent_remotewrite_errors_total":
			f.Failed += v
		case "vmagent_remotewrite_bytes_sent_total":
			f.BytesSent += v
		case "vmagent_remotewrite_pending_data_bytes":
			f.PendingBytes += v
		case "vm_persistentqueue_bytes_dropped_total":
			f.DroppedBytes += v
		case "vm_persistentqueue_bytes_written_total":
			f.PersistentBytes += v
		case "vm_promscrape_scrapes_failed_total":
			f.ScrapesFailed += v
		case "vm_promscrape_scrapes_total":
			f.ScrapesOK += v
		}
	}
	for code, n := range f.RequestsByCode {
		if !strings.HasPrefix(code, "2") {
			f.Failed += n
		}
	}
	return f
}

func labelValue(labels, name string) string {
	i := strings.Index(labels, name+`="`)
	if i < 0 {
		return ""
	}
	rest := labels[i+len(name)+2:]
	if j := strings.IndexByte(rest, '"'); j >= 0 {
		return rest[:j]
	}
	return ""
}

// FetchFleetAgent reads the agent's /metrics at addr.
func FetchFleetAgent(ctx context.Context, c *http.Client, addr string) (FleetAgentFigures, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return FleetAgentFigures{}, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return FleetAgentFigures{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return FleetAgentFigures{}, fmt.Errorf("push agent /metrics: %s", resp.Status)
	}
	return ParseFleetAgentMetrics(resp.Body), nil
}
