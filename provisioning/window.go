package provisioning

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Window is the daily maintenance window (maintenance_window: "02:00-04:00"),
// in the kiosk's time zone: when Debian security updates are installed and
// the kiosk may reboot for them. End before Start spans midnight
// ("23:30-01:30").
type Window struct {
	Start, End int // minutes after midnight, 0…1439
}

// DefaultMaintenanceWindow applies when the file has no maintenance_window
// (files written before it existed): the small hours, when stations and
// airports are quietest.
var DefaultMaintenanceWindow = Window{Start: 2 * 60, End: 4 * 60}

// Limits on the window's length: the maintenance timer looks every 15
// minutes, and an upgrade plus a reboot on an SD card take a while.
const (
	MinWindow = 30 * time.Minute
	MaxWindow = 12 * time.Hour
)

var windowRe = regexp.MustCompile(`^([0-9]{2}):([0-9]{2})-([0-9]{2}):([0-9]{2})$`)

// ParseWindow reads "HH:MM-HH:MM" (24-hour clock, local time of the kiosk).
func ParseWindow(s string) (Window, error) {
	m := windowRe.FindStringSubmatch(s)
	if m == nil {
		return Window{}, fmt.Errorf("%q: want HH:MM-HH:MM on a 24-hour clock, like \"02:00-04:00\"", s)
	}
	var v [4]int
	for i := range v {
		v[i], _ = strconv.Atoi(m[i+1])
	}
	if v[0] > 23 || v[2] > 23 || v[1] > 59 || v[3] > 59 {
		return Window{}, fmt.Errorf("%q: hours are 00…23 and minutes 00…59", s)
	}
	w := Window{Start: v[0]*60 + v[1], End: v[2]*60 + v[3]}
	if d := w.Length(); d < MinWindow || d > MaxWindow {
		return Window{}, fmt.Errorf("%q is %v long: want %v…%v (the maintenance timer looks every 15 minutes)", s, d, MinWindow, MaxWindow)
	}
	return w, nil
}

// Length is how long the window lasts (across midnight too).
func (w Window) Length() time.Duration {
	d := w.End - w.Start
	if d <= 0 {
		d += 24 * 60
	}
	return time.Duration(d) * time.Minute
}

// Contains reports whether t, read on the wall clock of loc, is inside the
// window: Start included, End excluded.
func (w Window) Contains(t time.Time, loc *time.Location) bool {
	if loc == nil {
		loc = time.UTC
	}
	lt := t.In(loc)
	m := lt.Hour()*60 + lt.Minute()
	if w.Start < w.End {
		return m >= w.Start && m < w.End
	}
	return m >= w.Start || m < w.End
}

func (w Window) IsZero() bool { return w == Window{} }

func (w Window) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", w.Start/60, w.Start%60, w.End/60, w.End%60)
}

func (w Window) MarshalJSON() ([]byte, error) {
	if w.IsZero() {
		return json.Marshal("")
	}
	return json.Marshal(w.String())
}

func (w *Window) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*w = Window{}
		return nil
	}
	v, err := ParseWindow(s)
	*w = v
	return err
}
