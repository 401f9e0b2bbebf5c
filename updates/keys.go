package updates

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// Key files live in KEYS/<role>/<keyid>.pem, PKCS#8 PEM, mode 0600, in
// directories of mode 0700. Each role directory can be a symlink to removable
// media: the root directory is normally absent from the publishing machine.

type signingKey struct {
	id     string
	pub    *metadata.Key
	signer signature.Signer
	file   string
}

func keyDir(keys, role string) string { return filepath.Join(keys, role) }

// generateKey makes an ed25519 key, writes its private half under
// KEYS/<role>/ and returns it.
func generateKey(keys, role string) (*signingKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate %s key: %w", role, err)
	}
	k, err := metadata.KeyFromPublicKey(pub)
	if err != nil {
		return nil, err
	}
	id, err := k.ID()
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	dir := keyDir(keys, role)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("key dir: %w", err)
	}
	name := filepath.Join(dir, id+".pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := writeFileSynced(name, data, 0o600); err != nil {
		return nil, fmt.Errorf("write %s key: %w", role, err)
	}
	s, err := signature.LoadSigner(priv, crypto.Hash(0))
	if err != nil {
		return nil, err
	}
	return &signingKey{id: id, pub: k, signer: s, file: name}, nil
}

// loadKeys reads every private key present for role whose id the root
// lists; missing keys are not an error here (the caller checks thresholds).
func loadKeys(keys, role string, wantIDs []string) ([]*signingKey, error) {
	want := map[string]bool{}
	for _, id := range wantIDs {
		want[id] = true
	}
	entries, err := os.ReadDir(keyDir(keys, role))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s keys: %w", role, err)
	}
	var out []*signingKey
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".pem") {
			continue
		}
		name := filepath.Join(keyDir(keys, role), e.Name())
		if fi, err := os.Stat(name); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("key %s is readable by others (mode %v): chmod 600 it", name, fi.Mode().Perm())
		}
		raw, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read key: %w", err)
		}
		blk, _ := pem.Decode(raw)
		if blk == nil {
			return nil, fmt.Errorf("key %s: not PEM", name)
		}
		p, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", name, err)
		}
		priv, ok := p.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("key %s: not ed25519", name)
		}
		k, err := metadata.KeyFromPublicKey(priv.Public())
		if err != nil {
			return nil, err
		}
		id, err := k.ID()
		if err != nil {
			return nil, err
		}
		if !want[id] {
			continue
		}
		s, err := signature.LoadSigner(priv, crypto.Hash(0))
		if err != nil {
			return nil, err
		}
		out = append(out, &signingKey{id: id, pub: k, signer: s, file: name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out, nil
}

// retireKey moves a replaced private key out of the role directory.
func retireKey(keys string, k *signingKey, role string) error {
	dir := filepath.Join(keys, "retired")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.Rename(k.file, filepath.Join(dir, role+"-"+k.id+".pem"))
}
