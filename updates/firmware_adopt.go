package updates

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ulikunitz/xz"
)

// AdoptOptions says what AdoptFirmware compares the package with.
type AdoptOptions struct {
	KeepDir   string // the installer's directory (/var/lib/sapar-firmware)
	Arch      string // this kiosk's Debian arch
	Installed string // the installed version (dpkg-query)
	// Root is where the installed files are ("": "/"). Every regular file
	// of the package outside etc/ (conffiles a technician may edit) must
	// be there with the same bytes.
	Root string
}

// AdoptFirmware makes file, the .deb of the firmware that is installed
// now, the installer's KeepDir/installed.deb: what the first over-the-air
// install rolls back to. A kiosk installed with `apt-get install
// ./sapar.deb` (the image, a technician) has no copy of its package (apt
// keeps none of a local file), and the installer refuses to install
// without a way back. The package must be sapar for this architecture, of
// the installed version, and its files must be the installed files, byte
// for byte: a different build with the same version number is refused.
// It returns the number of files compared.
func AdoptFirmware(file string, o AdoptOptions) (int, error) {
	info, err := ReadDebInfo(file)
	if err != nil {
		return 0, fmt.Errorf("firmware adopt: %w", err)
	}
	if info.Package != FirmwarePackage || info.Architecture != o.Arch || info.Version != o.Installed {
		return 0, fmt.Errorf("firmware adopt: %s is %s %s for %s; installed is %s %s for %s: not its package",
			file, info.Package, info.Version, info.Architecture, FirmwarePackage, o.Installed, o.Arch)
	}
	root := o.Root
	if root == "" {
		root = "/"
	}
	n, err := compareDebFiles(file, root)
	if err != nil {
		return n, fmt.Errorf("firmware adopt: %s: %w", file, err)
	}
	if n == 0 {
		return 0, fmt.Errorf("firmware adopt: %s has no files to compare with the installed ones", file)
	}
	if err := os.MkdirAll(o.KeepDir, 0o700); err != nil {
		return n, fmt.Errorf("firmware adopt: %w", err)
	}
	f, err := os.Open(file)
	if err != nil {
		return n, fmt.Errorf("firmware adopt: %w", err)
	}
	defer f.Close()
	if err := copyAtomic(filepath.Join(o.KeepDir, InstalledDeb), f); err != nil {
		return n, fmt.Errorf("firmware adopt: %w", err)
	}
	return n, nil
}

// compareDebFiles checks every regular file of the .deb's data.tar outside
// etc/ against the file under root.
func compareDebFiles(file, root string) (int, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	magic := make([]byte, 8)
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != "!<arch>\n" {
		return 0, ErrNotDeb
	}
	for {
		hdr := make([]byte, 60)
		if _, err := io.ReadFull(br, hdr); err != nil {
			return 0, fmt.Errorf("%w: no data.tar member", ErrNotDeb)
		}
		name := strings.TrimRight(strings.TrimSpace(string(hdr[0:16])), "/")
		size, err := strconv.ParseInt(strings.TrimSpace(string(hdr[48:58])), 10, 64)
		if err != nil || size < 0 {
			return 0, fmt.Errorf("%w: bad ar member size", ErrNotDeb)
		}
		body := io.LimitReader(br, size)
		if strings.HasPrefix(name, "data.tar") {
			return compareDataTar(name, body, root)
		}
		if _, err := io.Copy(io.Discard, body); err != nil {
			return 0, err
		}
		if size%2 == 1 {
			br.ReadByte()
		}
	}
}

func compareDataTar(name string, body io.Reader, root string) (int, error) {
	var r io.Reader
	switch name {
	case "data.tar":
		r = body
	case "data.tar.gz":
		z, err := gzip.NewReader(body)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		r = z
	case "data.tar.xz":
		z, err := xz.NewReader(body)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		r = z
	default:
		return 0, fmt.Errorf("%s: only data.tar, .gz and .xz are read (rebuild with dpkg-deb -Zxz)", name)
	}
	tr := tar.NewReader(r)
	n := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("%s: %w", name, err)
		}
		rel := strings.TrimPrefix(filepath.Clean("/"+h.Name), "/")
		if h.Typeflag != tar.TypeReg || rel == "" || rel == "etc" || strings.HasPrefix(rel, "etc/") {
			continue
		}
		want := sha256.New()
		if _, err := io.Copy(want, tr); err != nil {
			return n, fmt.Errorf("%s: %w", name, err)
		}
		got, _, err := sha256File(filepath.Join(root, rel))
		if err != nil {
			return n, fmt.Errorf("/%s is not installed as this package has it: %w", rel, err)
		}
		if w := hex.EncodeToString(want.Sum(nil)); got != w {
			return n, fmt.Errorf("/%s differs from this package's (sha256 %s installed, %s in the package): not the package of the installed build", rel, short(got), short(w))
		}
		n++
	}
}

// KeptPackage reports whether keepDir holds the package of version for
// arch (installed.deb, or previous.deb during an install): what lets the
// installer go ahead. An unreadable keepDir (root's only) is an error.
func KeptPackage(keepDir, version, arch string) (bool, error) {
	if _, err := os.ReadDir(keepDir); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return false, nil
		}
		return false, err
	}
	for _, n := range []string{InstalledDeb, PreviousDeb} {
		info, err := ReadDebInfo(filepath.Join(keepDir, n))
		if err == nil && info.Package == FirmwarePackage && info.Version == version && info.Architecture == arch {
			return true, nil
		}
	}
	return false, nil
}
