package source

import (
	"time"

	"github.com/pintui/pintui/pipeline/record"
)

// The rows that READMEs of the original pipeline print, because they are early draws of seed
// 100: 7528 (the first draw, an all-error pin) and 10794 (the eighth). 3089 is 7528's user again.
// Planting them makes the default database replay the documented examples exactly.
var (
	abigailAli = user{first: "Abigail", last: "Ali", age: 20,
		joined: time.Date(2015, 10, 24, 11, 23, 51, 0, time.UTC), poster: UserInfoError,
		followers: UserInfoError, country: "Albania", lat: -89.9787, lon: -173.293, allError: true}
	thomasTurner = user{first: "Thomas", last: "Turner", age: 34,
		joined: time.Date(2016, 12, 22, 0, 2, 2, 0, time.UTC), poster: "Ray Uyemura",
		followers: "437", country: "Cocos (Keeling) Islands", lat: -89.5236, lon: -154.567}
)

// documented holds what the generated row must become for each documented id.
var documented = map[int64]struct {
	user  *user
	plant func(*Row)
}{
	7528: {&abigailAli, func(r *Row) {
		r.Pin.UniqueID = "fbe53c66-3442-4773-b19e-d3ec6f54dddf"
		setCategory(&r.Pin, "mens-fashion")
		r.Geo.Timestamp = time.Date(2020, 8, 28, 3, 52, 47, 0, time.UTC)
	}},
	3089: {&abigailAli, func(r *Row) { setCategory(&r.Pin, "diy-and-crafts") }},
	10794: {&thomasTurner, func(r *Row) {
		r.Pin = record.RawPin{Index: r.Pin.Index, UniqueID: "c4bd2577-a7bb-4409-bb7a-17d5ed7e1cf1",
			Title: "TireBuyer", Description: "Nissan GT-R. Sick.", PosterName: "Ray Uyemura",
			FollowerCount: "437", TagList: "Lowrider,Old Vintage Cars,Antique Cars,Austin Martin,Nissan Gtr Black,Jaguar,1959 Cadillac,Cadillac Ct6,Old School Cars",
			IsImageOrVideo: KindImage, ImageSrc: "https://i.pinimg.com/originals/0d/29/9f/0d299f3df020395aa7ce8387f40fbeed.jpg",
			Downloaded: 1}
		setCategory(&r.Pin, "vehicles")
		r.Geo.Timestamp = time.Date(2022, 1, 1, 2, 26, 50, 0, time.UTC)
	}},
}

func setCategory(p *record.RawPin, category string) {
	p.Category, p.SaveLocation = category, "Local save in /data/"+category
}

// plantDocumented gives the documented ids their documented users when the database is large
// enough to hold them all, and reports whether it did.
func (g *Generator) plantDocumented() bool {
	for id := range documented {
		if id >= int64(len(g.owner)) {
			return false
		}
	}
	index := map[*user]int32{}
	for _, u := range []*user{&abigailAli, &thomasTurner} {
		index[u] = int32(len(g.users))
		g.users = append(g.users, *u)
	}
	for id, d := range documented {
		g.owner[id] = index[d.user]
	}
	return true
}
