package emulate

import (
	"cmp"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"

	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/source"
	"github.com/pintui/pintui/pipeline/stream"
)

// Stream is the streaming emulator: it puts each row to its Kinesis stream through the
// gateway's API Gateway Kinesis proxy, `PUT <base>/streams/streaming-<uid>-<table>/record`, as
// the original user_posting_emulation_streaming.py did.
type Stream struct{ *emulator }

// NewStream returns a streaming emulator putting to base, the gateway's URL with any API
// Gateway stage (`http://127.0.0.1:8082`, `https://<id>.execute-api.<region>.amazonaws.com/dev`).
func NewStream(src Source, base string, opts Options) (*Stream, error) {
	p := kinesisProxy{uid: opts.UID, seed: uint64(cmp.Or(opts.Seed, DefaultSeed))}
	for i, t := range record.Tables {
		p.prefixes[i] = `{"StreamName":"` + stream.StreamName(opts.UID, t) + `","Data":`
	}
	e, err := newEmulator("streaming emulator", http.MethodPut, "streams", src, base, opts, p)
	if err != nil {
		return nil, err
	}
	// The three streams are independent, and the local Kinesis acknowledges a record only once it
	// is fsynced: putting a draw's records at once shares one fsync among them.
	e.together = true
	return &Stream{e}, nil
}

// kinesisProxy puts each row to its stream's record resource.
type kinesisProxy struct {
	uid  string
	seed uint64
	// prefixes open the body of each table, in record.Tables order.
	prefixes [3]string
}

func (p kinesisProxy) target(base string, table record.Table) string {
	return base + "/streams/" + stream.StreamName(p.uid, table) + "/record"
}

// appendBody writes `{"StreamName":…,"Data":<row object>,"PartitionKey":…}`.
func (p kinesisProxy) appendBody(b []byte, n int64, row source.Row, table record.Table) []byte {
	t := tableIndex(table)
	b = row.AppendJSON(append(b, p.prefixes[t]...), table)
	b = append(b, `,"PartitionKey":"`...)
	b = appendPartitionKey(b, p.seed, n, t)
	return append(b, `"}`...)
}

func tableIndex(table record.Table) int {
	for i, t := range record.Tables {
		if t == table {
			return i
		}
	}
	return len(record.Tables) - 1
}

// appendPartitionKey writes the partition key of table t's record of draw n: a version 4 uuid,
// like the original's uuid4(), but drawn from the seed, the draw and the table, so a run with
// the same seed spreads its records over the shards the same way every time and a record can
// be told apart by its key.
func appendPartitionKey(b []byte, seed uint64, n int64, t int) []byte {
	r := rand.New(rand.NewPCG(seed, uint64(n)*uint64(len(record.Tables))+uint64(t)))
	var u [16]byte
	hi, lo := r.Uint64(), r.Uint64()
	for i := range 8 {
		u[i], u[8+i] = byte(hi>>(56-8*i)), byte(lo>>(56-8*i))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var text [36]byte
	hex.Encode(text[0:8], u[0:4])
	hex.Encode(text[9:13], u[4:6])
	hex.Encode(text[14:18], u[6:8])
	hex.Encode(text[19:23], u[8:10])
	hex.Encode(text[24:], u[10:])
	text[8], text[13], text[18], text[23] = '-', '-', '-', '-'
	return append(b, text[:]...)
}

func (kinesisProxy) header(h http.Header) {
	h.Set("Content-Type", "application/json")
	h.Set("Accept", "application/json")
}

// putAnswer is the part of a PutRecord answer, or of a Kinesis or API Gateway refusal, the
// emulator reads.
type putAnswer struct {
	SequenceNumber string `json:"SequenceNumber"`
	Type           string `json:"__type"`
	Message        string `json:"message"`
}

// retriableKinesis are the refusals Kinesis documents as worth retrying after a pause.
var retriableKinesis = map[string]bool{
	"ProvisionedThroughputExceededException": true,
	"KMSThrottlingException":                 true,
	"InternalFailure":                        true,
	"ServiceUnavailable":                     true,
}

// answer reads the answer to a put: a 5xx, a 429 or a throttling refusal may succeed on
// another attempt.
func (kinesisProxy) answer(status int, payload []byte) error {
	var a putAnswer
	decodeErr := json.Unmarshal(payload, &a)
	if status != http.StatusOK {
		msg := strings.TrimSpace(a.Message)
		if decodeErr != nil || msg == "" {
			msg = strings.TrimSpace(string(payload))
		}
		if a.Type != "" {
			msg = a.Type + ": " + msg
		}
		err := fmt.Errorf("HTTP %d: %s", status, msg)
		if status >= 500 || status == http.StatusTooManyRequests || retriableKinesis[a.Type] {
			return retriable{err}
		}
		return err
	}
	if decodeErr != nil || a.SequenceNumber == "" {
		return fmt.Errorf("unexpected put response %q: is the base URL an API Gateway Kinesis proxy?", payload)
	}
	return nil
}
