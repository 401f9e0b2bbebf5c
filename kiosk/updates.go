package kiosk

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"sapar/content/release"
	"sapar/provisioning"
	"sapar/updates"
)

func (k *Kiosk) updateClient(cfg *provisioning.Config) (*updates.Client, error) {
	root := cfg.Updates.Root.Inline
	if len(root) == 0 {
		var err error
		if root, err = os.ReadFile(cfg.Updates.Root.File); err != nil {
			return nil, fmt.Errorf("trusted root: %w", err)
		}
	}
	var mirrors []string
	for _, m := range cfg.Updates.Mirrors {
		mirrors = append(mirrors, strings.TrimRight(m, "/"))
	}
	c := &updates.Client{StateDir: k.o.StateDir, Mirrors: mirrors, TrustedRoot: root, BuildTime: updates.BuildTime(),
		Clock: k.o.Now, HTTPClient: k.o.HTTPClient, Limits: k.o.FetchLimits, Logf: k.logf,
		Index: release.Index{}}
	// A stick, the maintenance screen's "update now" and in-process cycles
	// take firmware too, as sapar update does: staged as pending.deb for the
	// root installer (sapar-firmware.path), in this kiosk's rollout cohort.
	if st, err := provisioning.ReadUnverified(k.o.StateDir); err == nil && len(st.PublicKey) > 0 {
		if co, err := updates.CohortFor(st.PublicKey, cfg.Updates.Rollout); err == nil {
			c.Cohort = &co
		}
	}
	c.Firmware = &updates.FirmwareConfig{Arch: updates.HostArch(), Installed: func() (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return updates.InstalledSaparVersion(ctx)
	}}
	return c, nil
}

func describeUpdate(r updates.Result) string {
	if r.Changed {
		return fmt.Sprintf("updated to %s from %s (%d bytes, %d objects downloaded, %d reused)", r.Version, r.Source, r.BytesFetched, r.ObjectsFetched, r.ObjectsReused)
	}
	return fmt.Sprintf("%s is current (checked %s, %d bytes)", r.Version, r.Source, r.BytesFetched)
}

// updateNow runs one cycle for the maintenance screen: from the mirrors,
// or from the update repositories on the sticks under the USB root.
func (k *Kiosk) updateNow(ctx context.Context, uc *updates.Client, usb bool) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	if !usb {
		res, err := uc.Update(ctx)
		if err != nil {
			return "", err
		}
		return describeUpdate(res), nil
	}
	repos := updates.FindRepos(k.o.USBRoot)
	if len(repos) == 0 {
		return "", fmt.Errorf("no update repository found on a stick under %s (metadata/root.json or sapar/metadata/root.json)", k.o.USBRoot)
	}
	var last error
	for _, r := range repos {
		res, err := uc.UpdateUSB(ctx, r)
		if err == nil {
			return describeUpdate(res), nil
		}
		last = err
	}
	return "", last
}

// watchUSB updates from every stick inserted while the kiosk runs.
func (k *Kiosk) watchUSB(ctx context.Context, uc *updates.Client) {
	w := &updates.USBWatcher{Root: k.o.USBRoot, Logf: k.logf, Run: func(ctx context.Context, repo string) {
		res, err := uc.UpdateUSB(ctx, repo)
		if err != nil {
			k.log.Warn("USB update failed", "repo", repo, "err", err)
			return
		}
		k.log.Info("USB update", "result", describeUpdate(res))
	}}
	if err := w.Watch(ctx); err != nil && ctx.Err() == nil {
		k.log.Warn("USB watcher stopped", "err", err)
	}
}

// updateEvery runs update cycles in-process (RunOptions.UpdateEvery).
func (k *Kiosk) updateEvery(ctx context.Context, uc *updates.Client, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if res, err := uc.Update(ctx); err != nil {
				k.log.Warn("scheduled update failed", "err", err)
			} else {
				k.log.Info("scheduled update", "result", describeUpdate(res))
			}
		}
	}
}
