package web

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"sapar/drivers/receipt"
)

// limitedServer serves the sample content on loopback with lim; it returns
// the address.
func limitedServer(t *testing.T, lim Limits, espeak string) string {
	t.Helper()
	if espeak == "" {
		espeak = "-"
	}
	srv, err := NewServer(Options{Store: versionStore(t, "v"), Print: func(context.Context, receipt.Document) error { return nil },
		Limits: lim, Espeak: espeak})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

// closedByServer reports whether the server closes c within d (a read
// ends with EOF or a reset, not the test's own deadline).
func closedByServer(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return false
	}
	return true
}

func request(t *testing.T, c net.Conn, path string) *http.Response {
	t.Helper()
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// Idle keep-alive connections and bodies sent a byte at a time were held
// for ever (only ReadHeaderTimeout was set): the server closes both.
func TestSlowAndIdleConnectionsAreClosed(t *testing.T) {
	addr := limitedServer(t, Limits{ReadTimeout: 500 * time.Millisecond, IdleTimeout: 500 * time.Millisecond}, "")
	t.Run("idle keep-alive connection closed", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if resp := request(t, c, "/healthz"); resp.StatusCode != 200 {
			t.Fatalf("/healthz: %s", resp.Status)
		}
		if !closedByServer(c, 10*time.Second) {
			t.Fatal("an idle keep-alive connection is still open 10 s later")
		}
	})
	t.Run("body sent a byte at a time cut off", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "POST /api/print HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{")
		cut := make(chan bool, 1)
		go func() { cut <- closedByServer(c, 10*time.Second) }()
		for i := 0; i < 40; i++ {
			if _, err := c.Write([]byte(" ")); err != nil {
				break
			}
			select {
			case ok := <-cut:
				if !ok {
					t.Fatal("a body trickling in is still being read 10 s later")
				}
				return
			case <-time.After(250 * time.Millisecond):
			}
		}
		if !<-cut {
			t.Fatal("a body trickling in is still being read 10 s later")
		}
	})
}

// Connections are capped (every client got a goroutine and buffers): an
// idle keep-alive makes room for a new client (the one idle longest is
// closed), so hoarded idle connections cannot lock the page out; only
// while all MaxConns are busy does a new client wait.
func TestConnectionsAreCapped(t *testing.T) {
	const max = 8
	addr := limitedServer(t, Limits{MaxConns: max, IdleTimeout: time.Minute, ReadTimeout: time.Minute}, "")
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	t.Run("idle connection makes room", func(t *testing.T) {
		var idle []net.Conn
		for range max {
			c := dial()
			if resp := request(t, c, "/healthz"); resp.StatusCode != 200 {
				t.Fatalf("/healthz: %s", resp.Status)
			}
			idle = append(idle, c)
			time.Sleep(10 * time.Millisecond) // an order of idleness
		}
		if resp := request(t, dial(), "/healthz"); resp.StatusCode != 200 {
			t.Fatalf("connection %d beside %d idle ones: %s", max+1, max, resp.Status)
		}
		if !closedByServer(idle[0], 10*time.Second) {
			t.Error("the connection idle longest was not closed to make room")
		}
		for _, c := range idle {
			c.Close()
		}
	})
	t.Run("clients arriving together who keep their connections are all answered", func(t *testing.T) {
		const clients = 100
		answered := make(chan bool, clients)
		for range clients {
			go func() {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					answered <- false
					return
				}
				defer c.Close()
				c.SetDeadline(time.Now().Add(20 * time.Second))
				fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				answered <- err == nil && resp.StatusCode == 200
				time.Sleep(2 * time.Second) // keeps it open, idle
			}()
		}
		n := 0
		for range clients {
			if <-answered {
				n++
			}
		}
		if n != clients {
			t.Fatalf("%d of %d clients answered (cap %d): the others waited for idle connections", n, clients, max)
		}
	})
	t.Run("new client waits while all are busy", func(t *testing.T) {
		var busy []net.Conn
		for range max {
			c := dial()
			// A print request whose body never comes: the connection is busy.
			fmt.Fprintf(c, "POST /api/print HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
			busy = append(busy, c)
		}
		time.Sleep(300 * time.Millisecond) // all of them are being read
		extra := dial()                    // the kernel completes the handshake
		fmt.Fprintf(extra, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
		extra.SetReadDeadline(time.Now().Add(time.Second))
		br := bufio.NewReader(extra)
		if _, err := br.ReadByte(); err == nil {
			t.Fatalf("connection %d was served while %d were busy", max+1, max)
		}
		busy[0].Close()
		extra.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("connection %d not served once a busy one closed: %v", max+1, err)
		}
		resp.Body.Close()
	})
}

// A client that asks for speech and never reads it made every read-aloud
// fail for minutes. Through the server: a stalled listener (a connection
// that never reads) does not make the next one busy, and is cut off once
// it stalls for SpeakStall.
func TestSpeechListenerThatNeverReadsDoesNotBlockOthers(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "espeak-ng")
	script := "#!/bin/sh\nif [ \"$1\" = --voices ]; then\n echo 'Pty Language Age/Gender VoiceName File Other Languages'\n echo ' 5  ru  M  russian  zle/ru'\n exit 0\nfi\ncat >/dev/null\nhead -c 64000000 /dev/zero\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	addr := limitedServer(t, Limits{SpeakStall: time.Second}, bin)
	const path = "/api/speak?topic=country-russia&lang=ru"
	stalled, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	fmt.Fprintf(stalled, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path)
	time.Sleep(300 * time.Millisecond) // it holds whatever it holds
	for i := range 3 {
		resp, err := (&http.Client{Timeout: 30 * time.Second}).Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || n != 64000000 {
			t.Fatalf("read-aloud %d beside a stalled listener: %s, %d bytes", i, resp.Status, n)
		}
	}
	// It has read nothing for longer than SpeakStall: the server gave up on
	// it and closed the connection, so it gets what the kernel buffered
	// (a few MB), then the end, never the whole WAV.
	time.Sleep(3 * time.Second)
	stalled.SetReadDeadline(time.Now().Add(20 * time.Second))
	n, err := io.Copy(io.Discard, stalled)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the stalled listener is still connected 20 s later (%d bytes read)", n)
	}
	if n >= 64000000 {
		t.Fatalf("the stalled listener was sent all %d bytes: it was never cut off", n)
	}
}
