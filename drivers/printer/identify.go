package printer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"sapar/drivers/escpos"
)

// maxIDText bounds one GS I answer: a model name or firmware version is a
// few dozen characters; line noise without a NUL must not grow forever.
const maxIDText = 64

// Identify asks the printer for its maker, model and firmware (GS I 66,
// 67, 65), waiting up to timeout for each reply. Many clones do not know GS
// I: a question without an answer leaves its field empty and is not an
// error (after two silent questions the third is not asked). Errors are
// failures to write, or to read, the line. GS I is answered in turn, after
// what the printer already holds: ask before sending a job.
//
// rw should support read timeouts (SetReadTimeout), as serialport.Port
// does; otherwise its Read must not block when nothing comes.
func Identify(ctx context.Context, rw io.ReadWriter, timeout time.Duration) (escpos.Identity, error) {
	if rt, ok := rw.(readTimeouter); ok {
		if err := rt.SetReadTimeout(20 * time.Millisecond); err != nil {
			return escpos.Identity{}, fmt.Errorf("printer: identify: %w", err)
		}
	}
	var id escpos.Identity
	silent := 0
	for _, q := range []struct {
		n   byte
		dst *string
	}{{escpos.PrinterIDMaker, &id.Maker}, {escpos.PrinterIDModel, &id.Model}, {escpos.PrinterIDFirmware, &id.Firmware}} {
		if silent == 2 {
			break
		}
		s, err := askID(ctx, rw, q.n, timeout)
		if err != nil {
			return id, fmt.Errorf("printer: identify (GS I %d): %w", q.n, err)
		}
		if s == "" {
			silent++
		}
		*q.dst = s
	}
	return id, nil
}

// askID sends GS I n and reads 0x5F text NUL; "" if none came in time.
func askID(ctx context.Context, rw io.ReadWriter, n byte, timeout time.Duration) (string, error) {
	if _, err := rw.Write(append(append([]byte{}, escpos.CmdPrinterID...), n)); err != nil {
		return "", fmt.Errorf("%w: %w", ErrDisconnected, err)
	}
	deadline := time.Now().Add(timeout)
	_, hasTimeout := rw.(readTimeouter)
	var in []byte
	buf := make([]byte, 64)
	for time.Now().Before(deadline) {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		k, err := rw.Read(buf)
		in = append(in, buf[:k]...)
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("%w: %w", ErrDisconnected, err)
		}
		if i := bytes.IndexByte(in, escpos.PrinterIDHeader); i >= 0 {
			if j := bytes.IndexByte(in[i:], 0); j >= 0 {
				return cleanID(in[i+1 : i+j]), nil
			}
			if len(in)-i > maxIDText+1 {
				return cleanID(in[i+1 : i+1+maxIDText]), nil
			}
		} else if len(in) > 4*maxIDText {
			in = in[len(in)-maxIDText:] // noise: keep the tail
		}
		if k == 0 && !hasTimeout {
			time.Sleep(5 * time.Millisecond)
		}
	}
	return "", nil
}

// cleanID keeps printable ASCII of an answer, trimmed, at most maxIDText.
func cleanID(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7F && s.Len() < maxIDText {
			s.WriteByte(c)
		}
	}
	return strings.TrimSpace(s.String())
}

// Identify asks GS I on the Printer's port, opening it if needed: the
// maintenance screen asks before the calibration slip. A broken port is
// closed, so the next job reopens it.
func (p *Printer) Identify(ctx context.Context, timeout time.Duration) (escpos.Identity, error) {
	if p.rw == nil {
		rw, err := p.dial()
		if err != nil {
			return escpos.Identity{}, fmt.Errorf("printer: identify: open port: %w: %w", ErrDisconnected, err)
		}
		p.rw = rw
	}
	id, err := Identify(ctx, p.rw, timeout)
	if errors.Is(err, ErrDisconnected) {
		_ = p.rw.Close()
		p.rw = nil
	}
	return id, err
}
