package systemd

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// notifyTimeout bounds one datagram write: the notify socket is a local
// datagram socket, so a write that does not complete at once means the
// manager is wedged, and the kiosk must not hang on it.
const notifyTimeout = 2 * time.Second

// Notify sends state (newline-separated KEY=VALUE assignments, see
// sd_notify(3)) to the socket named by $NOTIFY_SOCKET. Without
// NOTIFY_SOCKET it does nothing and returns (false, nil). A name starting
// with "@" is a Linux abstract socket.
func Notify(state string) (sent bool, err error) {
	return notify(os.Getenv("NOTIFY_SOCKET"), state)
}

func notify(socket, state string) (bool, error) {
	if socket == "" {
		return false, nil
	}
	if socket[0] != '/' && socket[0] != '@' {
		return false, fmt.Errorf("systemd: notify: NOTIFY_SOCKET %q is neither an absolute path nor an abstract socket", socket)
	}
	if state == "" {
		return false, errors.New("systemd: notify: empty state")
	}
	// The Go runtime turns a leading "@" into the NUL byte of an abstract address.
	addr := &net.UnixAddr{Name: socket, Net: "unixgram"}
	conn, err := net.DialUnix("unixgram", nil, addr)
	if err != nil {
		return false, fmt.Errorf("systemd: notify %q: %w", firstLine(state), err)
	}
	defer conn.Close()
	if err := conn.SetWriteDeadline(time.Now().Add(notifyTimeout)); err != nil {
		return false, fmt.Errorf("systemd: notify %q: %w", firstLine(state), err)
	}
	if _, err := conn.Write([]byte(state)); err != nil {
		return false, fmt.Errorf("systemd: notify %q: %w", firstLine(state), err)
	}
	return true, nil
}

// Ready tells systemd that start-up is finished: call it only once the store,
// the UI server and the printer driver are up. Until then systemd holds back
// units ordered after the kiosk and counts the start against TimeoutStartSec=.
func Ready() error {
	_, err := Notify("READY=1")
	return err
}

// Stopping tells systemd that the kiosk is shutting down on purpose, so the
// stop is not mistaken for a hang.
func Stopping() error {
	_, err := Notify("STOPPING=1")
	return err
}

// Status sets the one-line status shown by "systemctl status sapar". Keep it
// free of personal data: it ends up in the journal's view of the unit.
func Status(msg string) error {
	_, err := Notify("STATUS=" + oneLine(msg))
	return err
}

// oneLine keeps a status message from smuggling extra assignments
// ("…\nREADY=1") into the datagram.
func oneLine(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\n' || c == '\r' {
			b[i] = ' '
		}
	}
	return string(b)
}

func firstLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}
