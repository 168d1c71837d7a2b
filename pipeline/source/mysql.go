package source

import (
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/pintui/pintui/config"
)

// dsnPattern is go-sql-driver's own DSN form, user:pass@tcp(host:3306)/db?param=value: an
// optional user part up to the last @, a network with its address in parentheses, then one
// database name.
var dsnPattern = regexp.MustCompile(`^(?s)(?:.*@)?(?:tcp|tcp4|tcp6|unix)\([^()]*\)/[^/?]*(?:\?.*)?$`)

// IsMySQLURL reports whether target names a MySQL (or MariaDB, or RDS) database rather than a
// SQLite file: a mysql:// URL or a go-sql-driver DSN such as user:pass@tcp(host:3306)/db.
func IsMySQLURL(target string) bool {
	return strings.HasPrefix(target, "mysql://") || dsnPattern.MatchString(target)
}

// isURL reports whether target is written as a URL, which is never a SQLite path: a URL of
// another database is refused with the forms to use.
func isURL(target string) bool { return strings.Contains(target, "://") }

// ParseMySQLURL turns `mysql://user:pass@host:3306/db?param=value` or the driver's own DSN
// `user:pass@tcp(host:3306)/db?param=value` into a driver configuration: port 3306 unless given,
// datetimes parsed into UTC time.Time values, and any query parameters passed to the driver as
// in its own DSN (`tls=true`, `timeout=5s`, …).
func ParseMySQLURL(raw string) (*mysql.Config, error) {
	shown := config.Mask(raw)
	if !isURL(raw) {
		cfg, err := mysql.ParseDSN(raw)
		if err != nil {
			return nil, fmt.Errorf("parse MySQL DSN %s: %w: write user:pass@tcp(host:3306)/db", shown, err)
		}
		cfg.ParseTime, cfg.Loc = true, time.UTC
		return cfg, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the whole input, password and all
		}
		return nil, fmt.Errorf("parse MySQL URL %s: %w: write mysql://user:pass@host:3306/db", shown, err)
	}
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

// openMySQL opens a connection pool for a mysql:// URL or DSN; the name it returns has the
// secrets masked, for error messages and logs.
func openMySQL(raw string) (*sql.DB, string, error) {
	cfg, err := ParseMySQLURL(raw)
	if err != nil {
		return nil, "", err
	}
	shown := config.Mask(raw)
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, "", fmt.Errorf("open %s: %w", shown, err)
	}
	return sql.OpenDB(conn), shown, nil
}
