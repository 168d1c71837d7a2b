package kinesis

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pintui/pintui/pipeline/stream"
)

// The conformance suite: one set of cases, run against every Kinesis implementation pintui
// talks to, so the client's behaviour does not depend on which one answers. Where kinesalite
// and AWS differ, the cases follow AWS.
var conformance = []struct {
	name string
	run  func(t *testing.T, c *Client, srv server)
}{
	{"create, list and describe", testCreateListDescribe},
	{"put hashes each key to its shard", testPutHashesToTheShard},
	{"PutRecords refuses 501 records", testPutRecordsRefuses501},
	{"read from each --from form", testReadFromEachForm},
	{"read stops at --max", testReadStopsAtMax},
	{"tail follows every shard", testTailFollows},
	{"reader semantics", testReader},
	{"newest record of a shard", testNewest},
	{"MillisBehindLatest says how far behind a read is", testBehind},
	{"records keep their bytes, up to 1 MiB", testRecordBytes},
	{"a missing stream is named", testMissingStream},
}

func TestConformance(t *testing.T) {
	servers := []struct {
		name  string
		start func(*testing.T) server
	}{
		{"kinesalite", startKinesalite},
		{"local", startLocal},
	}
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			srv := s.start(t)
			c, err := New(context.Background(), Settings{Endpoint: srv.endpoint})
			if err != nil {
				t.Fatal(err)
			}
			for _, cc := range conformance {
				t.Run(cc.name, func(t *testing.T) { cc.run(t, c, srv) })
			}
		})
	}
}

var streamSeq atomic.Int64

// newStream creates a stream of n shards for one case.
func newStream(t *testing.T, c *Client, shards int) string {
	t.Helper()
	name := fmt.Sprintf("conformance-%d-%d", time.Now().UnixNano()%1e6, streamSeq.Add(1))
	if err := c.Create(context.Background(), name, shards); err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Delete(context.Background(), name); err != nil {
			t.Errorf("Delete: %v", err)
		}
	})
	return name
}

// putAll puts one record per key, its data "data-<key>", in one PutRecords call.
func putAll(t *testing.T, c *Client, name string, keys ...string) []Put {
	t.Helper()
	entries := make([]Entry, len(keys))
	for i, k := range keys {
		entries[i] = Entry{PartitionKey: k, Data: []byte("data-" + k)}
	}
	puts, err := c.PutRecords(context.Background(), name, entries)
	if err != nil {
		t.Fatalf("PutRecords: %v", err)
	}
	for i, p := range puts {
		if p.Failed() || p.Sequence == "" || p.Shard == "" {
			t.Fatalf("PutRecords record %d: %+v", i, p)
		}
	}
	return puts
}

// shardFor is the shard whose hash-key range holds MD5(key), as Kinesis maps partition keys.
func shardFor(t *testing.T, d StreamDescription, key string) string {
	t.Helper()
	sum := md5.Sum([]byte(key))
	h := new(big.Int).SetBytes(sum[:])
	for _, s := range d.Shards {
		if h.Cmp(decimal(t, s.StartingHashKey)) >= 0 && h.Cmp(decimal(t, s.EndingHashKey)) <= 0 {
			return s.ID
		}
	}
	t.Fatalf("no shard of %s holds the hash of %q", d.Name, key)
	return ""
}

func decimal(t *testing.T, s string) *big.Int {
	t.Helper()
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		t.Fatalf("%q is not a decimal number", s)
	}
	return n
}

// data returns the records' payloads as text.
func data(recs []TailRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = string(r.Data)
	}
	return out
}

// checkShardOrder fails unless each shard's records come in increasing sequence order.
func checkShardOrder(t *testing.T, recs []TailRecord) {
	t.Helper()
	last := map[string]*big.Int{}
	for _, r := range recs {
		seq := decimal(t, r.Sequence)
		if prev, ok := last[r.Shard]; ok && seq.Cmp(prev) <= 0 {
			t.Errorf("%s: sequence %s after %s", r.Shard, r.Sequence, prev)
		}
		last[r.Shard] = seq
	}
}

func keys(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

func testCreateListDescribe(t *testing.T, c *Client, _ server) {
	ctx := context.Background()
	name := newStream(t, c, 3)
	list, err := c.Streams(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(list, func(s Stream) bool { return s.Name == name })
	if i < 0 {
		t.Fatalf("Streams() = %+v, want %s among them", list, name)
	}
	s := list[i]
	if s.Status != "ACTIVE" || s.Shards != 3 || s.RetentionHours != 24 || !strings.HasSuffix(s.ARN, ":stream/"+name) {
		t.Errorf("Streams() has %+v, want ACTIVE, 3 shards, 24 h and an ARN ending :stream/%s", s, name)
	}
	if age := time.Since(s.Created); age < -time.Minute || age > time.Minute {
		t.Errorf("created %v, want about now", s.Created)
	}
	d, err := c.Describe(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if d.Stream != s {
		t.Errorf("Describe() stream %+v, want %+v as Streams() says", d.Stream, s)
	}
	if len(d.Shards) != 3 {
		t.Fatalf("Describe() shards = %+v, want 3", d.Shards)
	}
	// The hash-key ranges cover 0 … 2^128-1 without a gap or an overlap.
	next := big.NewInt(0)
	for i, sh := range d.Shards {
		if want := fmt.Sprintf("shardId-%012d", i); sh.ID != want {
			t.Errorf("shard %d is %s, want %s", i, sh.ID, want)
		}
		if decimal(t, sh.StartingHashKey).Cmp(next) != 0 {
			t.Errorf("%s starts at %s, want %s", sh.ID, sh.StartingHashKey, next)
		}
		next = new(big.Int).Add(decimal(t, sh.EndingHashKey), big.NewInt(1))
		if !allDigits(sh.StartingSequence) || sh.EndingSequence != "" || sh.Parent != "" {
			t.Errorf("%s: sequences %q…%q, parent %q: want an open shard of the stream's creation", sh.ID, sh.StartingSequence, sh.EndingSequence, sh.Parent)
		}
	}
	if want := new(big.Int).Lsh(big.NewInt(1), 128); next.Cmp(want) != 0 {
		t.Errorf("the last shard ends at %s, want 2^128-1", new(big.Int).Sub(next, big.NewInt(1)))
	}
}

func testPutHashesToTheShard(t *testing.T, c *Client, _ server) {
	ctx := context.Background()
	name := newStream(t, c, 3)
	d, err := c.Describe(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	var singles []Put
	for _, k := range keys("single-", 20) {
		p, err := c.PutRecord(ctx, name, Entry{PartitionKey: k, Data: []byte("data-" + k)})
		if err != nil {
			t.Fatalf("PutRecord(%s): %v", k, err)
		}
		if want := shardFor(t, d, k); p.Shard != want {
			t.Errorf("PutRecord(%s) went to %s, want %s (MD5 of the key)", k, p.Shard, want)
		}
		singles = append(singles, p)
	}
	batch := keys("batch-", 30)
	puts := putAll(t, c, name, batch...)
	for i, p := range puts {
		if want := shardFor(t, d, batch[i]); p.Shard != want {
			t.Errorf("PutRecords(%s) went to %s, want %s (MD5 of the key)", batch[i], p.Shard, want)
		}
	}
	// Every record reads back from its shard, its bytes as put, in the order put.
	recs, truncated, err := c.Read(ctx, name, TrimHorizon, 0)
	if err != nil || truncated {
		t.Fatalf("Read: %v (truncated %v)", err, truncated)
	}
	checkShardOrder(t, recs)
	want := map[string]Put{}
	for i, p := range append(singles, puts...) {
		want["data-"+append(keys("single-", 20), batch...)[i]] = p
	}
	for _, r := range recs {
		p, ok := want[string(r.Data)]
		if !ok || p.Shard != r.Shard || p.Sequence != r.Sequence || "data-"+r.PartitionKey != string(r.Data) {
			t.Errorf("read %s %s %q key %q, put as %+v", r.Shard, r.Sequence, r.Data, r.PartitionKey, p)
		}
		delete(want, string(r.Data))
	}
	if len(want) != 0 {
		t.Errorf("records put but not read: %v", want)
	}
}

func testPutRecordsRefuses501(t *testing.T, c *Client, _ server) {
	name := newStream(t, c, 1)
	entries := make([]Entry, MaxPutRecords+1)
	for i := range entries {
		entries[i] = Entry{PartitionKey: "k", Data: []byte("x")}
	}
	_, err := c.PutRecords(context.Background(), name, entries)
	if err == nil || !strings.Contains(err.Error(), "the request was refused") {
		t.Errorf("PutRecords of 501 records: %v, want the request refused", err)
	}
	puts := putAll(t, c, name, keys("k", MaxPutRecords)...)
	if len(puts) != MaxPutRecords {
		t.Errorf("PutRecords of 500 records stored %d", len(puts))
	}
}

// putBeforeAndAfter puts the records a0…a4, then, a few milliseconds later, b0…b4, and returns
// the puts and a time between the two.
func putBeforeAndAfter(t *testing.T, c *Client, name string) (a, b []Put, between time.Time) {
	t.Helper()
	a = putAll(t, c, name, keys("a", 5)...)
	// Arrival times are kept to the millisecond: the boundary stands clear of both puts.
	time.Sleep(5 * time.Millisecond)
	between = time.Now()
	time.Sleep(5 * time.Millisecond)
	b = putAll(t, c, name, keys("b", 5)...)
	return a, b, between
}

func testReadFromEachForm(t *testing.T, c *Client, _ server) {
	ctx := context.Background()
	name := newStream(t, c, 2)
	_, b, between := putBeforeAndAfter(t, c, name)
	all := append(keys("data-a", 5), keys("data-b", 5)...)
	bs := keys("data-b", 5)
	// From b2 on, only b2's own shard is read.
	var fromB2 []string
	for i, p := range b {
		if i >= 2 && p.Shard == b[2].Shard {
			fromB2 = append(fromB2, bs[i])
		}
	}
	now := time.Now()
	cases := []struct {
		from string
		want []string
	}{
		{"trim-horizon", all},
		{"latest", nil},
		{b[2].Sequence, fromB2},
		{between.UTC().Format(time.RFC3339Nano), bs},
		{fmt.Sprintf("s@%d", between.UnixMilli()+1), bs},
		{fmt.Sprintf("-%dms", now.Sub(between).Milliseconds()), bs},
	}
	for _, cc := range cases {
		from, err := ParseFrom(cc.from, now)
		if err != nil {
			t.Fatal(err)
		}
		recs, truncated, err := c.Read(ctx, name, from, 0)
		if err != nil || truncated {
			t.Errorf("Read from %s: %v (truncated %v)", cc.from, err, truncated)
			continue
		}
		checkShardOrder(t, recs)
		got := data(recs)
		// Across shards the order is by arrival; the a records all arrived before the b records.
		sortWithin := func(s []string) []string {
			s = slices.Clone(s)
			slices.Sort(s)
			return s
		}
		if !slices.Equal(sortWithin(got), sortWithin(cc.want)) || (len(got) == 10 && !slices.Equal(sortWithin(got[:5]), all[:5])) {
			t.Errorf("Read from %s = %v, want %v", cc.from, got, cc.want)
		}
	}
	_, _, err := c.Read(ctx, name, AtSequence("12345678901234567890123456789"), 0)
	if err == nil || !strings.Contains(err.Error(), "no shard of the stream holds that sequence number") {
		t.Errorf("Read from a sequence number of no shard: %v, want no shard holds it", err)
	}
}

func testReadStopsAtMax(t *testing.T, c *Client, _ server) {
	ctx := context.Background()
	name := newStream(t, c, 2)
	putAll(t, c, name, keys("k", 10)...)
	for _, cc := range []struct {
		max, n    int
		truncated bool
	}{{3, 3, true}, {9, 9, true}, {10, 10, false}, {11, 10, false}, {0, 10, false}} {
		recs, truncated, err := c.Read(ctx, name, TrimHorizon, cc.max)
		if err != nil || len(recs) != cc.n || truncated != cc.truncated {
			t.Errorf("Read --max %d: %d records, truncated %v, %v; want %d, %v", cc.max, len(recs), truncated, err, cc.n, cc.truncated)
		}
	}
}

func testTailFollows(t *testing.T, c *Client, _ server) {
	name := newStream(t, c, 2)
	putAll(t, c, name, keys("before", 4)...)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got := make(chan TailRecord, 100)
	var inEmit atomic.Int32
	done := make(chan error, 1)
	go func() {
		done <- c.Tail(ctx, name, TrimHorizon, func(recs []TailRecord) {
			if inEmit.Add(1) > 1 {
				t.Error("emit called while another call runs")
			}
			for _, r := range recs {
				got <- r
			}
			inEmit.Add(-1)
		})
	}()
	var recs []TailRecord
	receive := func(n int) {
		t.Helper()
		for len(recs) < n {
			select {
			case r := <-got:
				recs = append(recs, r)
			case err := <-done:
				t.Fatalf("Tail returned %v after %d records, want it to follow", err, len(recs))
			case <-ctx.Done():
				t.Fatalf("tail delivered %d records, want %d", len(recs), n)
			}
		}
	}
	receive(4)
	putAll(t, c, name, keys("after", 4)...)
	receive(8)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Tail after its context ended: %v, want nil", err)
	}
	checkShardOrder(t, recs)
	d := data(recs)
	slices.Sort(d)
	if want := append(keys("data-after", 4), keys("data-before", 4)...); !slices.Equal(d, want) {
		t.Errorf("tail delivered %v, want %v once each", d, want)
	}
	if len(got) != 0 {
		t.Errorf("tail delivered %d records more than were put", len(got))
	}
}

func testReader(t *testing.T, c *Client, _ server) {
	ctx := context.Background()
	name := newStream(t, c, 1)
	puts := putAll(t, c, name, keys("r", 5)...)
	var r stream.Reader = c
	shards, err := r.Shards(ctx, name)
	if err != nil || !slices.Equal(shards, []string{"shardId-000000000000"}) {
		t.Fatalf("Shards = %v, %v", shards, err)
	}
	it, err := r.Iterator(ctx, name, shards[0], "")
	if err != nil {
		t.Fatal(err)
	}
	recs, next, _, err := r.Records(ctx, it, 2)
	if err != nil || len(recs) != 2 || recs[0].Sequence != puts[0].Sequence || recs[1].Sequence != puts[1].Sequence || next == "" {
		t.Fatalf("Records(2) = %+v, %q, %v; want r0 and r1", recs, next, err)
	}
	if string(recs[0].Data) != "data-r0" || recs[0].PartitionKey != "r0" || time.Since(recs[0].Arrival) > time.Minute {
		t.Errorf("first record %+v, want data-r0 with key r0 arrived just now", recs[0])
	}
	recs, next, behind, err := r.Records(ctx, next, 10)
	if err != nil || len(recs) != 3 || recs[2].Sequence != puts[4].Sequence || behind != 0 {
		t.Fatalf("Records(10) = %d records, %v behind, %v; want r2…r4, caught up", len(recs), behind, err)
	}
	recs, next, behind, err = r.Records(ctx, next, 10)
	if err != nil || len(recs) != 0 || next == "" || behind != 0 {
		t.Errorf("Records at the end = %d records, next %q, %v behind, %v; want none, an iterator, caught up", len(recs), next, behind, err)
	}
	it, err = r.Iterator(ctx, name, shards[0], puts[2].Sequence)
	if err != nil {
		t.Fatal(err)
	}
	recs, _, _, err = r.Records(ctx, it, 10)
	if err != nil || len(recs) != 2 || recs[0].Sequence != puts[3].Sequence {
		t.Errorf("Records after r2 = %+v, %v; want r3 and r4", recs, err)
	}
	_, _, _, err = r.Records(ctx, "not-an-iterator", 10)
	if err == nil || errors.Is(err, stream.ErrIteratorExpired) || !strings.Contains(err.Error(), "the request was refused (InvalidArgumentException") {
		t.Errorf("Records of a bad iterator: %v, want it refused as an invalid argument", err)
	}
}

func testNewest(t *testing.T, c *Client, srv server) {
	ctx := context.Background()
	name := newStream(t, c, 1)
	if srv.hangsAtAnEmptyTimestamp {
		t.Logf("%s: GetShardIterator AT_TIMESTAMP on an empty shard does not answer; not asking for the newest record of one", srv.name)
	} else if _, ok, err := c.Newest(ctx, name, "shardId-000000000000"); ok || err != nil {
		t.Errorf("Newest of an empty shard: %v, %v; want none", ok, err)
	}
	puts := putAll(t, c, name, keys("n", 3)...)
	rec, ok, err := c.Newest(ctx, name, "shardId-000000000000")
	if err != nil || !ok || rec.Sequence != puts[2].Sequence || string(rec.Data) != "data-n2" {
		t.Errorf("Newest = %+v, %v, %v; want n2", rec, ok, err)
	}
}

func testMissingStream(t *testing.T, c *Client, _ server) {
	ctx := context.Background()
	const name = "no-such-stream"
	_, err := c.Describe(ctx, name)
	want := "describe stream no-such-stream: it does not exist (ResourceNotFoundException: "
	if !errors.Is(err, ErrNotFound) || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "): run streams for the streams there are") {
		t.Errorf("Describe: %v, want ErrNotFound saying %q…", err, want)
	}
	_, err = c.PutRecord(ctx, name, Entry{PartitionKey: "k", Data: []byte("x")})
	if !errors.Is(err, ErrNotFound) || !strings.HasPrefix(err.Error(), "put a record into no-such-stream: it does not exist") {
		t.Errorf("PutRecord: %v, want ErrNotFound", err)
	}
	err = c.Tail(ctx, name, TrimHorizon, func([]TailRecord) { t.Error("emit called") })
	if !errors.Is(err, ErrNotFound) || !strings.HasPrefix(err.Error(), "tail no-such-stream: list the shards of no-such-stream: it does not exist") {
		t.Errorf("Tail: %v, want ErrNotFound", err)
	}
	if _, err := c.Shards(ctx, name); !errors.Is(err, ErrNotFound) {
		t.Errorf("Shards: %v, want ErrNotFound", err)
	}
}

func testBehind(t *testing.T, c *Client, srv server) {
	if srv.behindAlwaysZero {
		t.Skipf("%s answers MillisBehindLatest 0 whatever is behind the read (AWS says how far)", srv.name)
	}
	ctx := context.Background()
	name := newStream(t, c, 1)
	putAll(t, c, name, "r0")
	// The newest record arrives clearly after the first, for a read of the first to be behind.
	time.Sleep(20 * time.Millisecond)
	putAll(t, c, name, "r1")
	it, err := c.Iterator(ctx, name, "shardId-000000000000", "")
	if err != nil {
		t.Fatal(err)
	}
	recs, next, behind, err := c.Records(ctx, it, 1)
	if err != nil || len(recs) != 1 || behind <= 0 {
		t.Errorf("Records(1) of two = %d records, %v behind, %v; want r0 and a read behind the newest", len(recs), behind, err)
	}
	if _, _, behind, err = c.Records(ctx, next, 10); err != nil || behind != 0 {
		t.Errorf("Records up to the newest: %v behind, %v; want 0", behind, err)
	}
}

func testRecordBytes(t *testing.T, c *Client, _ server) {
	ctx := context.Background()
	name := newStream(t, c, 1)
	every := make([]byte, 256)
	for i := range every {
		every[i] = byte(i)
	}
	large := bytes.Repeat([]byte("x"), 1<<20-1)
	for _, data := range [][]byte{every, large} {
		if _, err := c.PutRecord(ctx, name, Entry{PartitionKey: "k", Data: data}); err != nil {
			t.Fatalf("PutRecord of %d bytes: %v", len(data), err)
		}
	}
	recs, _, err := c.Read(ctx, name, TrimHorizon, 0)
	if err != nil || len(recs) != 2 || !bytes.Equal(recs[0].Data, every) || !bytes.Equal(recs[1].Data, large) {
		t.Fatalf("Read = %d records, %v; want the two as put", len(recs), err)
	}
	_, err = c.PutRecord(ctx, name, Entry{PartitionKey: "k", Data: bytes.Repeat([]byte("x"), 1<<20+1)})
	if err == nil || !strings.Contains(err.Error(), ": the request was refused (") {
		t.Errorf("PutRecord of 1 MiB + 1 byte: %v, want it refused", err)
	}
}
