package source

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/record"
)

// rows is generated once for the whole package: 11,001 default rows take a few milliseconds.
var rows = Generate(DefaultRows, DefaultSeed)

// share returns the fraction of rows for which keep is true.
func share(keep func(Row) bool) float64 {
	n := 0
	for _, r := range rows {
		if keep(r) {
			n++
		}
	}
	return float64(n) / float64(len(rows))
}

func within(t *testing.T, what string, got, lo, hi float64) {
	t.Helper()
	if got < lo || got > hi {
		t.Errorf("%s: share %.4f, want between %.3f and %.3f", what, got, lo, hi)
	}
}

func TestGenerateIDsContiguous(t *testing.T) {
	if len(rows) != DefaultRows {
		t.Fatalf("got %d rows, want %d", len(rows), DefaultRows)
	}
	for i, r := range rows {
		if r.Pin.Index != int64(i) || r.Geo.Ind != int64(i) || r.User.Ind != int64(i) {
			t.Fatalf("row %d has ids %d/%d/%d", i, r.Pin.Index, r.Geo.Ind, r.User.Ind)
		}
	}
}

func TestGenerateDeterministic(t *testing.T) {
	again := Generate(DefaultRows, DefaultSeed)
	if !reflect.DeepEqual(rows, again) {
		t.Fatal("the same seed gave different rows")
	}
	other := Generate(DefaultRows, DefaultSeed+1)
	same := 0
	for i := range rows {
		if _, ok := documented[int64(i)]; !ok && rows[i].Pin.UniqueID == other[i].Pin.UniqueID {
			same++
		}
	}
	if same != 0 {
		t.Errorf("seeds %d and %d share %d unique ids", DefaultSeed, DefaultSeed+1, same)
	}
}

func TestGenerateUsers(t *testing.T) {
	type identity struct {
		first, last string
		age         int64
		joined      time.Time
	}
	type profile struct {
		poster, followers, country string
		lat, lon                   float64
	}
	seen := map[identity]profile{}
	for _, r := range rows {
		id := identity{r.User.FirstName, r.User.LastName, r.User.Age, r.User.DateJoined}
		p := profile{r.Pin.PosterName, r.Pin.FollowerCount, r.Geo.Country, r.Geo.Latitude, r.Geo.Longitude}
		if prev, ok := seen[id]; ok && prev != p {
			t.Fatalf("user %v has two profiles: %v and %v", id, prev, p)
		}
		seen[id] = p
	}
	if n := len(seen); n < 4500 || n > 5500 {
		t.Errorf("%d distinct users, want about 5,000", n)
	}
}

func TestGenerateFollowerShapes(t *testing.T) {
	k := regexp.MustCompile(`^[1-9][0-9]{0,2}k$`)
	m := regexp.MustCompile(`^([1-9]|1[0-5])M$`)
	digits := regexp.MustCompile(`^(0|[1-9][0-9]{0,2})$`)
	within(t, "<n>k", share(func(r Row) bool { return k.MatchString(r.Pin.FollowerCount) }), 0.72, 0.80)
	within(t, "digits", share(func(r Row) bool { return digits.MatchString(r.Pin.FollowerCount) }), 0.11, 0.17)
	within(t, "<n>M", share(func(r Row) bool { return m.MatchString(r.Pin.FollowerCount) }), 0.05, 0.09)
	within(t, UserInfoError, share(func(r Row) bool { return r.Pin.FollowerCount == UserInfoError }), 0.03, 0.05)
	if share(func(r Row) bool { return r.Pin.FollowerCount == "15M" }) == 0 {
		t.Error("no poster reaches 15M followers")
	}
}

func allError(r Row) bool {
	p := r.Pin
	return p.Title == NoTitle && p.Description == NoDescription && p.PosterName == UserInfoError &&
		p.FollowerCount == UserInfoError && p.TagList == NoTags && p.IsImageOrVideo == KindMultiVideo &&
		p.ImageSrc == ImageSrcError
}

func TestGeneratePlaceholders(t *testing.T) {
	within(t, "all-error rows", share(allError), 0.01, 0.02)
	within(t, ImageSrcError, share(func(r Row) bool { return r.Pin.ImageSrc == ImageSrcError }), 0.03, 0.04)
	within(t, "tag placeholder alone", share(func(r Row) bool { return r.Pin.TagList == NoTags && !allError(r) }), 0.001, 0.01)
	for _, r := range rows {
		p := r.Pin
		if (p.Downloaded == 0) != allError(r) {
			t.Fatalf("row %d: downloaded=%d but all-error=%v", p.Index, p.Downloaded, allError(r))
		}
		if p.IsImageOrVideo == KindMultiVideo && p.Description != NoDescription {
			t.Fatalf("multi-video row %d has description %q", p.Index, p.Description)
		}
		if p.IsImageOrVideo != KindMultiVideo && p.Description == NoDescription {
			t.Fatalf("%s row %d has the story-format description", p.IsImageOrVideo, p.Index)
		}
		if p.Title == NoTitle && !allError(r) {
			t.Fatalf("row %d has %q without being an all-error row", p.Index, NoTitle)
		}
	}
}

func TestGeneratePinShapes(t *testing.T) {
	image := regexp.MustCompile(`^https://i\.pinimg\.com/originals/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{32})\.(jpg|png)$`)
	video := regexp.MustCompile(`^https://i\.pinimg\.com/videos/thumbnails/originals/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{32})\.0000001\.jpg$`)
	uuid4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	tag := regexp.MustCompile(`^[A-Z0-9{][^,]*$`)
	var categories []string
	for _, c := range categoryWeights {
		categories = append(categories, c.name)
	}
	for _, r := range rows {
		p := r.Pin
		if !slices.Contains(categories, p.Category) || p.SaveLocation != "Local save in /data/"+p.Category {
			t.Fatalf("row %d: category %q, save_location %q", p.Index, p.Category, p.SaveLocation)
		}
		if !uuid4.MatchString(p.UniqueID) {
			t.Fatalf("row %d: unique_id %q is not a uuid4", p.Index, p.UniqueID)
		}
		url := image
		switch p.IsImageOrVideo {
		case KindImage:
		case KindVideo, KindMultiVideo:
			url = video
		default:
			t.Fatalf("row %d: is_image_or_video %q", p.Index, p.IsImageOrVideo)
		}
		if p.ImageSrc != ImageSrcError {
			m := url.FindStringSubmatch(p.ImageSrc)
			if m == nil || m[1]+m[2]+m[3] != m[4][:6] {
				t.Fatalf("row %d (%s): image_src %q", p.Index, p.IsImageOrVideo, p.ImageSrc)
			}
		} else if p.IsImageOrVideo != KindMultiVideo {
			t.Fatalf("row %d: %s row with %q", p.Index, p.IsImageOrVideo, ImageSrcError)
		}
		if p.TagList != NoTags {
			tags := strings.Split(p.TagList, ",")
			if len(tags) != 9 {
				t.Fatalf("row %d: %d tags in %q", p.Index, len(tags), p.TagList)
			}
			for _, x := range tags {
				if !tag.MatchString(x) || strings.HasPrefix(x, " ") || strings.Contains(x, " "+strings.ToLower(x[:1])) {
					t.Fatalf("row %d: tag %q of %q is not title-cased", p.Index, x, p.TagList)
				}
			}
		}
	}
	counts := map[string]int{}
	for _, r := range rows {
		counts[r.Pin.Category]++
	}
	if len(counts) != 13 {
		t.Errorf("%d categories used, want 13", len(counts))
	}
	within(t, "png images", share(func(r Row) bool { return strings.HasSuffix(r.Pin.ImageSrc, ".png") }), 0.10, 0.20)
	within(t, "descriptions cut with …\\u00a0", share(func(r Row) bool { return strings.HasSuffix(r.Pin.Description, "…\u00a0") }), 0.05, 0.2)
}

func TestGenerateGeoAndUser(t *testing.T) {
	index := map[string]int{}
	for i, c := range countries {
		index[c] = i
	}
	if len(countries) != 243 {
		t.Fatalf("%d countries embedded, want 243", len(countries))
	}
	for _, r := range rows {
		if _, ok := index[r.Geo.Country]; !ok {
			t.Fatalf("row %d: unknown country %q", r.Geo.Ind, r.Geo.Country)
		}
		if y := r.Geo.Timestamp.Year(); y < 2017 || y > 2022 {
			t.Fatalf("row %d: geo timestamp %v", r.Geo.Ind, r.Geo.Timestamp)
		}
		if y := r.User.DateJoined.Year(); y < 2015 || y > 2017 {
			t.Fatalf("row %d: date_joined %v", r.User.Ind, r.User.DateJoined)
		}
		if r.Geo.Timestamp.Nanosecond() != 0 || r.User.DateJoined.Nanosecond() != 0 {
			t.Fatalf("row %d: datetimes carry fractions of a second", r.Geo.Ind)
		}
		if a := r.User.Age; a < 20 || a > 59 {
			t.Fatalf("row %d: age %d", r.User.Ind, a)
		}
		if lat, lon := r.Geo.Latitude, r.Geo.Longitude; lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			t.Fatalf("row %d: coordinates %v, %v", r.Geo.Ind, lat, lon)
		}
	}
	within(t, "countries in the first tenth of the alphabet", share(func(r Row) bool { return index[r.Geo.Country] < 24 }), 0.5, 0.8)
	within(t, "negative latitudes", share(func(r Row) bool { return r.Geo.Latitude < 0 }), 0.75, 0.9)
	within(t, "age 20", share(func(r Row) bool { return r.User.Age == 20 }), 0.2, 0.3)
	ages := map[int64]int{}
	for _, r := range rows {
		ages[r.User.Age]++
	}
	for a, n := range ages {
		if a != 20 && n >= ages[20] {
			t.Errorf("age %d (%d rows) is as common as age 20 (%d rows)", a, n, ages[20])
		}
	}
}

// TestGenerateDocumented checks that the documented draws of the original emulator come out of
// the default database exactly as the READMEs print them (compacted).
func TestGenerateDocumented(t *testing.T) {
	want := map[int64][3]string{
		7528: {
			`{"index":7528,"unique_id":"fbe53c66-3442-4773-b19e-d3ec6f54dddf","title":"No Title Data Available","description":"No description available Story format","poster_name":"User Info Error","follower_count":"User Info Error","tag_list":"N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e","is_image_or_video":"multi-video(story page format)","image_src":"Image src error.","downloaded":0,"save_location":"Local save in /data/mens-fashion","category":"mens-fashion"}`,
			`{"ind":7528,"timestamp":"2020-08-28 03:52:47","latitude":-89.9787,"longitude":-173.293,"country":"Albania"}`,
			`{"ind":7528,"first_name":"Abigail","last_name":"Ali","age":20,"date_joined":"2015-10-24 11:23:51"}`,
		},
		10794: {
			`{"index":10794,"unique_id":"c4bd2577-a7bb-4409-bb7a-17d5ed7e1cf1","title":"TireBuyer","description":"Nissan GT-R. Sick.","poster_name":"Ray Uyemura","follower_count":"437","tag_list":"Lowrider,Old Vintage Cars,Antique Cars,Austin Martin,Nissan Gtr Black,Jaguar,1959 Cadillac,Cadillac Ct6,Old School Cars","is_image_or_video":"image","image_src":"https://i.pinimg.com/originals/0d/29/9f/0d299f3df020395aa7ce8387f40fbeed.jpg","downloaded":1,"save_location":"Local save in /data/vehicles","category":"vehicles"}`,
			`{"ind":10794,"timestamp":"2022-01-01 02:26:50","latitude":-89.5236,"longitude":-154.567,"country":"Cocos (Keeling) Islands"}`,
			`{"ind":10794,"first_name":"Thomas","last_name":"Turner","age":34,"date_joined":"2016-12-22 00:02:02"}`,
		},
	}
	for id, w := range want {
		r := rows[id]
		got := [3]string{string(r.Pin.AppendJSON(nil)), string(r.Geo.AppendJSON(nil)), string(r.User.AppendJSON(nil))}
		if got != w {
			t.Errorf("row %d:\n got %q\nwant %q", id, got, w)
		}
	}
	if r := rows[3089]; !allError(r) || r.User != (record.RawUser{Ind: 3089, FirstName: "Abigail", LastName: "Ali", Age: 20, DateJoined: rows[7528].User.DateJoined}) {
		t.Errorf("row 3089 is not Abigail Ali's all-error pin: %+v", r)
	}
}

func TestGenerateSmall(t *testing.T) {
	for _, n := range []int{0, 1, 7} {
		got := Generate(n, 1)
		if len(got) != max(n, 1) {
			t.Errorf("Generate(%d) gave %d rows", n, len(got))
		}
	}
}
