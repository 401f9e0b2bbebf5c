// Package pin guards the kiosk's maintenance screen: it hashes a technician
// PIN with argon2id into a PHC string, verifies an attempt against such a
// hash, and counts wrong attempts in a small state file so that five wrong
// PINs lock the screen for minutes, a little longer each time.
//
// It must never log, store or return a PIN in clear: only the PHC hash is
// kept, in the provisioning file, and only counters and times are persisted.
package pin
