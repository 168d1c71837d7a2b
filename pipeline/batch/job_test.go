package batch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pintui/pintui/pipeline/analytics"
	"github.com/pintui/pintui/pipeline/clean"
	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/sink"
)

const uid = "0a1b2c3d4e5f"

// exampleLines returns the lines of a documented example file, each with its newline.
func exampleLines(t testing.TB, name string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for i := range lines {
		lines[i] += "\n"
	}
	return lines
}

func landingKey(table record.Table, offset int) string {
	topic := uid + "." + string(table)
	return fmt.Sprintf("topics/%s/partition=0/%s+0+%010d.json", topic, topic, offset)
}

// landExamples lands the documented draws as the S3 sink would, with the emulator's re-draws
// (duplicates, one of them inside an object of two lines), one object that is not JSON, and
// objects the job must not read.
func landExamples(t *testing.T, store objstore.Store) {
	t.Helper()
	pin := exampleLines(t, "raw_pin.jsonl")
	geo := exampleLines(t, "raw_geo.jsonl")
	user := exampleLines(t, "raw_user.jsonl")
	objects := map[string]string{
		landingKey(record.TablePin, 0):                    pin[0],
		landingKey(record.TablePin, 1):                    pin[1],
		landingKey(record.TablePin, 2):                    pin[0],
		landingKey(record.TablePin, 3):                    "this is not JSON\n",
		landingKey(record.TablePin, 4):                    pin[1] + pin[0],
		"topics/" + uid + ".pin/partition=0/notes.txt":    "not a landing\n",
		"topics/ffffffffffff.pin/partition=0/x+0+0.json":  pin[1],
		landingKey(record.TableGeo, 0):                    geo[0],
		landingKey(record.TableGeo, 1):                    geo[1],
		landingKey(record.TableGeo, 2):                    geo[1],
		landingKey(record.TableUser, 0):                   user[0],
		landingKey(record.TableUser, 1):                   user[1],
		"topics/" + uid + ".pin_extra/partition=0/x.json": pin[1],
	}
	for key, body := range objects {
		if err := store.Put(context.Background(), key, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
}

func newJob(t *testing.T) *Job {
	t.Helper()
	dir := t.TempDir()
	j := &Job{
		UID:       uid,
		Landings:  objstore.NewDir(filepath.Join(dir, "bucket")),
		Lakehouse: objstore.NewDir(filepath.Join(dir, "lakehouse")),
		RunID:     "5e1f0c2a9b7d",
	}
	landExamples(t, j.Landings)
	return j
}

// cleanedText reads a batch table back from Delta and encodes it in the documented clean form.
func cleanedText(t *testing.T, lakehouse objstore.Store, table record.Table) string {
	t.Helper()
	ctx := context.Background()
	tbl := delta.Open(lakehouse, TableName(uid, table))
	var out []byte
	switch table {
	case record.TablePin:
		rows, err := delta.Read[record.CleanPin](ctx, tbl)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			out = append(clean.AppendPin(out, r), '\n')
		}
	case record.TableGeo:
		rows, err := delta.Read[record.CleanGeo](ctx, tbl)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			out = append(clean.AppendGeo(out, r), '\n')
		}
	case record.TableUser:
		rows, err := delta.Read[record.CleanUser](ctx, tbl)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			out = append(clean.AppendUser(out, r), '\n')
		}
	}
	return string(out)
}

func TestRunWritesTheDocumentedCleanRows(t *testing.T) {
	j := newJob(t)
	res, err := j.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []TableRun{
		{Name: uid + "_pin_batch", Landings: 5, Read: 6, Duplicates: 3, Quarantined: 1, Written: 2},
		{Name: uid + "_geo_batch", Landings: 3, Read: 3, Duplicates: 1, Written: 2},
		{Name: uid + "_user_batch", Landings: 2, Read: 2, Written: 2},
	}
	for i, run := range res.Tables {
		run.Report = clean.Report{}
		if !reflect.DeepEqual(run, want[i]) {
			t.Errorf("table %d = %+v\nwant %+v", i, run, want[i])
		}
	}
	for _, table := range record.Tables {
		want, err := os.ReadFile(filepath.Join("testdata", "clean_"+string(table)+".jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		if got := cleanedText(t, j.Lakehouse, table); got != string(want) {
			t.Errorf("%s table:\n got %s\nwant %s", table, got, want)
		}
	}

	r := res.Report
	if r.Table != "" || r.RowsIn != 11 || r.RowsOut != 6 || r.Duplicates != 4 || len(r.Quarantined) != 1 {
		t.Errorf("merged report: table %q in %d out %d duplicates %d quarantined %d",
			r.Table, r.RowsIn, r.RowsOut, r.Duplicates, len(r.Quarantined))
	}
	if q := r.Quarantined[0]; q.Where() != landingKey(record.TablePin, 3)+":1" || q.Raw != "this is not JSON" ||
		!strings.HasPrefix(q.Reason, "not JSON") {
		t.Errorf("quarantined %+v", q)
	}
}

func TestRunWritesTheAnalyticsTables(t *testing.T) {
	j := newJob(t)
	res, err := j.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if names := namesOf(res.Analytics); !reflect.DeepEqual(names, analytics.Names()) {
		t.Fatalf("analytics %v", names)
	}
	top, err := res.Analytics.Find(analytics.TopUserByCountry)
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]any{{"Cocos (Keeling) Islands", "Ray Uyemura", int32(437)}}; !reflect.DeepEqual(top.Rows, want) {
		t.Errorf("top_user_by_country = %v", top.Rows)
	}
	for i, o := range res.Outputs {
		if o.Name != analytics.Names()[i] || o.Version != 0 || o.Written != int64(len(res.Analytics[i].Rows)) {
			t.Errorf("output run %+v for %d rows", o, len(res.Analytics[i].Rows))
		}
	}
	back, err := ReadAnalytics(context.Background(), j.Lakehouse)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, res.Analytics) {
		t.Errorf("read back:\n got %v\nwant %v", back, res.Analytics)
	}
}

func namesOf(outputs analytics.Outputs) []string {
	var names []string
	for _, o := range outputs {
		names = append(names, o.Name)
	}
	return names
}

func TestRunTwiceOverwritesWithTheSameRows(t *testing.T) {
	ctx := context.Background()
	j := newJob(t)
	first, err := j.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var before []string
	for _, table := range record.Tables {
		before = append(before, cleanedText(t, j.Lakehouse, table))
	}
	second, err := j.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, table := range record.Tables {
		if got := cleanedText(t, j.Lakehouse, table); got != before[i] {
			t.Errorf("%s after the second run:\n got %s\nwant %s", table, got, before[i])
		}
		if v := second.Tables[i].Version; v != 1 {
			t.Errorf("%s version %d after the second run, want 1", table, v)
		}
	}
	for _, o := range second.Outputs {
		if o.Version != 1 {
			t.Errorf("%s version %d after the second run, want 1", o.Name, o.Version)
		}
	}
	if !reflect.DeepEqual(first.Analytics, second.Analytics) {
		t.Errorf("analytics differ between runs")
	}

	// A fresh reader replays the log from its commits and sees the second version only.
	for _, name := range append([]string{TableName(uid, record.TablePin)}, analytics.Names()...) {
		for _, v := range []string{"00000000000000000000.json", "00000000000000000001.json"} {
			if _, err := j.Lakehouse.Get(ctx, name+"/_delta_log/"+v); err != nil {
				t.Errorf("commit %s of %s: %v", v, name, err)
			}
		}
		snap, err := delta.Open(j.Lakehouse, name).Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rows, _ := snap.NumRecords(); snap.Version != 1 || (name == TableName(uid, record.TablePin) && rows != 2) {
			t.Errorf("%s replays to version %d with %d rows", name, snap.Version, rows)
		}
	}
	back, err := ReadAnalytics(ctx, j.Lakehouse)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, second.Analytics) {
		t.Errorf("read back after two runs:\n got %v\nwant %v", back, second.Analytics)
	}
}

func TestRunOverNoLandingsWritesEmptyTables(t *testing.T) {
	dir := t.TempDir()
	j := &Job{UID: uid, Landings: objstore.NewDir(filepath.Join(dir, "bucket")),
		Lakehouse: objstore.NewDir(filepath.Join(dir, "lakehouse"))}
	res, err := j.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range res.Tables {
		if run.Written != 0 || run.Version != 0 {
			t.Errorf("%+v", run)
		}
	}
	page, err := delta.Open(j.Lakehouse, TableName(uid, record.TablePin)).Rows(context.Background(), delta.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(page.Fields, record.CleanPinFields) || len(page.Rows) != 0 {
		t.Errorf("empty pin table: fields %v rows %v", page.Fields, page.Rows)
	}
	o, err := ReadAnalytic(context.Background(), j.Lakehouse, analytics.TopCountry)
	if err != nil || len(o.Rows) != 0 || len(o.Fields) != 2 {
		t.Errorf("empty top_country: %+v, %v", o, err)
	}
}

// failingStore fails every Get of one key.
type failingStore struct {
	objstore.Store
	key string
}

func (s failingStore) Get(ctx context.Context, key string) ([]byte, error) {
	if key == s.key {
		return nil, errors.New("connection reset")
	}
	return s.Store.Get(ctx, key)
}

func TestRunStopsOnAStoreError(t *testing.T) {
	j := newJob(t)
	j.Landings = failingStore{j.Landings, landingKey(record.TableGeo, 1)}
	_, err := j.Run(context.Background())
	want := "run batch job: get landing " + landingKey(record.TableGeo, 1) + ": connection reset"
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}

func TestRunNeedsItsStores(t *testing.T) {
	_, err := (&Job{UID: uid}).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "needs a user id, a landings store and a lakehouse store") {
		t.Errorf("error %v", err)
	}
}

func TestReadAnalyticsBeforeAnyRun(t *testing.T) {
	lakehouse := objstore.NewDir(t.TempDir())
	_, err := ReadAnalytics(context.Background(), lakehouse)
	want := "read analytics category_by_country: the table does not exist yet; run the batch job first (pintui batch run)"
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
	_, err = ReadAnalytic(context.Background(), lakehouse, "top_users")
	if err == nil || !strings.HasPrefix(err.Error(), `unknown analytics output "top_users": choose one of category_by_country, `) {
		t.Errorf("error %v", err)
	}
}

func TestFetchInOrderKeepsKeyOrder(t *testing.T) {
	store := objstore.NewDir(t.TempDir())
	var keys []string
	for i := range 3 * fetchAhead {
		key := fmt.Sprintf("k/%03d.json", i)
		keys = append(keys, key)
		if err := store.Put(context.Background(), key, []byte(key)); err != nil {
			t.Fatal(err)
		}
	}
	var got bytes.Buffer
	err := fetchInOrder(context.Background(), store, len(keys), func(i int) string { return keys[i] }, func(key string, body []byte) error {
		if key != string(body) {
			t.Errorf("key %s got body %s", key, body)
		}
		got.WriteString(key)
		return nil
	})
	if err != nil || got.String() != strings.Join(keys, "") {
		t.Errorf("order %s, %v", got.String(), err)
	}
}

func TestRunSummary(t *testing.T) {
	res, err := newJob(t).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := res.WriteSummary(&b); err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "summary.golden", b.Bytes())
}

func TestRunStopsWhenCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newJob(t).Run(ctx)
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "run batch job: ") {
		t.Errorf("error %v", err)
	}
}

func TestRunReportsProgressOverTheThreeTables(t *testing.T) {
	dir := t.TempDir()
	landings := objstore.NewDir(filepath.Join(dir, "bucket"))
	ctx := context.Background()
	for i, table := range record.Tables {
		for off := range 3 + i {
			key := sink.Key("u."+string(table), 0, int64(off))
			if err := landings.Put(ctx, key, []byte(`{"ind": 1}`+"\n")); err != nil {
				t.Fatal(err)
			}
		}
	}
	var mu sync.Mutex
	var last [2]int
	calls := 0
	job := &Job{UID: "u", Landings: landings, Lakehouse: objstore.NewDir(filepath.Join(dir, "lakehouse")), Progress: func(read, found int) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if read > found || read < last[0] {
			t.Errorf("progress went %v → %d of %d", last, read, found)
		}
		last = [2]int{read, found}
	}}
	if _, err := job.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if last != [2]int{12, 12} || calls < 12 {
		t.Errorf("last progress %v after %d calls, want 12 of 12 after at least 12", last, calls)
	}
}

func TestLandingListGivesBackEveryKey(t *testing.T) {
	keys := []string{
		sink.Key(uid+".pin", 0, 0), sink.Key(uid+".pin", 0, 12345678901), sink.Key(uid+".pin", 3, 7),
		"topics/" + uid + ".pin/partition=0/copied by hand.json", sink.Key(uid+".geo", 0, 1),
		"topics/" + uid + ".pin/partition=01/" + uid + ".pin+1+0000000001.json",
	}
	l := &landingList{topic: uid + ".pin"}
	for _, k := range keys {
		l.add(k)
	}
	var got []string
	for i := range l.len() {
		got = append(got, l.key(i))
	}
	if !slices.Equal(got, keys) {
		t.Errorf("keys %q\nwant %q", got, keys)
	}
	if len(l.others) != 3 {
		t.Errorf("%d keys kept whole, want the 3 outside the pin topic's layout", len(l.others))
	}
}
