package usage

// migrations are the usage database's schema history, applied by
// content/migrate (the one runner of every Sapar database). Append, never edit.
var migrations = []string{
	// 1: hourly counters. Labels are closed codes, never free text.
	`CREATE TABLE counts (
		hour   INTEGER NOT NULL,           -- unix seconds, start of the UTC hour
		metric TEXT    NOT NULL,
		topic  TEXT    NOT NULL DEFAULT '',
		lang   TEXT    NOT NULL DEFAULT '',
		detail TEXT    NOT NULL DEFAULT '',
		n      INTEGER NOT NULL CHECK (n >= 0),
		PRIMARY KEY (hour, metric, topic, lang, detail)
	) WITHOUT ROWID`,
	// 2: reports group by metric and topic over a period.
	`CREATE INDEX counts_metric_topic ON counts (metric, topic, hour)`,
}
