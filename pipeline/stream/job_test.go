package stream

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/clean"
	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/source"
)

const uid = "0a1b2c3d4e5f"

// posted is what a test put into the streams: each table's raw records, in order.
type posted map[record.Table][][]byte

// post puts rows[from:to] into the three streams as the streaming emulator does: pin, geo, user.
func post(r *memReader, rows []source.Row, p posted) {
	for i, row := range rows {
		key := strconv.Itoa(i)
		for _, rec := range []struct {
			table record.Table
			data  []byte
		}{{record.TablePin, row.Pin.AppendJSON(nil)}, {record.TableGeo, row.Geo.AppendJSON(nil)}, {record.TableUser, row.User.AppendJSON(nil)}} {
			r.put(StreamName(uid, rec.table), key, rec.data)
			p[rec.table] = append(p[rec.table], rec.data)
		}
	}
}

// runJob starts a job and returns it with a function that stops it and waits for Run to end.
func runJob(t testing.TB, r Reader, store objstore.Store, opts ...Option) (*Job, func()) {
	t.Helper()
	opts = append([]Option{Trigger(10 * time.Millisecond), RetryBackoff(5*time.Millisecond, 50*time.Millisecond)}, opts...)
	j, err := New(uid, r, store, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := j.Run(ctx); err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	t.Cleanup(stop)
	return j, stop
}

// waitFor polls the job's status until cond holds of it, failing the test after 30 s.
func waitFor(t *testing.T, j *Job, what string, cond func(Status) bool) Status {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		st := j.Status()
		if cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 30s for %s; status %+v", what, st)
		}
	}
}

// holds is the condition that every table has the rows given.
func holds(want map[record.Table]int) func(Status) bool {
	return func(st Status) bool {
		for _, ts := range st.Tables {
			for table, n := range want {
				if ts.Table == TableName(uid, table) && ts.Rows != int64(n) {
					return false
				}
			}
		}
		return true
	}
}

// tableLines reads a stream table back as `pintui clean` would print its rows, sorted.
func tableLines(t *testing.T, store objstore.Store, table record.Table) []string {
	t.Helper()
	ctx := context.Background()
	dt := delta.Open(store, TableName(uid, table))
	var out []string
	switch table {
	case record.TablePin:
		rows, err := delta.Read[record.CleanPin](ctx, dt)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			out = append(out, string(clean.AppendPin(nil, r)))
		}
	case record.TableGeo:
		rows, err := delta.Read[record.CleanGeo](ctx, dt)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			out = append(out, string(clean.AppendGeo(nil, r)))
		}
	default:
		rows, err := delta.Read[record.CleanUser](ctx, dt)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			out = append(out, string(clean.AppendUser(nil, r)))
		}
	}
	slices.Sort(out)
	return out
}

// cleanLines is what `pintui clean --table` prints for the raw records, sorted.
func cleanLines(t *testing.T, table record.Table, raw [][]byte) []string {
	t.Helper()
	var out bytes.Buffer
	if _, err := clean.Run(context.Background(), table, bytes.NewReader(bytes.Join(append(raw, nil), []byte("\n"))), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	slices.Sort(lines)
	return lines
}

// checkExactlyOnce fails unless each table holds exactly the cleaned posted records.
func checkExactlyOnce(t *testing.T, store objstore.Store, p posted) {
	t.Helper()
	for _, table := range record.Tables {
		got, want := tableLines(t, store, table), cleanLines(t, table, p[table])
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d rows, want the %d cleaned records each once\nfirst got:  %.200s\nfirst want: %.200s", table, len(got), len(want), first(got), first(want))
		}
	}
}

func first(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return lines[0]
}

func counts(p posted) map[record.Table]int {
	return map[record.Table]int{record.TablePin: len(p[record.TablePin]), record.TableGeo: len(p[record.TableGeo]), record.TableUser: len(p[record.TableUser])}
}

func TestStreamTablesHoldTheCleanedRecordsOnce(t *testing.T) {
	r := newMemReader(Streams(uid), 2)
	store := newMemStore()
	rows := source.Generate(400, 100)
	p := posted{}
	post(r, rows[:150], p)
	j, stop := runJob(t, r, store)
	waitFor(t, j, "the first records", func(st Status) bool { return st.Tables[0].Rows > 0 })
	post(r, rows[150:], p)
	st := waitFor(t, j, "every record", holds(counts(p)))
	stop()
	checkExactlyOnce(t, store, p)
	for _, ts := range st.Tables {
		if _, ok := ts.ShardLag[shardID(1)]; !ok || len(ts.ShardLag) != 2 {
			t.Errorf("%s: shard lags %v, want both shards'", ts.Table, ts.ShardLag)
		}
		if ts.MicroBatch < 1 || ts.LastCommit.IsZero() || ts.Quarantined != 0 || ts.Err != "" || !ts.Reading {
			t.Errorf("%s: status %+v, want two micro-batches or more, read, nothing quarantined, no error", ts.Table, ts)
		}
	}
}

func TestRecordsThatDoNotParseAreQuarantinedWithTheirReason(t *testing.T) {
	r := newMemReader(Streams(uid), 1)
	store := newMemStore()
	p := posted{}
	post(r, source.Generate(5, 100)[:2], p)
	pin := StreamName(uid, record.TablePin)
	bad := [][]byte{[]byte("not json"), []byte(`{"title":"no index"}`), []byte("\xff\xfe")}
	seqs := make([]string, len(bad))
	for i, data := range bad {
		seqs[i] = r.put(pin, "bad", data)
	}
	post(r, source.Generate(5, 100)[2:], p)
	j, stop := runJob(t, r, store)
	st := waitFor(t, j, "every record", func(st Status) bool {
		return holds(counts(p))(st) && st.Tables[0].Quarantined == int64(len(bad))
	})
	stop()
	checkExactlyOnce(t, store, p)
	var got []QuarantinedRecord
	for id := int64(0); id <= st.Tables[0].MicroBatch; id++ {
		data, err := store.Get(context.Background(), QuarantineKey(TableName(uid, record.TablePin), id))
		if err != nil {
			continue
		}
		for line := range bytes.Lines(data) {
			var q QuarantinedRecord
			if err := json.Unmarshal(line, &q); err != nil {
				t.Fatal(err)
			}
			got = append(got, q)
		}
	}
	if len(got) != len(bad) {
		t.Fatalf("quarantined %d records, want %d: %+v", len(got), len(bad), got)
	}
	reasons := []string{"not JSON", "missing index", "not JSON"}
	for i, q := range got {
		if q.Stream != pin || q.Shard != shardID(0) || q.Sequence != seqs[i] || !bytes.Equal(q.Data, bad[i]) || q.PartitionKey != "bad" {
			t.Errorf("quarantined record %d = %+v, want %q at %s", i, q, bad[i], seqs[i])
		}
		if !strings.Contains(q.Reason, reasons[i]) {
			t.Errorf("quarantined record %d: reason %q, want it to say %q", i, q.Reason, reasons[i])
		}
	}
}

func TestFailuresAreShownAndRetriedWithoutLossOrDuplicates(t *testing.T) {
	r := newMemReader(Streams(uid), 1)
	store := newMemStore()
	failing := newFailingStore(store, false, func(key string) bool { return strings.Contains(key, "commits/") })
	p := posted{}
	post(r, source.Generate(50, 100), p)
	r.expireNext(2)
	j, stop := runJob(t, r, failing, RetryBackoff(200*time.Millisecond, time.Second))
	<-failing.fired
	st := waitFor(t, j, "the failure to show", func(st Status) bool { return st.Err != "" })
	if !strings.Contains(st.Err, "injected failure") {
		t.Errorf("status error %q, want the store's failure", st.Err)
	}
	waitFor(t, j, "every record", func(st Status) bool { return holds(counts(p))(st) && st.Err == "" })
	stop()
	checkExactlyOnce(t, store, p)
}

func TestSequenceNumbersOrderAsNumbers(t *testing.T) {
	ordered := []string{"7", "20", "99", "100", "49590338271490256608559692538361571095921575989136588898"}
	for i := range ordered {
		for k := range ordered {
			if got := seqLess(ordered[i], ordered[k]); got != (i < k) {
				t.Errorf("seqLess(%s, %s) = %v", ordered[i], ordered[k], got)
			}
		}
	}
}

func TestNewRefusesABadJob(t *testing.T) {
	r := newMemReader(Streams(uid), 1)
	for _, c := range []struct {
		opts []Option
		want string
	}{
		{[]Option{Trigger(0)}, "trigger interval 0s is not valid"},
		{[]Option{JobID("")}, "job id is empty"},
		{[]Option{Tables("pins")}, `unknown table "pins"`},
		{[]Option{RetryBackoff(time.Second, time.Millisecond)}, "retry backoff 1s to 1ms is not valid"},
	} {
		if _, err := New(uid, r, newMemStore(), c.opts...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New = %v, want %q", err, c.want)
		}
	}
}

func TestALostCheckpointIsRefusedRatherThanSkipped(t *testing.T) {
	r := newMemReader(Streams(uid), 1)
	store := newMemStore()
	p := posted{}
	post(r, source.Generate(20, 100), p)
	j, stop := runJob(t, r, store)
	waitFor(t, j, "every record", holds(counts(p)))
	stop()
	ctx := context.Background()
	pinTable := TableName(uid, record.TablePin)
	objs, _ := store.List(ctx, CheckpointPrefix+pinTable+"/")
	for _, o := range objs {
		store.Delete(ctx, o.Key)
	}
	post(r, source.Generate(20, 100), p)
	j, stop = runJob(t, r, store)
	st := waitFor(t, j, "the lost checkpoint to show", func(st Status) bool { return st.Tables[0].Err != "" })
	stop()
	want := "table " + pinTable + " holds micro-batch 0 of pintui-stream-" + StreamName(uid, record.TablePin) + ", but its checkpoint _checkpoints/" + pinTable + "/ goes only to -1: restore the checkpoint, or delete the table and the checkpoint to read the stream again from its oldest record"
	if st.Tables[0].Err != want {
		t.Errorf("error %q\nwant %q", st.Tables[0].Err, want)
	}
	if got := len(tableLines(t, store, record.TablePin)); got != 20 {
		t.Errorf("pin table holds %d rows after the refusal, want the 20 it held", got)
	}
}

func TestStreamTablesAreCompactedAsMicroBatchesAddFiles(t *testing.T) {
	r := newMemReader(Streams(uid), 1)
	store := newMemStore()
	rows := source.Generate(60, 100)
	p := posted{}
	j, stop := runJob(t, r, store, TableOptions(delta.AutoOptimize(4)), Tables(record.TablePin))
	for wave := range 12 {
		post(r, rows[wave*5:wave*5+5], p)
		waitFor(t, j, "wave "+strconv.Itoa(wave), func(st Status) bool { return st.Tables[0].Rows == int64(5*(wave+1)) })
	}
	stop()
	snap, err := delta.Open(store, TableName(uid, record.TablePin)).Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Files) > 5 {
		t.Errorf("the pin table has %d live files after 12 micro-batches, want them compacted past 4", len(snap.Files))
	}
	got, want := tableLines(t, store, record.TablePin), cleanLines(t, record.TablePin, p[record.TablePin])
	if !slices.Equal(got, want) {
		t.Errorf("after compaction the pin table holds %d rows, want the %d cleaned records each once", len(got), len(want))
	}
}

// countingReader counts the GetRecords calls on each shard.
type countingReader struct {
	*memReader
	mu    sync.Mutex
	calls map[string]int
}

func (c *countingReader) Records(ctx context.Context, iterator string, limit int) ([]Record, string, time.Duration, error) {
	shard := iterator[:strings.LastIndex(iterator, "|")]
	c.mu.Lock()
	c.calls[shard]++
	c.mu.Unlock()
	return c.memReader.Records(ctx, iterator, limit)
}

func TestReadIntervalBoundsTheGetRecordsCallsOfAShard(t *testing.T) {
	mem := newMemReader(Streams(uid), 2)
	r := &countingReader{memReader: mem, calls: map[string]int{}}
	const interval = 100 * time.Millisecond
	start := time.Now()
	_, stop := runJob(t, r, newMemStore(), ReadInterval(interval))
	for i := 0; i < 50; i++ {
		for _, s := range Streams(uid) {
			mem.put(s, strconv.Itoa(i), []byte(`{"ind":1}`))
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	most := int(time.Since(start)/interval) + 1
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.calls) == 0 {
		t.Fatal("the job never read a shard")
	}
	for shard, n := range r.calls {
		if n > most {
			t.Errorf("shard %s was read %d times, more than one call per %s allows (%d)", shard, n, interval, most)
		}
	}
}
