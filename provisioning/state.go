package provisioning

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"path/filepath"

	"sapar/content/atomicfile"
)

// Names of the files in a kiosk's state directory.
const (
	ConfigFile     = "config.json"      // State: the provisioning, written atomically
	IdentityFile   = "identity.key"     // device ed25519 key, PEM PKCS#8, 0600
	PINLockoutFile = "pin-lockout.json" // pin.Guard state
	UsageDBFile    = "usage.db"         // anonymous usage counters
)

// StateFormat is the format of config.json.
const StateFormat = 1

// State is what config.json holds: the provisioning file exactly as signed
// (so `sapar run` can verify it again at every start), its signature, and the
// validated configuration for readers who do not parse YAML.
type State struct {
	Format        int       `json:"format"`
	DeviceID      string    `json:"device_id"`
	PublicKey     []byte    `json:"public_key"` // device ed25519 public key
	ProvisionedAt time.Time `json:"provisioned_at"`
	SourceName    string    `json:"source_name"`
	Source        []byte    `json:"source"`              // provisioning file bytes
	Signature     []byte    `json:"signature,omitempty"` // its .sig file; absent when provisioned --unsigned
	Config        *Config   `json:"config"`
}

// Signed reports whether the state came from a signed provisioning file.
func (s *State) Signed() bool { return len(s.Signature) > 0 }

// Request is one provisioning of a state directory.
type Request struct {
	Name      string // file name, for messages
	File      []byte // provisioning file
	Sig       []byte // its detached signature; nil with Unsigned
	PublicKey ed25519.PublicKey
	Unsigned  bool // demo: accept a file without signature
	Now       time.Time
	Options   Options
}

// Result says what Provision did.
type Result struct {
	State           *State
	IdentityCreated bool // false: the existing device key was kept
}

// Provision verifies and validates the request, and only then writes: the
// identity key if absent, then config.json atomically. A refused file leaves
// the state directory as it was.
func Provision(dir string, r Request) (*Result, error) {
	cfg, err := verifyAndParse(r.Name, r.File, r.Sig, r.PublicKey, r.Unsigned, r.Options)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("provisioning: state dir: %w", err)
	}
	key, created, err := LoadOrCreateIdentity(dir)
	if err != nil {
		return nil, err
	}
	pub := key.Public().(ed25519.PublicKey)
	st := &State{
		Format: StateFormat, DeviceID: DeviceID(pub), PublicKey: pub,
		ProvisionedAt: r.Now.UTC(), SourceName: filepath.Base(r.Name),
		Source: r.File, Config: cfg,
	}
	if !r.Unsigned {
		st.Signature = r.Sig
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Write(filepath.Join(dir, ConfigFile), append(b, '\n'), 0o600); err != nil {
		return nil, fmt.Errorf("provisioning: %w", err)
	}
	return &Result{State: st, IdentityCreated: created}, nil
}

func verifyAndParse(name string, file, sig []byte, pub ed25519.PublicKey, unsigned bool, opt Options) (*Config, error) {
	if !unsigned {
		if sig == nil {
			return nil, fmt.Errorf("%s: no signature (%s%s); production accepts only files signed by the MRC", name, name, SigExt)
		}
		if err := VerifySignature(pub, file, sig); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return Parse(name, file, opt)
}

// ErrNotProvisioned means the state directory has no config.json yet: the
// kiosk should show its first-boot screen.
var ErrNotProvisioned = errors.New("kiosk is not provisioned")

// LoadOptions say how much to trust the state.
type LoadOptions struct {
	// PublicKey is the MRC provisioning key baked into the image.
	PublicKey ed25519.PublicKey
	// AllowUnsigned accepts a state provisioned --unsigned (demo only).
	AllowUnsigned bool
	Options       Options
}

// Load reads the state, verifies the stored provisioning file's signature
// again and parses it: config.json's "config" is a copy for other readers,
// never trusted over the signed source.
func Load(dir string, o LoadOptions) (*State, error) {
	st, err := ReadUnverified(dir)
	if err != nil {
		return nil, err
	}
	if !st.Signed() && !o.AllowUnsigned {
		return nil, fmt.Errorf("provisioning: %s was provisioned unsigned (demo); provision it again with a signed file", dir)
	}
	cfg, err := verifyAndParse(st.SourceName, st.Source, st.Signature, o.PublicKey, !st.Signed(), o.Options)
	if err != nil {
		return nil, fmt.Errorf("provisioning: stored provisioning refused: %w", err)
	}
	key, err := LoadIdentity(dir)
	if err != nil {
		return nil, err
	}
	if pub := key.Public().(ed25519.PublicKey); !pub.Equal(ed25519.PublicKey(st.PublicKey)) || DeviceID(pub) != st.DeviceID {
		return nil, fmt.Errorf("provisioning: identity.key does not match config.json: provision again")
	}
	st.Config = cfg
	return st, nil
}

// ReadUnverified reads config.json without checking the signature, for the
// doctor and the maintenance screen. Never run a kiosk from it.
func ReadUnverified(dir string) (*State, error) {
	b, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotProvisioned
	}
	if err != nil {
		return nil, fmt.Errorf("provisioning: %w", err)
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("provisioning: %s is damaged (%v): provision again", ConfigFile, err)
	}
	if st.Format != StateFormat {
		return nil, fmt.Errorf("provisioning: %s has format %d, this firmware reads %d", ConfigFile, st.Format, StateFormat)
	}
	return &st, nil
}
