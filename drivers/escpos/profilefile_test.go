package escpos

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func sampleCalibrated(t testing.TB) Calibrated {
	p := mustProfile(t, "TM-T20III")
	p.Name = CalibratedName("TM-T20III")
	p.CodeTables = []CodeTable{{0, EncCP437}, {47, EncRK1048}, {13, EncCP857}}
	p.NativeQR = false
	return Calibrated{Profile: p, Base: "TM-T20III", Identity: Identity{Maker: "EPSON", Model: "TM-T20III", Firmware: "1.02 ESC/POS"},
		Answers: []int{1, 4, 9}, At: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
}

func writeFile(name string, data []byte, perm fs.FileMode) error {
	return os.WriteFile(name, data, perm)
}

func TestProfileFileRoundTrip(t *testing.T) {
	cases := map[string]Calibrated{"calibrated, identity answered": sampleCalibrated(t)}
	for _, n := range ProfileNames() {
		p := mustProfile(t, n)
		cases["built-in "+n+" as a file"] = Calibrated{Profile: p, Base: n}
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			b, err := MarshalProfile(c)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseProfile(b)
			if err != nil {
				t.Fatalf("%v\n%s", err, b)
			}
			if c.Answers == nil {
				c.Answers = []int{}
			}
			if !reflect.DeepEqual(got, c) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, c)
			}
		})
	}
}

func TestProfileFileIsStrict(t *testing.T) {
	good, err := MarshalProfile(sampleCalibrated(t))
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) []byte {
		if !bytes.Contains(good, []byte(old)) {
			t.Fatalf("sample lacks %q", old)
		}
		return bytes.Replace(good, []byte(old), []byte(new), 1)
	}
	for _, tt := range []struct {
		name string
		in   []byte
		want string
	}{
		{"unknown key", edit(`"dots"`, `"dotz": 1, "dots"`), `unknown key "dotz"`},
		{"key in other case", edit(`"dots"`, `"DOTS"`), `unknown key "DOTS"`},
		{"duplicate key", edit(`"dots": 576`, `"dots": 576, "dots": 384`), `twice`},
		{"missing key", edit(`"utf8": false,`, ``), `missing "utf8"`},
		{"trailing data", append(append([]byte{}, good...), []byte("{}")...), "after top-level value"},
		{"unknown encoding", edit(`"CP857"`, `"CP9999"`), `unknown encoding "CP9999"`},
		{"table number out of range", edit(`"number": 47`, `"number": 300`), "outside 0..255"},
		{"table twice", edit(`"number": 47`, `"number": 13`), "listed twice"},
		{"table with extra key", edit(`"number": 47,`, `"number": 47, "n": 1,`), `unknown key "n"`},
		{"identity with extra key", edit(`"maker": "EPSON",`, `"maker": "EPSON", "serial": "x",`), `unknown key "serial"`},
		{"width not whole bytes", edit(`"dots": 576`, `"dots": 577`), "whole number of bytes"},
		{"absurd width", edit(`"dots": 576`, `"dots": 1000000`), "outside"},
		{"other format", edit(profileFormat, "sapar-printer-profile/2"), "format"},
		{"string for a number", edit(`"dots": 576`, `"dots": "576"`), "cannot unmarshal"},
		{"control character in a name", edit(`"EPSON"`, `"EP\u0007SON"`), "printable"},
		{"answer zero", edit(`1,`, `0,`), "answer 0"},
		{"not an object", []byte(`[1,2]`), "cannot unmarshal"},
		{"empty", nil, "unexpected end"},
		{"too big", bytes.Repeat([]byte(" "), maxProfileFile+1), "more than"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseProfile(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestResolveProfilePrefersTheCalibratedOne(t *testing.T) {
	dir := t.TempDir()
	t.Run("no file: the built-in profile", func(t *testing.T) {
		p, cal, err := ResolveProfile(dir, "TM-T20III")
		if err != nil || cal || p.Name != "TM-T20III" {
			t.Errorf("%s %v %v", p.Name, cal, err)
		}
	})
	c := sampleCalibrated(t)
	if err := SaveProfile(dir, c, writeFile); err != nil {
		t.Fatal(err)
	}
	t.Run("calibrated file for the configured model", func(t *testing.T) {
		p, cal, err := ResolveProfile(dir, "TM-T20III")
		if err != nil || !cal || p.Name != "TM-T20III-calibrated" {
			t.Fatalf("%s %v %v", p.Name, cal, err)
		}
		if tb, ok := p.Table(47); !ok || tb.Enc != EncRK1048 {
			t.Errorf("tables %v", p.CodeTables)
		}
	})
	t.Run("calibrated on another model: built-in and an error", func(t *testing.T) {
		p, cal, err := ResolveProfile(dir, "POS-5890")
		if err == nil || cal || p.Name != "POS-5890" || !strings.Contains(err.Error(), "recalibrate") {
			t.Errorf("%s %v %v", p.Name, cal, err)
		}
	})
	t.Run("damaged file: built-in and an error", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(dir, ProfileFile), []byte("{"), 0o644); err != nil {
			t.Fatal(err)
		}
		p, cal, err := ResolveProfile(dir, "TM-T20III")
		if err == nil || cal || p.Name != "TM-T20III" {
			t.Errorf("%s %v %v", p.Name, cal, err)
		}
	})
	t.Run("unknown model name", func(t *testing.T) {
		if _, _, err := ResolveProfile(dir, "nope"); err == nil {
			t.Error("accepted")
		}
	})
	t.Run("save reports the writer's error", func(t *testing.T) {
		boom := errors.New("disk full")
		err := SaveProfile(dir, c, func(string, []byte, fs.FileMode) error { return boom })
		if !errors.Is(err, boom) {
			t.Errorf("got %v", err)
		}
	})
}

// FuzzParseProfile: any bytes are refused or give a profile that writes
// back and reads again as the same profile.
// Run: go test ./drivers/escpos -run '^$' -fuzz FuzzParseProfile -fuzztime 30s
func FuzzParseProfile(f *testing.F) {
	good, _ := MarshalProfile(sampleCalibrated(f))
	f.Add(good)
	for _, n := range ProfileNames() {
		b, _ := MarshalProfile(Calibrated{Profile: mustProfile(f, n), Base: n})
		f.Add(b)
	}
	f.Add([]byte(`{"format":"sapar-printer-profile/1","codeTables":[{"number":1,"encoding":"KZ-1048"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseProfile(b)
		if err != nil {
			return
		}
		again, err := MarshalProfile(c)
		if err != nil {
			t.Fatalf("parsed but cannot write: %v", err)
		}
		c2, err := ParseProfile(again)
		if err != nil {
			t.Fatalf("written but cannot read: %v\n%s", err, again)
		}
		if c.Answers == nil {
			c.Answers = []int{}
		}
		if !reflect.DeepEqual(c, c2) {
			t.Fatalf("round trip differs:\n%+v\n%+v", c, c2)
		}
	})
}
