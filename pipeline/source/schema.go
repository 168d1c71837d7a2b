package source

import (
	"strings"

	"github.com/pintui/pintui/pipeline/record"
)

// The source table names of the original RDS database.
const (
	PinTable  = "pinterest_data"
	GeoTable  = "geolocation_data"
	UserTable = "user_data"
)

// sourceTables pairs each pipeline table with its source table and `SELECT *` columns.
var sourceTables = []struct {
	table   record.Table
	name    string
	columns []string
}{
	{record.TablePin, PinTable, record.RawPinColumns},
	{record.TableGeo, GeoTable, record.RawGeoColumns},
	{record.TableUser, UserTable, record.RawUserColumns},
}

// dialect holds what differs between the SQLite and MySQL stores.
type dialect struct {
	// quote is the identifier quote: `index` and `timestamp` are keywords in both.
	quote string
	// types maps a column to its declared type; SQLite keeps datetimes as text so the stored
	// bytes are exactly the posted form.
	types map[string]string
	// tableSuffix ends every CREATE TABLE.
	tableSuffix string
}

var sqliteDialect = dialect{
	quote: `"`,
	types: map[string]string{
		"index": "INTEGER PRIMARY KEY", "ind": "INTEGER PRIMARY KEY", "downloaded": "INTEGER",
		"age": "INTEGER", "latitude": "REAL", "longitude": "REAL",
	},
}

var mysqlDialect = dialect{
	quote: "`",
	types: map[string]string{
		"index": "BIGINT NOT NULL PRIMARY KEY", "ind": "BIGINT NOT NULL PRIMARY KEY",
		"unique_id": "VARCHAR(36)", "follower_count": "VARCHAR(32)", "is_image_or_video": "VARCHAR(64)",
		"downloaded": "INT", "category": "VARCHAR(64)", "timestamp": "DATETIME",
		"latitude": "DOUBLE", "longitude": "DOUBLE", "country": "VARCHAR(255)",
		"first_name": "VARCHAR(255)", "last_name": "VARCHAR(255)", "age": "INT",
		"date_joined": "DATETIME",
	},
	tableSuffix: " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
}

func (d dialect) ident(name string) string { return d.quote + name + d.quote }

// createTable returns the CREATE TABLE statement of one source table, columns in SELECT * order.
func (d dialect) createTable(name string, columns []string) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE " + d.ident(name) + " (")
	for i, c := range columns {
		if i > 0 {
			b.WriteString(", ")
		}
		typ, ok := d.types[c]
		if !ok {
			typ = "TEXT"
		}
		b.WriteString(d.ident(c) + " " + typ)
	}
	b.WriteString(")" + d.tableSuffix)
	return b.String()
}

// insert returns a multi-row INSERT of rows rows into one source table.
func (d dialect) insert(name string, columns []string, rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + d.ident(name) + " (")
	for i, c := range columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(d.ident(c))
	}
	b.WriteString(") VALUES ")
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ") + ")"
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}

// args returns the insert arguments of one row for each source table, in sourceTables order.
func (r *Row) args() [3][]any {
	p, g, u := &r.Pin, &r.Geo, &r.User
	return [3][]any{
		{p.Index, p.UniqueID, p.Title, p.Description, p.PosterName, p.FollowerCount, p.TagList,
			p.IsImageOrVideo, p.ImageSrc, p.Downloaded, p.SaveLocation, p.Category},
		{g.Ind, g.Timestamp.Format(record.DateTimeLayout), g.Latitude, g.Longitude, g.Country},
		{u.Ind, u.FirstName, u.LastName, u.Age, u.DateJoined.Format(record.DateTimeLayout)},
	}
}
