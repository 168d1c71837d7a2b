package analytics

import (
	"cmp"
	"iter"
	"slices"
	"time"

	"github.com/pintui/pintui/pipeline/record"
)

// Year ranges of the questions, inclusive.
const (
	firstPostYear = 2018
	lastPostYear  = 2022
	firstJoinYear = 2015
	lastJoinYear  = 2020
)

// Age groups of the questions. Ages under 18 belong to no group: the source never has them, and
// putting them under `+50` (as one original implementation did) would be wrong.
const (
	ageGroup18to24 = "18-24"
	ageGroup25to35 = "25-35"
	ageGroup36to50 = "36-50"
	ageGroupOver50 = "+50"
)

// ageGroup returns the group of an age, or false for a null age or one under 18.
func ageGroup(age *int64) (string, bool) {
	switch {
	case age == nil || *age < 18:
		return "", false
	case *age <= 24:
		return ageGroup18to24, true
	case *age <= 35:
		return ageGroup25to35, true
	case *age <= 50:
		return ageGroup36to50, true
	default:
		return ageGroupOver50, true
	}
}

// year returns the calendar year of a timestamp in UTC, the zone the tables store.
func year(t *time.Time) int32 { return int32(t.UTC().Year()) }

// tables indexes the cleaned tables by ind for the inner joins.
type tables struct {
	pins      []record.CleanPin
	users     []record.CleanUser
	geoByInd  map[int64][]*record.CleanGeo
	userByInd map[int64][]*record.CleanUser
}

func newTables(pins []record.CleanPin, geos []record.CleanGeo, users []record.CleanUser) tables {
	t := tables{
		pins:      pins,
		users:     users,
		geoByInd:  make(map[int64][]*record.CleanGeo, len(geos)),
		userByInd: make(map[int64][]*record.CleanUser, len(users)),
	}
	for i := range geos {
		t.geoByInd[geos[i].Ind] = append(t.geoByInd[geos[i].Ind], &geos[i])
	}
	for i := range users {
		t.userByInd[users[i].Ind] = append(t.userByInd[users[i].Ind], &users[i])
	}
	return t
}

// pinGeo yields the rows of pin ⋈ geo on ind.
func (t tables) pinGeo() iter.Seq2[*record.CleanPin, *record.CleanGeo] {
	return func(yield func(*record.CleanPin, *record.CleanGeo) bool) {
		for i := range t.pins {
			for _, g := range t.geoByInd[t.pins[i].Ind] {
				if !yield(&t.pins[i], g) {
					return
				}
			}
		}
	}
}

// pinUser yields the rows of pin ⋈ user on ind.
func (t tables) pinUser() iter.Seq2[*record.CleanPin, *record.CleanUser] {
	return func(yield func(*record.CleanPin, *record.CleanUser) bool) {
		for i := range t.pins {
			for _, u := range t.userByInd[t.pins[i].Ind] {
				if !yield(&t.pins[i], u) {
					return
				}
			}
		}
	}
}

// categoryCounts counts posts per group and category.
type categoryCounts[K comparable] map[K]map[string]int64

func (c categoryCounts[K]) add(group K, category string) {
	if c[group] == nil {
		c[group] = map[string]int64{}
	}
	c[group][category]++
}

// mostPopular returns, per group, every category whose count is the group's highest, as rows
// (group, category, count): rank() = 1 with ties kept.
func mostPopular[K comparable](counts categoryCounts[K], cell func(K) any) [][]any {
	var rows [][]any
	for group, byCategory := range counts {
		var top int64
		for _, n := range byCategory {
			top = max(top, n)
		}
		for category, n := range byCategory {
			if n == top {
				rows = append(rows, []any{cell(group), category, n})
			}
		}
	}
	return rows
}

func identity[K any](k K) any { return k }

func categoryByCountry(t tables) [][]any {
	counts := categoryCounts[string]{}
	for p, g := range t.pinGeo() {
		if p.Category != nil && g.Country != nil {
			counts.add(*g.Country, *p.Category)
		}
	}
	return mostPopular(counts, identity)
}

func categoryByYear(t tables) [][]any {
	counts := categoryCounts[int32]{}
	for p, g := range t.pinGeo() {
		if p.Category == nil || g.Timestamp == nil {
			continue
		}
		if y := year(g.Timestamp); y >= firstPostYear && y <= lastPostYear {
			counts.add(y, *p.Category)
		}
	}
	return mostPopular(counts, identity)
}

func categoryByAgeGroup(t tables) [][]any {
	counts := categoryCounts[string]{}
	for p, u := range t.pinUser() {
		if group, ok := ageGroup(u.Age); ok && p.Category != nil {
			counts.add(group, *p.Category)
		}
	}
	return mostPopular(counts, identity)
}

// poster is one distinct (country, poster_name, follower_count) triple: the same poster is on
// many pins and must count once.
type poster struct {
	country   string
	name      string
	followers int32
}

// topUserByCountry keeps, per country, the posters with the most followers. Pins with a null
// country, poster_name or follower_count take no part, so a country whose only poster is
// unknown has no row.
func topUserByCountry(t tables) [][]any {
	top := map[string]int32{}
	posters := map[poster]bool{}
	for p, g := range t.pinGeo() {
		if g.Country == nil || p.PosterName == nil || p.FollowerCount == nil {
			continue
		}
		posters[poster{*g.Country, *p.PosterName, *p.FollowerCount}] = true
		if n, seen := top[*g.Country]; !seen || *p.FollowerCount > n {
			top[*g.Country] = *p.FollowerCount
		}
	}
	var rows [][]any
	for x := range posters {
		if x.followers == top[x.country] {
			rows = append(rows, []any{x.country, x.name, x.followers})
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
	for i := range t.users {
		if t.users[i].DateJoined == nil {
			continue
		}
		if y := year(t.users[i].DateJoined); y >= firstJoinYear && y <= lastJoinYear {
			counts[y]++
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

func (s followerSamples[K]) add(group K, followers *int32) {
	if followers == nil {
		if _, ok := s[group]; !ok {
			s[group] = nil
		}
		return
	}
	s[group] = append(s[group], *followers)
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

func one[K any](k K) []any { return []any{k} }

func medianFollowersByAgeGroup(t tables) [][]any {
	samples := followerSamples[string]{}
	for p, u := range t.pinUser() {
		if group, ok := ageGroup(u.Age); ok {
			samples.add(group, p.FollowerCount)
		}
	}
	return medians(samples, one)
}

// joinYear returns the joining year of a user if it is within 2015–2020.
func joinYear(u *record.CleanUser) (int32, bool) {
	if u.DateJoined == nil {
		return 0, false
	}
	y := year(u.DateJoined)
	return y, y >= firstJoinYear && y <= lastJoinYear
}

func medianFollowersByJoinYear(t tables) [][]any {
	samples := followerSamples[int32]{}
	for p, u := range t.pinUser() {
		if y, ok := joinYear(u); ok {
			samples.add(y, p.FollowerCount)
		}
	}
	return medians(samples, one)
}

type ageGroupYear struct {
	group string
	year  int32
}

func medianFollowersByAgeGroupAndJoinYear(t tables) [][]any {
	samples := followerSamples[ageGroupYear]{}
	for p, u := range t.pinUser() {
		group, ok := ageGroup(u.Age)
		if !ok {
			continue
		}
		if y, ok := joinYear(u); ok {
			samples.add(ageGroupYear{group, y}, p.FollowerCount)
		}
	}
	return medians(samples, func(k ageGroupYear) []any { return []any{k.group, k.year} })
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
