package record

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// The raw encoders write compact JSON (as the Kafka JSON converter lands it in S3) with the keys
// in `SELECT *` order, datetimes in DateTimeLayout and floats the way Python's json module prints
// them, so a landed object is what the original pipeline would have stored for the same row.

// AppendJSON appends the pin as one JSON object; the id keeps the source key `index`.
func (p RawPin) AppendJSON(b []byte) []byte {
	b = append(b, `{"index":`...)
	b = strconv.AppendInt(b, p.Index, 10)
	b = appendStringField(b, "unique_id", p.UniqueID)
	b = appendStringField(b, "title", p.Title)
	b = appendStringField(b, "description", p.Description)
	b = appendStringField(b, "poster_name", p.PosterName)
	b = appendStringField(b, "follower_count", p.FollowerCount)
	b = appendStringField(b, "tag_list", p.TagList)
	b = appendStringField(b, "is_image_or_video", p.IsImageOrVideo)
	b = appendStringField(b, "image_src", p.ImageSrc)
	b = append(b, `,"downloaded":`...)
	b = strconv.AppendInt(b, p.Downloaded, 10)
	b = appendStringField(b, "save_location", p.SaveLocation)
	b = appendStringField(b, "category", p.Category)
	return append(b, '}')
}

// AppendJSON appends the geolocation as one JSON object.
func (g RawGeo) AppendJSON(b []byte) []byte {
	b = append(b, `{"ind":`...)
	b = strconv.AppendInt(b, g.Ind, 10)
	b = append(b, `,"timestamp":`...)
	b = appendDateTime(b, g.Timestamp)
	b = append(b, `,"latitude":`...)
	b = AppendPythonFloat(b, g.Latitude)
	b = append(b, `,"longitude":`...)
	b = AppendPythonFloat(b, g.Longitude)
	b = appendStringField(b, "country", g.Country)
	return append(b, '}')
}

// AppendJSON appends the user as one JSON object.
func (u RawUser) AppendJSON(b []byte) []byte {
	b = append(b, `{"ind":`...)
	b = strconv.AppendInt(b, u.Ind, 10)
	b = appendStringField(b, "first_name", u.FirstName)
	b = appendStringField(b, "last_name", u.LastName)
	b = append(b, `,"age":`...)
	b = strconv.AppendInt(b, u.Age, 10)
	b = append(b, `,"date_joined":`...)
	b = appendDateTime(b, u.DateJoined)
	return append(b, '}')
}

// MarshalJSON lets encoding/json embed the pin (in a REST Proxy envelope, say) in its raw form.
func (p RawPin) MarshalJSON() ([]byte, error) { return p.AppendJSON(nil), nil }

// MarshalJSON lets encoding/json embed the geolocation in its raw form.
func (g RawGeo) MarshalJSON() ([]byte, error) { return g.AppendJSON(nil), nil }

// MarshalJSON lets encoding/json embed the user in its raw form.
func (u RawUser) MarshalJSON() ([]byte, error) { return u.AppendJSON(nil), nil }

// AppendPythonFloat appends f as Python's json.dumps prints it: the shortest text that reads
// back to the same double, always with a fraction or an exponent (`-50.0`, `1e-05`). NaN and
// infinities, which JSON cannot carry, become null.
func AppendPythonFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-4 || abs >= 1e16) {
		return strconv.AppendFloat(b, f, 'e', -1, 64)
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, 'f', -1, 64)
	for _, c := range b[start:] {
		if c == '.' {
			return b
		}
	}
	return append(b, ".0"...)
}

func appendDateTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, DateTimeLayout)
	return append(b, '"')
}

func appendStringField(b []byte, key, value string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return AppendJSONString(b, value)
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string. Non-ASCII text stays UTF-8 (a description's
// trailing no-break space lands as the two bytes C2 A0, not `\u00a0`); only quotes, backslashes
// and control characters are escaped, and invalid UTF-8 becomes U+FFFD so the output is always
// valid JSON.
func AppendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, "\ufffd"...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
