package updates

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// SignedFirmwareVerifier checks a staged package against the signed targets
// in the TUF cache (STATE/tuf/metadata), verified from trustedRoot (the
// image's root.json, which only root can change). The installer runs as
// root on a file the unprivileged kiosk user wrote: a compromised kiosk
// process (a WebKit exploit runs as sapar) must not be able to get any
// package of its own installed. The cached root is accepted when the
// trusted root signs it (one rotation since the image); after more
// rotations the image's root must be updated first.
func SignedFirmwareVerifier(trustedRoot []byte, metaDir, arch string) func(debPath string) error {
	return func(debPath string) error {
		root, err := metadata.Root().FromBytes(trustedRoot)
		if err != nil {
			return fmt.Errorf("trusted root: %w", err)
		}
		if raw, err := os.ReadFile(filepath.Join(metaDir, "root.json")); err == nil {
			cached, err := metadata.Root().FromBytes(raw)
			if err == nil && cached.Signed.Version > root.Signed.Version {
				if root.VerifyDelegate(metadata.ROOT, cached) != nil || cached.VerifyDelegate(metadata.ROOT, cached) != nil {
					return fmt.Errorf("the cached root v%d is not signed by the image's root v%d: cannot verify the package (update the image's trusted root)",
						cached.Signed.Version, root.Signed.Version)
				}
				root = cached
			}
		}
		targets, err := metadata.Targets().FromFile(filepath.Join(metaDir, "targets.json"))
		if err != nil {
			return fmt.Errorf("signed targets: %w", err)
		}
		if err := root.VerifyDelegate(metadata.TARGETS, targets); err != nil {
			return fmt.Errorf("signed targets do not verify against the trusted root: %w", err)
		}
		tf, ok := targets.Signed.Targets[FirmwareTarget(arch)]
		if !ok {
			return errors.New("the signed targets list no firmware for " + arch)
		}
		sum, n, err := sha256File(debPath)
		if err != nil {
			return err
		}
		if hex.EncodeToString(tf.Hashes["sha256"]) != sum || tf.Length != n {
			return fmt.Errorf("package (sha256 %s, %d bytes) is not the signed firmware for %s (sha256 %s, %d bytes)",
				short(sum), n, arch, short(hex.EncodeToString(tf.Hashes["sha256"])), tf.Length)
		}
		return nil
	}
}
