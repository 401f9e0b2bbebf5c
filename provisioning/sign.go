package provisioning

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// signingContext is prepended to the file before signing, so a provisioning
// signature can never be replayed as a signature over anything else made with
// the same key, and vice versa.
const signingContext = "sapar-provisioning-v1\x00"

// SigExt is appended to a provisioning file's name for its detached signature.
const SigExt = ".sig"

// ErrBadSignature means the file was not signed by the MRC provisioning key:
// tampered, signed by another key, or the signature belongs to another file.
var ErrBadSignature = errors.New("provisioning file signature does not verify with the MRC provisioning key")

// GenerateSigningKey makes an MRC provisioning key pair and returns the two
// key files' contents (base64, one line each).
func GenerateSigningKey() (pubFile, privFile []byte, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("provisioning: generate key: %w", err)
	}
	return []byte(base64.StdEncoding.EncodeToString(pub) + "\n"),
		[]byte(base64.StdEncoding.EncodeToString(priv.Seed()) + "\n"), nil
}

func decodeKey(b []byte, want int, what string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(b)))
	if err != nil || len(raw) != want {
		return nil, fmt.Errorf("provisioning: not an ed25519 %s file (one line of base64 of %d bytes)", what, want)
	}
	return raw, nil
}

// ParsePublicKey reads a public key file made by GenerateSigningKey.
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	raw, err := decodeKey(b, ed25519.PublicKeySize, "public key")
	return ed25519.PublicKey(raw), err
}

// ParsePrivateKey reads a private key file made by GenerateSigningKey.
func ParsePrivateKey(b []byte) (ed25519.PrivateKey, error) {
	raw, err := decodeKey(b, ed25519.SeedSize, "private key")
	if err != nil {
		return nil, err
	}
	return ed25519.NewKeyFromSeed(raw), nil
}

// Sign returns the detached signature file for a provisioning file.
func Sign(priv ed25519.PrivateKey, file []byte) []byte {
	sig := ed25519.Sign(priv, append([]byte(signingContext), file...))
	return []byte(base64.StdEncoding.EncodeToString(sig) + "\n")
}

// VerifySignature checks a detached signature file against the file bytes.
func VerifySignature(pub ed25519.PublicKey, file, sigFile []byte) error {
	if len(pub) != ed25519.PublicKeySize {
		return errors.New("provisioning: no MRC provisioning public key")
	}
	sig, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(sigFile)))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: the .sig file is not a base64 ed25519 signature", ErrBadSignature)
	}
	if !ed25519.Verify(pub, append([]byte(signingContext), file...), sig) {
		return ErrBadSignature
	}
	return nil
}
