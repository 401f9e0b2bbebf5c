package provisioning

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

var now = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func keys(t *testing.T) (pubFile, privFile []byte) {
	t.Helper()
	pub, priv, err := GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

func TestSignatures(t *testing.T) {
	pubFile, privFile := keys(t)
	_, otherPriv := keys(t)
	pub, _ := ParsePublicKey(pubFile)
	priv, _ := ParsePrivateKey(privFile)
	op, _ := ParsePrivateKey(otherPriv)
	file := readExample(t)
	sig := Sign(priv, file)
	tampered := bytes.Replace(file, []byte("baud: 38400"), []byte("baud: 9600 "), 1)
	for _, tc := range []struct {
		name      string
		file, sig []byte
		ok        bool
	}{
		{"signed file accepted", file, sig, true},
		{"tampered file rejected", tampered, sig, false},
		{"file signed by another key rejected", file, Sign(op, file), false},
		{"signature of another file rejected", file, Sign(priv, tampered), false},
		{"truncated signature rejected", file, sig[:40], false},
		{"garbage signature rejected", file, []byte("not base64!"), false},
		{"empty signature rejected", file, nil, false},
		{"plain ed25519 signature without context rejected", file, []byte(encodeRawSig(priv, file)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifySignature(pub, tc.file, tc.sig)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v", err)
			}
			if err != nil && !errors.Is(err, ErrBadSignature) {
				t.Fatalf("err = %v, want ErrBadSignature", err)
			}
		})
	}
	if _, err := ParsePublicKey(privFile[:10]); err == nil {
		t.Fatal("garbage public key accepted")
	}
}

func TestProvision(t *testing.T) {
	pubFile, privFile := keys(t)
	pub, _ := ParsePublicKey(pubFile)
	priv, _ := ParsePrivateKey(privFile)
	file := readExample(t)
	sig := Sign(priv, file)

	t.Run("signed file provisions, key 0600, id derived from key", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "state")
		res, err := Provision(dir, Request{Name: "site.yaml", File: file, Sig: sig, PublicKey: pub, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if !res.IdentityCreated || !regexp.MustCompile(`^SPR-[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$`).MatchString(res.State.DeviceID) {
			t.Fatalf("%+v", res)
		}
		for name, want := range map[string]os.FileMode{IdentityFile: 0o600, ConfigFile: 0o600, ".": 0o700} {
			fi, err := os.Stat(filepath.Join(dir, name))
			if err != nil || fi.Mode().Perm() != want {
				t.Fatalf("%s: %v %v", name, fi.Mode(), err)
			}
		}
		st, err := Load(dir, LoadOptions{PublicKey: pub})
		if err != nil {
			t.Fatal(err)
		}
		if st.DeviceID != res.State.DeviceID || st.Config.Kiosk.ID != "osh-airport-01" || !st.Signed() {
			t.Fatalf("%+v", st)
		}
	})
	t.Run("identity kept when provisioned again", func(t *testing.T) {
		dir := t.TempDir()
		r1, err := Provision(dir, Request{Name: "a.yaml", File: file, Unsigned: true, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		r2, err := Provision(dir, Request{Name: "a.yaml", File: file, Sig: sig, PublicKey: pub, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if r2.IdentityCreated || r1.State.DeviceID != r2.State.DeviceID {
			t.Fatalf("id changed: %s → %s", r1.State.DeviceID, r2.State.DeviceID)
		}
	})
	t.Run("refused files leave the state untouched", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := Provision(dir, Request{Name: "a.yaml", File: file, Sig: sig, PublicKey: pub, Now: now}); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, dir)
		tampered := bytes.Replace(file, []byte("osh-airport-01"), []byte("osh-airport-02"), 1)
		bad := bytes.Replace(file, []byte("baud: 38400"), []byte("baud: 1"), 1)
		for name, r := range map[string]Request{
			"tampered file rejected":               {Name: "a.yaml", File: tampered, Sig: sig, PublicKey: pub},
			"unsigned file rejected in production": {Name: "a.yaml", File: file, PublicKey: pub},
			"invalid signed file rejected":         {Name: "a.yaml", File: bad, Sig: Sign(priv, bad), PublicKey: pub},
			"invalid unsigned file rejected":       {Name: "a.yaml", File: bad, Unsigned: true},
			"truncated file rejected":              {Name: "a.yaml", File: file[:len(file)/2], Sig: Sign(priv, file[:len(file)/2]), PublicKey: pub},
		} {
			if _, err := Provision(dir, r); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
		if after := snapshot(t, dir); after != before {
			t.Fatalf("state changed:\n%s\n---\n%s", before, after)
		}
	})
	t.Run("refused file does not create the state dir", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "state")
		Provision(dir, Request{Name: "a.yaml", File: []byte("version: 1\n"), Unsigned: true})
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("state dir created: %v", err)
		}
	})
}

func TestLoad(t *testing.T) {
	pubFile, privFile := keys(t)
	pub, _ := ParsePublicKey(pubFile)
	priv, _ := ParsePrivateKey(privFile)
	file := readExample(t)
	edit := func(t *testing.T, dir string, f func(m map[string]any)) {
		p := filepath.Join(dir, ConfigFile)
		b, _ := os.ReadFile(p)
		var m map[string]any
		json.Unmarshal(b, &m)
		f(m)
		b, _ = json.Marshal(m)
		os.WriteFile(p, b, 0o600)
	}
	provisioned := func(t *testing.T, unsigned bool) string {
		dir := t.TempDir()
		r := Request{Name: "a.yaml", File: file, Sig: Sign(priv, file), PublicKey: pub, Now: now, Unsigned: unsigned}
		if _, err := Provision(dir, r); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	t.Run("not provisioned reported as such", func(t *testing.T) {
		if _, err := Load(t.TempDir(), LoadOptions{PublicKey: pub}); !errors.Is(err, ErrNotProvisioned) {
			t.Fatal(err)
		}
	})
	t.Run("unsigned state refused in production", func(t *testing.T) {
		if _, err := Load(provisioned(t, true), LoadOptions{PublicKey: pub}); err == nil {
			t.Fatal("accepted")
		}
	})
	t.Run("unsigned state accepted in demo", func(t *testing.T) {
		if _, err := Load(provisioned(t, true), LoadOptions{AllowUnsigned: true}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("edited source in state rejected", func(t *testing.T) {
		dir := provisioned(t, false)
		edit(t, dir, func(m map[string]any) {
			m["source"] = bytes.Replace(file, []byte("Osh"), []byte("Oss"), 1)
		})
		if _, err := Load(dir, LoadOptions{PublicKey: pub}); !errors.Is(err, ErrBadSignature) {
			t.Fatal(err)
		}
	})
	t.Run("edited config copy ignored in favour of signed source", func(t *testing.T) {
		dir := provisioned(t, false)
		edit(t, dir, func(m map[string]any) { m["config"].(map[string]any)["time_zone"] = "Europe/Moscow" })
		st, err := Load(dir, LoadOptions{PublicKey: pub})
		if err != nil || st.Config.TimeZone != "Asia/Bishkek" {
			t.Fatal(st, err)
		}
	})
	t.Run("swapped identity key rejected", func(t *testing.T) {
		dir := provisioned(t, false)
		os.Remove(filepath.Join(dir, IdentityFile))
		LoadOrCreateIdentity(dir)
		if _, err := Load(dir, LoadOptions{PublicKey: pub}); err == nil {
			t.Fatal("accepted")
		}
	})
	t.Run("damaged identity key not replaced", func(t *testing.T) {
		dir := provisioned(t, false)
		os.WriteFile(filepath.Join(dir, IdentityFile), []byte("junk"), 0o600)
		if _, err := Provision(dir, Request{Name: "a.yaml", File: file, Unsigned: true, Now: now}); err == nil {
			t.Fatal("accepted")
		}
		if b, _ := os.ReadFile(filepath.Join(dir, IdentityFile)); string(b) != "junk" {
			t.Fatal("damaged key replaced")
		}
	})
}

func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b bytes.Buffer
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		fi, _ := e.Info()
		b.WriteString(e.Name() + " " + fi.Mode().String() + " " + string(data) + "\n")
	}
	return b.String()
}
