package provisioning

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base32"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"sapar/content/atomicfile"
)

// LoadOrCreateIdentity returns the device key in dir/identity.key, making it
// (mode 0600) if absent. An existing key is kept: re-provisioning a kiosk
// does not change its id in the MRC inventory. A damaged key is an error,
// never silently replaced.
func LoadOrCreateIdentity(dir string) (key ed25519.PrivateKey, created bool, err error) {
	path := filepath.Join(dir, IdentityFile)
	b, err := os.ReadFile(path)
	if err == nil {
		key, err := parseIdentity(b)
		if err != nil {
			return nil, false, fmt.Errorf("provisioning: %s is damaged (%v): move it away to make a new identity, and tell the MRC the new device id", path, err)
		}
		return key, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("provisioning: read identity: %w", err)
	}
	_, key, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, false, fmt.Errorf("provisioning: generate identity: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, false, err
	}
	if err := atomicfile.Write(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return nil, false, fmt.Errorf("provisioning: write identity: %w", err)
	}
	return key, true, nil
}

// LoadIdentity reads an existing device key.
func LoadIdentity(dir string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(filepath.Join(dir, IdentityFile))
	if err != nil {
		return nil, fmt.Errorf("provisioning: read identity: %w", err)
	}
	return parseIdentity(b)
}

func parseIdentity(b []byte) (ed25519.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, errors.New("not a PEM private key")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	ek, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, errors.New("not an ed25519 key")
	}
	return ek, nil
}

// DeviceID derives the kiosk's inventory id from its public key:
// "SPR-" and 16 base32 characters (80 bits of SHA-256) in groups of four,
// easy to read aloud over a poor phone line.
func DeviceID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	s := base32.StdEncoding.EncodeToString(sum[:10])
	return "SPR-" + strings.Join([]string{s[0:4], s[4:8], s[8:12], s[12:16]}, "-")
}
