package kinesis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awskinesis "github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"

	"github.com/pintui/pintui/pipeline/stream"
)

// scriptedKinesis answers each Kinesis call with the next answer of its script, and records
// the calls: for what no real server does on demand, such as expiring an iterator.
type scriptedKinesis struct {
	t       *testing.T
	mu      sync.Mutex
	answers []scripted
	calls   []string
}

// scripted is one answer: the call it expects (operation and the field that matters), an HTTP
// status and a body.
type scripted struct {
	call   string
	status int
	body   string
}

func (s *scriptedKinesis) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var in map[string]any
	json.Unmarshal(body, &in)
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Kinesis_20131202.")
	call := op
	switch op {
	case "GetShardIterator":
		call += " " + fmt.Sprint(in["ShardIteratorType"])
		if seq, ok := in["StartingSequenceNumber"]; ok {
			call += " " + fmt.Sprint(seq)
		}
	case "GetRecords":
		call += " " + fmt.Sprint(in["ShardIterator"])
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, call)
	if len(s.answers) == 0 || s.answers[0].call != call {
		s.t.Errorf("unexpected call %q", call)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	a := s.answers[0]
	s.answers = s.answers[1:]
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

// scriptedClient is a client of the script that does not retry on its own, so every call
// the package makes reaches the script.
func scriptedClient(t *testing.T, answers ...scripted) (*Client, *scriptedKinesis) {
	s := &scriptedKinesis{t: t, answers: answers}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	api := awskinesis.New(awskinesis.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), HTTPClient: srv.Client(),
		Credentials: credentials.NewStaticCredentialsProvider("k", "s", ""), Retryer: aws.NopRetryer{},
	})
	return &Client{api: api}, s
}

func records(next string, behind int, seqs ...string) string {
	recs := make([]string, len(seqs))
	for i, s := range seqs {
		recs[i] = fmt.Sprintf(`{"SequenceNumber":%q,"ApproximateArrivalTimestamp":1796119200.5,"Data":"eyJpbmQiOjF9","PartitionKey":"k"}`, s)
	}
	nextField := ""
	if next != "" {
		nextField = fmt.Sprintf(`"NextShardIterator":%q,`, next)
	}
	return fmt.Sprintf(`{%s"MillisBehindLatest":%d,"Records":[%s]}`, nextField, behind, strings.Join(recs, ","))
}

const oneShard = `{"Shards":[{"ShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"340282366920938463463374607431768211455"},"SequenceNumberRange":{"StartingSequenceNumber":"100"}}]}`

func TestTailGoesOnAfterAnExpiredIteratorAndAThrottledRead(t *testing.T) {
	seq1, seq2, seq3 := "49000000000000000000000000000000000000000000000000000001", "49000000000000000000000000000000000000000000000000000002", "49000000000000000000000000000000000000000000000000000003"
	c, s := scriptedClient(t,
		scripted{"ListShards", 200, oneShard},
		scripted{"GetShardIterator TRIM_HORIZON", 200, `{"ShardIterator":"first"}`},
		scripted{"GetRecords first", 200, records("stale", 1000, seq1, seq2)},
		scripted{"GetRecords stale", 400, `{"__type":"ExpiredIteratorException","message":"Iterator expired."}`},
		scripted{"GetShardIterator AFTER_SEQUENCE_NUMBER " + seq2, 200, `{"ShardIterator":"fresh"}`},
		scripted{"GetRecords fresh", 400, `{"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded for shard shardId-000000000000."}`},
		scripted{"GetRecords fresh", 200, records("", 0, seq3)},
	)
	var got []string
	err := c.Tail(context.Background(), "s", TrimHorizon, func(recs []TailRecord) {
		for _, r := range recs {
			got = append(got, r.Sequence)
		}
	})
	if err != nil {
		t.Fatalf("Tail: %v, want nil once the closed shard is read", err)
	}
	if want := []string{seq1, seq2, seq3}; !slices.Equal(got, want) {
		t.Errorf("Tail delivered %v, want %v once each", got, want)
	}
	if len(s.answers) != 0 {
		t.Errorf("calls %v, the script still holds %+v", s.calls, s.answers)
	}
}

func TestAReadFromLatestThatExpiredGoesOnFromWhenItStarted(t *testing.T) {
	r := &shardRead{from: Latest, opened: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	if got := r.resume(); got.kind != Since(r.opened).kind || !got.at.Equal(r.opened) {
		t.Errorf("resume of a read from latest that read nothing = %v, want %v", got, Since(r.opened))
	}
	r.last = "49000000000000000000000000000000000000000000000000000001"
	if got := r.resume(); got != after(r.last) {
		t.Errorf("resume after a record = %v, want %v", got, after(r.last))
	}
	r = &shardRead{from: AtSequence("12345678901234567890")}
	if got := r.resume(); got != r.from {
		t.Errorf("resume of a read that read nothing = %v, want its start %v", got, r.from)
	}
}

func TestKinesisErrorsSayWhatToDo(t *testing.T) {
	cases := []struct {
		code string
		kind error
		want string
	}{
		{"ResourceNotFoundException", ErrNotFound, "op: it does not exist (ResourceNotFoundException: m): run streams for the streams there are"},
		{"ExpiredIteratorException", stream.ErrIteratorExpired, "op: the shard iterator expired (ExpiredIteratorException: m): get a new iterator after the last record read"},
		{"ProvisionedThroughputExceededException", ErrThrottled, "op: over the shard's throughput (ProvisionedThroughputExceededException: m): back off and try again, or read and write less often"},
		{"LimitExceededException", ErrThrottled, "op: over a limit of the account (LimitExceededException: m): wait and try again, or ask for less at a time"},
		{"InvalidArgumentException", nil, "op: the request was refused (InvalidArgumentException: m): check the stream, shard, iterator or record it names"},
		{"AccessDeniedException", nil, "op: the credentials were refused (AccessDeniedException: m): check the profile, or run aws sso login"},
	}
	for _, c := range cases {
		sdk := &smithy.GenericAPIError{Code: c.code, Message: "m"}
		err := failed("op", sdk)
		if err.Error() != c.want || (c.kind != nil && !errors.Is(err, c.kind)) {
			t.Errorf("%s: %q (is %v: %v), want %q", c.code, err, c.kind, errors.Is(err, c.kind), c.want)
		}
		var ae *smithy.GenericAPIError
		if !errors.As(err, &ae) {
			t.Errorf("%s: the SDK's error is not kept", c.code)
		}
	}
}

// A tail and the stream job run for hours and meet throttling often under AWS's limits; a retry
// quota that runs dry would turn the next throttled call into an error that stops them.
func TestRetriesNeverRunOutOfQuota(t *testing.T) {
	c, err := New(context.Background(), Settings{Endpoint: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	throttled := &smithy.GenericAPIError{Code: "ProvisionedThroughputExceededException", Message: "Rate exceeded"}
	r := c.api.Options().Retryer
	for i := range 1000 {
		if _, err := r.GetRetryToken(context.Background(), throttled); err != nil {
			t.Fatalf("retry %d of a throttled call: %v", i+1, err)
		}
	}
}
