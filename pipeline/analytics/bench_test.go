package analytics

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/record"
)

// BenchmarkCompute answers the nine questions over tables the size of the source database.
func BenchmarkCompute(b *testing.B) {
	const rows = 11_001
	categories := []string{"art", "beauty", "christmas", "diy-and-crafts", "education",
		"event-planning", "finance", "home-decor", "mens-fashion", "quotes", "tattoos", "travel", "vehicles"}
	r := rand.New(rand.NewPCG(1, 2))
	pins := make([]record.CleanPin, rows)
	geos := make([]record.CleanGeo, rows)
	users := make([]record.CleanUser, rows)
	for i := range rows {
		ind := int64(i)
		followers := int32(r.IntN(100) * 1000)
		pins[i] = record.CleanPin{Ind: ind, Category: str(categories[r.IntN(len(categories))]),
			PosterName: str("poster " + string(rune('A'+r.IntN(26)))), FollowerCount: &followers}
		ts := time.Date(2017+r.IntN(6), time.Month(1+r.IntN(12)), 1, 0, 0, 0, 0, time.UTC)
		geos[i] = record.CleanGeo{Ind: ind, Country: str("country " + string(rune('A'+r.IntN(26)))), Timestamp: &ts}
		joined := time.Date(2015+r.IntN(3), 6, 1, 0, 0, 0, 0, time.UTC)
		users[i] = record.CleanUser{Ind: ind, Age: i64(int64(20 + r.IntN(40))), DateJoined: &joined}
	}
	b.ReportAllocs()
	for b.Loop() {
		Compute(pins, geos, users)
	}
}
