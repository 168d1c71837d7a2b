package source

import (
	"os"
	"strings"
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
		"postgres://u:secret@h/db":   `parse MySQL URL postgres://u:****@h/db: scheme "postgres" is not mysql: write mysql://user:pass@host:3306/db`,
		"mysql://u:secret@/db":       "parse MySQL URL mysql://u:****@/db: no host: write mysql://user:pass@host:3306/db",
		"mysql://h:3306/db":          "parse MySQL URL mysql://h:3306/db: no user: write mysql://user:pass@host:3306/db",
		"mysql://u:secret@h:3306/":   "parse MySQL URL mysql://u:****@h:3306/: the path must be one database name: write mysql://user:pass@host:3306/db",
		"mysql://u:secret@h/a/b":     "parse MySQL URL mysql://u:****@h/a/b: the path must be one database name: write mysql://user:pass@host:3306/db",
		"mysql://u:secret@h:port/db": `parse MySQL URL mysql://****: invalid port ":port" after host: write mysql://user:pass@host:3306/db`,
		"u:secret@tcp(h:3306/db":     "parse MySQL DSN u:****@tcp(h:3306/db: invalid DSN: network address not terminated (missing closing brace): write user:pass@tcp(host:3306)/db",
	}
	for in, want := range errs {
		if _, err := ParseMySQLURL(in); err == nil || err.Error() != want {
			t.Errorf("ParseMySQLURL(%q):\n got %v\nwant %s", in, err, want)
		}
	}
}

// TestDSNIsMySQL expects the go-sql-driver DSN form to be read as MySQL, not taken for a SQLite
// path, and SQLite paths (even with @ or parentheses in them) to stay paths.
func TestDSNIsMySQL(t *testing.T) {
	for target, want := range map[string]bool{
		"mysql://u:pw@h/db":                       true,
		"u:pw@tcp(h:3306)/db":                     true,
		"u:p@w/d@tcp(10.0.0.1:3307)/db?x=1":       true,
		"u@unix(/run/mysqld/mysqld.sock)/db":      true,
		"tcp(h)/db":                               true,
		"/home/ann/.local/share/pintui/source.db": false,
		"./me@home/source.db":                     false,
		"data (copy)/source.db":                   false,
	} {
		if got := IsMySQLURL(target); got != want {
			t.Errorf("IsMySQLURL(%q) = %v, want %v", target, got, want)
		}
	}
	cfg, err := ParseMySQLURL("pintui:p@ss@tcp(db.example.com:3307)/pinterest_data?timeout=5s")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.User != "pintui" || cfg.Passwd != "p@ss" || cfg.Net != "tcp" || cfg.Addr != "db.example.com:3307" ||
		cfg.DBName != "pinterest_data" || !cfg.ParseTime || cfg.Loc != time.UTC || cfg.Timeout != 5*time.Second {
		t.Errorf("config %+v", cfg)
	}
}

// TestOpenErrorsHideSecrets opens a source in each form a secret can take, against a port where
// nothing listens, and expects the error to name the source without its secret.
func TestOpenErrorsHideSecrets(t *testing.T) {
	for target, want := range map[string]string{
		"mysql://u:hunter2@127.0.0.1:1/db":          "open source mysql://u:****@127.0.0.1:1/db: ",
		"mysql://u@127.0.0.1:1/db?password=hunter2": "open source mysql://u@127.0.0.1:1/db?password=****: ",
		"mysql://u:hunter2@h:notaport/db":           `parse MySQL URL mysql://****: invalid port ":notaport" after host`,
		"u:hunter2@tcp(127.0.0.1:1)/db":             "open source u:****@tcp(127.0.0.1:1)/db: ",
		"postgres://u:hunter2@h/db":                 `parse MySQL URL postgres://u:****@h/db: scheme "postgres" is not mysql`,
		"/nonexistent/u:hunter2@h/source.db":        "open source /nonexistent/u:****@h/source.db: the database does not exist",
	} {
		_, err := Open(t.Context(), target)
		if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open(%q):\n got %v\nwant %s…", target, err, want)
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
