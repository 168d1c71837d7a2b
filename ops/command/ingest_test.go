package command

import (
	"errors"
	"testing"
	"time"
)

func TestTailFlagTakesANegativeOffset(t *testing.T) {
	in, err := New(&Env{}).Parse("tail topic u.pin --from -5 --max 3")
	if err != nil {
		t.Fatal(err)
	}
	if got := in.Flag("from"); got != "-5" {
		t.Errorf("--from = %q, want -5", got)
	}
}

func TestBucketTallyIsReusedWhileFresh(t *testing.T) {
	clock := time.Unix(0, 0)
	c := bucketCache{now: func() time.Time { return clock }}
	lists := 0
	list := func() (bucketTally, error) {
		lists++
		clock = clock.Add(time.Second) // a listing that takes a second
		return bucketTally{objects: 10 * lists}, nil
	}
	steps := []struct {
		advance time.Duration
		want    int
	}{
		{0, 10},               // the first listing
		{2 * time.Second, 10}, // younger than three times the second it took: kept
		{time.Second, 20},     // three seconds old: listed again
		{0, 20},
	}
	for i, s := range steps {
		clock = clock.Add(s.advance)
		if got, err := c.get(list); err != nil || got.objects != s.want {
			t.Fatalf("step %d: %d, %v; want %d", i, got.objects, err, s.want)
		}
	}
	failing := func() (bucketTally, error) { return bucketTally{}, errors.New("bucket gone") }
	if _, err := c.get(failing); err != nil {
		t.Fatalf("a fresh tally was not reused: %v", err)
	}
	clock = clock.Add(time.Hour)
	if _, err := c.get(failing); err == nil || err.Error() != "bucket gone" {
		t.Fatalf("error = %v, want the listing's error", err)
	}
	if got, _ := c.get(list); got.objects != 30 {
		t.Errorf("after a failed listing got %d, want a new listing of 30", got.objects)
	}
}
