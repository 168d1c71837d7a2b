package analytics

import (
	"cmp"
	"iter"
	"slices"
	"time"
)

// Year ranges of the questions, inclusive.
const (
	firstPostYear = 2018
	lastPostYear  = 2022
	firstJoinYear = 2015
	lastJoinYear  = 2020
)

// Age groups of the questions, by number from 1; noAgeGroup is an age in none. Ages under 18
// belong to no group: the source never has them, and putting them under `+50` (as one original
// implementation did) would be wrong.
var ageGroups = [...]string{1: "18-24", 2: "25-35", 3: "36-50", 4: "+50"}

const noAgeGroup uint8 = 0

// ageGroupOf returns the number of the group of an age, noAgeGroup for a null age or one under 18.
func ageGroupOf(age *int64) uint8 {
	switch {
	case age == nil || *age < 18:
		return noAgeGroup
	case *age <= 24:
		return 1
	case *age <= 35:
		return 2
	case *age <= 50:
		return 3
	default:
		return 4
	}
}

// year returns the calendar year of a timestamp in UTC, the zone the tables store.
func year(t *time.Time) int32 { return int32(t.UTC().Year()) }

// tables are the three tables sorted by ind, for the inner joins.
type tables struct {
	pins  *Pins
	geos  *Geos
	users *Users
}

func sortTables(pins *Pins, geos *Geos, users *Users) tables {
	slices.SortFunc(pins.rows, func(a, b pinRow) int { return cmp.Compare(a.ind, b.ind) })
	slices.SortFunc(geos.rows, func(a, b geoRow) int { return cmp.Compare(a.ind, b.ind) })
	slices.SortFunc(users.rows, func(a, b userRow) int { return cmp.Compare(a.ind, b.ind) })
	return tables{pins, geos, users}
}

// joinOn yields the rows of pins ⋈ other on ind, both sorted by ind: each pin with every row of
// other that has its ind, once per copy on either side, as in SQL.
func joinOn[R any](pins []pinRow, other []R, ind func(*R) int64) iter.Seq2[*pinRow, *R] {
	return func(yield func(*pinRow, *R) bool) {
		j := 0
		for i := range pins {
			p := &pins[i]
			for j < len(other) && ind(&other[j]) < p.ind {
				j++
			}
			for k := j; k < len(other) && ind(&other[k]) == p.ind; k++ {
				if !yield(p, &other[k]) {
					return
				}
			}
		}
	}
}

// pinGeo yields the rows of pin ⋈ geo on ind.
func (t tables) pinGeo() iter.Seq2[*pinRow, *geoRow] {
	return joinOn(t.pins.rows, t.geos.rows, func(g *geoRow) int64 { return g.ind })
}

// pinUser yields the rows of pin ⋈ user on ind.
func (t tables) pinUser() iter.Seq2[*pinRow, *userRow] {
	return joinOn(t.pins.rows, t.users.rows, func(u *userRow) int64 { return u.ind })
}

// categoryCounts counts posts per group and category (by its number among the pins' text).
type categoryCounts[K comparable] map[K]map[text]int64

func (c categoryCounts[K]) add(group K, category text) {
	if c[group] == nil {
		c[group] = map[text]int64{}
	}
	c[group][category]++
}

// mostPopular returns, per group, every category whose count is the group's highest, as rows
// (group, category, count): rank() = 1 with ties kept.
func mostPopular[K comparable](t tables, counts categoryCounts[K], cell func(K) any) [][]any {
	var rows [][]any
	for group, byCategory := range counts {
		var top int64
		for _, n := range byCategory {
			top = max(top, n)
		}
		for category, n := range byCategory {
			if n == top {
				rows = append(rows, []any{cell(group), t.pins.text.value(category), n})
			}
		}
	}
	return rows
}

func identity[K any](k K) any { return k }

func ageGroupName(group uint8) any { return ageGroups[group] }

func categoryByCountry(t tables) [][]any {
	counts := categoryCounts[text]{}
	for p, g := range t.pinGeo() {
		if p.category != noText && g.country != noText {
			counts.add(g.country, p.category)
		}
	}
	return mostPopular(t, counts, func(country text) any { return t.geos.text.value(country) })
}

func categoryByYear(t tables) [][]any {
	counts := categoryCounts[int32]{}
	for p, g := range t.pinGeo() {
		if p.category != noText && g.postYear != 0 {
			counts.add(g.postYear, p.category)
		}
	}
	return mostPopular(t, counts, identity)
}

func categoryByAgeGroup(t tables) [][]any {
	counts := categoryCounts[uint8]{}
	for p, u := range t.pinUser() {
		if u.ageGroup != noAgeGroup && p.category != noText {
			counts.add(u.ageGroup, p.category)
		}
	}
	return mostPopular(t, counts, ageGroupName)
}

// poster is one distinct (country, poster_name, follower_count) triple: the same poster is on
// many pins and must count once.
type poster struct {
	country   text
	name      text
	followers int32
}

// topUserByCountry keeps, per country, the posters with the most followers. Pins with a null
// country, poster_name or follower_count take no part, so a country whose only poster is
// unknown has no row.
func topUserByCountry(t tables) [][]any {
	top := map[text]int32{}
	posters := map[poster]bool{}
	for p, g := range t.pinGeo() {
		if g.country == noText || p.poster == noText || !p.hasFollowers {
			continue
		}
		posters[poster{g.country, p.poster, p.followers}] = true
		if n, seen := top[g.country]; !seen || p.followers > n {
			top[g.country] = p.followers
		}
	}
	var rows [][]any
	for x := range posters {
		if x.followers == top[x.country] {
			rows = append(rows, []any{t.geos.text.value(x.country), t.pins.text.value(x.name), x.followers})
		}
	}
	return rows
}

// topCountry keeps the countries of top_user_by_country whose top poster has the most
// followers overall. A country with two tied top posters is listed once.
func topCountry(t tables) [][]any {
	users := topUserByCountry(t)
	if len(users) == 0 {
		return nil
	}
	most := slices.MaxFunc(users, func(a, b []any) int { return cmp.Compare(a[2].(int32), b[2].(int32)) })[2]
	seen := map[string]bool{}
	var rows [][]any
	for _, u := range users {
		country := u[0].(string)
		if u[2] == most && !seen[country] {
			seen[country] = true
			rows = append(rows, []any{country, most})
		}
	}
	return rows
}

// usersJoinedByYear counts user rows (not distinct users) per joining year, as the original
// task's count did; rows with a null date_joined are not counted.
func usersJoinedByYear(t tables) [][]any {
	counts := map[int32]int64{}
	for _, u := range t.users.rows {
		if u.joinYear != 0 {
			counts[u.joinYear]++
		}
	}
	rows := make([][]any, 0, len(counts))
	for y, n := range counts {
		rows = append(rows, []any{y, n})
	}
	return rows
}

// followerSamples collects the non-null follower counts of each group; a group seen only with
// null counts is present with no samples, so it keeps its row with a null median.
type followerSamples[K comparable] map[K][]int32

func (s followerSamples[K]) add(group K, p *pinRow) {
	if !p.hasFollowers {
		if _, ok := s[group]; !ok {
			s[group] = nil
		}
		return
	}
	s[group] = append(s[group], p.followers)
}

// medians returns one row per group: the group's cells followed by its lower median.
func medians[K comparable](samples followerSamples[K], cells func(K) []any) [][]any {
	rows := make([][]any, 0, len(samples))
	for group, values := range samples {
		var median any
		if m, ok := lowerMedian(values); ok {
			median = m
		}
		rows = append(rows, append(cells(group), median))
	}
	return rows
}

// lowerMedian returns the element at position ⌈n/2⌉ of the ascending values, or false when
// there are none. It sorts values in place.
func lowerMedian(values []int32) (int32, bool) {
	if len(values) == 0 {
		return 0, false
	}
	slices.Sort(values)
	return values[(len(values)-1)/2], true
}

func medianFollowersByAgeGroup(t tables) [][]any {
	samples := followerSamples[uint8]{}
	for p, u := range t.pinUser() {
		if u.ageGroup != noAgeGroup {
			samples.add(u.ageGroup, p)
		}
	}
	return medians(samples, func(group uint8) []any { return []any{ageGroups[group]} })
}

func medianFollowersByJoinYear(t tables) [][]any {
	samples := followerSamples[int32]{}
	for p, u := range t.pinUser() {
		if u.joinYear != 0 {
			samples.add(u.joinYear, p)
		}
	}
	return medians(samples, func(y int32) []any { return []any{y} })
}

type ageGroupYear struct {
	group uint8
	year  int32
}

func medianFollowersByAgeGroupAndJoinYear(t tables) [][]any {
	samples := followerSamples[ageGroupYear]{}
	for p, u := range t.pinUser() {
		if u.ageGroup != noAgeGroup && u.joinYear != 0 {
			samples.add(ageGroupYear{u.ageGroup, u.joinYear}, p)
		}
	}
	return medians(samples, func(k ageGroupYear) []any { return []any{ageGroups[k.group], k.year} })
}

// sortRows orders rows by their columns left to right, nulls first as in Spark's ascending order.
func sortRows(rows [][]any) {
	slices.SortFunc(rows, func(a, b []any) int {
		for i := range min(len(a), len(b)) {
			if c := compareCells(a[i], b[i]); c != 0 {
				return c
			}
		}
		return cmp.Compare(len(a), len(b))
	})
}

func compareCells(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case string:
		return cmp.Compare(x, b.(string))
	case int32:
		return cmp.Compare(x, b.(int32))
	case int64:
		return cmp.Compare(x, b.(int64))
	}
	return 0
}
