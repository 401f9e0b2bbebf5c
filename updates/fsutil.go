package updates

import (
	"io/fs"
	"os"
	"path/filepath"

	"sapar/content/atomicfile"
)

// The one atomic writer (content/atomicfile), under the names this package
// uses at every step of an install.
var (
	writeFileSynced = atomicfile.Write
	syncDir         = atomicfile.SyncDir
	syncFile        = atomicfile.SyncFile
)

// syncTree fsyncs every regular file and directory under root (directories
// after their entries), so a release is on disk before anything points at it.
func syncTree(root string) error {
	var dirs []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			dirs = append(dirs, p)
		case d.Type().IsRegular():
			return syncFile(p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := syncDir(dirs[i]); err != nil {
			return err
		}
	}
	return nil
}

// linkOrCopy hard-links src to dst, copying (with fsync) when the two are on
// different filesystems or the filesystem has no hard links (FAT sticks).
func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return atomicfile.Copy(dst, in, 0o644)
}
