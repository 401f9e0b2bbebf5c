package usage

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var ctx = context.Background()

func open(t *testing.T) (*Counter, *clock, string) {
	t.Helper()
	clk := &clock{time.Date(2026, 5, 4, 10, 20, 0, 0, time.UTC)}
	path := filepath.Join(t.TempDir(), "usage.db")
	c, err := Open(ctx, path, Options{FlushEvery: 10 * time.Minute, KeepDays: 30, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, clk, path
}

func rows(t *testing.T, c *Counter) []Row {
	t.Helper()
	r, err := c.Rows(ctx, time.Unix(0, 0), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestFlushing(t *testing.T) {
	t.Run("counts stay in memory until the flush interval", func(t *testing.T) {
		c, clk, _ := open(t)
		c.Session()
		clk.t = clk.t.Add(9 * time.Minute)
		if err := c.FlushIfDue(ctx); err != nil || len(rows(t, c)) != 0 || c.Pending() != 1 {
			t.Fatalf("flushed early: %v %v", err, rows(t, c))
		}
		clk.t = clk.t.Add(time.Minute)
		if err := c.FlushIfDue(ctx); err != nil || len(rows(t, c)) != 1 || c.Pending() != 0 {
			t.Fatalf("not flushed: %v %v", err, rows(t, c))
		}
	})
	t.Run("flushes add to stored counts", func(t *testing.T) {
		c, _, _ := open(t)
		for range 3 {
			c.GuideOpened("work-visa", "ky", FromSearch)
			c.Flush(ctx)
		}
		r := rows(t, c)
		if len(r) != 1 || r[0].Count != 3 || r[0].Detail != "search" {
			t.Fatalf("%+v", r)
		}
	})
	t.Run("events split by hour", func(t *testing.T) {
		c, clk, _ := open(t)
		clk.t = time.Date(2026, 5, 4, 10, 59, 59, 0, time.UTC)
		c.Session()
		clk.t = clk.t.Add(2 * time.Second)
		c.Session()
		c.Flush(ctx)
		r := rows(t, c)
		if len(r) != 2 || r[0].Hour.Hour() != 10 || r[1].Hour.Hour() != 11 {
			t.Fatalf("%+v", r)
		}
	})
	t.Run("failed flush keeps the counts", func(t *testing.T) {
		c, _, _ := open(t)
		c.Search("ru", false)
		dead, cancel := context.WithCancel(ctx)
		cancel()
		if err := c.Flush(dead); err == nil {
			t.Fatal("flush with a cancelled context succeeded")
		}
		if c.Pending() != 1 {
			t.Fatal("counts lost")
		}
		c.Flush(ctx)
		if r := rows(t, c); len(r) != 1 || r[0].Count != 1 {
			t.Fatalf("%+v", r)
		}
	})
	t.Run("run flushes what is left on shutdown", func(t *testing.T) {
		c, _, _ := open(t)
		c.IdleReset()
		cctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { c.Run(cctx, nil, t.Logf); close(done) }()
		cancel()
		<-done
		if len(rows(t, c)) != 1 {
			t.Fatal("not flushed at shutdown")
		}
	})
	t.Run("prune drops old hours", func(t *testing.T) {
		c, clk, _ := open(t)
		c.Session()
		c.Flush(ctx)
		clk.t = clk.t.Add(31 * 24 * time.Hour)
		c.Session()
		c.Flush(ctx)
		if n, err := c.Prune(ctx); n != 1 || err != nil || len(rows(t, c)) != 1 {
			t.Fatal(n, err)
		}
	})
}

func TestPrivacy(t *testing.T) {
	c, _, path := open(t)
	typed := "паспорт жоголду Ivanov"
	// A careless caller passing what a person typed as a label.
	c.GuideOpened(typed, "ky", FromSearch)
	c.Print(typed, "ky", typed)
	c.Language(typed)
	c.GuideOpened("Work-Visa", "ky", Source(typed))
	c.Search("ky", false)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(path + "*")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, w := range strings.Fields(typed) {
			if bytes.Contains(b, []byte(w)) {
				t.Fatalf("typed text %q reached %s", w, f)
			}
		}
	}
	c2, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	for _, r := range rows(t, c2) {
		for _, v := range []string{r.Topic, r.Lang, r.Detail} {
			if v != "" && v != "other" && v != "und" && v != "ky" && v != "search" && v != "none" {
				t.Errorf("unexpected label %q in %+v", v, r)
			}
		}
	}
}

func TestMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "usage.db")
	for range 2 { // second open finds the schema current
		c, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	db, _ := sql.Open("sqlite", path)
	var v int
	db.QueryRow(`PRAGMA user_version`).Scan(&v)
	if v != len(migrations) {
		t.Fatalf("schema version %d, want %d", v, len(migrations))
	}
	db.Exec(`PRAGMA user_version = 99`)
	db.Close()
	if _, err := Open(ctx, path, Options{}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("database from a newer firmware accepted: %v", err)
	}
}

func TestReport(t *testing.T) {
	c, clk, _ := open(t)
	at := func(h int) { clk.t = time.Date(2026, 5, 4, h, 5, 0, 0, time.UTC) }
	at(3) // 09:05 in Bishkek
	c.Session()
	c.Language("ky")
	c.GuideOpened("work-visa", "ky", FromBrowse)
	c.Print("work-visa", "ky", "")
	c.Search("ky", false)
	c.AgencyCheck("ky", false)
	at(4)
	c.Session()
	c.Language("ru")
	c.GuideOpened("work-visa", "ru", FromQR)
	c.GuideOpened("entry-ban", "ru", FromSearch)
	c.Search("ru", true)
	c.Print("entry-ban", "ru", "paper-out")
	c.IdleReset()
	c.Flush(ctx)
	from, to := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 5, 0, 0, 0, 0, time.UTC)
	rs, _ := c.Rows(ctx, from, to)
	bishkek, _ := time.LoadLocation("Asia/Bishkek")
	rep := Summarise(rs, from, to, bishkek)
	var b bytes.Buffer
	rep.WriteText(&b, "osh-airport-01")
	text := b.String()
	for _, want := range []string{
		"Sessions          2",
		"Languages chosen  ky 1, ru 1",
		"(no result: 1 — ky 1)",
		"Prints            1 ok, 1 failed  paper-out 1",
		"Agency checks     0 found, 1 not found",
		"work-visa  2       1        ky 1, ru 1   browse 1, qr 1",
		"09:00",
		"2026-05-04 10:00  entry-ban  ru        1       0",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log("\n" + text)
	}

	t.Run("CSV round trip and fleet merge", func(t *testing.T) {
		var a, b bytes.Buffer
		WriteCSV(&a, "osh-airport-01", rs)
		WriteCSV(&b, "tashkent-station-02", rs)
		back, err := ReadCSV(strings.NewReader(a.String() + b.String()))
		if err != nil {
			t.Fatal(err)
		}
		if len(back) != 2*len(rs) || back[0].Kiosk != "osh-airport-01" || back[len(back)-1].Kiosk != "tashkent-station-02" {
			t.Fatalf("%d rows", len(back))
		}
		fleet := Summarise(back, from, to, bishkek)
		if fleet.Sessions != 4 || fleet.Guides[0].Total != 4 {
			t.Fatalf("%+v", fleet)
		}
		if !strings.HasPrefix(a.String(), "kiosk,hour,metric,topic,lang,detail,count\nosh-airport-01,2026-05-04T03:00:00Z,") {
			t.Fatal(a.String())
		}
	})
	t.Run("bad CSV refused with line", func(t *testing.T) {
		_, err := ReadCSV(strings.NewReader("kiosk,hour,metric,topic,lang,detail,count\nk,yesterday,session,,,,1\n"))
		if err == nil || !strings.Contains(err.Error(), "line 2") {
			t.Fatal(err)
		}
	})
}
