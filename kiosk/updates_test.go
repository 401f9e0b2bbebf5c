package kiosk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sapar/provisioning"
	"sapar/updates"
)

// TestUpdateClientTakesFirmware: the kiosk's own update client (USB
// sticks, the maintenance screen, in-process cycles) stages firmware like
// sapar update, in the cohort of this kiosk's device key and its
// provisioned updates.rollout.
func TestUpdateClientTakesFirmware(t *testing.T) {
	example, err := os.ReadFile("../provisioning/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(t.TempDir(), "tuf-root.json")
	os.WriteFile(root, []byte("{}"), 0o644) // read, not verified, when the client is made
	y := strings.Replace(string(example), "file: /usr/share/sapar/tuf-root.json", "file: "+root, 1)
	for _, group := range []string{"", "canary"} {
		yy := y
		if group != "" {
			yy = strings.Replace(y, "updates:\n", "updates:\n  rollout: "+group+"\n", 1)
		}
		pubFile, privFile, _ := provisioning.GenerateSigningKey()
		pub, _ := provisioning.ParsePublicKey(pubFile)
		priv, _ := provisioning.ParsePrivateKey(privFile)
		state := filepath.Join(t.TempDir(), "state")
		res, err := provisioning.Provision(state, provisioning.Request{Name: "site.yaml", File: []byte(yy),
			Sig: provisioning.Sign(priv, []byte(yy)), PublicKey: pub, Now: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		k := &Kiosk{o: RunOptions{StateDir: state}}
		c, err := k.updateClient(res.State.Config)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := updates.CohortFor(res.State.PublicKey, group)
		if c.Firmware == nil || c.Firmware.Arch != updates.HostArch() || c.Cohort == nil || *c.Cohort != want {
			t.Fatalf("rollout %q: firmware %+v, cohort %+v, want %+v", group, c.Firmware, c.Cohort, want)
		}
	}
}
