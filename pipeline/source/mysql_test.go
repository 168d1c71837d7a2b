package source

import (
	"os"
	"testing"
	"time"
)

func TestParseMySQLURL(t *testing.T) {
	cfg, err := ParseMySQLURL("mysql://pintui:p%40ss@db.example.com/pinterest_data?timeout=5s")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.User != "pintui" || cfg.Passwd != "p@ss" || cfg.Net != "tcp" || cfg.Addr != "db.example.com:3306" ||
		cfg.DBName != "pinterest_data" || !cfg.ParseTime || cfg.Loc != time.UTC || cfg.Timeout != 5*time.Second {
		t.Errorf("config %+v", cfg)
	}
	if cfg, err := ParseMySQLURL("mysql://u@127.0.0.1:3307/db"); err != nil || cfg.Addr != "127.0.0.1:3307" || cfg.Passwd != "" {
		t.Errorf("got %+v, %v", cfg, err)
	}
	errs := map[string]string{
		"postgres://u:secret@h/db":   `parse MySQL URL postgres://u:xxxxx@h/db: scheme "postgres" is not mysql: write mysql://user:pass@host:3306/db`,
		"mysql://u:secret@/db":       "parse MySQL URL mysql://u:xxxxx@/db: no host: write mysql://user:pass@host:3306/db",
		"mysql://h:3306/db":          "parse MySQL URL mysql://h:3306/db: no user: write mysql://user:pass@host:3306/db",
		"mysql://u:secret@h:3306/":   "parse MySQL URL mysql://u:xxxxx@h:3306/: the path must be one database name: write mysql://user:pass@host:3306/db",
		"mysql://u:secret@h/a/b":     "parse MySQL URL mysql://u:xxxxx@h/a/b: the path must be one database name: write mysql://user:pass@host:3306/db",
		"mysql://u:secret@h:port/db": `parse MySQL URL: mysql://u:xxxxx@h:port/db: invalid port ":port" after host`,
	}
	for in, want := range errs {
		if _, err := ParseMySQLURL(in); err == nil || err.Error() != want {
			t.Errorf("ParseMySQLURL(%q):\n got %v\nwant %s", in, err, want)
		}
	}
}

// TestMySQLSeedAndRead seeds a MySQL or MariaDB server through the writer and reads every row
// back through the reader. It needs $PINTUI_TEST_MYSQL (see .ci/mariadb).
func TestMySQLSeedAndRead(t *testing.T) {
	target := os.Getenv("PINTUI_TEST_MYSQL")
	if target == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PINTUI_TEST_MYSQL is not set: run .ci/mariadb and export PINTUI_TEST_MYSQL=mysql://pintui:pintui@127.0.0.1:3306/pintui_test")
		}
		t.Skip("PINTUI_TEST_MYSQL is not set: run .ci/mariadb and export PINTUI_TEST_MYSQL=mysql://pintui:pintui@127.0.0.1:3306/pintui_test to run this test")
	}
	var last [2]int
	if err := Seed(t.Context(), target, DefaultRows, DefaultSeed, func(done, total int) { last = [2]int{done, total} }); err != nil {
		t.Fatal(err)
	}
	if last != [2]int{DefaultRows, DefaultRows} {
		t.Errorf("last progress %v", last)
	}
	src, err := Open(t.Context(), target)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	checkReadBack(t, src, rows)
}
