package usage

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestOpenedCountsGuidesSince(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC)
	clock := now.Add(-40 * 24 * time.Hour)
	o := DefaultOptions()
	o.Now = func() time.Time { return clock }
	c, err := Open(ctx, filepath.Join(t.TempDir(), "u.db"), o)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.GuideOpened("work-visa", "ky", FromBrowse) // 40 days ago: outside the window
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	clock = now
	for range 3 {
		c.GuideOpened("work-visa", "ky", FromSearch)
	}
	c.GuideOpened("eps-korea", "uz-Latn", FromQR)
	c.Search("ky", true) // not a guide opening
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := c.Opened(ctx, now.Add(-30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got["work-visa"] != 3 || got["eps-korea"] != 1 || len(got) != 2 {
		t.Fatalf("opened %v, want work-visa 3, eps-korea 1", got)
	}
}
