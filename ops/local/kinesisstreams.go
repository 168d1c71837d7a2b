package local

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// streamMetaName is the file a stream's folder keeps its description in; a folder without it is
// a stream whose creation did not finish.
const streamMetaName = "stream.json"

// A new stream's retention, and the least and most a stream can have, as on AWS.
const (
	defaultRetentionHours = 24
	minRetentionHours     = 24
	maxRetentionHours     = 8760
)

// onDemandShards is the shard count of an on-demand stream, as AWS starts one.
const onDemandShards = 4

// maxShards bounds a stream's shard count on the local Kinesis.
const maxShards = 256

// streamNamePattern is what AWS accepts as a stream name.
var streamNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)

// hashSpace is 2^128, the size of the hash-key space the shards split.
var hashSpace = new(big.Int).Lsh(big.NewInt(1), 128)

// streamMeta is a stream's stream.json.
type streamMeta struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	// Epoch (unix ms) prefixes the stream's sequence numbers, so a recreated stream's never
	// match an old one's.
	Epoch          int64 `json:"epoch"`
	Shards         int   `json:"shards"`
	RetentionHours int   `json:"retention_hours"`
	OnDemand       bool  `json:"on_demand"`
}

// kStream is one stream of the local Kinesis.
type kStream struct {
	// meta is fixed but for RetentionHours, which metaMu guards; retention is its value for
	// readers that take no lock.
	meta      streamMeta
	metaMu    sync.Mutex
	retention atomic.Int64
	dir       string
	shards    []*kShard
}

// retentionHours is how long the stream keeps records.
func (st *kStream) retentionHours() int { return int(st.retention.Load()) }

// kShard is one shard: its hash-key range, its log and, with limits on, its throughput buckets.
type kShard struct {
	index      int
	id         string
	start, end *big.Int
	log        *shardLog
	limits     *shardLimits
}

func shardID(i int) string { return fmt.Sprintf("shardId-%012d", i) }

// openStream opens the stream kept in dir; the error wraps os.ErrNotExist when dir has no
// stream.json.
func openStream(dir string, limits bool) (*kStream, error) {
	data, err := os.ReadFile(filepath.Join(dir, streamMetaName))
	if err != nil {
		return nil, fmt.Errorf("open stream %s: %w", dir, err)
	}
	var meta streamMeta
	if err := json.Unmarshal(data, &meta); err != nil || meta.Shards < 1 || meta.Shards > maxShards || meta.RetentionHours < minRetentionHours {
		return nil, fmt.Errorf("open stream %s: %s is damaged (%v): delete the folder to drop the stream", dir, streamMetaName, err)
	}
	return loadStream(dir, meta, limits)
}

// loadStream opens the shard logs of the stream meta describes.
func loadStream(dir string, meta streamMeta, limits bool) (*kStream, error) {
	st := &kStream{meta: meta, dir: dir}
	st.retention.Store(int64(meta.RetentionHours))
	n := big.NewInt(int64(meta.Shards))
	for i := range meta.Shards {
		log, err := openShardLog(filepath.Join(dir, shardID(i)))
		if err != nil {
			st.close()
			return nil, err
		}
		start := new(big.Int).Div(new(big.Int).Mul(hashSpace, big.NewInt(int64(i))), n)
		end := new(big.Int).Div(new(big.Int).Mul(hashSpace, big.NewInt(int64(i+1))), n)
		sh := &kShard{index: i, id: shardID(i), start: start, end: end.Sub(end, big.NewInt(1)), log: log}
		if limits {
			sh.limits = newShardLimits()
		}
		st.shards = append(st.shards, sh)
	}
	return st, nil
}

func (st *kStream) close() error {
	var errs []error
	for _, sh := range st.shards {
		errs = append(errs, sh.log.close())
	}
	return errors.Join(errs...)
}

func (st *kStream) arn() string {
	return "arn:aws:kinesis:" + kinesisRegion + ":" + kinesisAccount + ":stream/" + st.meta.Name
}

// shardFor returns the shard whose hash-key range holds key.
func (st *kStream) shardFor(key *big.Int) *kShard {
	i, _ := slices.BinarySearchFunc(st.shards, key, func(sh *kShard, k *big.Int) int {
		if sh.end.Cmp(k) < 0 {
			return -1
		}
		if sh.start.Cmp(k) > 0 {
			return 1
		}
		return 0
	})
	return st.shards[min(i, len(st.shards)-1)]
}

// shard returns the shard named id.
func (st *kStream) shard(id string) (*kShard, *kinesisError) {
	for _, sh := range st.shards {
		if sh.id == id {
			return sh, nil
		}
	}
	return nil, errNotFound("Shard %s in stream %s under account %s does not exist: list the stream's shards with ListShards", id, st.meta.Name, kinesisAccount)
}

// sequence is the sequence number of counter in shard: "4", the stream's epoch (13 digits), the
// shard (4 digits), the counter (20 digits). All have 38 digits, so their lexical order is their
// numeric order.
func (st *kStream) sequence(sh *kShard, counter uint64) string {
	return fmt.Sprintf("4%013d%04d%020d", st.meta.Epoch, sh.index, counter)
}

// counterOf returns the counter a sequence number of shard sh names.
func (st *kStream) counterOf(sh *kShard, seq string) (uint64, bool) {
	prefix := st.sequence(sh, 0)[:18]
	rest, ok := strings.CutPrefix(seq, prefix)
	if !ok || len(seq) != 38 {
		return 0, false
	}
	n, err := strconv.ParseUint(rest, 10, 64)
	return n, err == nil
}

// streamRef is how a request names a stream: by name or by ARN.
type streamRef struct {
	StreamName string
	StreamARN  string
}

// name returns the stream's name, or what is wrong with the reference.
func (r streamRef) name() (string, *kinesisError) {
	name := r.StreamName
	if r.StreamARN != "" {
		_, fromARN, ok := strings.Cut(r.StreamARN, ":stream/")
		if !ok || !strings.HasPrefix(r.StreamARN, "arn:aws:kinesis:") {
			return "", errInvalidArgument("StreamARN %q is not arn:aws:kinesis:<region>:<account>:stream/<name>", r.StreamARN)
		}
		if name != "" && name != fromARN {
			return "", errInvalidArgument("StreamName %q and StreamARN %q name different streams: give one of them", name, r.StreamARN)
		}
		name = fromARN
	}
	if name == "" {
		return "", errInvalidArgument("Either StreamName or StreamARN must be provided")
	}
	var v violations
	v.streamName(name)
	return name, v.err()
}

// stream returns the stream a request names.
func (s *kinesisServer) stream(ref streamRef) (*kStream, *kinesisError) {
	name, e := ref.name()
	if e != nil {
		return nil, e
	}
	s.mu.RLock()
	st := s.streams[name]
	s.mu.RUnlock()
	if st == nil {
		return nil, errNotFound("Stream %s under account %s not found: create it first (CreateStream)", name, kinesisAccount)
	}
	return st, nil
}

// violations collects a request's failed constraints, said as AWS's ValidationException says them.
type violations []string

func (v *violations) check(ok bool, value, field, constraint string) {
	if !ok {
		*v = append(*v, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must %s", value, field, constraint))
	}
}

// missing adds that field is null, said as AWS says it.
// count checks an optional count member against 1…most and returns it, or def when absent.
func (v *violations) count(n *int, def, most int, field string) int {
	if n == nil {
		return def
	}
	v.check(*n >= 1 && *n <= most, strconv.Itoa(*n), field, fmt.Sprintf("have value between 1 and %d", most))
	return *n
}

func (v *violations) missing(field string) {
	*v = append(*v, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", field))
}

func (v *violations) streamName(name string) {
	v.check(len(name) >= 1 && len(name) <= 128, name, "streamName", "have length between 1 and 128")
	v.check(streamNamePattern.MatchString(name), name, "streamName", "satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
	v.check(name != "." && name != "..", name, "streamName", "not be . or .., which the local Kinesis cannot keep as a folder")
}

func (v violations) err() *kinesisError {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return errValidation("1 validation error detected: %s", v[0])
	default:
		return errValidation("%d validation errors detected: %s", len(v), strings.Join(v, "; "))
	}
}

// epochSeconds renders t as Kinesis timestamps go on the wire: seconds since the epoch, with
// milliseconds.
func epochSeconds(t time.Time) json.Number {
	return json.Number(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64))
}

// streamMode is a stream's capacity mode on the wire.
type streamMode struct {
	StreamMode string
}

type createStreamRequest struct {
	StreamName        string
	ShardCount        *int
	StreamModeDetails *streamMode
}

func (s *kinesisServer) createStream(_ context.Context, req *createStreamRequest) (any, *kinesisError) {
	var v violations
	v.streamName(req.StreamName)
	onDemand := req.ShardCount == nil
	if req.StreamModeDetails != nil {
		mode := req.StreamModeDetails.StreamMode
		v.check(mode == "PROVISIONED" || mode == "ON_DEMAND", mode, "streamModeDetails.streamMode", "satisfy enum value set: [PROVISIONED, ON_DEMAND]")
		onDemand = mode == "ON_DEMAND"
	}
	if req.ShardCount != nil {
		v.check(*req.ShardCount >= 1, strconv.Itoa(*req.ShardCount), "shardCount", "have value greater than or equal to 1")
	}
	if e := v.err(); e != nil {
		return nil, e
	}
	shards := onDemandShards
	if req.ShardCount != nil {
		shards = *req.ShardCount
	}
	if onDemand && req.ShardCount != nil {
		return nil, errInvalidArgument("ShardCount cannot be given for an ON_DEMAND stream: leave it out or use PROVISIONED")
	}
	if shards > maxShards {
		return nil, kerr(http.StatusBadRequest, "LimitExceededException", "This request would exceed the shard limit of the local Kinesis (%d shards per stream): ask for fewer shards", maxShards)
	}
	return nil, s.create(req.StreamName, shards, onDemand)
}

// create creates a stream: its shard folders first, stream.json last, so a crash in between
// leaves a folder the next start drops.
func (s *kinesisServer) create(name string, shards int, onDemand bool) *kinesisError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.streams[name]; ok {
		return kerr(http.StatusBadRequest, "ResourceInUseException", "Stream %s under account %s already exists", name, kinesisAccount)
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	meta := streamMeta{Name: name, Created: now, Epoch: now.UnixMilli(), Shards: shards, RetentionHours: defaultRetentionHours, OnDemand: onDemand}
	dir := filepath.Join(s.dir, name)
	os.RemoveAll(dir)
	st, err := loadStream(dir, meta, s.limits)
	if err != nil {
		return errInternal(err)
	}
	if err := writeStreamMeta(dir, meta); err != nil {
		st.close()
		os.RemoveAll(dir)
		return errInternal(err)
	}
	s.streams[name] = st
	return nil
}

// writeStreamMeta writes stream.json atomically and durably.
func writeStreamMeta(dir string, meta streamMeta) error {
	data, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, "."+streamMetaName)
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(dir, streamMetaName), err)
	}
	_, werr := f.Write(append(data, '\n'))
	serr := f.Sync()
	if err := errors.Join(werr, serr, f.Close()); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(dir, streamMetaName), err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, streamMetaName)); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(dir, streamMetaName), err)
	}
	return errors.Join(syncDir(dir), syncDir(filepath.Dir(dir)))
}

// ensureStreams creates the streams of names that do not exist yet, with shards shards each.
func (s *kinesisServer) ensureStreams(names []string, shards int) error {
	for _, name := range names {
		s.mu.RLock()
		_, ok := s.streams[name]
		s.mu.RUnlock()
		if ok {
			continue
		}
		if e := s.create(name, shards, false); e != nil {
			return fmt.Errorf("create stream %s: %w", name, e)
		}
	}
	return nil
}

type deleteStreamRequest struct {
	streamRef
	EnforceConsumerDeletion *bool
}

func (s *kinesisServer) deleteStream(_ context.Context, req *deleteStreamRequest) (any, *kinesisError) {
	st, e := s.stream(req.streamRef)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	if s.streams[st.meta.Name] != st {
		s.mu.Unlock()
		return nil, errNotFound("Stream %s under account %s not found", st.meta.Name, kinesisAccount)
	}
	delete(s.streams, st.meta.Name)
	s.mu.Unlock()
	// Without stream.json the folder is dropped at the next start, should removing it fail now.
	err := errors.Join(os.Remove(filepath.Join(st.dir, streamMetaName)), syncDir(st.dir), st.close(), os.RemoveAll(st.dir))
	if err != nil {
		return nil, errInternal(err)
	}
	return nil, nil
}

type listStreamsRequest struct {
	Limit                    *int
	ExclusiveStartStreamName string
	NextToken                string
}

// streamSummary is one stream of a ListStreams answer.
type streamSummary struct {
	StreamName              string
	StreamARN               string
	StreamStatus            string
	StreamModeDetails       streamMode
	StreamCreationTimestamp json.Number
}

type listStreamsResponse struct {
	StreamNames     []string
	HasMoreStreams  bool
	StreamSummaries []streamSummary
	NextToken       string `json:",omitempty"`
}

func (s *kinesisServer) listStreams(_ context.Context, req *listStreamsRequest) (any, *kinesisError) {
	var v violations
	limit := v.count(req.Limit, 100, 10000, "limit")
	if e := v.err(); e != nil {
		return nil, e
	}
	after := req.ExclusiveStartStreamName
	if req.NextToken != "" {
		name, err := base64.StdEncoding.DecodeString(req.NextToken)
		if err != nil {
			return nil, errInvalidArgument("NextToken %q is not one ListStreams gave: start again without it", req.NextToken)
		}
		after = string(name)
	}
	s.mu.RLock()
	var streams []*kStream
	for _, st := range s.streams {
		if st.meta.Name > after {
			streams = append(streams, st)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(streams, func(a, b *kStream) int { return strings.Compare(a.meta.Name, b.meta.Name) })
	resp := listStreamsResponse{StreamNames: []string{}, StreamSummaries: []streamSummary{}}
	for i, st := range streams {
		if i == limit {
			resp.HasMoreStreams = true
			resp.NextToken = base64.StdEncoding.EncodeToString([]byte(resp.StreamNames[i-1]))
			break
		}
		resp.StreamNames = append(resp.StreamNames, st.meta.Name)
		resp.StreamSummaries = append(resp.StreamSummaries, streamSummary{
			StreamName: st.meta.Name, StreamARN: st.arn(), StreamStatus: "ACTIVE",
			StreamModeDetails: st.mode(), StreamCreationTimestamp: epochSeconds(st.meta.Created),
		})
	}
	return resp, nil
}

func (st *kStream) mode() streamMode {
	if st.meta.OnDemand {
		return streamMode{StreamMode: "ON_DEMAND"}
	}
	return streamMode{StreamMode: "PROVISIONED"}
}

// shardJSON is a shard as the API describes it.
type shardJSON struct {
	ShardId      string
	HashKeyRange struct {
		StartingHashKey string
		EndingHashKey   string
	}
	SequenceNumberRange struct {
		StartingSequenceNumber string
	}
}

func (st *kStream) describeShard(sh *kShard) shardJSON {
	var j shardJSON
	j.ShardId = sh.id
	j.HashKeyRange.StartingHashKey = sh.start.String()
	j.HashKeyRange.EndingHashKey = sh.end.String()
	j.SequenceNumberRange.StartingSequenceNumber = st.sequence(sh, 0)
	return j
}

type enhancedMetrics struct {
	ShardLevelMetrics []string
}

type describeStreamRequest struct {
	streamRef
	Limit                 *int
	ExclusiveStartShardId string
}

type streamDescription struct {
	StreamName              string
	StreamARN               string
	StreamStatus            string
	StreamModeDetails       streamMode
	Shards                  []shardJSON
	HasMoreShards           bool
	RetentionPeriodHours    int
	StreamCreationTimestamp json.Number
	EnhancedMonitoring      []enhancedMetrics
	EncryptionType          string
}

func (s *kinesisServer) describeStream(_ context.Context, req *describeStreamRequest) (any, *kinesisError) {
	st, e := s.stream(req.streamRef)
	if e != nil {
		return nil, e
	}
	var v violations
	limit := v.count(req.Limit, 100, 10000, "limit")
	if e := v.err(); e != nil {
		return nil, e
	}
	d := streamDescription{
		StreamName: st.meta.Name, StreamARN: st.arn(), StreamStatus: "ACTIVE", StreamModeDetails: st.mode(),
		Shards: []shardJSON{}, RetentionPeriodHours: st.retentionHours(), StreamCreationTimestamp: epochSeconds(st.meta.Created),
		EnhancedMonitoring: []enhancedMetrics{{ShardLevelMetrics: []string{}}}, EncryptionType: "NONE",
	}
	for _, sh := range st.shards {
		if req.ExclusiveStartShardId != "" && sh.id <= req.ExclusiveStartShardId {
			continue
		}
		if len(d.Shards) == limit {
			d.HasMoreShards = true
			break
		}
		d.Shards = append(d.Shards, st.describeShard(sh))
	}
	return struct{ StreamDescription streamDescription }{d}, nil
}

type describeStreamSummaryRequest struct {
	streamRef
}

type streamDescriptionSummary struct {
	StreamName              string
	StreamARN               string
	StreamStatus            string
	StreamModeDetails       streamMode
	RetentionPeriodHours    int
	StreamCreationTimestamp json.Number
	EnhancedMonitoring      []enhancedMetrics
	EncryptionType          string
	OpenShardCount          int
	ConsumerCount           int
}

func (s *kinesisServer) describeStreamSummary(_ context.Context, req *describeStreamSummaryRequest) (any, *kinesisError) {
	st, e := s.stream(req.streamRef)
	if e != nil {
		return nil, e
	}
	return struct{ StreamDescriptionSummary streamDescriptionSummary }{streamDescriptionSummary{
		StreamName: st.meta.Name, StreamARN: st.arn(), StreamStatus: "ACTIVE", StreamModeDetails: st.mode(),
		RetentionPeriodHours: st.retentionHours(), StreamCreationTimestamp: epochSeconds(st.meta.Created),
		EnhancedMonitoring: []enhancedMetrics{{ShardLevelMetrics: []string{}}}, EncryptionType: "NONE",
		OpenShardCount: len(st.shards),
	}}, nil
}

type listShardsRequest struct {
	streamRef
	NextToken             string
	ExclusiveStartShardId string
	MaxResults            *int
	ShardFilter           *struct {
		Type    string
		ShardId string
	}
}

type listShardsResponse struct {
	Shards    []shardJSON
	NextToken string `json:",omitempty"`
}

func (s *kinesisServer) listShards(_ context.Context, req *listShardsRequest) (any, *kinesisError) {
	after := req.ExclusiveStartShardId
	if req.NextToken != "" {
		if req.StreamName != "" || req.ExclusiveStartShardId != "" {
			return nil, errInvalidArgument("NextToken and StreamName or ExclusiveStartShardId cannot be provided together: give only the NextToken")
		}
		token, err := base64.StdEncoding.DecodeString(req.NextToken)
		name, shard, ok := strings.Cut(string(token), "/")
		if err != nil || !ok {
			return nil, errInvalidArgument("NextToken %q is not one ListShards gave: start again without it", req.NextToken)
		}
		req.StreamName, after = name, shard
	}
	var v violations
	limit := v.count(req.MaxResults, 1000, 10000, "maxResults")
	if e := v.err(); e != nil {
		return nil, e
	}
	if f := req.ShardFilter; f != nil {
		switch f.Type {
		case "AFTER_SHARD_ID":
			if f.ShardId == "" {
				return nil, errInvalidArgument("ShardFilter AFTER_SHARD_ID needs a ShardId")
			}
			after = max(after, f.ShardId)
		case "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP":
			// Shards never split or merge here: every one is open, so each filter lists them all.
		default:
			var v violations
			v.check(false, f.Type, "shardFilter.type", "satisfy enum value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]")
			return nil, v.err()
		}
	}
	st, e := s.stream(req.streamRef)
	if e != nil {
		return nil, e
	}
	resp := listShardsResponse{Shards: []shardJSON{}}
	for _, sh := range st.shards {
		if after != "" && sh.id <= after {
			continue
		}
		if len(resp.Shards) == limit {
			resp.NextToken = base64.StdEncoding.EncodeToString([]byte(st.meta.Name + "/" + resp.Shards[limit-1].ShardId))
			break
		}
		resp.Shards = append(resp.Shards, st.describeShard(sh))
	}
	return resp, nil
}

type retentionRequest struct {
	streamRef
	RetentionPeriodHours *int
}

func (s *kinesisServer) increaseRetention(_ context.Context, req *retentionRequest) (any, *kinesisError) {
	return nil, s.setRetention(req, true)
}

func (s *kinesisServer) decreaseRetention(_ context.Context, req *retentionRequest) (any, *kinesisError) {
	return nil, s.setRetention(req, false)
}

// setRetention changes a stream's retention, up only when increase is set, down only when not,
// and keeps the new one in stream.json.
func (s *kinesisServer) setRetention(req *retentionRequest, increase bool) *kinesisError {
	var v violations
	if req.RetentionPeriodHours == nil {
		v.missing("retentionPeriodHours")
	} else {
		v.check(*req.RetentionPeriodHours >= 1, strconv.Itoa(*req.RetentionPeriodHours), "retentionPeriodHours", "have value greater than or equal to 1")
	}
	if e := v.err(); e != nil {
		return e
	}
	st, e := s.stream(req.streamRef)
	if e != nil {
		return e
	}
	hours := *req.RetentionPeriodHours
	if hours < minRetentionHours || hours > maxRetentionHours {
		return errInvalidArgument("Retention period %d hours for stream %s is not between %d and %d hours", hours, st.meta.Name, minRetentionHours, maxRetentionHours)
	}
	st.metaMu.Lock()
	defer st.metaMu.Unlock()
	current := st.retentionHours()
	if increase && hours < current {
		return errInvalidArgument("Requested retention period (%d hours) for stream %s can not be shorter than existing retention period (%d hours). Use DecreaseStreamRetentionPeriod API.", hours, st.meta.Name, current)
	}
	if !increase && hours > current {
		return errInvalidArgument("Requested retention period (%d hours) for stream %s can not be longer than existing retention period (%d hours). Use IncreaseStreamRetentionPeriod API.", hours, st.meta.Name, current)
	}
	meta := st.meta
	meta.RetentionHours = hours
	if err := writeStreamMeta(st.dir, meta); err != nil {
		return errInternal(err)
	}
	st.meta.RetentionHours = hours
	st.retention.Store(int64(hours))
	return nil
}
