package doctor

import (
	"context"
	"errors"
	"fmt"
	"os"

	"sapar/provisioning"
)

// checkFleet says how the fleet link is: no fleet: section (nothing to
// push), the push agent not running, pushes failing (metrics wait in the
// disk buffer), metrics dropped because the buffer filled, or pushing.
// It reads push-metrics' status.json and the agent's own loopback /metrics.
func checkFleet(ctx context.Context, e *Env, st *provisioning.State) Result {
	if st == nil || st.Config == nil {
		return warn(m("doctor.fleet.unprovisioned"), notProvisionedFix)
	}
	f := st.Config.Fleet
	if f == nil {
		return pass(m("doctor.fleet.off"))
	}
	s, err := provisioning.ReadFleetStatus(e.StateDir)
	if errors.Is(err, os.ErrNotExist) {
		return warn(m("doctor.fleet.never", "url", f.RemoteWrite), m("doctor.fix.fleet_start"))
	}
	if err != nil {
		return warn(m("doctor.fleet.never", "url", f.RemoteWrite), m("doctor.fix.fleet_start"))
	}
	actx, cancel := context.WithTimeout(ctx, e.Timeout)
	defer cancel()
	fig, err := provisioning.FetchFleetAgent(actx, e.HTTP, s.Listen)
	if err != nil {
		return warn(m("doctor.fleet.down", "addr", s.Listen, "link", s.Link, "since", s.Since.Format("2006-01-02 15:04")), m("doctor.fix.fleet_start"))
	}
	buffered := fmt.Sprintf("%.1f MB", fig.PendingBytes/1e6)
	switch {
	case fig.DroppedBytes > 0:
		return fail(m("doctor.fleet.dropped", "dropped", fmt.Sprintf("%.1f MB", fig.DroppedBytes/1e6), "error", s.LastError), m("doctor.fix.fleet_link"))
	case s.Link == "failing":
		return warn(m("doctor.fleet.failing", "since", s.Since.Format("2006-01-02 15:04"), "error", s.LastError, "buffered", buffered), m("doctor.fix.fleet_link"))
	case fig.OK == 0:
		return warn(m("doctor.fleet.starting", "url", s.URL, "buffered", buffered), m("doctor.fix.fleet_link"))
	}
	return pass(m("doctor.fleet.ok", "url", s.URL, "ok", fmt.Sprintf("%.0f", fig.OK), "buffered", buffered))
}
