package provisioning

import (
	"crypto/ed25519"
	"encoding/base64"
)

func encodeRawSig(priv ed25519.PrivateKey, file []byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(priv, file))
}
