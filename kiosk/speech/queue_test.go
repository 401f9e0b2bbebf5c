package speech

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fakeEspeak is a stand-in espeak-ng: it lists a Russian and a Kyrgyz
// voice and "reads" anything as size bytes of WAV, as fast as a pipe takes them.
func fakeEspeak(t *testing.T, size int) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "espeak-ng")
	script := "#!/bin/sh\nif [ \"$1\" = --voices ]; then\n echo 'Pty Language Age/Gender VoiceName File Other Languages'\n echo ' 5  ru  M  russian  zle/ru'\n echo ' 5  ky  M  kyrgyz  trk/ky'\n exit 0\nfi\ncat >/dev/null\nhead -c " +
		itoa(size) + " /dev/zero\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

func itoa(n int) string {
	var b []byte
	for n > 0 || len(b) == 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// stalled is a listener that asked for speech and never reads: every
// write blocks until the request ends.
type stalled struct{ ctx context.Context }

func (s stalled) Write(p []byte) (int, error) {
	<-s.ctx.Done()
	return 0, s.ctx.Err()
}

// A client that asks for speech and never reads it held the one synthesis
// slot for minutes: every other read-aloud answered "busy". The slot is
// the synthesis only; what a slow listener has not read waits in memory.
func TestStalledListenerDoesNotBlockReadAloud(t *testing.T) {
	sp := New(fakeEspeak(t, 4<<20))
	if sp == nil {
		t.Fatal("fake espeak-ng not found")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sp.Speak(ctx, stalled{ctx}, nil, "ru", "текст", 10*time.Second, func() {})
	}()
	time.Sleep(200 * time.Millisecond) // the stalled one holds whatever it holds
	for i := range 3 {
		var out bytes.Buffer
		err := sp.Speak(ctx, &out, nil, "ky", "текст", 5*time.Second, func() {})
		if errors.Is(err, ErrBusy) {
			t.Fatalf("read-aloud %d: busy behind a listener that never reads", i)
		}
		if err != nil || out.Len() != 4<<20 {
			t.Fatalf("read-aloud %d: %v, %d bytes", i, err, out.Len())
		}
	}
	cancel()
	wg.Wait()
}

// The queue is bounded: more waiting listeners than MaxWaiting are told
// "busy" at once instead of piling up.
func TestReadAloudQueueIsBounded(t *testing.T) {
	sp := New(fakeEspeak(t, 64<<10))
	if sp == nil {
		t.Fatal("fake espeak-ng not found")
	}
	sp.sem <- struct{}{} // a synthesis that does not end
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	errs := make(chan error, MaxWaiting+1)
	for range MaxWaiting + 1 {
		go func() {
			var out bytes.Buffer
			errs <- sp.Speak(ctx, &out, nil, "ru", "текст", 20*time.Second, func() {})
		}()
	}
	if err := <-errs; !errors.Is(err, ErrBusy) {
		t.Fatalf("the listener past the queue: %v, want ErrBusy", err)
	}
	<-sp.sem // the slot frees: the queued ones are read to
	for range MaxWaiting {
		if err := <-errs; err != nil {
			t.Fatalf("a queued listener: %v", err)
		}
	}
}
