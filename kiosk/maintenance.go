package kiosk

// Maintenance is what the technician's screen needs from the running kiosk.
// Fields are filled by Run (run.go); tests may fill only some. It never
// holds a PIN in clear: only the argon2id hash from the provisioning.
type Maintenance struct{}
