// Package analytics answers the eight questions of the original pipeline over the
// cleaned pin, geo and user tables, giving nine outputs. The batch job writes each output as a
// Delta table named after it, and `pintui analyze` prints them straight from raw records; both
// call Compute, so the tables and the printout always agree.
//
// Every output follows the same rules, written down here once:
//   - Joins are inner joins on ind; a row whose ind has no partner in the other table takes no
//     part, and an ind present twice in a table joins once per copy, as in SQL.
//   - "Most popular" keeps every row of rank 1 (SQL rank() = 1), so a tie gives several rows.
//   - Age groups are 18-24, 25-35, 36-50 and +50 (51 and over); an age under 18 is in no group,
//     so its rows take no part in the age-group outputs.
//   - Years are calendar years in UTC: 2018–2022 of the geo timestamp for the post questions,
//     2015–2020 of date_joined for the join questions, both inclusive.
//   - A row whose grouping value is null (category, country, timestamp, date_joined, age,
//     poster_name) takes no part in the groups that need that value; Spark would make a null
//     group, which answers no question.
//   - Medians are lower medians of the non-null follower counts: the element at position
//     ⌈n/2⌉ of the ascending values, which is what Spark's percentile_approx(x, 0.5) gives on
//     these sizes. A group whose follower counts are all null keeps its row with a null median,
//     as Spark does.
//   - Rows are sorted by their leading columns, strings byte-wise, so `+50` sorts before
//     `18-24` exactly as Spark's orderBy puts it.
package analytics

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pintui/pintui/pipeline/record"
)

// The nine output names, which are also the names of their Delta tables.
const (
	CategoryByCountry                    = "category_by_country"
	CategoryByYear                       = "category_by_year"
	TopUserByCountry                     = "top_user_by_country"
	TopCountry                           = "top_country"
	CategoryByAgeGroup                   = "category_by_age_group"
	MedianFollowersByAgeGroup            = "median_followers_by_age_group"
	UsersJoinedByYear                    = "users_joined_by_year"
	MedianFollowersByJoinYear            = "median_followers_by_join_year"
	MedianFollowersByAgeGroupAndJoinYear = "median_followers_by_age_group_and_join_year"
)

// Output is one answered question: its name, its columns with their Spark types, and its rows.
// Cells are string, int64 (Spark long) or int32 (Spark integer), or nil for a null.
type Output struct {
	Name   string
	Fields []record.Field
	Rows   [][]any
}

// Columns returns the output's column names in order.
func (o Output) Columns() []string {
	names := make([]string, len(o.Fields))
	for i, f := range o.Fields {
		names[i] = f.Name
	}
	return names
}

// Outputs are answered questions, in the documented order when they come from Compute.
type Outputs []Output

// Find returns the output with the given name, or an error listing the valid names.
func (os Outputs) Find(name string) (Output, error) {
	for _, o := range os {
		if o.Name == name {
			return o, nil
		}
	}
	if err := CheckName(name); err != nil {
		return Output{}, err
	}
	return Output{}, fmt.Errorf("analytics output %q has not been computed: run the batch job first", name)
}

// question pairs an output name with its columns, so names, schemas and Compute share one list.
type question struct {
	name   string
	fields []record.Field
	answer func(t tables) [][]any
}

var (
	countryField  = record.Field{Name: "country", Type: "string"}
	categoryField = record.Field{Name: "category", Type: "string"}
	countField    = record.Field{Name: "category_count", Type: "long"}
	yearField     = record.Field{Name: "post_year", Type: "integer"}
	ageGroupField = record.Field{Name: "age_group", Type: "string"}
	followerField = record.Field{Name: "follower_count", Type: "integer"}
	medianField   = record.Field{Name: "median_follower_count", Type: "integer"}
)

// questions lists the nine outputs in the documented order.
var questions = []question{
	{CategoryByCountry, []record.Field{countryField, categoryField, countField}, categoryByCountry},
	{CategoryByYear, []record.Field{yearField, categoryField, countField}, categoryByYear},
	{TopUserByCountry, []record.Field{countryField, {Name: "poster_name", Type: "string"}, followerField}, topUserByCountry},
	{TopCountry, []record.Field{countryField, followerField}, topCountry},
	{CategoryByAgeGroup, []record.Field{ageGroupField, categoryField, countField}, categoryByAgeGroup},
	{MedianFollowersByAgeGroup, []record.Field{ageGroupField, medianField}, medianFollowersByAgeGroup},
	{UsersJoinedByYear, []record.Field{yearField, {Name: "number_users_joined", Type: "long"}}, usersJoinedByYear},
	{MedianFollowersByJoinYear, []record.Field{yearField, medianField}, medianFollowersByJoinYear},
	{MedianFollowersByAgeGroupAndJoinYear, []record.Field{ageGroupField, yearField, medianField}, medianFollowersByAgeGroupAndJoinYear},
}

// Names returns the nine output names in the documented order.
func Names() []string {
	names := make([]string, len(questions))
	for i, q := range questions {
		names[i] = q.name
	}
	return names
}

// Fields returns the columns of the named output, or an error listing the valid names.
func Fields(name string) ([]record.Field, error) {
	for _, q := range questions {
		if q.name == name {
			return slices.Clone(q.fields), nil
		}
	}
	return nil, unknownName(name)
}

// CheckName reports whether name is one of the nine outputs, with the valid names if not.
func CheckName(name string) error {
	if slices.Contains(Names(), name) {
		return nil
	}
	return unknownName(name)
}

func unknownName(name string) error {
	return fmt.Errorf("unknown analytics output %q: choose one of %s", name, strings.Join(Names(), ", "))
}

// Compute answers the nine questions over the cleaned tables and returns them in the documented order.
// The inputs are only read.
func Compute(pins []record.CleanPin, geos []record.CleanGeo, users []record.CleanUser) Outputs {
	var p Pins
	var g Geos
	var u Users
	for i := range pins {
		p.Add(&pins[i])
	}
	for i := range geos {
		g.Add(&geos[i])
	}
	for i := range users {
		u.Add(&users[i])
	}
	return Answer(&p, &g, &u)
}

// Answer answers the nine questions over the rows added to the three tables, as Compute does,
// and returns them in the documented order. It reorders the tables' rows, and more rows may be
// added afterwards for another Answer.
func Answer(pins *Pins, geos *Geos, users *Users) Outputs {
	t := sortTables(pins, geos, users)
	out := make(Outputs, len(questions))
	for i, q := range questions {
		rows := q.answer(t)
		sortRows(rows)
		out[i] = Output{Name: q.name, Fields: slices.Clone(q.fields), Rows: rows}
	}
	return out
}
