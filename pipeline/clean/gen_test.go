package clean

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/pintui/pintui/pipeline/record"
)

// The tests and benchmarks draw their own raw rows so that they depend on nothing but record:
// the shapes (placeholders, follower counts, text lengths) follow the source's closely enough to
// exercise every rule at realistic rates.

var (
	genWords = strings.Fields(`home decor ideas christmas tree diy crafts easy kids art painting
		watercolor quotes life love travel beach mountain city budget finance money tips tattoo
		small minimalist beauty makeup hair skin care men fashion outfit street style vehicle car
		classic vintage event wedding party planning education learning school teacher summer`)
	genCategories = []string{"art", "beauty", "christmas", "diy-and-crafts", "education",
		"event-planning", "finance", "home-decor", "mens-fashion", "quotes", "tattoos", "travel", "vehicles"}
	genCountries = []string{"Afghanistan", "Albania", "Algeria", "American Samoa", "Andorra",
		"Angola", "Anguilla", "Antarctica (the territory South of 60 deg S)", "Bahamas",
		"Cocos (Keeling) Islands", "Côte d'Ivoire", "Zimbabwe"}
)

func genText(rnd *rand.Rand, words int) string {
	var b strings.Builder
	for i := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		w := genWords[rnd.IntN(len(genWords))]
		if i == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
	}
	return b.String()
}

func genHex(rnd *rand.Rand) string {
	return fmt.Sprintf("%016x%016x", rnd.Uint64(), rnd.Uint64())
}

// genPin draws one raw pin row with the source's shapes.
func genPin(rnd *rand.Rand, id int64) record.RawPin {
	category := genCategories[rnd.IntN(len(genCategories))]
	hex := genHex(rnd)
	p := record.RawPin{
		Index:          id,
		UniqueID:       fmt.Sprintf("%s-%s-4%s-%s-%s", hex[:8], hex[8:12], hex[13:16], hex[16:20], hex[20:32]),
		Title:          genText(rnd, 3+rnd.IntN(8)),
		Description:    genText(rnd, 8+rnd.IntN(20)),
		PosterName:     genText(rnd, 1+rnd.IntN(3)),
		IsImageOrVideo: "image",
		ImageSrc:       "https://i.pinimg.com/originals/" + hex[0:2] + "/" + hex[2:4] + "/" + hex[4:6] + "/" + hex + ".jpg",
		Downloaded:     1,
		SaveLocation:   "Local save in /data/" + category,
		Category:       category,
	}
	if rnd.IntN(3) == 0 {
		p.Description = p.Description[:min(len(p.Description), 175)] + "…\u00a0"
	}
	tags := make([]string, 9)
	for i := range tags {
		tags[i] = genText(rnd, 1+rnd.IntN(2))
	}
	p.TagList = strings.Join(tags, ",")
	switch f := rnd.IntN(100); {
	case f < 76:
		p.FollowerCount = fmt.Sprintf("%dk", 1+rnd.IntN(999))
	case f < 90:
		p.FollowerCount = fmt.Sprint(rnd.IntN(1000))
	case f < 97:
		p.FollowerCount = fmt.Sprintf("%dM", 1+rnd.IntN(15))
	default:
		p.FollowerCount = "User Info Error"
	}
	switch v := rnd.IntN(100); {
	case v < 2:
		p.Title, p.Description = "No Title Data Available", "No description available Story format"
		p.PosterName, p.FollowerCount = "User Info Error", "User Info Error"
		p.TagList, p.ImageSrc = "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e", "Image src error."
		p.IsImageOrVideo, p.Downloaded = "multi-video(story page format)", 0
	case v < 8:
		p.IsImageOrVideo, p.Description = "multi-video(story page format)", "No description available Story format"
	case v < 20:
		p.IsImageOrVideo = "video"
		p.ImageSrc = "https://i.pinimg.com/videos/thumbnails/originals/" + hex[0:2] + "/" + hex[2:4] + "/" + hex[4:6] + "/" + hex + ".0000001.jpg"
	case v < 23:
		p.ImageSrc = "Image src error."
	case v < 24:
		p.TagList = "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e"
	}
	return p
}

func genTime(rnd *rand.Rand, fromYear, years int) time.Time {
	start := time.Date(fromYear, 1, 1, 0, 0, 0, 0, time.UTC)
	return start.Add(time.Duration(rnd.Int64N(int64(years)*365*24*3600)) * time.Second)
}

// genLines draws rows raw JSON lines of table, deterministic for a seed.
func genLines(table record.Table, rows int, seed uint64) []byte {
	rnd := rand.New(rand.NewPCG(seed, 0x5eed))
	var b []byte
	for id := range int64(rows) {
		switch table {
		case record.TablePin:
			b = genPin(rnd, id).AppendJSON(b)
		case record.TableGeo:
			b = record.RawGeo{Ind: id, Timestamp: genTime(rnd, 2017, 6),
				Latitude:  float64(rnd.IntN(1800000)-900000) / 10000,
				Longitude: float64(rnd.IntN(3600000)-1800000) / 10000,
				Country:   genCountries[rnd.IntN(len(genCountries))]}.AppendJSON(b)
		case record.TableUser:
			b = record.RawUser{Ind: id, FirstName: genText(rnd, 1), LastName: genText(rnd, 1),
				Age: int64(20 + rnd.IntN(40)), DateJoined: genTime(rnd, 2015, 3)}.AppendJSON(b)
		}
		b = append(b, '\n')
	}
	return b
}
