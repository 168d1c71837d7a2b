package clean

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/pintui/pintui/pipeline/record"
)

// The clean encoders write one JSON object per row with the keys in the table's column order and the
// separators `": "` and `", "` of the documented examples (Python's json.dumps), so that
// `pintui clean` output compares byte for byte with fixtures/examples/clean_*.jsonl.

// AppendPin appends the cleaned pin as one JSON object, without a newline.
func AppendPin(b []byte, p record.CleanPin) []byte {
	b = append(b, `{"ind": `...)
	b = strconv.AppendInt(b, p.Ind, 10)
	b = appendText(b, `, "unique_id": `, p.UniqueID)
	b = appendText(b, `, "title": `, p.Title)
	b = appendText(b, `, "description": `, p.Description)
	b = append(b, `, "follower_count": `...)
	if p.FollowerCount == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(*p.FollowerCount), 10)
	}
	b = appendText(b, `, "poster_name": `, p.PosterName)
	b = appendText(b, `, "tag_list": `, p.TagList)
	b = appendText(b, `, "is_image_or_video": `, p.IsImageOrVideo)
	b = appendText(b, `, "image_src": `, p.ImageSrc)
	b = appendText(b, `, "save_location": `, p.SaveLocation)
	b = appendText(b, `, "category": `, p.Category)
	return append(b, '}')
}

// AppendGeo appends the cleaned geolocation as one JSON object, without a newline.
func AppendGeo(b []byte, g record.CleanGeo) []byte {
	b = append(b, `{"ind": `...)
	b = strconv.AppendInt(b, g.Ind, 10)
	b = appendText(b, `, "country": `, g.Country)
	b = append(b, `, "coordinates": `...)
	if g.Coordinates == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, x := range g.Coordinates {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = record.AppendPythonFloat(b, x)
		}
		b = append(b, ']')
	}
	b = appendTime(b, `, "timestamp": `, g.Timestamp)
	return append(b, '}')
}

// AppendUser appends the cleaned user as one JSON object, without a newline.
func AppendUser(b []byte, u record.CleanUser) []byte {
	b = append(b, `{"ind": `...)
	b = strconv.AppendInt(b, u.Ind, 10)
	b = appendText(b, `, "user_name": `, u.UserName)
	b = append(b, `, "age": `...)
	if u.Age == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, *u.Age, 10)
	}
	b = appendTime(b, `, "date_joined": `, u.DateJoined)
	return append(b, '}')
}

func appendText(b []byte, key string, s *string) []byte {
	b = append(b, key...)
	if s == nil {
		return append(b, "null"...)
	}
	return appendJSONString(b, *s)
}

// appendJSONString appends s as a JSON string exactly as record.AppendJSONString does, eight
// bytes at a time for the common string that needs no escape.
func appendJSONString(b []byte, s string) []byte {
	var high uint64
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if special(w) != 0 {
			return record.AppendJSONString(b, s)
		}
		high |= w
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			return record.AppendJSONString(b, s)
		}
		high |= uint64(s[i])
	}
	if high&msb != 0 && !utf8.ValidString(s) {
		return record.AppendJSONString(b, s)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendTime(b []byte, key string, t *time.Time) []byte {
	b = append(b, key...)
	if t == nil {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = appendDateTime(b, *t)
	return append(b, '"')
}
