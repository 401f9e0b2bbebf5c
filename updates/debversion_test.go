package updates

import (
	"os/exec"
	"testing"
)

// debVersionCases were checked with `dpkg --compare-versions A lt|eq|gt B`
// (dpkg 1.21, Debian 12); TestDebVersionMatchesDpkg checks them again
// where dpkg is installed.
var debVersionCases = []struct {
	a, b string
	want int
}{
	{"1.0", "1.0", 0},
	{"1.0", "1.1", -1},
	{"1.0~rc1", "1.0", -1},
	{"1.0", "1.0-0", 0},
	{"1.0-1", "1.0", 1},
	{"1:0.1", "2.0", 1},
	{"0:1.0", "1.0", 0},
	{"1.0a", "1.0", 1},
	{"1.0+b1", "1.0", 1},
	{"1.0.1", "1.0a", 1},
	{"1.0~~", "1.0~", -1},
	{"1.0~", "1.0", -1},
	{"1.0~~a", "1.0~", -1},
	{"2.30-1", "2.4-1", 1},
	{"1.2.3-1", "1.2.3-1ubuntu1", -1},
	{"1.2-10", "1.2-9", 1},
	{"007", "7", 0},
	{"1.0-1~bpo12+1", "1.0-1", -1},
	{"1.0+dfsg-1", "1.0-1", 1},
	{"0.9.9", "0.9.10", -1},
	{"1.0.0", "1.0", 1},
	{"1a", "1+", -1},
	{"1.0-a", "1.0-+", -1},
	{"10:1", "9:999", 1},
	{"1.2.3~rc1-1", "1.2.3-1", -1},
	{"1.02", "1.2", 0},
	{"1.0.0~git20261201.abcdef-1", "1.0.0-1", -1},
	{"2.0-1+deb12u1", "2.0-1", 1},
	{"1.0-2-3", "1.0-2-2", 1}, // the revision is after the last '-'
}

func TestDebVersionCompare(t *testing.T) {
	for _, c := range debVersionCases {
		got, err := CompareDebVersions(c.a, c.b)
		if err != nil {
			t.Fatalf("%s vs %s: %v", c.a, c.b, err)
		}
		if got != c.want {
			t.Errorf("compare(%q, %q) = %d, dpkg says %d", c.a, c.b, got, c.want)
		}
		if back, _ := CompareDebVersions(c.b, c.a); back != -c.want {
			t.Errorf("compare(%q, %q) = %d, not the opposite of %d", c.b, c.a, back, c.want)
		}
	}
}

// TestDebVersionMatchesDpkg asks the real dpkg about every case of the table.
func TestDebVersionMatchesDpkg(t *testing.T) {
	dpkg, err := exec.LookPath("dpkg")
	if err != nil {
		t.Skip("dpkg not installed")
	}
	for _, c := range debVersionCases {
		op := map[int]string{-1: "lt", 0: "eq", 1: "gt"}[c.want]
		if err := exec.Command(dpkg, "--compare-versions", c.a, op, c.b).Run(); err != nil {
			t.Errorf("dpkg --compare-versions %s %s %s is false: the table is wrong", c.a, op, c.b)
		}
	}
}

func TestDebVersionRefusesMalformed(t *testing.T) {
	for _, s := range []string{"", " 1.0", "a1.0", "1.0-", ":1.0", "x:1.0", "1.0 beta", "1.0_1", "1.0-a_b", "1:"} {
		if _, err := ParseDebVersion(s); err == nil {
			t.Errorf("ParseDebVersion(%q) accepted", s)
		}
	}
}
