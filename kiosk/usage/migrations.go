package usage

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are applied in order, each in its own transaction; the schema
// version (PRAGMA user_version) is the number applied. Append, never edit.
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

func migrate(ctx context.Context, db *sql.DB) error {
	var v int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return fmt.Errorf("usage: schema version: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("usage: database schema %d is newer than this firmware (%d)", v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		if err := step(ctx, db, i); err != nil {
			return fmt.Errorf("usage: migration %d: %w", i+1, err)
		}
	}
	return nil
}

func step(ctx context.Context, db *sql.DB, i int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, i+1)); err != nil {
		return err
	}
	return tx.Commit()
}
