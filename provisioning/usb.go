package provisioning

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ErrNoFile means a directory (a USB stick) holds no provisioning file.
var ErrNoFile = errors.New("no provisioning file (a .yaml with its .sig) found")

// FindFile looks at the top of dir (a mounted USB stick, noticed by the
// first-boot screen) for the one provisioning file: a .yaml or .yml file;
// when signed is true it must have its .sig beside it. Several candidates
// are an error naming them: the technician must remove the extra ones.
func FindFile(dir string, signed bool) (string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("provisioning: %w", err)
	}
	var found []string
	for _, e := range ents {
		n := e.Name()
		ext := strings.ToLower(filepath.Ext(n))
		if !e.Type().IsRegular() || strings.HasPrefix(n, ".") || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		p := filepath.Join(dir, n)
		if signed {
			if fi, err := os.Stat(p + SigExt); err != nil || !fi.Mode().IsRegular() {
				continue
			}
		}
		found = append(found, p)
	}
	sort.Strings(found)
	switch len(found) {
	case 0:
		return "", fmt.Errorf("provisioning: %s: %w", dir, ErrNoFile)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("provisioning: %s holds several provisioning files (%s): keep only the one for this kiosk", dir, strings.Join(found, ", "))
}
