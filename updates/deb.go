package updates

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/ulikunitz/xz"
)

// DebInfo is what the control file of a .deb says about it.
type DebInfo struct {
	Package      string
	Version      string
	Architecture string
}

// ErrNotDeb means the file is not a Debian binary package.
var ErrNotDeb = errors.New("not a Debian package (.deb)")

// Size limits for reading a .deb's control part: a real control.tar is a
// few KB; the limits keep a hostile file from filling memory.
const (
	maxControlTar  = 4 << 20
	maxControlFile = 256 << 10
)

// ReadDebInfo reads Package, Version and Architecture from a .deb: the ar
// archive (debian-binary "2.x", then control.tar[.gz|.xz|.zst]) is parsed
// in Go, gzip and xz included (dpkg-deb builds control.tar.xz by default,
// and the publisher may be a machine without dpkg); control.tar.zst (Ubuntu)
// goes through `dpkg-deb --field` when dpkg-deb is installed.
func ReadDebInfo(path string) (DebInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return DebInfo{}, err
	}
	defer f.Close()
	info, err := readDeb(f)
	if errors.Is(err, errZstd) {
		info, err = debInfoFromDpkgDeb(path)
	}
	if err != nil {
		return DebInfo{}, fmt.Errorf("%s: %w", path, err)
	}
	return info, nil
}

var errZstd = errors.New("control.tar.zst")

func readDeb(r io.Reader) (DebInfo, error) {
	br := bufio.NewReader(r)
	magic := make([]byte, 8)
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != "!<arch>\n" {
		return DebInfo{}, fmt.Errorf("%w: no ar archive header", ErrNotDeb)
	}
	sawBinary := false
	for {
		hdr := make([]byte, 60)
		if _, err := io.ReadFull(br, hdr); err != nil {
			if err == io.EOF {
				return DebInfo{}, fmt.Errorf("%w: no control.tar member", ErrNotDeb)
			}
			return DebInfo{}, fmt.Errorf("%w: truncated ar member header", ErrNotDeb)
		}
		if string(hdr[58:60]) != "`\n" {
			return DebInfo{}, fmt.Errorf("%w: bad ar member header", ErrNotDeb)
		}
		name := strings.TrimRight(strings.TrimSpace(string(hdr[0:16])), "/")
		size, err := strconv.ParseInt(strings.TrimSpace(string(hdr[48:58])), 10, 64)
		if err != nil || size < 0 {
			return DebInfo{}, fmt.Errorf("%w: bad ar member size", ErrNotDeb)
		}
		body := io.LimitReader(br, size)
		switch {
		case name == "debian-binary":
			b, _ := io.ReadAll(io.LimitReader(body, 16))
			if !strings.HasPrefix(string(b), "2.") {
				return DebInfo{}, fmt.Errorf("%w: debian-binary says %q, want 2.x", ErrNotDeb, strings.TrimSpace(string(b)))
			}
			sawBinary = true
		case strings.HasPrefix(name, "control.tar"):
			if !sawBinary {
				return DebInfo{}, fmt.Errorf("%w: control.tar before debian-binary", ErrNotDeb)
			}
			if size > maxControlTar {
				return DebInfo{}, fmt.Errorf("%w: control.tar of %d bytes", ErrNotDeb, size)
			}
			return readControlTar(name, body)
		case !sawBinary:
			return DebInfo{}, fmt.Errorf("%w: first member is %q, want debian-binary", ErrNotDeb, name)
		}
		if _, err := io.Copy(io.Discard, body); err != nil {
			return DebInfo{}, fmt.Errorf("%w: %v", ErrNotDeb, err)
		}
		if size%2 == 1 {
			br.ReadByte()
		}
	}
}

func readControlTar(name string, body io.Reader) (DebInfo, error) {
	var r io.Reader
	switch name {
	case "control.tar":
		r = body
	case "control.tar.gz":
		z, err := gzip.NewReader(body)
		if err != nil {
			return DebInfo{}, fmt.Errorf("%w: %s: %v", ErrNotDeb, name, err)
		}
		r = z
	case "control.tar.xz":
		z, err := xz.NewReader(body)
		if err != nil {
			return DebInfo{}, fmt.Errorf("%w: %s: %v", ErrNotDeb, name, err)
		}
		r = z
	case "control.tar.zst":
		return DebInfo{}, errZstd
	default:
		return DebInfo{}, fmt.Errorf("%w: unknown control member %q", ErrNotDeb, name)
	}
	tr := tar.NewReader(io.LimitReader(r, 4*maxControlTar))
	for {
		h, err := tr.Next()
		if err != nil {
			return DebInfo{}, fmt.Errorf("%w: %s has no control file (%v)", ErrNotDeb, name, err)
		}
		if strings.TrimPrefix(h.Name, "./") != "control" || h.Typeflag != tar.TypeReg {
			continue
		}
		raw, err := io.ReadAll(io.LimitReader(tr, maxControlFile+1))
		if err != nil || len(raw) > maxControlFile {
			return DebInfo{}, fmt.Errorf("%w: control file unreadable or too large", ErrNotDeb)
		}
		return parseControl(raw)
	}
}

// parseControl reads the fields a kiosk needs from a control file
// (deb-control(5): "Field: value", continuation lines start with a space).
func parseControl(raw []byte) (DebInfo, error) {
	var d DebInfo
	for _, line := range strings.Split(string(raw), "\n") {
		if line == "" || line[0] == ' ' || line[0] == '\t' || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.ToLower(k) {
		case "package":
			d.Package = v
		case "version":
			d.Version = v
		case "architecture":
			d.Architecture = v
		}
	}
	var missing []string
	if d.Package == "" {
		missing = append(missing, "Package")
	}
	if d.Version == "" {
		missing = append(missing, "Version")
	}
	if d.Architecture == "" {
		missing = append(missing, "Architecture")
	}
	if len(missing) > 0 {
		return d, fmt.Errorf("control file has no %s field: not an installable package", strings.Join(missing, "/"))
	}
	if _, err := ParseDebVersion(d.Version); err != nil {
		return d, fmt.Errorf("control file: %w", err)
	}
	return d, nil
}

func debInfoFromDpkgDeb(path string) (DebInfo, error) {
	bin, err := exec.LookPath("dpkg-deb")
	if err != nil {
		return DebInfo{}, errors.New("control.tar.zst can only be read with dpkg-deb, which is not installed (apt-get install dpkg), or rebuild the package with dpkg-deb -Zxz")
	}
	out, err := exec.Command(bin, "--field", path, "Package", "Version", "Architecture").Output()
	if err != nil {
		return DebInfo{}, fmt.Errorf("%w: dpkg-deb --field: %v", ErrNotDeb, err)
	}
	return parseControl(bytes.TrimSpace(out))
}
