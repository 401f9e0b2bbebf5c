package updates

import (
	"fmt"
	"strings"
)

// DebVersion is a parsed Debian package version: [epoch:]upstream[-revision].
type DebVersion struct {
	Epoch    int
	Upstream string
	Revision string
}

func (v DebVersion) String() string {
	s := v.Upstream
	if v.Epoch != 0 {
		s = fmt.Sprintf("%d:%s", v.Epoch, s)
	}
	if v.Revision != "" {
		s += "-" + v.Revision
	}
	return s
}

// ParseDebVersion parses a version as dpkg does (deb-version(7)): the epoch
// is the digits before the first ':', the revision what follows the last
// '-'. It refuses what dpkg refuses (empty, non-numeric epoch, empty
// upstream, characters outside the allowed set) and, as dpkg warns, an
// upstream that does not start with a digit.
func ParseDebVersion(s string) (DebVersion, error) {
	var v DebVersion
	orig := s
	if s == "" || strings.TrimSpace(s) != s || strings.ContainsAny(s, " \t\n") {
		return v, fmt.Errorf("version %q: empty or contains spaces", orig)
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		e := s[:i]
		if e == "" {
			return v, fmt.Errorf("version %q: empty epoch", orig)
		}
		n := 0
		for _, r := range e {
			if r < '0' || r > '9' {
				return v, fmt.Errorf("version %q: epoch is not a number", orig)
			}
			n = n*10 + int(r-'0')
			if n > 1<<30 {
				return v, fmt.Errorf("version %q: epoch too large", orig)
			}
		}
		v.Epoch = n
		s = s[i+1:]
	}
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		v.Revision = s[i+1:]
		if v.Revision == "" {
			return v, fmt.Errorf("version %q: empty revision after '-'", orig)
		}
		s = s[:i]
	}
	v.Upstream = s
	if s == "" {
		return v, fmt.Errorf("version %q: empty upstream version", orig)
	}
	if s[0] < '0' || s[0] > '9' {
		return v, fmt.Errorf("version %q: upstream version must start with a digit", orig)
	}
	for _, r := range s {
		if !isAlnum(r) && !strings.ContainsRune(".+~-:", r) {
			return v, fmt.Errorf("version %q: invalid character %q in upstream version", orig, r)
		}
	}
	for _, r := range v.Revision {
		if !isAlnum(r) && !strings.ContainsRune(".+~", r) {
			return v, fmt.Errorf("version %q: invalid character %q in revision", orig, r)
		}
	}
	return v, nil
}

func isAlnum(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Compare returns -1, 0 or 1 as v sorts before, equal to or after w, by
// dpkg's rules: epoch numerically, then upstream and revision with
// verrevcmp (non-digit runs compared by dpkg's character order, in which
// '~' sorts before everything, even the end of the string, and letters
// before other characters; digit runs numerically).
func (v DebVersion) Compare(w DebVersion) int {
	if v.Epoch != w.Epoch {
		if v.Epoch < w.Epoch {
			return -1
		}
		return 1
	}
	if c := verrevcmp(v.Upstream, w.Upstream); c != 0 {
		return c
	}
	return verrevcmp(v.Revision, w.Revision)
}

// CompareDebVersions compares two version strings as `dpkg
// --compare-versions` does; an unparsable version is an error.
func CompareDebVersions(a, b string) (int, error) {
	va, err := ParseDebVersion(a)
	if err != nil {
		return 0, err
	}
	vb, err := ParseDebVersion(b)
	if err != nil {
		return 0, err
	}
	return va.Compare(vb), nil
}

// order is dpkg's character weight in a non-digit run (lib/dpkg/version.c).
func order(c byte) int {
	switch {
	case isDigit(c):
		return 0
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		return int(c)
	case c == '~':
		return -1
	case c != 0:
		return int(c) + 256
	}
	return 0
}

func verrevcmp(a, b string) int {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		firstDiff := 0
		for i < len(a) && !isDigit(a[i]) || j < len(b) && !isDigit(b[j]) {
			var ac, bc int
			if i < len(a) {
				ac = order(a[i])
			}
			if j < len(b) {
				bc = order(b[j])
			}
			if ac != bc {
				return signOf(ac - bc)
			}
			i++
			j++
		}
		for i < len(a) && a[i] == '0' {
			i++
		}
		for j < len(b) && b[j] == '0' {
			j++
		}
		for i < len(a) && isDigit(a[i]) && j < len(b) && isDigit(b[j]) {
			if firstDiff == 0 {
				firstDiff = int(a[i]) - int(b[j])
			}
			i++
			j++
		}
		if i < len(a) && isDigit(a[i]) {
			return 1
		}
		if j < len(b) && isDigit(b[j]) {
			return -1
		}
		if firstDiff != 0 {
			return signOf(firstDiff)
		}
	}
	return 0
}

func signOf(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
