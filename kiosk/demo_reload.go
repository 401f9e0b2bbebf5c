package kiosk

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync/atomic"
	"time"

	"sapar/content/release"
)

// reloads numbers the indexes Reload builds, so each gets a new file.
var reloads atomic.Int64

// Reload rebuilds the demo's index from fsys and switches the server to it
// (what `sapar content preview` calls on every save). The old index keeps
// serving until the new one is complete and is closed a little later, once
// requests on it have drained. It returns the new content version. Reload
// must not run concurrently with Close.
func (d *Demo) Reload(ctx context.Context, fsys fs.FS) (string, error) {
	if d.srv == nil || d.state == "" {
		return "", fmt.Errorf("demo: reload: not started")
	}
	st, v, err := release.Build(fsys, filepath.Join(d.state, fmt.Sprintf("release-%d", reloads.Add(1))), "preview-", time.Now())
	if err != nil {
		return "", fmt.Errorf("demo: reload: %w", err)
	}
	old := d.srv.SetStore(st)
	d.cleanup = append(d.cleanup, func() { st.Close() })
	if old != nil {
		time.AfterFunc(2*time.Second, func() { old.Close() })
	}
	d.Version = v
	return v, nil
}
