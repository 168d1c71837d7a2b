// Package record holds the pipeline's record types: the raw rows of the source database as the
// emulators post them, and the cleaned rows the batch and stream jobs write to Delta tables.
// Every other pipeline package speaks in these types.
package record

import "time"

// Table names one of the three record kinds that travel the pipeline together.
type Table string

// The three tables, named as in topic and table names (`<uid>.pin`, `<uid>_pin_batch`).
const (
	TablePin  Table = "pin"
	TableGeo  Table = "geo"
	TableUser Table = "user"
)

// Tables lists the three record kinds in the order the emulators post them.
var Tables = []Table{TablePin, TableGeo, TableUser}

// DateTimeLayout is how datetimes are written when records are posted and printed.
const DateTimeLayout = "2006-01-02 15:04:05"

// RawPin is one row of `pinterest_data`, fields in `SELECT *` order.
type RawPin struct {
	Index          int64
	UniqueID       string
	Title          string
	Description    string
	PosterName     string
	FollowerCount  string
	TagList        string
	IsImageOrVideo string
	ImageSrc       string
	Downloaded     int64
	SaveLocation   string
	Category       string
}

// RawGeo is one row of `geolocation_data`, fields in `SELECT *` order.
type RawGeo struct {
	Ind       int64
	Timestamp time.Time
	Latitude  float64
	Longitude float64
	Country   string
}

// RawUser is one row of `user_data`, fields in `SELECT *` order.
type RawUser struct {
	Ind        int64
	FirstName  string
	LastName   string
	Age        int64
	DateJoined time.Time
}

// RawPinColumns are the source columns of `pinterest_data` in `SELECT *` order.
var RawPinColumns = []string{"index", "unique_id", "title", "description", "poster_name",
	"follower_count", "tag_list", "is_image_or_video", "image_src", "downloaded",
	"save_location", "category"}

// RawGeoColumns are the source columns of `geolocation_data` in `SELECT *` order.
var RawGeoColumns = []string{"ind", "timestamp", "latitude", "longitude", "country"}

// RawUserColumns are the source columns of `user_data` in `SELECT *` order.
var RawUserColumns = []string{"ind", "first_name", "last_name", "age", "date_joined"}

// CleanPin is a cleaned pin row. A nil pointer is a SQL null.
type CleanPin struct {
	Ind            int64   `parquet:"ind" json:"ind"`
	UniqueID       *string `parquet:"unique_id,optional" json:"unique_id"`
	Title          *string `parquet:"title,optional" json:"title"`
	Description    *string `parquet:"description,optional" json:"description"`
	FollowerCount  *int32  `parquet:"follower_count,optional" json:"follower_count"`
	PosterName     *string `parquet:"poster_name,optional" json:"poster_name"`
	TagList        *string `parquet:"tag_list,optional" json:"tag_list"`
	IsImageOrVideo *string `parquet:"is_image_or_video,optional" json:"is_image_or_video"`
	ImageSrc       *string `parquet:"image_src,optional" json:"image_src"`
	SaveLocation   *string `parquet:"save_location,optional" json:"save_location"`
	Category       *string `parquet:"category,optional" json:"category"`
}

// CleanGeo is a cleaned geolocation row. Coordinates is [latitude, longitude], or nil.
type CleanGeo struct {
	Ind         int64      `parquet:"ind" json:"ind"`
	Country     *string    `parquet:"country,optional" json:"country"`
	Coordinates []float64  `parquet:"coordinates,optional,list" json:"coordinates"`
	Timestamp   *time.Time `parquet:"timestamp,optional,timestamp(microsecond)" json:"timestamp"`
}

// CleanUser is a cleaned user row.
type CleanUser struct {
	Ind        int64      `parquet:"ind" json:"ind"`
	UserName   *string    `parquet:"user_name,optional" json:"user_name"`
	Age        *int64     `parquet:"age,optional" json:"age"`
	DateJoined *time.Time `parquet:"date_joined,optional,timestamp(microsecond)" json:"date_joined"`
}

// Field is one column of a cleaned table with its Spark type name.
type Field struct {
	Name string
	// Type is the Spark SQL type: long, integer, string, double, timestamp or array<double>.
	Type string
}

// CleanPinFields are the columns of the cleaned pin table in the documented order.
var CleanPinFields = []Field{{"ind", "long"}, {"unique_id", "string"}, {"title", "string"},
	{"description", "string"}, {"follower_count", "integer"}, {"poster_name", "string"},
	{"tag_list", "string"}, {"is_image_or_video", "string"}, {"image_src", "string"},
	{"save_location", "string"}, {"category", "string"}}

// CleanGeoFields are the columns of the cleaned geo table in the documented order.
var CleanGeoFields = []Field{{"ind", "long"}, {"country", "string"},
	{"coordinates", "array<double>"}, {"timestamp", "timestamp"}}

// CleanUserFields are the columns of the cleaned user table in the documented order.
var CleanUserFields = []Field{{"ind", "long"}, {"user_name", "string"}, {"age", "long"},
	{"date_joined", "timestamp"}}
