package provisioning

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzParse feeds hostile provisioning files to the parser: it must never
// panic or hang, and whatever it accepts must survive the state's JSON round
// trip and parse again to the same configuration.
func FuzzParse(f *testing.F) {
	example := string(readExample(f))
	f.Add([]byte(example))
	f.Add([]byte(strings.Replace(example, "baud: 38400", "baud: [1, 2]", 1)))
	f.Add([]byte(strings.Replace(example, "city: Osh", "city: &a [*a]", 1)))
	f.Add([]byte(strings.Replace(example, `"02:00-04:00"`, `"23:59-00:29"`, 1)))
	f.Add([]byte(strings.Replace(example, `"02:00-04:00"`, `"9:00-10:00"`, 1)))
	f.Add([]byte("version: 1\nkiosk: {id: ab-c, name: x}\n"))
	f.Add([]byte("a: &a [*a, *a]\nb: &b [*a, *a]\n"))
	f.Add([]byte("%YAML 1.1\n---\n!!binary AAAA\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data, Options{})
		if err != nil {
			if c != nil {
				t.Fatal("config and error")
			}
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var back Config
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		b2, _ := json.Marshal(&back)
		if string(b) != string(b2) {
			t.Fatalf("round trip differs:\n%s\n%s", b, b2)
		}
		if back.MaintenanceWindow != c.MaintenanceWindow || c.MaintenanceWindow.Length() < MinWindow || c.MaintenanceWindow.Length() > MaxWindow {
			t.Fatalf("maintenance window %v did not survive the state's JSON (%v) or is out of bounds", c.MaintenanceWindow, back.MaintenanceWindow)
		}
		if c2, err := Parse("fuzz.yaml", data, Options{}); err != nil || c2.Kiosk != c.Kiosk {
			t.Fatal("second parse differs")
		}
	})
}
