package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sapar/content/atomicfile"
	"sort"
	"strings"
	"time"
)

// IndexName is the bundle's entry point; the only file not named by its hash.
const IndexName = "index.json"

// ObjectsDir holds the content-addressed files.
const ObjectsDir = "objects"

// Format is the layout version written into index.json.
const Format = 1

// MaxObjectSize refuses objects that no guide or table could need, so a
// hostile bundle cannot make the kiosk read gigabytes into memory.
const MaxObjectSize = 8 << 20

// Index lists every logical file of a bundle and the object that holds it.
type Index struct {
	Format  int       `json:"format"`
	Version string    `json:"version"`
	Created time.Time `json:"created"`
	Files   []File    `json:"files"`
}

// File is one logical file: its path inside the bundle and its object.
type File struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

var hexHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ObjectPath is the slash-separated path of the object holding data with this hash.
func ObjectPath(sha string) string { return path.Join(ObjectsDir, sha) }

// Hash returns the hex SHA-256 of data.
func Hash(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// Write creates a bundle in dir (which must not exist or be empty) from
// logical files. It writes objects first and the index last, each through a
// temporary file, fsynced and renamed, so a crash never leaves an index that
// names a missing object.
func Write(dir, version string, created time.Time, files map[string][]byte) (Index, error) {
	if version == "" {
		return Index{}, errors.New("bundle: write: empty version")
	}
	if err := os.MkdirAll(filepath.Join(dir, ObjectsDir), 0o755); err != nil {
		return Index{}, fmt.Errorf("bundle: write: %w", err)
	}
	idx := Index{Format: Format, Version: version, Created: created.UTC()}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if err := checkPath(p); err != nil {
			return Index{}, fmt.Errorf("bundle: write: %w", err)
		}
		data := files[p]
		sum := Hash(data)
		obj := filepath.Join(dir, filepath.FromSlash(ObjectPath(sum)))
		if _, err := os.Stat(obj); errors.Is(err, os.ErrNotExist) {
			if err := atomicfile.Write(obj, data, 0o644); err != nil {
				return Index{}, fmt.Errorf("bundle: write %s: %w", p, err)
			}
		}
		idx.Files = append(idx.Files, File{Path: p, SHA256: sum, Size: int64(len(data))})
	}
	if err := atomicfile.SyncDir(filepath.Join(dir, ObjectsDir)); err != nil {
		return Index{}, fmt.Errorf("bundle: write: %w", err)
	}
	raw, err := json.MarshalIndent(idx, "", " ")
	if err != nil {
		return Index{}, fmt.Errorf("bundle: write index: %w", err)
	}
	if err := atomicfile.Write(filepath.Join(dir, IndexName), append(raw, '\n'), 0o644); err != nil {
		return Index{}, fmt.Errorf("bundle: write index: %w", err)
	}
	return idx, nil
}

// ParseIndex decodes and checks an index: known format, safe unique paths,
// well-formed hashes, sizes within limits. Unknown fields are errors.
func ParseIndex(raw []byte) (Index, error) {
	var idx Index
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&idx); err != nil {
		return Index{}, fmt.Errorf("bundle: parse index: %w", err)
	}
	if idx.Format != Format {
		return Index{}, fmt.Errorf("bundle: parse index: format %d, this kiosk reads format %d (update the kiosk software first)", idx.Format, Format)
	}
	if idx.Version == "" {
		return Index{}, errors.New("bundle: parse index: no version")
	}
	seen := make(map[string]bool, len(idx.Files))
	for _, f := range idx.Files {
		if err := checkPath(f.Path); err != nil {
			return Index{}, fmt.Errorf("bundle: parse index: %w", err)
		}
		if seen[f.Path] {
			return Index{}, fmt.Errorf("bundle: parse index: %q listed twice", f.Path)
		}
		seen[f.Path] = true
		if !hexHash.MatchString(f.SHA256) {
			return Index{}, fmt.Errorf("bundle: parse index: %q: bad sha256 %q", f.Path, f.SHA256)
		}
		if f.Size < 0 || f.Size > MaxObjectSize {
			return Index{}, fmt.Errorf("bundle: parse index: %q: size %d out of range", f.Path, f.Size)
		}
	}
	return idx, nil
}

// Bundle is a verified bundle on disk.
type Bundle struct {
	Dir    string
	Index  Index
	byPath map[string]File
}

// Open reads dir's index and verifies every object (presence, size, hash).
// A bundle that fails is never returned: the kiosk keeps what it has.
func Open(dir string) (*Bundle, error) {
	raw, err := os.ReadFile(filepath.Join(dir, IndexName))
	if err != nil {
		return nil, fmt.Errorf("bundle: open: %w", err)
	}
	idx, err := ParseIndex(raw)
	if err != nil {
		return nil, err
	}
	b := &Bundle{Dir: dir, Index: idx, byPath: make(map[string]File, len(idx.Files))}
	for _, f := range idx.Files {
		if _, err := b.readObject(f); err != nil {
			return nil, err
		}
		b.byPath[f.Path] = f
	}
	return b, nil
}

// Paths lists the logical paths, sorted.
func (b *Bundle) Paths() []string {
	out := make([]string, 0, len(b.Index.Files))
	for _, f := range b.Index.Files {
		out = append(out, f.Path)
	}
	sort.Strings(out)
	return out
}

// ReadFile returns the content of a logical file, re-checking its hash.
func (b *Bundle) ReadFile(p string) ([]byte, error) {
	f, ok := b.byPath[p]
	if !ok {
		return nil, fmt.Errorf("bundle: %s: %w", p, os.ErrNotExist)
	}
	return b.readObject(f)
}

func (b *Bundle) readObject(f File) ([]byte, error) {
	fh, err := os.Open(filepath.Join(b.Dir, filepath.FromSlash(ObjectPath(f.SHA256))))
	if err != nil {
		return nil, fmt.Errorf("bundle: %s: %w", f.Path, err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, f.Size+1))
	if err != nil {
		return nil, fmt.Errorf("bundle: %s: %w", f.Path, err)
	}
	if int64(len(data)) != f.Size {
		return nil, fmt.Errorf("bundle: %s: object is %d bytes, index says %d", f.Path, len(data), f.Size)
	}
	if Hash(data) != f.SHA256 {
		return nil, fmt.Errorf("bundle: %s: object hash mismatch (corrupt or tampered)", f.Path)
	}
	return data, nil
}

func checkPath(p string) error {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") || path.Clean(p) != p || p == "." || strings.HasPrefix(p, "../") || p == ".." {
		return fmt.Errorf("unsafe path %q", p)
	}
	return nil
}
