package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pintui/pintui/ops/s3"
)

// DefaultKinesisAddr is the local Kinesis's loopback address, kinesalite's port.
const DefaultKinesisAddr = "127.0.0.1:4567"

// DefaultKinesisShards is the shard count of the streams the stack creates.
const DefaultKinesisShards = 2

// kinesisTarget prefixes every operation's X-Amz-Target.
const kinesisTarget = "Kinesis_20131202."

// kinesisAccount is the account id the local Kinesis names in ARNs and messages.
const kinesisAccount = "000000000000"

// kinesisRegion is the region of the local Kinesis's ARNs, and the one its clients sign for.
const kinesisRegion = "us-east-1"

// maxKinesisBody bounds a request body: a PutRecords of 5 MiB of data is about 6.7 MiB once
// base64-encoded, with its keys.
const maxKinesisBody = 8 << 20

// iteratorLife is how long a shard iterator may be used, as on AWS.
const iteratorLife = 5 * time.Minute

// howToSignKinesis ends every refusal of a signature.
const howToSignKinesis = "sign requests (AWS Signature V4, service kinesis) with the local credentials, access key " +
	s3.LocalAccessKey + " and the secret the README gives"

// kinesisError is an answer in Kinesis's error shape, {"__type","message"}, with its status.
type kinesisError struct {
	status  int
	typ     string
	message string
}

func (e *kinesisError) Error() string { return e.typ + ": " + e.message }

func kerr(status int, typ, format string, args ...any) *kinesisError {
	return &kinesisError{status: status, typ: typ, message: fmt.Sprintf(format, args...)}
}

// The exceptions the local Kinesis answers with, each at the status AWS gives it.
func errNotFound(format string, args ...any) *kinesisError {
	return kerr(http.StatusBadRequest, "ResourceNotFoundException", format, args...)
}

func errInvalidArgument(format string, args ...any) *kinesisError {
	return kerr(http.StatusBadRequest, "InvalidArgumentException", format, args...)
}

func errValidation(format string, args ...any) *kinesisError {
	return kerr(http.StatusBadRequest, "ValidationException", format, args...)
}

func errSerialization(format string, args ...any) *kinesisError {
	return kerr(http.StatusBadRequest, "SerializationException", format, args...)
}

func errInternal(err error) *kinesisError {
	return kerr(http.StatusInternalServerError, "InternalFailure", "%v", err)
}

// kinesisServer is the local Kinesis: the JSON 1.1 API of Kinesis Data Streams over streams kept
// under its folder, one folder per stream holding stream.json and a log folder per shard.
type kinesisServer struct {
	dir string
	// now is the clock of arrival times, retention, iterators and limits; tests set it.
	now func() time.Time
	// limits enforces AWS's per-shard throughput limits when set.
	limits bool
	syncs  syncer
	// mu guards streams; each stream guards its own shards.
	mu      sync.RWMutex
	streams map[string]*kStream
	// ops are the operations by name.
	ops map[string]func(context.Context, []byte) (any, *kinesisError)
	// stopSweeps ends the retention sweeps.
	stopSweeps chan struct{}
	sweeps     sync.WaitGroup
}

// sweepEvery is how often expired log segments are deleted.
const sweepEvery = time.Minute

// kinesisOption sets an option of a kinesisServer.
type kinesisOption func(*kinesisServer)

// withLimits enforces the per-shard limits of AWS.
func withLimits(on bool) kinesisOption { return func(s *kinesisServer) { s.limits = on } }

// withClock sets the server's clock.
func withClock(now func() time.Time) kinesisOption { return func(s *kinesisServer) { s.now = now } }

// openKinesis opens the streams kept under dir.
func openKinesis(dir string, opts ...kinesisOption) (*kinesisServer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create kinesis folder %s: %w", dir, err)
	}
	s := &kinesisServer{dir: dir, now: time.Now, syncs: newGroupCommit(), streams: map[string]*kStream{}}
	for _, o := range opts {
		o(s)
	}
	s.ops = map[string]func(context.Context, []byte) (any, *kinesisError){
		"CreateStream":          decoded(s.createStream),
		"DeleteStream":          decoded(s.deleteStream),
		"ListStreams":           decoded(s.listStreams),
		"DescribeStream":        decoded(s.describeStream),
		"DescribeStreamSummary": decoded(s.describeStreamSummary),
		"ListShards":            decoded(s.listShards),
		"PutRecord":             decoded(s.putRecord),
		"PutRecords":            decoded(s.putRecords),
		"GetShardIterator":      decoded(s.getShardIterator),
		"GetRecords":            decoded(s.getRecords),

		"IncreaseStreamRetentionPeriod": decoded(s.increaseRetention),
		"DecreaseStreamRetentionPeriod": decoded(s.decreaseRetention),
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read kinesis folder %s: %w", dir, err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		st, err := openStream(filepath.Join(dir, e.Name()), s.limits)
		if errors.Is(err, os.ErrNotExist) {
			// A folder without stream.json is a stream whose creation or deletion did not finish.
			os.RemoveAll(filepath.Join(dir, e.Name()))
			continue
		}
		if err != nil {
			s.close()
			return nil, err
		}
		s.streams[st.meta.Name] = st
	}
	s.stopSweeps = make(chan struct{})
	s.sweeps.Go(func() {
		t := time.NewTicker(sweepEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s.sweep()
			case <-s.stopSweeps:
				return
			}
		}
	})
	return s, nil
}

// sweep deletes the log segments whose records have all expired; a failure is retried at the
// next sweep, and expired records are never served meanwhile.
func (s *kinesisServer) sweep() error {
	s.mu.RLock()
	streams := slices.Collect(maps.Values(s.streams))
	s.mu.RUnlock()
	now := s.now()
	var errs []error
	for _, st := range streams {
		for _, sh := range st.shards {
			errs = append(errs, sh.log.sweep(st.cutoff(now)))
		}
	}
	return errors.Join(errs...)
}

// decoded turns an operation on its typed request into one on the request's JSON body.
func decoded[Req any](op func(context.Context, *Req) (any, *kinesisError)) func(context.Context, []byte) (any, *kinesisError) {
	return func(ctx context.Context, body []byte) (any, *kinesisError) {
		req := new(Req)
		if err := json.Unmarshal(body, req); err != nil {
			return nil, serializationError(err)
		}
		return op(ctx, req)
	}
}

// serializationError says what in a body did not decode, as AWS's SerializationException does.
func serializationError(err error) *kinesisError {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field == "" {
			return errSerialization("the body is a JSON %s: send a JSON object", typeErr.Value)
		}
		field := typeErr.Field[strings.LastIndex(typeErr.Field, ".")+1:]
		return errSerialization("%s: a JSON %s cannot be converted to %s", field, typeErr.Value, wireType(typeErr.Type))
	}
	if strings.Contains(err.Error(), "base64") {
		return errSerialization("a blob is not base64: %v: encode Data with standard base64", err)
	}
	return errSerialization("the body is not JSON: %v", err)
}

// wireType names a request field's Go type as the API documents it.
func wireType(t reflect.Type) string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "a blob (base64 text)"
		}
		return "a list"
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "a boolean"
	default:
		return "a structure"
	}
}

// close closes every stream's files; call it once no request runs.
func (s *kinesisServer) close() error {
	if s.stopSweeps != nil {
		close(s.stopSweeps)
		s.sweeps.Wait()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, st := range s.streams {
		errs = append(errs, st.close())
	}
	return errors.Join(errs...)
}

// ServeHTTP answers one Kinesis request: POST / with X-Amz-Target naming the operation and a
// JSON body, signed with the local credentials.
func (s *kinesisServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		ct = "application/x-amz-json-1.1"
	}
	w.Header().Set("Content-Type", ct)
	out, e := s.answer(r)
	if e != nil {
		writeKinesisError(w, e)
		return
	}
	w.WriteHeader(http.StatusOK)
	if out != nil {
		json.NewEncoder(w).Encode(out)
	}
}

// answer checks and runs a request, in AWS's order: method, body, content type, operation,
// signature, then the operation's own checks.
func (s *kinesisServer) answer(r *http.Request) (any, *kinesisError) {
	if r.Method != http.MethodPost {
		return nil, kerr(http.StatusForbidden, "AccessDeniedException", "Unable to determine service/operation name to be authorized: send POST / with X-Amz-Target")
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxKinesisBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, kerr(http.StatusRequestEntityTooLarge, "InvalidArgumentException", "the request body is larger than %d bytes: put fewer records per request", maxKinesisBody)
		}
		return nil, errSerialization("the body could not be read: %v", err)
	}
	mediaType, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	if mt := strings.TrimSpace(mediaType); mt != "" && mt != "application/x-amz-json-1.1" && mt != "application/json" {
		return nil, kerr(http.StatusNotFound, "UnknownOperationException", "content type %q is not served: send application/x-amz-json-1.1", mt)
	}
	name, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), kinesisTarget)
	op := s.ops[name]
	if !ok || op == nil {
		return nil, kerr(http.StatusBadRequest, "UnknownOperationException", "X-Amz-Target %q is not an operation of the local Kinesis: use %s<Operation>, one of %s",
			r.Header.Get("X-Amz-Target"), kinesisTarget, strings.Join(slices.Sorted(maps.Keys(s.ops)), ", "))
	}
	sum := sha256.Sum256(body)
	if f := checkSignature(r, time.Now(), "kinesis", hex.EncodeToString(sum[:])); f != nil {
		return nil, kinesisRefusal(f)
	}
	if len(body) == 0 {
		return nil, errSerialization("the body is empty: send a JSON object")
	}
	return op(r.Context(), body)
}

// kinesisRefusal is the error Kinesis answers a refused signature with.
func kinesisRefusal(f *authRefusal) *kinesisError {
	msg := f.reason + ": " + howToSignKinesis
	switch f.fault {
	case faultUnsigned:
		return kerr(http.StatusBadRequest, "MissingAuthenticationTokenException", "Missing Authentication Token: %s", msg)
	case faultMalformed:
		return kerr(http.StatusBadRequest, "IncompleteSignatureException", "%s", msg)
	case faultAccessKey:
		return kerr(http.StatusForbidden, "UnrecognizedClientException", "The security token included in the request is invalid: %s", msg)
	case faultSkew:
		return kerr(http.StatusBadRequest, "InvalidSignatureException", "Signature expired: %s", msg)
	default:
		return kerr(http.StatusForbidden, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided: %s", msg)
	}
}

// writeKinesisError writes e in Kinesis's error shape.
func writeKinesisError(w http.ResponseWriter, e *kinesisError) {
	w.Header().Set("X-Amzn-ErrorType", e.typ)
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.typ, e.message})
}
