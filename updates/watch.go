package updates

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// WatchActive calls onChange(dir) whenever STATE/content/current is swapped
// to another release, by this process or another one (a timer-run
// `sapar update`). The kiosk reloads its store at the next idle reset, never
// mid-session. It returns when ctx ends.
func WatchActive(ctx context.Context, state string, onChange func(dir string)) error {
	dir := filepath.Join(state, contentDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("updates: watch: %w", err)
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("updates: watch: %w", err)
	}
	defer w.Close()
	if err := w.Add(dir); err != nil {
		return fmt.Errorf("updates: watch %s: %w", dir, err)
	}
	last, _ := ActiveDir(state)
	check := func() {
		cur, err := ActiveDir(state)
		if err == nil && cur != last {
			last = cur
			onChange(cur)
		}
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if filepath.Base(ev.Name) == currentLink {
				check()
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			return fmt.Errorf("updates: watch: %w", err)
		}
	}
}

// USBWatcher notices a stick mounted under Root (e.g. /media/sapar, where
// the udev rule / automounter mounts sticks) and runs Run for a repository
// found on it: at the stick's top level or in a "sapar" directory
// (STICK/metadata/root.json or STICK/sapar/metadata/root.json). Each
// stick is handled once per insertion.
type USBWatcher struct {
	Root string
	// Run performs the update from repoDir, e.g. a Client copy with USBDir set.
	Run  func(ctx context.Context, repoDir string)
	Logf func(format string, args ...any)
	// Settle is how long to keep looking for the repository after a mount
	// point appears (automounters create the directory before mounting).
	Settle time.Duration
	// Rescan polls Root in case a mount produced no inotify event (mounting
	// over an existing directory does not); zero: 30 s.
	Rescan time.Duration
}

// findRepo returns the repository on the stick mounted at dir, "" if none.
// It looks through os.Root: a "sapar" or "metadata" symlink leading off the
// stick does not make a repository (the fetcher would refuse it anyway).
func findRepo(dir string) string {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return ""
	}
	defer r.Close()
	for _, c := range []string{".", "sapar"} {
		if fi, err := r.Stat(filepath.Join(c, "metadata", "root.json")); err == nil && fi.Mode().IsRegular() {
			return filepath.Join(dir, c)
		}
	}
	return ""
}

// FindRepos lists the repositories on sticks mounted under root (root
// itself, then each directory in it), found the way the watcher finds them:
// for an "update from USB now" button.
func FindRepos(root string) []string {
	if root == "" {
		return nil
	}
	var out []string
	if r := findRepo(root); r != "" {
		out = append(out, r)
	}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if e.IsDir() {
			if r := findRepo(filepath.Join(root, e.Name())); r != "" {
				out = append(out, r)
			}
		}
	}
	return out
}

// Watch runs until ctx ends.
func (u *USBWatcher) Watch(ctx context.Context) error {
	if err := os.MkdirAll(u.Root, 0o755); err != nil {
		return fmt.Errorf("updates: usb watch: %w", err)
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("updates: usb watch: %w", err)
	}
	defer w.Close()
	if err := w.Add(u.Root); err != nil {
		return fmt.Errorf("updates: usb watch %s: %w", u.Root, err)
	}
	settle := u.Settle
	if settle == 0 {
		settle = 10 * time.Second
	}
	rescan := u.Rescan
	if rescan == 0 {
		rescan = 30 * time.Second
	}
	var mu sync.Mutex
	handled := map[string]string{} // mount dir -> repo identity handled
	var wg sync.WaitGroup
	defer wg.Wait()
	identity := func(repo string) string {
		fi, err := os.Stat(filepath.Join(repo, "metadata", "timestamp.json"))
		if err != nil {
			return repo
		}
		return fmt.Sprintf("%s|%d|%d", repo, fi.Size(), fi.ModTime().UnixNano())
	}
	try := func(dir string, wait time.Duration) {
		defer wg.Done()
		deadline := time.Now().Add(wait)
		for {
			if repo := findRepo(dir); repo != "" {
				id := identity(repo)
				mu.Lock()
				seen := handled[dir] == id
				handled[dir] = id
				mu.Unlock()
				if !seen {
					if u.Logf != nil {
						u.Logf("usb: repository found at %s: updating from it", repo)
					}
					u.Run(ctx, repo)
				}
				return
			}
			if time.Now().After(deadline) || ctx.Err() != nil {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(250 * time.Millisecond):
			}
		}
	}
	scan := func() {
		entries, _ := os.ReadDir(u.Root)
		present := map[string]bool{}
		for _, e := range entries {
			d := filepath.Join(u.Root, e.Name())
			present[d] = true
			wg.Add(1)
			go try(d, 0)
		}
		wg.Add(1)
		go try(u.Root, 0)
		present[u.Root] = true
		mu.Lock()
		for d := range handled {
			if !present[d] || findRepo(d) == "" {
				delete(handled, d) // stick removed: handle it again when it returns
			}
		}
		mu.Unlock()
	}
	scan()
	tick := time.NewTicker(rescan)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			scan()
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if ev.Has(fsnotify.Create) {
				wg.Add(1)
				go try(ev.Name, settle)
			}
			if ev.Has(fsnotify.Remove) {
				mu.Lock()
				delete(handled, ev.Name)
				mu.Unlock()
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			if u.Logf != nil {
				u.Logf("usb watch: %v", err)
			}
		}
	}
}

// UpdateUSB runs one cycle from a repository directory only (for the USB
// watcher): the same checks as Update, no mirrors.
func (c *Client) UpdateUSB(ctx context.Context, repoDir string) (Result, error) {
	cc := *c
	cc.USBDir, cc.Mirrors = repoDir, nil
	return cc.Update(ctx)
}
