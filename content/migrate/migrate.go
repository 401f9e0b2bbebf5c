// Package migrate applies the ordered schema history of an SQLite database:
// each migration in its own transaction, the schema version (PRAGMA
// user_version) being the number applied, so the version is the length of
// the list. Every Sapar database uses it: the content index, the print
// queue, the usage counts. Append to a list, never edit an entry.
//
// It must not open databases or set pragmas of its own: the caller owns the
// connection.
package migrate

import (
	"context"
	"database/sql"
	"fmt"
)

// Apply brings db to len(steps). what names the database in errors ("print
// queue /var/lib/sapar/print-queue.db"). A database newer than steps is
// refused: this binary does not know its schema.
func Apply(ctx context.Context, db *sql.DB, what string, steps []string) error {
	var v int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return fmt.Errorf("%s: schema version: %w (is it an SQLite file?)", what, err)
	}
	if v > len(steps) {
		return fmt.Errorf("%s: schema %d is newer than this firmware knows (%d): move the file away or install the newer firmware", what, v, len(steps))
	}
	for i := v; i < len(steps); i++ {
		if err := apply(ctx, db, i+1, steps[i]); err != nil {
			return fmt.Errorf("%s: migration %d: %w", what, i+1, err)
		}
	}
	return nil
}

func apply(ctx context.Context, db *sql.DB, version int, stmt string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, stmt); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, version)); err != nil {
		return err
	}
	return tx.Commit()
}
