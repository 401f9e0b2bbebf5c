package systemd_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"sapar/systemd"
	"sapar/systemd/systemdtest"
)

const guard = 10 * time.Second // only bounds a hung test

func TestNotify(t *testing.T) {
	path := systemdtest.New(t)
	abstract := systemdtest.NewAbstract(t, fmt.Sprintf("sapar-test-%d", os.Getpid()))
	cases := []struct {
		name   string
		sock   *systemdtest.Socket
		send   func() error
		expect string
	}{
		{"ready on a path socket", path, systemd.Ready, "READY=1"},
		{"stopping on a path socket", path, systemd.Stopping, "STOPPING=1"},
		{"status on an abstract socket", abstract, func() error { return systemd.Status("printer: paper low") }, "STATUS=printer: paper low"},
		{"status cannot smuggle READY=1 in a second line", path, func() error { return systemd.Status("x\nREADY=1") }, "STATUS=x READY=1"},
		{"several assignments in one datagram", abstract, func() error {
			_, err := systemd.Notify("READY=1\nSTATUS=serving")
			return err
		}, "READY=1\nSTATUS=serving"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("NOTIFY_SOCKET", c.sock.Path)
			if err := c.send(); err != nil {
				t.Fatal(err)
			}
			got, err := c.sock.Next(guard)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.expect {
				t.Fatalf("datagram %q, want %q", got, c.expect)
			}
		})
	}
}

func TestNotifyWithoutSocketIsANoOp(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	os.Unsetenv("NOTIFY_SOCKET")
	sent, err := systemd.Notify("READY=1")
	if sent || err != nil {
		t.Fatalf("Notify without NOTIFY_SOCKET = (%v, %v), want (false, nil)", sent, err)
	}
	for _, f := range []func() error{systemd.Ready, systemd.Stopping, func() error { return systemd.Status("x") }} {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestNotifyErrors(t *testing.T) {
	cases := []struct{ name, socket string }{
		{"relative socket path is refused", "notify.sock"},
		{"socket nobody listens on", "/nonexistent/sapar/notify"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("NOTIFY_SOCKET", c.socket)
			sent, err := systemd.Notify("READY=1")
			if sent || err == nil {
				t.Fatalf("Notify = (%v, %v), want an error", sent, err)
			}
		})
	}
}
