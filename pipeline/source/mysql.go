package source

import (
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// IsMySQLURL reports whether target names a MySQL (or MariaDB, or RDS) database rather than a
// SQLite file.
func IsMySQLURL(target string) bool { return strings.HasPrefix(target, "mysql://") }

// ParseMySQLURL turns `mysql://user:pass@host:3306/db?param=value` into a driver
// configuration: port 3306 unless given, datetimes parsed into UTC time.Time values, and any
// query parameters passed to the driver as in its own DSN (`tls=true`, `timeout=5s`, …).
func ParseMySQLURL(raw string) (*mysql.Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("parse MySQL URL: %w", redactErr(err, raw))
	}
	shown := redact(u)
	if u.Scheme != "mysql" {
		return nil, fmt.Errorf("parse MySQL URL %s: scheme %q is not mysql: write mysql://user:pass@host:3306/db", shown, u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("parse MySQL URL %s: no host: write mysql://user:pass@host:3306/db", shown)
	}
	if u.User == nil || u.User.Username() == "" {
		return nil, fmt.Errorf("parse MySQL URL %s: no user: write mysql://user:pass@host:3306/db", shown)
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" || strings.Contains(db, "/") {
		return nil, fmt.Errorf("parse MySQL URL %s: the path must be one database name: write mysql://user:pass@host:3306/db", shown)
	}
	port := u.Port()
	if port == "" {
		port = "3306"
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net = "tcp"
	cfg.Addr = net.JoinHostPort(u.Hostname(), port)
	cfg.DBName = db
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	if u.RawQuery == "" {
		return cfg, nil
	}
	withParams, err := mysql.ParseDSN(cfg.FormatDSN() + "&" + u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("parse MySQL URL %s: query parameters: %w", shown, err)
	}
	return withParams, nil
}

// redact returns the URL with its password masked, for error messages and logs.
func redact(u *url.URL) string {
	if _, ok := u.User.Password(); ok {
		c := *u
		c.User = url.UserPassword(u.User.Username(), "xxxxx")
		return c.String()
	}
	return u.String()
}

// redactErr keeps a password out of url.Parse's error, which quotes the whole input.
func redactErr(err error, raw string) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	at := strings.LastIndex(raw, "@")
	scheme := strings.Index(raw, "://")
	if at < 0 || scheme < 0 {
		return ue.Err
	}
	userinfo := raw[scheme+3 : at]
	if i := strings.Index(userinfo, ":"); i >= 0 {
		userinfo = userinfo[:i] + ":xxxxx"
	}
	return fmt.Errorf("%s: %w", raw[:scheme+3]+userinfo+raw[at:], ue.Err)
}

// openMySQL opens a connection pool for a mysql:// URL and checks that the server answers.
func openMySQL(raw string) (*sql.DB, string, error) {
	cfg, err := ParseMySQLURL(raw)
	if err != nil {
		return nil, "", err
	}
	u, _ := url.Parse(raw)
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, "", fmt.Errorf("open %s: %w", redact(u), err)
	}
	return sql.OpenDB(conn), redact(u), nil
}
