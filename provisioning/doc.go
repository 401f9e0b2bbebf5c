// Package provisioning turns a technician's provisioning file into a
// provisioned kiosk: it parses and strictly validates the site configuration
// (YAML, every error with its line), verifies the MRC's detached ed25519
// signature, creates the device's identity key and writes the state directory
// atomically. Subpackages hold the technician PIN (pin) and the doctor's
// checks (doctor); the anonymous usage counts live in kiosk/usage.
//
// It must not import the kiosk, talk to the network, or keep anything personal:
// the only secret it handles is the device key, and the PIN only as a hash.
package provisioning
