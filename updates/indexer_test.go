package updates

import (
	"errors"
	"strings"
	"testing"
)

// A client built without the release hooks used to install a release with
// no index (the kiosk then crash-looped): every install path now refuses.
func TestNoIndexerIsRefused(t *testing.T) {
	f := newFixture(t, InitOptions{})
	f.publish("v1", guideFiles(3, 100, ""))
	srv := serve(t, f.pub.Repo)
	state := t.TempDir()
	c := f.client(state, srv.URL)
	c.Index = nil
	if _, err := c.Update(ctxT(t)); err == nil || !strings.Contains(err.Error(), "Indexer") {
		t.Fatalf("Update without Index: %v", err)
	}
	if _, err := ActiveDir(state); !errors.Is(err, ErrNoActive) {
		t.Fatalf("something was activated without an index: %v", err)
	}
	if _, err := InstallLocal(state, f.makeBundle("seed", guideFiles(2, 50, "s")), nil); err == nil {
		t.Fatal("InstallLocal without Index succeeded")
	}
	if err := Recover(state, nil, testLogf(t)); err == nil {
		t.Fatal("Recover without Index succeeded")
	}
}

// A release the kiosk cannot serve is left for the previous one, and the
// next cycle does not install it again.
func TestFallBackToPreviousRelease(t *testing.T) {
	f := newFixture(t, InitOptions{})
	f.publish("v1", guideFiles(3, 100, ""))
	srv := serve(t, f.pub.Repo)
	state := t.TempDir()
	c := f.client(state, srv.URL)
	if _, err := FallBack(state, errors.New("broken")); err == nil {
		t.Fatal("fell back with nothing installed")
	}
	if _, err := c.Update(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := FallBack(state, errors.New("broken")); err == nil || !strings.Contains(err.Error(), "no previous release") {
		t.Fatalf("fall back without a previous release: %v", err)
	}
	f.publish("v2", guideFiles(3, 100, "two"))
	if _, err := c.Update(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	r, err := FallBack(state, errors.New("index unreadable"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Version != "v1" || mustActive(t, state) != "v1" {
		t.Fatalf("fell back to %s, active %s", r.Version, mustActive(t, state))
	}
	res, err := c.Update(ctxT(t))
	if err == nil || !strings.Contains(err.Error(), "failed its health check on this kiosk before") {
		t.Fatalf("next cycle: %v", err)
	}
	if res.Changed || mustActive(t, state) != "v1" {
		t.Fatalf("the release that could not be served was installed again: %+v", res)
	}
}
