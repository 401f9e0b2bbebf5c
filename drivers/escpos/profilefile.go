package escpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
)

// ProfileFile is the name, in a kiosk's state directory, of the printer
// profile calibrated on that kiosk's own printer (sapar printer calibrate).
const ProfileFile = "printer-profile.json"

// profileFormat names the file format; a change that old readers would
// misread gets a new number.
const profileFormat = "sapar-printer-profile/1"

// maxProfileFile bounds what ParseProfile reads: a profile is ~1 KB.
const maxProfileFile = 64 << 10

// Calibrated is a profile measured on one printer: the built-in profile it
// started from, what the printer said about itself, and the calibration
// answers the profile was decided from. Its Profile is an ordinary Profile
// (named "<base>-calibrated"); it is not a second list of models.
type Calibrated struct {
	Profile Profile
	// Base is the built-in profile (ProfileNames) the calibration started from.
	Base string
	// Identity is the printer's GS I answer; empty fields: it did not say.
	Identity Identity
	// Answers are the numbers of the calibration-slip lines that printed right.
	Answers []int
	// At is when the technician answered.
	At time.Time
}

// Identity is what a printer reports of itself through GS I.
type Identity struct {
	Maker    string `json:"maker,omitempty"`
	Model    string `json:"model,omitempty"`
	Firmware string `json:"firmware,omitempty"`
}

// String is "maker model, firmware F", or "" when the printer said nothing.
func (id Identity) String() string {
	s := strings.TrimSpace(id.Maker + " " + id.Model)
	if id.Firmware != "" {
		if s != "" {
			s += ", "
		}
		s += "firmware " + id.Firmware
	}
	return s
}

// CalibratedName is the Name a calibrated profile of base carries.
func CalibratedName(base string) string { return base + "-calibrated" }

type wireTable struct {
	Number   int    `json:"number"`
	Encoding string `json:"encoding"`
}

type wireProfile struct {
	Format      string      `json:"format"`
	Name        string      `json:"name"`
	Base        string      `json:"base"`
	Vendor      string      `json:"vendor"`
	Dots        int         `json:"dots"`
	DPI         int         `json:"dpi"`
	Columns     int         `json:"columns"`
	CharWidth   int         `json:"charWidth"`
	CharHeight  int         `json:"charHeight"`
	CodeTables  []wireTable `json:"codeTables"`
	NativeQR    bool        `json:"nativeQR"`
	Raster      bool        `json:"raster"`
	UserChars   bool        `json:"userChars"`
	Cutter      bool        `json:"cutter"`
	UTF8        bool        `json:"utf8"`
	BufferBytes int         `json:"bufferBytes"`
	Identity    Identity    `json:"identity"`
	Answers     []int       `json:"answers"`
	At          time.Time   `json:"calibratedAt"`
}

// MarshalProfile encodes c as the profile file (indented JSON).
func MarshalProfile(c Calibrated) ([]byte, error) {
	if err := validCalibrated(c); err != nil {
		return nil, fmt.Errorf("escpos: write profile: %w", err)
	}
	p := c.Profile
	w := wireProfile{
		Format: profileFormat, Name: p.Name, Base: c.Base, Vendor: p.Vendor,
		Dots: p.Dots, DPI: p.DPI, Columns: p.Columns, CharWidth: p.CharWidth, CharHeight: p.CharHeight,
		CodeTables: []wireTable{}, NativeQR: p.NativeQR, Raster: p.Raster, UserChars: p.UserChars,
		Cutter: p.Cutter, UTF8: p.UTF8, BufferBytes: p.BufferBytes,
		Identity: c.Identity, Answers: append([]int{}, c.Answers...), At: c.At.UTC(),
	}
	for _, t := range p.CodeTables {
		w.CodeTables = append(w.CodeTables, wireTable{Number: int(t.Number), Encoding: t.Enc.Name})
	}
	b, err := json.MarshalIndent(w, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("escpos: write profile: %w", err)
	}
	return append(b, '\n'), nil
}

// ParseProfile reads a profile file strictly: one JSON object, every field
// present and known, no unknown field, no trailing data, known encodings,
// distinct table numbers, sizes a receipt printer can have.
func ParseProfile(b []byte) (Calibrated, error) {
	c, err := parseProfile(b)
	if err != nil {
		return Calibrated{}, fmt.Errorf("escpos: read profile: %w", err)
	}
	return c, nil
}

// Keys of the file's objects, exactly as spelled. A file that lacks one
// (written by another Sapar version) is refused, not read as zero.
var (
	profileKeys = []string{"format", "name", "base", "vendor", "dots", "dpi", "columns", "charWidth", "charHeight",
		"codeTables", "nativeQR", "raster", "userChars", "cutter", "utf8", "bufferBytes", "identity", "answers", "calibratedAt"}
	tableKeys    = []string{"number", "encoding"}
	identityKeys = []string{"maker", "model", "firmware"} // each optional
)

// exactKeys checks that b is one object with exactly profileKeys, each
// once, its identity object within identityKeys and each code table exactly
// tableKeys.
func exactKeys(b []byte) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return err
	}
	if err := keySet("profile", b, profileKeys, true); err != nil {
		return err
	}
	if err := keySet("identity", top["identity"], identityKeys, false); err != nil {
		return err
	}
	var tables []json.RawMessage
	if err := json.Unmarshal(top["codeTables"], &tables); err != nil {
		return fmt.Errorf("codeTables: %w", err)
	}
	for i, t := range tables {
		if err := keySet(fmt.Sprintf("codeTables[%d]", i), t, tableKeys, true); err != nil {
			return err
		}
	}
	return nil
}

// keySet reads the keys of the JSON object b in order: no duplicates, none
// outside allowed, and (all) every allowed key present.
func keySet(what string, b []byte, allowed []string, all bool) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("%s: not a JSON object", what)
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		k, _ := t.(string)
		if seen[k] {
			return fmt.Errorf("%s: key %q twice", what, k)
		}
		if !slices.Contains(allowed, k) {
			return fmt.Errorf("%s: unknown key %q", what, k)
		}
		seen[k] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return fmt.Errorf("%s.%s: %w", what, k, err)
		}
	}
	if all {
		for _, k := range allowed {
			if !seen[k] {
				return fmt.Errorf("%s: missing %q", what, k)
			}
		}
	}
	return nil
}

func parseProfile(b []byte) (Calibrated, error) {
	if len(b) > maxProfileFile {
		return Calibrated{}, fmt.Errorf("%d bytes, more than %d", len(b), maxProfileFile)
	}
	// encoding/json matches keys case-insensitively and keeps the last of
	// duplicate keys: check the exact key sets first.
	if err := exactKeys(b); err != nil {
		return Calibrated{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var w wireProfile
	if err := dec.Decode(&w); err != nil {
		return Calibrated{}, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Calibrated{}, errors.New("data after the profile object")
	}
	if w.Format != profileFormat {
		return Calibrated{}, fmt.Errorf("format %q, want %q", w.Format, profileFormat)
	}
	p := Profile{
		Name: w.Name, Vendor: w.Vendor, Dots: w.Dots, DPI: w.DPI, Columns: w.Columns,
		CharWidth: w.CharWidth, CharHeight: w.CharHeight, NativeQR: w.NativeQR, Raster: w.Raster,
		UserChars: w.UserChars, Cutter: w.Cutter, UTF8: w.UTF8, BufferBytes: w.BufferBytes,
	}
	for i, t := range w.CodeTables {
		if t.Number < 0 || t.Number > 255 {
			return Calibrated{}, fmt.Errorf("codeTables[%d]: number %d outside 0..255", i, t.Number)
		}
		enc, ok := EncodingByName(t.Encoding)
		if !ok {
			return Calibrated{}, fmt.Errorf("codeTables[%d]: unknown encoding %q", i, t.Encoding)
		}
		p.CodeTables = append(p.CodeTables, CodeTable{Number: byte(t.Number), Enc: enc})
	}
	c := Calibrated{Profile: p, Base: w.Base, Identity: w.Identity, Answers: w.Answers, At: w.At}
	if err := validCalibrated(c); err != nil {
		return Calibrated{}, err
	}
	return c, nil
}

func validCalibrated(c Calibrated) error {
	p := c.Profile
	for _, f := range []struct{ name, v string }{
		{"name", p.Name}, {"base", c.Base}, {"vendor", p.Vendor},
		{"identity.maker", c.Identity.Maker}, {"identity.model", c.Identity.Model}, {"identity.firmware", c.Identity.Firmware},
	} {
		if len(f.v) > 64 || strings.IndexFunc(f.v, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
			return fmt.Errorf("%s %q: at most 64 printable characters", f.name, f.v)
		}
	}
	if p.Name == "" || c.Base == "" {
		return errors.New("name and base must be set")
	}
	checks := []struct {
		name     string
		v, lo, h int
	}{
		{"dots", p.Dots, 8, 4096}, {"dpi", p.DPI, 60, 600}, {"columns", p.Columns, 8, 255},
		{"charWidth", p.CharWidth, 5, 48}, {"charHeight", p.CharHeight, 8, 48}, {"bufferBytes", p.BufferBytes, 0, 1 << 24},
	}
	for _, ck := range checks {
		if ck.v < ck.lo || ck.v > ck.h {
			return fmt.Errorf("%s %d outside %d..%d", ck.name, ck.v, ck.lo, ck.h)
		}
	}
	if p.Dots%8 != 0 {
		return fmt.Errorf("dots %d: not a whole number of bytes", p.Dots)
	}
	if len(p.CodeTables) > 256 {
		return fmt.Errorf("%d code tables", len(p.CodeTables))
	}
	seen := map[byte]bool{}
	for _, t := range p.CodeTables {
		if t.Enc == nil {
			return fmt.Errorf("code table %d without an encoding", t.Number)
		}
		if seen[t.Number] {
			return fmt.Errorf("code table %d listed twice", t.Number)
		}
		seen[t.Number] = true
	}
	if len(c.Answers) > 1024 {
		return fmt.Errorf("%d answers", len(c.Answers))
	}
	for _, a := range c.Answers {
		if a < 1 || a > 1024 {
			return fmt.Errorf("answer %d outside 1..1024", a)
		}
	}
	return nil
}

// LoadProfile reads the profile file at path.
func LoadProfile(path string) (Calibrated, error) {
	f, err := os.Open(path)
	if err != nil {
		return Calibrated{}, fmt.Errorf("escpos: read profile: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxProfileFile+1))
	if err != nil {
		return Calibrated{}, fmt.Errorf("escpos: read profile %s: %w", path, err)
	}
	c, err := parseProfile(b)
	if err != nil {
		return Calibrated{}, fmt.Errorf("escpos: read profile %s: %w", path, err)
	}
	return c, nil
}

// WriteFileFunc writes a whole file atomically (the application passes its
// one atomic writer, content/atomicfile.Write: temp file, fsync, rename,
// fsync of the directory). Drivers do not carry a second copy of it.
type WriteFileFunc func(name string, data []byte, perm fs.FileMode) error

// SaveProfile writes c as stateDir/ProfileFile through write.
func SaveProfile(stateDir string, c Calibrated, write WriteFileFunc) error {
	b, err := MarshalProfile(c)
	if err != nil {
		return err
	}
	path := filepath.Join(stateDir, ProfileFile)
	if err := write(path, b, 0o644); err != nil {
		return fmt.Errorf("escpos: save profile %s: %w", path, err)
	}
	return nil
}

// ResolveProfile returns the profile a kiosk prints with: the calibrated
// one in stateDir/ProfileFile when there is one calibrated from the
// configured model name, else the built-in ProfileByName(name).
//
// calibrated reports which was chosen. A calibration file that cannot be
// read, or that was made from another model (the printer was swapped and
// the kiosk re-provisioned), is not used: ResolveProfile then returns the
// built-in profile together with an error saying why, so the kiosk can log
// it ("recalibrate: sapar printer calibrate …") and go on printing. An
// unknown name is an error with a zero Profile.
func ResolveProfile(stateDir, name string) (p Profile, calibrated bool, err error) {
	builtin, err := ProfileByName(name)
	if err != nil {
		return Profile{}, false, err
	}
	path := filepath.Join(stateDir, ProfileFile)
	c, err := LoadProfile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return builtin, false, nil
	case err != nil:
		return builtin, false, fmt.Errorf("%w (using the built-in %s profile; recalibrate with sapar printer calibrate)", err, name)
	case c.Base != name:
		return builtin, false, fmt.Errorf("escpos: %s was calibrated on a %s, the kiosk is configured for %s: using the built-in profile; recalibrate with sapar printer calibrate", path, c.Base, name)
	}
	return c.Profile, true, nil
}
