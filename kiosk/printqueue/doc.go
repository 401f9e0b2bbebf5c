// Package printqueue is the kiosk's persistent print queue: each job is a
// rendered receipt document in SQLite with its history, printed one at a
// time, in order, by one worker through a print function; a restart loses
// no job and a crash mid-print leaves a record. The UI polls a job's state.
//
// It must not know printers, HTTP or metrics: the kiosk gives it a print
// function and is told every result (Opts.OnResult).
package printqueue
