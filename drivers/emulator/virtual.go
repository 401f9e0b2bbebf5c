package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"sapar/drivers/escpos"
)

// VirtualOpts configures a Virtual printer. The fault knobs make it behave
// like real hardware so tests can prove the sender loses nothing.
type VirtualOpts struct {
	// OutDir receives 001.bin + 001.png, 002… for each job; "" keeps nothing on disk.
	OutDir string
	// Profile is the model emulated: width, the tables at their numbers
	// (ESC t of a number it lacks is ignored, so the bytes print as the
	// wrong letters of the table in use), cutter, and whether it takes ESC &
	// (UserChars), GS ( k (NativeQR), GS v 0 (Raster) and FS ( C UTF-8
	// (UTF8). A profile other than the driver's makes an "unknown" printer.
	Profile escpos.Profile
	// Identity is answered to GS I 66/67/65 (maker, model, firmware);
	// an empty field is not answered, as by a printer without GS I.
	Identity escpos.Identity
	// OnSlip, if set, is called after each job is decoded and saved.
	OnSlip func(n int, s *Slip, binPath, pngPath string)

	// PaperOut starts with an empty roll: status reports paper end, nothing prints.
	PaperOut bool
	// PaperOutAfter runs out of paper after printing this many bytes of the
	// next job (0: never). Printing stops; the rest stays in the buffer.
	PaperOutAfter int
	// PaperNearEnd starts with the roll near its end: DLE EOT 4 says so,
	// printing goes on (the sensor sits some metres before the core).
	PaperNearEnd bool
	// CoverOpen starts with the cover open: nothing prints.
	CoverOpen bool
	// Offline starts offline: nothing prints, DLE EOT 1 reports offline.
	Offline bool
	// BufferBytes is the receive buffer; bytes arriving while it is full are
	// dropped, as on a cheap printer without flow control (0: unlimited).
	BufferBytes int
	// PrintBytesPerSecond is how fast the mechanism consumes the buffer
	// (0: instantly). A 4 KB buffer at 2000 B/s overflows at 115200 baud.
	PrintBytesPerSecond int
	// Baud slows the emulator's reading to this line rate (0: as fast as the pty).
	Baud int
	// Mute never answers real-time queries: a printer switched off, or a
	// cable with the receive line broken.
	Mute bool
	// GarbageStatus answers every status query with this byte instead of the truth.
	GarbageStatus *byte
	// Link, if set, is kept as a symlink to the current tty, like the udev
	// rule's /dev/sapar-printer: removed on Unplug, made again on Replug
	// (with a new /dev/pts/N, as a USB adapter comes back as a new ttyUSBn).
	Link string
}

// Stats counts what the virtual printer saw.
type Stats struct {
	Received, Dropped, Printed int
	Jobs                       int
	StatusQueries              int
}

// Virtual is an emulated printer on the far side of a pseudo-terminal.
type Virtual struct {
	opts VirtualOpts
	ptm  *os.File       // master: the printer's side (guarded by mu; replaced on Replug)
	pts  *os.File       // slave, kept open so reads on the master never see EIO between opens
	rwg  sync.WaitGroup // the receive goroutine of the current connection

	mu        sync.Mutex
	cond      *sync.Cond
	queue     []byte // receive buffer
	job       []byte // bytes of the current job already taken by the mechanism
	parsed    int    // bytes of job already run
	paperOut  bool
	nearEnd   bool
	coverOpen bool
	offline   bool
	afterN    int
	stats     Stats
	closed    bool
	unplugged bool
	wmu       sync.Mutex
	wg        sync.WaitGroup
	errs      []error
}

// NewVirtual opens a pseudo-terminal and starts the printer on its master side.
func NewVirtual(opts VirtualOpts) (*Virtual, error) {
	if opts.Profile.Dots == 0 {
		return nil, errors.New("emulator: new virtual printer: no profile")
	}
	if opts.OutDir != "" {
		if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
			return nil, fmt.Errorf("emulator: new virtual printer: %w", err)
		}
	}
	v := &Virtual{opts: opts, paperOut: opts.PaperOut, nearEnd: opts.PaperNearEnd, coverOpen: opts.CoverOpen, offline: opts.Offline, afterN: opts.PaperOutAfter}
	v.cond = sync.NewCond(&v.mu)
	if err := v.plug(); err != nil {
		return nil, err
	}
	v.wg.Add(1)
	go v.mechanism()
	return v, nil
}

// plug opens a new pseudo-terminal, starts receiving on it and points the
// link at it.
func (v *Virtual) plug() error {
	ptm, pts, err := pty.Open()
	if err != nil {
		return fmt.Errorf("emulator: open pseudo-terminal: %w", err)
	}
	if ptm, err = pollable(ptm); err != nil {
		pts.Close()
		return fmt.Errorf("emulator: pseudo-terminal: %w", err)
	}
	if err := makeRaw(pts); err != nil {
		ptm.Close()
		pts.Close()
		return fmt.Errorf("emulator: raw mode on %s: %w", pts.Name(), err)
	}
	if l := v.opts.Link; l != "" {
		tmp := l + ".new"
		os.Remove(tmp)
		if err := os.Symlink(pts.Name(), tmp); err == nil {
			err = os.Rename(tmp, l)
		}
		if err != nil {
			ptm.Close()
			pts.Close()
			return fmt.Errorf("emulator: link %s: %w", l, err)
		}
	}
	v.wmu.Lock()
	v.mu.Lock()
	v.ptm, v.pts, v.unplugged = ptm, pts, false
	v.mu.Unlock()
	v.wmu.Unlock()
	v.rwg.Add(1)
	go v.receive(ptm)
	return nil
}

// Unplug pulls the cable: the tty disappears (the host's reads and writes
// fail) and so does the link. The printer keeps its power and its buffer:
// what it received goes on printing.
func (v *Virtual) Unplug() error {
	v.mu.Lock()
	if v.closed || v.unplugged {
		v.mu.Unlock()
		return nil
	}
	v.unplugged = true
	ptm, pts := v.ptm, v.pts
	v.mu.Unlock()
	if l := v.opts.Link; l != "" {
		os.Remove(l)
	}
	err := errors.Join(pts.Close(), ptm.Close())
	v.rwg.Wait()
	return err
}

// Replug plugs the cable back: a new tty (another /dev/pts/N), the link
// pointing at it again.
func (v *Virtual) Replug() error {
	v.mu.Lock()
	if v.closed || !v.unplugged {
		v.mu.Unlock()
		return nil
	}
	v.mu.Unlock()
	// The kernel hands out the lowest free pts number, most likely the old
	// one; hold it while opening the new one so the name changes, as a
	// re-enumerated USB adapter's does, and only the link finds it.
	if hold, holdS, err := pty.Open(); err == nil {
		defer hold.Close()
		defer holdS.Close()
	}
	return v.plug()
}

// pollable returns the master in non-blocking mode under Go's poller. pty.Open
// leaves it blocking (taking Fd() does that), and then Close cannot wake the
// receiving goroutine: a child process that inherited the slave (WebKit's, in
// the webview build) keeps the read blocked forever and Close hangs.
func pollable(f *os.File) (*os.File, error) {
	fd, err := unix.Dup(int(f.Fd()))
	f.Close()
	if err != nil {
		return nil, err
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), "/dev/ptmx"), nil
}

func makeRaw(f *os.File) error {
	t, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		return err
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	return unix.IoctlSetTermios(int(f.Fd()), unix.TCSETS, t)
}

// DevicePath is the tty the application opens like a real serial printer.
func (v *Virtual) DevicePath() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.pts.Name()
}

// SetPaperOut empties (true) or reloads (false) the roll.
func (v *Virtual) SetPaperOut(out bool) { v.set(func() { v.paperOut = out }) }

// SetPaperNearEnd reports the roll near its end (true) or a new roll (false).
func (v *Virtual) SetPaperNearEnd(near bool) { v.set(func() { v.nearEnd = near }) }

// SetCoverOpen opens or closes the cover.
func (v *Virtual) SetCoverOpen(open bool) { v.set(func() { v.coverOpen = open }) }

// SetOffline takes the printer offline or back.
func (v *Virtual) SetOffline(off bool) { v.set(func() { v.offline = off }) }

// PaperOutAfter arms running out of paper after n more printed bytes.
func (v *Virtual) PaperOutAfter(n int) { v.set(func() { v.afterN = n }) }

func (v *Virtual) set(f func()) {
	v.mu.Lock()
	f()
	v.cond.Broadcast()
	v.mu.Unlock()
}

// Stats returns counters so far.
func (v *Virtual) Stats() Stats {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.stats
}

// Err returns errors met while saving slips.
func (v *Virtual) Err() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return errors.Join(v.errs...)
}

// Close stops the printer, finishing a job that has content but no cut.
func (v *Virtual) Close() error {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return nil
	}
	v.closed = true
	unplugged := v.unplugged
	v.cond.Broadcast()
	v.mu.Unlock()
	var err1, err2 error
	if !unplugged {
		err1 = v.pts.Close()
		err2 = v.ptm.Close()
		if l := v.opts.Link; l != "" {
			os.Remove(l)
		}
	}
	v.rwg.Wait()
	v.wg.Wait()
	v.mu.Lock()
	var done func()
	if hasContent(v.job) {
		done = v.finishJob(v.job)
		v.job = nil
	}
	v.mu.Unlock()
	if done != nil {
		done()
	}
	return errors.Join(err1, err2, v.Err())
}

func (v *Virtual) reply(b ...byte) {
	if v.opts.Mute {
		return
	}
	v.wmu.Lock()
	defer v.wmu.Unlock()
	v.mu.Lock()
	ptm, gone := v.ptm, v.unplugged
	v.mu.Unlock()
	if !gone {
		_, _ = ptm.Write(b)
	}
}

// status answers DLE EOT n from the current state (caller holds mu).
func (v *Virtual) status(n byte) byte {
	if g := v.opts.GarbageStatus; g != nil {
		return *g
	}
	s := byte(escpos.StatusFixedValue)
	switch n {
	case 1:
		if v.offline || v.paperOut || v.coverOpen {
			s |= escpos.StatusOffline
		}
	case 2:
		if v.coverOpen {
			s |= escpos.StatusCoverOpen
		}
		if v.paperOut {
			s |= escpos.StatusPaperStop
		}
		if v.paperOut || v.coverOpen {
			s |= escpos.StatusErrorOccur
		}
	case 4:
		if v.paperOut {
			s |= escpos.StatusPaperEnd | escpos.StatusNearEnd
		}
		if v.nearEnd {
			s |= escpos.StatusNearEnd
		}
	}
	return s
}

// receive reads the line, answers real-time commands on arrival (as real
// printers do, wherever the bytes fall), and fills the receive buffer.
func (v *Virtual) receive(ptm *os.File) {
	defer v.rwg.Done()
	buf := make([]byte, 256)
	var rt []byte // tail of a real-time command split across reads
	for {
		n, err := ptm.Read(buf)
		if n > 0 {
			data := buf[:n]
			if v.opts.Baud > 0 {
				time.Sleep(time.Duration(n) * 10 * time.Second / time.Duration(v.opts.Baud))
			}
			rt = v.realtime(append(rt, data...))
			v.mu.Lock()
			v.stats.Received += n
			for _, c := range data {
				if v.opts.BufferBytes > 0 && len(v.queue) >= v.opts.BufferBytes {
					v.stats.Dropped++
					continue
				}
				v.queue = append(v.queue, c)
			}
			v.cond.Broadcast()
			v.mu.Unlock()
		}
		if err != nil {
			v.mu.Lock()
			if !v.unplugged { // the line is gone for good
				v.closed = true
				v.cond.Broadcast()
			}
			v.mu.Unlock()
			return
		}
	}
}

// realtime scans for DLE EOT n and DLE DC4 8 (clear); returns an incomplete tail.
func (v *Virtual) realtime(b []byte) []byte {
	for i := 0; i < len(b); i++ {
		if b[i] != escpos.DLE {
			continue
		}
		if i+2 >= len(b) {
			return append([]byte(nil), b[i:]...)
		}
		switch {
		case b[i+1] == escpos.EOT && b[i+2] >= 1 && b[i+2] <= 4:
			v.mu.Lock()
			s := v.status(b[i+2])
			v.stats.StatusQueries++
			v.mu.Unlock()
			v.reply(s)
			i += 2
		case b[i+1] == 0x14 && b[i+2] == 8:
			if i+9 >= len(b) {
				return append([]byte(nil), b[i:]...)
			}
			if bytes.Equal(b[i:i+10], escpos.CmdClearBuffers) {
				v.mu.Lock()
				v.queue, v.job, v.parsed = nil, nil, 0
				v.mu.Unlock()
				// The reply of DLE DC4 fn=8: 0x37 0x25 0x00.
				v.reply(0x37, 0x25, 0x00)
				i += 9
			}
		}
	}
	return nil
}

// mechanism takes bytes from the receive buffer at print speed while the
// printer can print, runs ordered commands (process ID replies) and cuts
// jobs apart.
func (v *Virtual) mechanism() {
	defer v.wg.Done()
	const tick = 5 * time.Millisecond
	for {
		v.mu.Lock()
		for !v.closed && (len(v.queue) == 0 || v.paperOut || v.coverOpen || v.offline) {
			v.cond.Wait()
		}
		if v.closed {
			v.mu.Unlock()
			return
		}
		take := len(v.queue)
		if r := v.opts.PrintBytesPerSecond; r > 0 {
			take = min(take, max(1, r*int(tick)/int(time.Second)))
		}
		if v.afterN > 0 {
			take = min(take, v.afterN)
		}
		v.job = append(v.job, v.queue[:take]...)
		v.queue = append(v.queue[:0], v.queue[take:]...)
		v.stats.Printed += take
		if v.afterN > 0 {
			v.afterN -= take
			if v.afterN == 0 {
				v.paperOut = true
			}
		}
		// Run complete commands.
		var replies [][]byte
		var done []func()
		for v.parsed < len(v.job) {
			o, n, err := next(v.job[v.parsed:])
			if err != nil {
				break
			}
			start := v.parsed
			v.parsed += n
			switch o.kind {
			case opProcessID:
				replies = append(replies, append(append([]byte{0x37, 0x22}, o.data...), 0))
			case opPrinterID:
				if s := v.identity(o.a); s != "" {
					replies = append(replies, append(append([]byte{escpos.PrinterIDHeader}, s...), 0))
				}
			case opCut:
				done = append(done, v.finishJob(v.job[:v.parsed]))
				v.job = append([]byte(nil), v.job[v.parsed:]...)
				v.parsed = 0
			case opInit:
				if hasContent(v.job[:start]) {
					done = append(done, v.finishJob(v.job[:start]))
					v.job = append([]byte(nil), v.job[start:]...)
					v.parsed = n
				}
			}
		}
		v.mu.Unlock()
		for _, f := range done {
			f()
		}
		for _, r := range replies {
			v.reply(r...)
		}
		if v.opts.PrintBytesPerSecond > 0 {
			time.Sleep(tick)
		}
	}
}

// identity is the GS I n answer, "" for none.
func (v *Virtual) identity(n byte) string {
	switch n {
	case escpos.PrinterIDMaker:
		return v.opts.Identity.Maker
	case escpos.PrinterIDModel:
		return v.opts.Identity.Model
	case escpos.PrinterIDFirmware:
		return v.opts.Identity.Firmware
	}
	return ""
}

// hasContent reports whether a job prints anything.
func hasContent(job []byte) bool {
	for i := 0; i < len(job); {
		o, n, err := next(job[i:])
		if err != nil {
			return false
		}
		switch o.kind {
		case opText, opRaster, opQR, opLF, opFeed:
			return true
		}
		i += n
	}
	return false
}

// finishJob numbers one job (caller holds mu) and returns the work of
// decoding, saving and reporting it, to run without the lock.
func (v *Virtual) finishJob(job []byte) func() {
	job = append([]byte(nil), job...)
	v.stats.Jobs++
	n := v.stats.Jobs
	return func() { v.saveJob(n, job) }
}

func (v *Virtual) saveJob(n int, job []byte) {
	s, err := Decode(job, v.opts.Profile)
	if err != nil {
		v.fail(err)
		return
	}
	var binPath, pngPath string
	if v.opts.OutDir != "" {
		binPath = filepath.Join(v.opts.OutDir, fmt.Sprintf("%03d.bin", n))
		pngPath = filepath.Join(v.opts.OutDir, fmt.Sprintf("%03d.png", n))
		if err := os.WriteFile(binPath, job, 0o644); err != nil {
			v.fail(fmt.Errorf("emulator: save job %d: %w", n, err))
		}
		var png bytes.Buffer
		if err := s.WritePNG(&png); err != nil {
			v.fail(err)
		} else if err := os.WriteFile(pngPath, png.Bytes(), 0o644); err != nil {
			v.fail(fmt.Errorf("emulator: save job %d: %w", n, err))
		}
	}
	if v.opts.OnSlip != nil {
		v.opts.OnSlip(n, s, binPath, pngPath)
	}
}

var _ io.Closer = (*Virtual)(nil)

func (v *Virtual) fail(err error) {
	v.mu.Lock()
	v.errs = append(v.errs, err)
	v.mu.Unlock()
}
