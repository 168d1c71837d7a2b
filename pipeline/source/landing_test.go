package source

import (
	"fmt"
	"testing"

	"github.com/pintui/pintui/pipeline/objstore"
)

func TestWriteLandings(t *testing.T) {
	src := openSeeded(t)
	store := objstore.NewDir(t.TempDir())
	const uid = "0a1b2c3d4e5f"
	if err := WriteLandings(t.Context(), store, src, uid, 3, DefaultSeed); err != nil {
		t.Fatal(err)
	}
	// A second run appends after the first, like a sink that keeps consuming.
	if err := WriteLandings(t.Context(), store, src, uid, 2, DefaultSeed); err != nil {
		t.Fatal(err)
	}
	ids := []int64{7528, 2863, 5730, 7528, 2863}
	objects, err := store.List(t.Context(), "topics/")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, topic := range []string{"geo", "pin", "user"} {
		for offset := range ids {
			want = append(want, fmt.Sprintf("topics/%[1]s.%[2]s/partition=0/%[1]s.%[2]s+0+%010[3]d.json", uid, topic, offset))
		}
	}
	if len(objects) != len(want) {
		t.Fatalf("%d objects landed, want %d", len(objects), len(want))
	}
	for i, o := range objects {
		if o.Key != want[i] {
			t.Errorf("object %d is %s, want %s", i, o.Key, want[i])
		}
	}
	for offset, id := range ids {
		r := rows[id]
		for topic, body := range map[string][]byte{"pin": r.Pin.AppendJSON(nil), "geo": r.Geo.AppendJSON(nil), "user": r.User.AppendJSON(nil)} {
			key := fmt.Sprintf("topics/%[1]s.%[2]s/partition=0/%[1]s.%[2]s+0+%010[3]d.json", uid, topic, offset)
			got, err := store.Get(t.Context(), key)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(body)+"\n" {
				t.Errorf("%s holds %s, want %s and a newline", key, got, body)
			}
		}
	}
}

func TestLandingKey(t *testing.T) {
	got := landingKey("0a1b2c3d4e5f.pin", 42)
	if want := "topics/0a1b2c3d4e5f.pin/partition=0/0a1b2c3d4e5f.pin+0+0000000042.json"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
