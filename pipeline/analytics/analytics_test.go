package analytics

import (
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/pintui/pintui/pipeline/record"
)

func str(s string) *string { return &s }
func i32(n int32) *int32   { return &n }
func i64(n int64) *int64   { return &n }

func at(year int, month time.Month, day int) *time.Time {
	t := time.Date(year, month, day, 12, 0, 0, 0, time.UTC)
	return &t
}

func pin(ind int64, category string) record.CleanPin {
	p := record.CleanPin{Ind: ind}
	if category != "" {
		p.Category = str(category)
	}
	return p
}

func postedBy(ind int64, name string, followers *int32) record.CleanPin {
	p := record.CleanPin{Ind: ind, FollowerCount: followers}
	if name != "" {
		p.PosterName = str(name)
	}
	return p
}

func geo(ind int64, country string, ts *time.Time) record.CleanGeo {
	g := record.CleanGeo{Ind: ind, Timestamp: ts}
	if country != "" {
		g.Country = str(country)
	}
	return g
}

func user(ind int64, age *int64, joined *time.Time) record.CleanUser {
	return record.CleanUser{Ind: ind, Age: age, DateJoined: joined}
}

// rowsOf computes every output and returns the rows of the named one.
func rowsOf(t *testing.T, name string, pins []record.CleanPin, geos []record.CleanGeo, users []record.CleanUser) [][]any {
	t.Helper()
	o, err := Compute(pins, geos, users).Find(name)
	if err != nil {
		t.Fatal(err)
	}
	return o.Rows
}

func assertRows(t *testing.T, got, want [][]any) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %v\nwant %v", got, want)
	}
}

func TestCategoryByCountryKeepsTiesAndSkipsNulls(t *testing.T) {
	pins := []record.CleanPin{
		pin(1, "art"), pin(2, "beauty"), pin(3, "art"), pin(4, "beauty"), pin(5, "diy-and-crafts"),
		pin(6, "travel"), pin(7, "quotes"), pin(8, "quotes"),
		pin(9, ""),          // null category: no group
		pin(10, "finance"),  // null country: no group
		pin(11, "vehicles"), // no geo row: not joined
	}
	geos := []record.CleanGeo{
		geo(1, "Angola", nil), geo(2, "Angola", nil), geo(3, "Angola", nil), geo(4, "Angola", nil),
		geo(5, "Angola", nil), geo(6, "Benin", nil), geo(7, "Benin", nil),
		geo(8, "Chad", nil), geo(8, "Chad", nil), // ind 8 twice joins twice
		geo(9, "Chad", nil), geo(10, "", nil), geo(12, "Chad", nil),
	}
	assertRows(t, rowsOf(t, CategoryByCountry, pins, geos, nil), [][]any{
		{"Angola", "art", int64(2)},
		{"Angola", "beauty", int64(2)},
		{"Benin", "quotes", int64(1)},
		{"Benin", "travel", int64(1)},
		{"Chad", "quotes", int64(2)},
	})
}

func TestCategoryByYearKeepsPostsFrom2018To2022(t *testing.T) {
	east := time.FixedZone("UTC+2", 2*60*60)
	newYearEast := time.Date(2018, 1, 1, 1, 0, 0, 0, east) // 2017 in UTC
	pins := []record.CleanPin{
		pin(1, "art"), pin(2, "art"), pin(3, "beauty"), pin(4, "travel"), pin(5, "travel"),
		pin(6, "quotes"), pin(7, "finance"), pin(8, "vehicles"), pin(9, "vehicles"),
	}
	geos := []record.CleanGeo{
		geo(1, "Angola", at(2017, 12, 31)),
		geo(2, "Angola", at(2018, 1, 1)),
		geo(3, "Angola", at(2018, 6, 1)),
		geo(4, "Angola", at(2022, 12, 31)),
		geo(5, "Angola", at(2023, 1, 1)),
		geo(6, "Angola", nil),
		geo(7, "", at(2020, 3, 3)), // country is not needed here
		geo(8, "Angola", &newYearEast),
		geo(9, "Angola", at(2020, 1, 1)),
	}
	assertRows(t, rowsOf(t, CategoryByYear, pins, geos, nil), [][]any{
		{int32(2018), "art", int64(1)},
		{int32(2018), "beauty", int64(1)},
		{int32(2020), "finance", int64(1)},
		{int32(2020), "vehicles", int64(1)},
		{int32(2022), "travel", int64(1)},
	})
}

func TestTopUserByCountryCountsEachPosterOnceAndKeepsTies(t *testing.T) {
	pins := []record.CleanPin{
		postedBy(1, "Ann", i32(5000)), postedBy(2, "Ann", i32(5000)), postedBy(3, "Bob", i32(5000)),
		postedBy(4, "Cat", i32(400)),
		postedBy(5, "Dan", i32(9000)), postedBy(6, "Eve", nil), postedBy(7, "", i32(1_000_000)),
		postedBy(8, "", nil), // a country with only unknown posters has no row
	}
	geos := []record.CleanGeo{
		geo(1, "Angola", nil), geo(2, "Angola", nil), geo(3, "Angola", nil), geo(4, "Angola", nil),
		geo(5, "Benin", nil), geo(6, "Benin", nil), geo(7, "Benin", nil), geo(8, "Chad", nil),
	}
	assertRows(t, rowsOf(t, TopUserByCountry, pins, geos, nil), [][]any{
		{"Angola", "Ann", int32(5000)},
		{"Angola", "Bob", int32(5000)},
		{"Benin", "Dan", int32(9000)},
	})
}

func TestTopCountryKeepsTiedCountriesOnce(t *testing.T) {
	pins := []record.CleanPin{
		postedBy(1, "Ann", i32(8_000_000)), postedBy(2, "Bob", i32(8_000_000)),
		postedBy(3, "Cat", i32(8_000_000)), postedBy(4, "Dan", i32(15)),
	}
	geos := []record.CleanGeo{
		geo(1, "Angola", nil), geo(2, "Angola", nil), geo(3, "American Samoa", nil), geo(4, "Benin", nil),
	}
	assertRows(t, rowsOf(t, TopCountry, pins, geos, nil), [][]any{
		{"American Samoa", int32(8_000_000)},
		{"Angola", int32(8_000_000)},
	})
	assertRows(t, rowsOf(t, TopCountry, nil, nil, nil), nil)
}

func TestAgeGroupBoundaries(t *testing.T) {
	cases := []struct {
		age   *int64
		group string
		ok    bool
	}{
		{nil, "", false}, {i64(0), "", false}, {i64(17), "", false},
		{i64(18), "18-24", true}, {i64(24), "18-24", true},
		{i64(25), "25-35", true}, {i64(35), "25-35", true},
		{i64(36), "36-50", true}, {i64(50), "36-50", true},
		{i64(51), "+50", true}, {i64(99), "+50", true},
	}
	for _, c := range cases {
		n := ageGroupOf(c.age)
		if group, ok := ageGroups[n], n != noAgeGroup; group != c.group || ok != c.ok {
			t.Errorf("ageGroupOf(%v) = %q, %v; want %q, %v", FormatCell(deref(c.age)), group, ok, c.group, c.ok)
		}
	}
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestCategoryByAgeGroup(t *testing.T) {
	pins := []record.CleanPin{
		pin(1, "art"), pin(2, "art"), pin(3, "beauty"), pin(4, "tattoos"), pin(5, "travel"),
		pin(6, "quotes"), pin(7, ""), pin(8, "finance"),
	}
	users := []record.CleanUser{
		user(1, i64(18), nil), user(2, i64(24), nil), user(3, i64(24), nil),
		user(4, i64(51), nil), user(5, i64(36), nil),
		user(6, i64(17), nil), user(7, i64(30), nil), user(8, nil, nil),
	}
	assertRows(t, rowsOf(t, CategoryByAgeGroup, pins, nil, users), [][]any{
		{"+50", "tattoos", int64(1)},
		{"18-24", "art", int64(2)},
		{"36-50", "travel", int64(1)},
	})
}

func TestLowerMedian(t *testing.T) {
	cases := []struct {
		values []int32
		want   int32
		ok     bool
	}{
		{nil, 0, false},
		{[]int32{7}, 7, true},
		{[]int32{9, 3}, 3, true},
		{[]int32{9, 3, 5}, 5, true},
		{[]int32{40, 10, 30, 20}, 20, true},
		{[]int32{5, 1, 4, 2, 3}, 3, true},
		{[]int32{2, 2, 1, 1}, 1, true},
	}
	for _, c := range cases {
		got, ok := lowerMedian(append([]int32(nil), c.values...))
		if got != c.want || ok != c.ok {
			t.Errorf("lowerMedian(%v) = %d, %v; want %d, %v", c.values, got, ok, c.want, c.ok)
		}
	}
}

func TestMedianFollowersByAgeGroupIgnoresNulls(t *testing.T) {
	pins := []record.CleanPin{
		postedBy(1, "a", i32(100)), postedBy(2, "b", i32(300)), postedBy(3, "c", nil), postedBy(4, "d", i32(200)),
		postedBy(5, "e", i32(10)), postedBy(6, "f", i32(40)),
		postedBy(7, "g", nil),
		postedBy(8, "h", i32(1)),
	}
	users := []record.CleanUser{
		user(1, i64(20), nil), user(2, i64(20), nil), user(3, i64(20), nil), user(4, i64(20), nil),
		user(5, i64(40), nil), user(6, i64(50), nil),
		user(7, i64(60), nil),
		user(8, i64(10), nil),
	}
	assertRows(t, rowsOf(t, MedianFollowersByAgeGroup, pins, nil, users), [][]any{
		{"+50", nil},
		{"18-24", int32(200)},
		{"36-50", int32(10)},
	})
}

func TestUsersJoinedByYearCountsRowsFrom2015To2020(t *testing.T) {
	users := []record.CleanUser{
		user(1, nil, at(2014, 12, 31)),
		user(2, nil, at(2015, 1, 1)), user(3, nil, at(2015, 7, 1)), user(3, nil, at(2015, 7, 1)),
		user(4, nil, at(2017, 5, 5)),
		user(5, nil, at(2020, 12, 31)), user(6, nil, at(2021, 1, 1)), user(7, nil, nil),
	}
	assertRows(t, rowsOf(t, UsersJoinedByYear, nil, nil, users), [][]any{
		{int32(2015), int64(3)},
		{int32(2017), int64(1)},
		{int32(2020), int64(1)},
	})
}

func TestMedianFollowersByJoinYear(t *testing.T) {
	pins := []record.CleanPin{
		postedBy(1, "a", i32(5)), postedBy(2, "b", i32(1)), postedBy(3, "c", i32(3)),
		postedBy(4, "d", i32(8)), postedBy(5, "e", i32(6)),
		postedBy(6, "f", i32(1000)), postedBy(7, "g", i32(7)), postedBy(8, "h", nil),
	}
	users := []record.CleanUser{
		user(1, i64(20), at(2015, 1, 1)), user(2, i64(20), at(2015, 2, 1)), user(3, i64(20), at(2015, 3, 1)),
		user(4, i64(30), at(2020, 1, 1)), user(5, i64(40), at(2020, 6, 1)),
		user(6, i64(20), at(2021, 1, 1)), user(7, i64(20), at(2014, 1, 1)), user(8, i64(20), at(2016, 1, 1)),
	}
	assertRows(t, rowsOf(t, MedianFollowersByJoinYear, pins, nil, users), [][]any{
		{int32(2015), int32(3)},
		{int32(2016), nil},
		{int32(2020), int32(6)},
	})
}

func TestMedianFollowersByAgeGroupAndJoinYear(t *testing.T) {
	pins := []record.CleanPin{
		postedBy(1, "a", i32(5)), postedBy(2, "b", i32(1)), postedBy(3, "c", i32(3)),
		postedBy(4, "d", i32(8)), postedBy(5, "e", i32(6)), postedBy(6, "f", i32(9)),
		postedBy(7, "g", i32(4)), postedBy(8, "h", i32(2)),
	}
	users := []record.CleanUser{
		user(1, i64(20), at(2015, 1, 1)), user(2, i64(24), at(2015, 2, 1)),
		user(3, i64(25), at(2015, 3, 1)),
		user(4, i64(51), at(2016, 1, 1)), user(5, i64(70), at(2016, 6, 1)), user(6, i64(51), at(2017, 1, 1)),
		user(7, i64(12), at(2016, 1, 1)), user(8, i64(30), at(2022, 1, 1)),
	}
	assertRows(t, rowsOf(t, MedianFollowersByAgeGroupAndJoinYear, pins, nil, users), [][]any{
		{"+50", int32(2016), int32(6)},
		{"+50", int32(2017), int32(9)},
		{"18-24", int32(2015), int32(1)},
		{"25-35", int32(2015), int32(3)},
	})
}

func TestComputeGivesNineOutputsInSpecOrder(t *testing.T) {
	outputs := Compute(nil, nil, nil)
	want := []string{
		"category_by_country", "category_by_year", "top_user_by_country", "top_country",
		"category_by_age_group", "median_followers_by_age_group", "users_joined_by_year",
		"median_followers_by_join_year", "median_followers_by_age_group_and_join_year",
	}
	if !reflect.DeepEqual(Names(), want) {
		t.Fatalf("Names() = %v", Names())
	}
	for i, o := range outputs {
		if o.Name != want[i] {
			t.Errorf("output %d is %s, want %s", i, o.Name, want[i])
		}
		if len(o.Rows) != 0 {
			t.Errorf("%s has rows over empty tables: %v", o.Name, o.Rows)
		}
		fields, err := Fields(o.Name)
		if err != nil || !reflect.DeepEqual(fields, o.Fields) {
			t.Errorf("Fields(%s) = %v, %v; want %v", o.Name, fields, err, o.Fields)
		}
	}
}

func field(name, sparkType string) record.Field {
	return record.Field{Name: name, Type: sparkType}
}

func TestFieldsCarrySparkTypes(t *testing.T) {
	want := map[string][]record.Field{
		CategoryByCountry:         {field("country", "string"), field("category", "string"), field("category_count", "long")},
		CategoryByYear:            {field("post_year", "integer"), field("category", "string"), field("category_count", "long")},
		TopUserByCountry:          {field("country", "string"), field("poster_name", "string"), field("follower_count", "integer")},
		TopCountry:                {field("country", "string"), field("follower_count", "integer")},
		CategoryByAgeGroup:        {field("age_group", "string"), field("category", "string"), field("category_count", "long")},
		MedianFollowersByAgeGroup: {field("age_group", "string"), field("median_follower_count", "integer")},
		UsersJoinedByYear:         {field("post_year", "integer"), field("number_users_joined", "long")},
		MedianFollowersByJoinYear: {field("post_year", "integer"), field("median_follower_count", "integer")},
		MedianFollowersByAgeGroupAndJoinYear: {field("age_group", "string"), field("post_year", "integer"),
			field("median_follower_count", "integer")},
	}
	for name, fields := range want {
		got, err := Fields(name)
		if err != nil || !reflect.DeepEqual(got, fields) {
			t.Errorf("Fields(%s) = %v, %v; want %v", name, got, err, fields)
		}
	}
}

func TestUnknownNameListsTheValidOnes(t *testing.T) {
	const want = `unknown analytics output "top_users": choose one of category_by_country, ` +
		`category_by_year, top_user_by_country, top_country, category_by_age_group, ` +
		`median_followers_by_age_group, users_joined_by_year, median_followers_by_join_year, ` +
		`median_followers_by_age_group_and_join_year`
	if _, err := Compute(nil, nil, nil).Find("top_users"); err == nil || err.Error() != want {
		t.Errorf("Find error = %v\nwant %s", err, want)
	}
	if _, err := Fields("top_users"); err == nil || err.Error() != want {
		t.Errorf("Fields error = %v", err)
	}
	if err := CheckName(TopCountry); err != nil {
		t.Errorf("CheckName(%s) = %v", TopCountry, err)
	}
	_, err := Outputs{}.Find(TopCountry)
	if err == nil || err.Error() != `analytics output "top_country" has not been computed: run the batch job first` {
		t.Errorf("Find on empty outputs = %v", err)
	}
}

// The batch job adds rows whose text aliases a landing's bytes and reuses them for the next
// row, so the tables must copy every text value they keep.
func TestTablesKeepACopyOfTheTextOfRowsAdded(t *testing.T) {
	var pins Pins
	var geos Geos
	var users Users
	buf := []byte("art Ann Angola")
	alias := func(from, to int) *string { s := unsafe.String(&buf[from], to-from); return &s }
	pins.Add(&record.CleanPin{Ind: 1, Category: alias(0, 3), PosterName: alias(4, 7), FollowerCount: i32(5)})
	geos.Add(&record.CleanGeo{Ind: 1, Country: alias(8, 14), Timestamp: at(2019, 5, 1)})
	users.Add(&record.CleanUser{Ind: 1, Age: i64(30), DateJoined: at(2016, 1, 1)})
	copy(buf, "xxxxxxxxxxxxxx")
	out := Answer(&pins, &geos, &users)
	for name, want := range map[string][][]any{
		CategoryByCountry: {{"Angola", "art", int64(1)}},
		TopUserByCountry:  {{"Angola", "Ann", int32(5)}},
		CategoryByYear:    {{int32(2019), "art", int64(1)}},
	} {
		o, err := out.Find(name)
		if err != nil {
			t.Fatal(err)
		}
		assertRows(t, o.Rows, want)
	}
}
