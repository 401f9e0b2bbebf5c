// Package systemd is the kiosk's side of the systemd service protocol:
// sd_notify datagrams (READY=1, STOPPING=1, STATUS=…) and the service
// watchdog (WATCHDOG=1 sent only while a health probe passes), in the
// standard library alone. Every call is a no-op without NOTIFY_SOCKET, so the
// same binary runs from a terminal, in tests and under systemd. It must not
// decide what "healthy" means (the caller's probe does), exit the process, or
// import anything of the kiosk. The unit files, udev rule, tmpfiles.d entry
// and Debian packaging that go with it live beside this file.
package systemd
