// Package printqueue is the kiosk's persistent print queue: each job is a
// rendered receipt document in SQLite with its history, printed one at a
// time, in order, by one worker through a print function; a restart loses
// no job and a crash mid-print leaves a record. The UI polls a job's state.
//
// Delivery, as the person at the screen sees it:
//   - While the kiosk runs, at least once: the printer adapter reconnects
//     and resends a job cut short by a pulled cable (drivers/README.md).
//   - Across a crash, power cut or restart of the kiosk, at most once: a
//     job that was printing is recorded failed/"interrupted" and never
//     printed again on its own (it may be what crashed the kiosk, and by
//     the time the kiosk is back its owner may have left). Whether its slip
//     came out cannot be known: ESC/POS status after a restart (DLE EOT)
//     says paper, cover and online, nothing about the last job, and the
//     process-ID confirmations (GS ( H) go only to the session that sent
//     them. So the choice goes back to the person: the job answers with a
//     reprint offer (Job.Reprint), and the page that starts with the
//     restarted kiosk is handed the interrupted job (Queue.Interrupted) and
//     asks "if no slip came out, print again?" in the reader's language.
//   - Queued jobs that never started keep their place, and expire after
//     MaxWait instead of printing for nobody; at most MaxPerMinute jobs are
//     accepted a minute (ErrTooMany).
//
// It must not know printers, HTTP or metrics: the kiosk gives it a print
// function and is told every result (Opts.OnResult).
package printqueue
