package local

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math"
	"math/big"
	"net/http"
	"regexp"
	"time"
)

// The size limits of AWS: one record's data and partition key, one PutRecords request, and
// one GetRecords answer.
const (
	maxRecordBytes     = 1 << 20
	maxPutRecordsBytes = 5 << 20
	maxPutRecords      = 500
	maxGetRecordsBytes = 10 << 20
	maxGetRecords      = 10000
)

var (
	decimalPattern  = regexp.MustCompile(`^(0|[1-9][0-9]{0,38})$`)
	sequencePattern = regexp.MustCompile(`^(0|[1-9][0-9]{0,128})$`)
)

// throughputExceeded is the error of a write or read beyond a shard's limits.
func throughputExceeded(st *kStream, sh *kShard) *kinesisError {
	return kerr(http.StatusBadRequest, "ProvisionedThroughputExceededException",
		"Rate exceeded for shard %s in stream %s under account %s: retry with backoff, or spread records over more shards", sh.id, st.meta.Name, kinesisAccount)
}

// putEntry is one record to put, of PutRecord or of PutRecords.
type putEntry struct {
	Data            []byte
	PartitionKey    *string
	ExplicitHashKey string
}

// check adds what is wrong with the entry to v, naming its fields under prefix.
func (p putEntry) check(v *violations, prefix string) {
	if p.PartitionKey == nil {
		v.missing(prefix + "partitionKey")
	} else {
		v.check(len(*p.PartitionKey) >= 1 && len(*p.PartitionKey) <= 256, *p.PartitionKey, prefix+"partitionKey", "have length between 1 and 256")
	}
	if p.ExplicitHashKey != "" {
		v.check(decimalPattern.MatchString(p.ExplicitHashKey), p.ExplicitHashKey, prefix+"explicitHashKey", "satisfy regular expression pattern: 0|([1-9]\\d{0,38})")
	}
	if p.Data == nil {
		v.missing(prefix + "data")
		return
	}
	value := fmt.Sprintf("java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]", len(p.Data), len(p.Data))
	v.check(len(p.Data) <= maxRecordBytes, value, prefix+"data", fmt.Sprintf("have length less than or equal to %d", maxRecordBytes))
	if p.PartitionKey != nil && len(p.Data) <= maxRecordBytes {
		v.check(len(p.Data)+len(*p.PartitionKey) <= maxRecordBytes, value, prefix+"data",
			fmt.Sprintf("have, with its partition key, length less than or equal to %d", maxRecordBytes))
	}
}

// hashKey is the 128-bit hash key that places the entry on a shard: its explicit hash key, or
// the MD5 of its partition key.
func (p putEntry) hashKey() (*big.Int, *kinesisError) {
	if p.ExplicitHashKey != "" {
		k, _ := new(big.Int).SetString(p.ExplicitHashKey, 10)
		if k.Cmp(hashSpace) >= 0 {
			return nil, errInvalidArgument("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was %s", p.ExplicitHashKey)
		}
		return k, nil
	}
	sum := md5.Sum([]byte(*p.PartitionKey))
	return new(big.Int).SetBytes(sum[:]), nil
}

type putRecordRequest struct {
	streamRef
	putEntry
	SequenceNumberForOrdering string
}

type putRecordResponse struct {
	ShardId        string
	SequenceNumber string
	EncryptionType string
}

func (s *kinesisServer) putRecord(_ context.Context, req *putRecordRequest) (any, *kinesisError) {
	var v violations
	if req.SequenceNumberForOrdering != "" {
		v.check(sequencePattern.MatchString(req.SequenceNumberForOrdering), req.SequenceNumberForOrdering, "sequenceNumberForOrdering", "satisfy regular expression pattern: 0|([1-9]\\d{0,128})")
	}
	req.putEntry.check(&v, "")
	if e := v.err(); e != nil {
		return nil, e
	}
	st, e := s.stream(req.streamRef)
	if e != nil {
		return nil, e
	}
	key, e := req.hashKey()
	if e != nil {
		return nil, e
	}
	sh := st.shardFor(key)
	now := s.now()
	if sh.limits != nil && !sh.limits.write(len(req.Data)+len(*req.PartitionKey), now) {
		return nil, throughputExceeded(st, sh)
	}
	recs := []kRecord{{key: *req.PartitionKey, data: req.Data}}
	wait, err := sh.log.append(recs, s.syncs, now.UnixMilli())
	if err == nil {
		err = wait()
	}
	if err != nil {
		return nil, errInternal(err)
	}
	return putRecordResponse{ShardId: sh.id, SequenceNumber: st.sequence(sh, recs[0].counter), EncryptionType: "NONE"}, nil
}

type putRecordsRequest struct {
	streamRef
	Records []putEntry
}

// putRecordsResult is one record's outcome: its place, or why it was not put.
type putRecordsResult struct {
	SequenceNumber string `json:",omitempty"`
	ShardId        string `json:",omitempty"`
	ErrorCode      string `json:",omitempty"`
	ErrorMessage   string `json:",omitempty"`
}

type putRecordsResponse struct {
	FailedRecordCount int
	Records           []putRecordsResult
	EncryptionType    string
}

// check says what is wrong with the request as a whole, before any record is put.
func (req *putRecordsRequest) check() *kinesisError {
	var v violations
	if req.Records == nil {
		v.missing("records")
	} else {
		v.check(len(req.Records) >= 1, "[]", "records", "have length greater than or equal to 1")
		v.check(len(req.Records) <= maxPutRecords, fmt.Sprintf("%d records", len(req.Records)), "records", fmt.Sprintf("have length less than or equal to %d", maxPutRecords))
	}
	total := 0
	for i, r := range req.Records {
		r.check(&v, fmt.Sprintf("records.%d.member.", i+1))
		total += len(r.Data)
		if r.PartitionKey != nil {
			total += len(*r.PartitionKey)
		}
	}
	if e := v.err(); e != nil {
		return e
	}
	if total > maxPutRecordsBytes {
		return errInvalidArgument("Records size exceeds 5 MB limit: the %d records hold %d bytes; put them in smaller requests", len(req.Records), total)
	}
	return nil
}

// putRecords puts each record on its shard, one append and one shared fsync per shard; a
// record over its shard's limits fails alone, with HTTP 200 for the request.
func (s *kinesisServer) putRecords(_ context.Context, req *putRecordsRequest) (any, *kinesisError) {
	if e := req.check(); e != nil {
		return nil, e
	}
	st, e := s.stream(req.streamRef)
	if e != nil {
		return nil, e
	}
	now := s.now()
	results := make([]putRecordsResult, len(req.Records))
	byShard := map[*kShard][]int{}
	var order []*kShard
	for i, r := range req.Records {
		key, e := r.hashKey()
		if e != nil {
			return nil, e
		}
		sh := st.shardFor(key)
		if sh.limits != nil && !sh.limits.write(len(r.Data)+len(*r.PartitionKey), now) {
			e := throughputExceeded(st, sh)
			results[i] = putRecordsResult{ErrorCode: e.typ, ErrorMessage: e.message}
			continue
		}
		if _, ok := byShard[sh]; !ok {
			order = append(order, sh)
		}
		byShard[sh] = append(byShard[sh], i)
	}
	type pending struct {
		sh   *kShard
		idx  []int
		recs []kRecord
		wait func() error
		err  error
	}
	var runs []*pending
	for _, sh := range order {
		p := &pending{sh: sh, idx: byShard[sh]}
		for _, i := range p.idx {
			p.recs = append(p.recs, kRecord{key: *req.Records[i].PartitionKey, data: req.Records[i].Data})
		}
		p.wait, p.err = sh.log.append(p.recs, s.syncs, now.UnixMilli())
		runs = append(runs, p)
	}
	resp := putRecordsResponse{EncryptionType: "NONE"}
	for _, p := range runs {
		if p.err == nil {
			p.err = p.wait()
		}
		for j, i := range p.idx {
			if p.err != nil {
				results[i] = putRecordsResult{ErrorCode: "InternalFailure", ErrorMessage: p.err.Error()}
				continue
			}
			results[i] = putRecordsResult{SequenceNumber: st.sequence(p.sh, p.recs[j].counter), ShardId: p.sh.id}
		}
	}
	for _, r := range results {
		if r.ErrorCode != "" {
			resp.FailedRecordCount++
		}
	}
	resp.Records = results
	return resp, nil
}

type getShardIteratorRequest struct {
	streamRef
	ShardId                string
	ShardIteratorType      string
	StartingSequenceNumber string
	Timestamp              *float64
}

// shardIterator is where a reader is in a shard: the counter it reads next. On the wire it is
// base64 of a version byte, its creation time, the stream's epoch, the shard, the counter and
// the stream's name, with a CRC-32 so a mangled one is refused rather than misread.
type shardIterator struct {
	created time.Time
	epoch   int64
	shard   uint32
	next    uint64
	stream  string
}

func (it shardIterator) String() string {
	b := []byte{1}
	b = binary.BigEndian.AppendUint64(b, uint64(it.created.UnixMilli()))
	b = binary.BigEndian.AppendUint64(b, uint64(it.epoch))
	b = binary.BigEndian.AppendUint32(b, it.shard)
	b = binary.BigEndian.AppendUint64(b, it.next)
	b = append(b, it.stream...)
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	return base64.StdEncoding.EncodeToString(b)
}

// parseIterator reads an iterator String made.
func parseIterator(s string) (shardIterator, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) < 1+8+8+4+8+1+4 || b[0] != 1 {
		return shardIterator{}, false
	}
	body, sum := b[:len(b)-4], binary.BigEndian.Uint32(b[len(b)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return shardIterator{}, false
	}
	return shardIterator{
		created: time.UnixMilli(int64(binary.BigEndian.Uint64(body[1:]))),
		epoch:   int64(binary.BigEndian.Uint64(body[9:])),
		shard:   binary.BigEndian.Uint32(body[17:]),
		next:    binary.BigEndian.Uint64(body[21:]),
		stream:  string(body[29:]),
	}, true
}

func (s *kinesisServer) getShardIterator(_ context.Context, req *getShardIteratorRequest) (any, *kinesisError) {
	var v violations
	if req.ShardId == "" {
		v.missing("shardId")
	}
	switch req.ShardIteratorType {
	case "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP":
	default:
		v.check(false, req.ShardIteratorType, "shardIteratorType", "satisfy enum value set: [AFTER_SEQUENCE_NUMBER, AT_SEQUENCE_NUMBER, AT_TIMESTAMP, TRIM_HORIZON, LATEST]")
	}
	if req.StartingSequenceNumber != "" {
		v.check(sequencePattern.MatchString(req.StartingSequenceNumber), req.StartingSequenceNumber, "startingSequenceNumber", "satisfy regular expression pattern: 0|([1-9]\\d{0,128})")
	}
	if e := v.err(); e != nil {
		return nil, e
	}
	st, e := s.stream(req.streamRef)
	if e != nil {
		return nil, e
	}
	sh, e := st.shard(req.ShardId)
	if e != nil {
		return nil, e
	}
	now := s.now()
	if sh.limits != nil && !sh.limits.iterator(now) {
		return nil, throughputExceeded(st, sh)
	}
	it := shardIterator{created: now, epoch: st.meta.Epoch, shard: uint32(sh.index), stream: st.meta.Name}
	oldest, newest := sh.log.bounds(st.cutoff(now))
	switch req.ShardIteratorType {
	case "TRIM_HORIZON":
		it.next = oldest
	case "LATEST":
		it.next = newest + 1
	case "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER":
		if req.StartingSequenceNumber == "" {
			return nil, errInvalidArgument("You must specify a starting sequence number with %s", req.ShardIteratorType)
		}
		counter, ok := st.counterOf(sh, req.StartingSequenceNumber)
		if !ok {
			return nil, errInvalidArgument("StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid because it did not come from this stream",
				req.StartingSequenceNumber, sh.id, st.meta.Name, kinesisAccount)
		}
		it.next = counter
		if req.ShardIteratorType == "AFTER_SEQUENCE_NUMBER" {
			it.next++
		}
	case "AT_TIMESTAMP":
		if req.Timestamp == nil || math.IsNaN(*req.Timestamp) || math.IsInf(*req.Timestamp, 0) {
			return nil, errInvalidArgument("You must specify a timestamp with AT_TIMESTAMP")
		}
		it.next = sh.log.atTime(int64(math.Round(*req.Timestamp * 1000)))
	}
	return struct{ ShardIterator string }{it.String()}, nil
}

// cutoff is the arrival time (unix ms) before which the stream's records have expired.
func (st *kStream) cutoff(now time.Time) int64 {
	return now.Add(-time.Duration(st.retentionHours()) * time.Hour).UnixMilli()
}

type getRecordsRequest struct {
	ShardIterator *string
	Limit         *int
	StreamARN     string
}

// recordJSON is one record of a GetRecords answer.
type recordJSON struct {
	SequenceNumber              string
	ApproximateArrivalTimestamp json.Number
	Data                        []byte
	PartitionKey                string
}

type getRecordsResponse struct {
	Records            []recordJSON
	NextShardIterator  string
	MillisBehindLatest int64
}

func (s *kinesisServer) getRecords(_ context.Context, req *getRecordsRequest) (any, *kinesisError) {
	var v violations
	if req.ShardIterator == nil {
		v.missing("shardIterator")
	} else {
		v.check(len(*req.ShardIterator) >= 1 && len(*req.ShardIterator) <= 512, *req.ShardIterator, "shardIterator", "have length between 1 and 512")
	}
	limit := v.count(req.Limit, maxGetRecords, maxGetRecords, "limit")
	if e := v.err(); e != nil {
		return nil, e
	}
	it, ok := parseIterator(*req.ShardIterator)
	if !ok {
		return nil, errInvalidArgument("Invalid ShardIterator: pass one GetShardIterator or GetRecords returned")
	}
	now := s.now()
	if age := now.Sub(it.created); age > iteratorLife {
		return nil, kerr(http.StatusBadRequest, "ExpiredIteratorException",
			"Iterator expired. The iterator was created at time %s while right now it is %s which is further in the future than the tolerated delay of %d milliseconds: get a new one with GetShardIterator",
			it.created.UTC().Format(time.RFC3339Nano), now.UTC().Format(time.RFC3339Nano), iteratorLife.Milliseconds())
	}
	st, e := s.stream(streamRef{StreamName: it.stream})
	if e != nil || st.meta.Epoch != it.epoch || int(it.shard) >= len(st.shards) {
		return nil, errNotFound("Shard %s in stream %s under account %s does not exist: the stream was deleted or recreated since the iterator was made", shardID(int(it.shard)), it.stream, kinesisAccount)
	}
	sh := st.shards[it.shard]
	if sh.limits != nil && !sh.limits.read(now) {
		return nil, throughputExceeded(st, sh)
	}
	recs, behind, err := sh.log.read(it.next, limit, maxGetRecordsBytes, st.cutoff(now))
	if err != nil {
		return nil, errInternal(err)
	}
	resp := getRecordsResponse{Records: make([]recordJSON, len(recs))}
	for i, r := range recs {
		resp.Records[i] = recordJSON{
			SequenceNumber: st.sequence(sh, r.counter), ApproximateArrivalTimestamp: epochSeconds(time.UnixMilli(r.arrival)),
			Data: r.data, PartitionKey: r.key,
		}
	}
	if len(recs) > 0 {
		it.next = recs[len(recs)-1].counter + 1
	}
	if behind > 0 {
		resp.MillisBehindLatest = max(0, now.UnixMilli()-behind)
	}
	it.created = now
	resp.NextShardIterator = it.String()
	return resp, nil
}
