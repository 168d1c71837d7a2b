package analytics

import (
	"strings"

	"github.com/pintui/pintui/pipeline/record"
)

// Pins, Geos and Users hold what the nine questions read of the cleaned tables: a row's ind,
// the values the questions group by (each text value once, by number) and its follower count,
// about 24 bytes a row. The batch job adds each row as it is cleaned and lets the row go, so
// the analytics of a million landings cost tens of megabytes instead of the rows themselves.
// The three are independent, so each table's rows may be added on a goroutine of its own.
type Pins struct {
	rows []pinRow
	text interner
}

// Geos holds what the questions read of the cleaned geolocation rows; see Pins.
type Geos struct {
	rows []geoRow
	text interner
}

// Users holds what the questions read of the cleaned user rows; see Pins.
type Users struct {
	rows []userRow
}

// text is a text value by number in its table's interner; noText stands for a null.
type text uint32

const noText text = 0

// interner numbers each distinct text value from 1, keeping one copy of it.
type interner struct {
	ids    map[string]text
	values []string
}

// id returns the number of *s, noText for nil; a value met for the first time is copied, so s
// may alias a buffer the caller reuses.
func (in *interner) id(s *string) text {
	if s == nil {
		return noText
	}
	if id, ok := in.ids[*s]; ok {
		return id
	}
	if in.ids == nil {
		in.ids = map[string]text{}
		in.values = []string{""}
	}
	v := strings.Clone(*s)
	id := text(len(in.values))
	in.values = append(in.values, v)
	in.ids[v] = id
	return id
}

// value returns the text numbered id; id is never noText.
func (in *interner) value(id text) string { return in.values[id] }

type pinRow struct {
	ind          int64
	followers    int32
	hasFollowers bool
	category     text
	poster       text
}

type geoRow struct {
	ind     int64
	country text
	// postYear is the UTC year of the timestamp when it is within 2018–2022, else 0 (a null
	// timestamp too): every question that reads the year keeps only those years.
	postYear int32
}

type userRow struct {
	ind int64
	// joinYear is the UTC year of date_joined when it is within 2015–2020, else 0.
	joinYear int32
	// ageGroup is the age's group by number in ageGroups, noAgeGroup for none.
	ageGroup uint8
}

// Add keeps what the questions read of one cleaned pin; p is not kept.
func (t *Pins) Add(p *record.CleanPin) {
	r := pinRow{ind: p.Ind, category: t.text.id(p.Category), poster: t.text.id(p.PosterName)}
	if p.FollowerCount != nil {
		r.followers, r.hasFollowers = *p.FollowerCount, true
	}
	t.rows = append(t.rows, r)
}

// Add keeps what the questions read of one cleaned geolocation; g is not kept.
func (t *Geos) Add(g *record.CleanGeo) {
	r := geoRow{ind: g.Ind, country: t.text.id(g.Country)}
	if g.Timestamp != nil {
		if y := year(g.Timestamp); y >= firstPostYear && y <= lastPostYear {
			r.postYear = y
		}
	}
	t.rows = append(t.rows, r)
}

// Add keeps what the questions read of one cleaned user; u is not kept.
func (t *Users) Add(u *record.CleanUser) {
	r := userRow{ind: u.Ind, ageGroup: ageGroupOf(u.Age)}
	if u.DateJoined != nil {
		if y := year(u.DateJoined); y >= firstJoinYear && y <= lastJoinYear {
			r.joinYear = y
		}
	}
	t.rows = append(t.rows, r)
}
