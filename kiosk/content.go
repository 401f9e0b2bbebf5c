package kiosk

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"sapar/content"
	"sapar/content/bundle"
	"sapar/content/release"
	"sapar/updates"
)

// openActive opens the active release's index. An index that is missing
// (a release installed by an older sapar update), stale or unreadable is
// rebuilt from the release's verified bundle; a release that still cannot
// be served is given up for the previous one. Each repair is logged as a
// warning (so the maintenance screen's error list shows it): a kiosk never
// crash-loops on one bad release.
// The repairs are returned too, for the metrics and the maintenance screen
// once the UI server runs.
func (k *Kiosk) openActive(dir string) (*content.Store, string, []repair, error) {
	var repairs []repair
	for tries := 0; ; tries++ {
		st, repaired, err := release.Open(dir)
		if repaired != "" {
			k.log.Warn("content repaired", "dir", dir, "repair", repaired)
			repairs = append(repairs, repair{release.RepairReason(repaired), filepath.Base(dir) + ": " + repaired})
		}
		if err == nil {
			return st, dir, repairs, nil
		}
		if tries > 0 {
			return nil, "", repairs, fmt.Errorf("run: the previous content release cannot be served either: %w (run sapar doctor; sapar update or a USB stick installs a fresh release)", err)
		}
		r, ferr := updates.FallBack(k.o.StateDir, err)
		if ferr != nil {
			return nil, "", repairs, fmt.Errorf("run: open the content of %s: %w; %v (run sapar doctor; sapar update or a USB stick installs a fresh release)", dir, err, ferr)
		}
		k.log.Error("content release cannot be served: went back to the previous release", "bad", filepath.Base(dir), "now", r.Version, "err", err)
		repairs = append(repairs, repair{"fell-back", fmt.Sprintf("%s cannot be served (%v): went back to %s", filepath.Base(dir), err, r.Version)})
		dir = r.Dir
	}
}

// repair is one repair of the content at start: a word for the metric and
// what was done.
type repair struct{ reason, note string }

// seed installs the content shipped in the image when nothing is active.
// It returns the notice to show when that content is only the sample.
func (k *Kiosk) seed() (notice string, err error) {
	src := k.o.ContentSeed
	var fsys fs.FS
	if src != "" {
		if _, err := os.Stat(filepath.Join(src, bundle.IndexName)); err == nil {
			k.log.Info("seeding content from the image", "bundle", src)
			_, err := updates.InstallLocal(k.o.StateDir, src, release.Index{})
			return "", err
		}
		if fi, err := os.Stat(src); err == nil && fi.IsDir() {
			fsys = os.DirFS(src)
		}
	}
	if fsys == nil {
		if k.o.FallbackContent == nil {
			return "", fmt.Errorf("run: no content installed and no seed at %q: run sapar update, or bring a USB stick", src)
		}
		k.log.Warn("no content in the image: seeding the embedded sample", "seed", src)
		fsys, notice = k.o.FallbackContent, k.o.FallbackNotice
	}
	tmp, err := os.MkdirTemp("", "sapar-seed-*")
	if err != nil {
		return "", fmt.Errorf("run: seed: %w", err)
	}
	defer os.RemoveAll(tmp)
	bdir := filepath.Join(tmp, "bundle")
	created := updates.BuildTime()
	if created.IsZero() {
		created = k.o.Now()
	}
	if _, err := release.WriteSourceBundle(fsys, bdir, "seed-", created); err != nil {
		return "", fmt.Errorf("run: seed: %w", err)
	}
	if _, err := updates.InstallLocal(k.o.StateDir, bdir, release.Index{}); err != nil {
		return "", fmt.Errorf("run: seed: %w", err)
	}
	return notice, nil
}
