package migrate

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

func open(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func version(t *testing.T, db *sql.DB) int {
	var v int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestApply(t *testing.T) {
	ctx := context.Background()
	steps := []string{`CREATE TABLE a (x)`, `CREATE TABLE b (y)`}
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, db *sql.DB)
	}{
		{"new database gets every step", func(t *testing.T, db *sql.DB) {
			if err := Apply(ctx, db, "test db", steps); err != nil {
				t.Fatal(err)
			}
			if v := version(t, db); v != 2 {
				t.Fatalf("version %d", v)
			}
		}},
		{"an older database gets only the new steps", func(t *testing.T, db *sql.DB) {
			if err := Apply(ctx, db, "test db", steps[:1]); err != nil {
				t.Fatal(err)
			}
			if err := Apply(ctx, db, "test db", steps); err != nil {
				t.Fatal(err)
			}
			if err := Apply(ctx, db, "test db", steps); err != nil {
				t.Fatalf("applying again: %v", err)
			}
		}},
		{"a newer database is refused", func(t *testing.T, db *sql.DB) {
			if err := Apply(ctx, db, "test db", steps); err != nil {
				t.Fatal(err)
			}
			err := Apply(ctx, db, "test db", steps[:1])
			if err == nil || !strings.Contains(err.Error(), "newer") {
				t.Fatalf("got %v", err)
			}
		}},
		{"a failing step leaves the version before it", func(t *testing.T, db *sql.DB) {
			err := Apply(ctx, db, "test db", []string{`CREATE TABLE a (x)`, `CREATE TABLE a (x)`})
			if err == nil || !strings.Contains(err.Error(), "migration 2") {
				t.Fatalf("got %v", err)
			}
			if v := version(t, db); v != 1 {
				t.Fatalf("version %d after a failed step", v)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}
