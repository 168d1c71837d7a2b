// Package emulate plays the users of the original pipeline: it draws rows from the source
// database and posts them, pin → geo → user, to the gateway the way the original
// user_posting_emulation.py did, so everything downstream sees the same traffic.
package emulate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/source"
)

// DefaultSeed is the original emulator's `random.seed(100)`: its first draw is row 7528.
const DefaultSeed = 100

// Source is the source database as the emulator reads it.
type Source interface {
	// MaxID is the largest row id a draw may pick.
	MaxID(ctx context.Context) (int64, error)
	// Row reads row id of the three tables.
	Row(ctx context.Context, id int64) (source.Row, error)
}

// Options tunes an emulator, batch or streaming; the zero value runs forever, as fast as the
// gateway takes it.
type Options struct {
	// UID names the topics `<uid>.pin`, `<uid>.geo` and `<uid>.user`, or the streams
	// `streaming-<uid>-pin`, ….
	UID string
	// Count is the number of iterations (three posts each); 0 runs until the context ends.
	Count int64
	// Rate is the number of iterations per second; 0 is as fast as the gateway answers.
	Rate float64
	// Faithful sleeps 0 or 1 s, drawn at random, before each iteration like the original,
	// instead of pacing by Rate.
	Faithful bool
	// Workers is how many draws are posted at once; 0 or 1 posts them one after the other like
	// the original, so every topic receives the draws in draw order.
	Workers int
	// Seed seeds the draws; 0 means DefaultSeed.
	Seed int64
	// Retries is how many times a post is retried on a 5xx or connection error; 0 means 5,
	// negative means never.
	Retries int
	// Backoff is the first retry delay, doubled each retry up to MaxBackoff; 0 means 100 ms.
	Backoff time.Duration
	// MaxBackoff caps the retry delay; 0 means 5 s.
	MaxBackoff time.Duration
	// Client posts the records; nil means a client with a 30 s timeout.
	Client *http.Client
}

// Batch is the batch emulator: it posts to the REST Proxy produce route of a gateway.
type Batch struct{ *emulator }

// NewBatch returns a batch emulator posting to base, the gateway's URL with any API Gateway
// stage (`http://127.0.0.1:8082`, `https://<id>.execute-api.<region>.amazonaws.com/dev`).
func NewBatch(src Source, base string, opts Options) (*Batch, error) {
	e, err := newEmulator("batch emulator", http.MethodPost, "topics", src, base, opts, restProxy{uid: opts.UID})
	if err != nil {
		return nil, err
	}
	return &Batch{e}, nil
}

// restProxy posts each row to its topic's REST Proxy v2 produce route.
type restProxy struct{ uid string }

func (p restProxy) target(base string, table record.Table) string {
	return base + "/topics/" + p.uid + "." + string(table)
}

func (restProxy) appendBody(b []byte, _ int64, row source.Row, table record.Table) []byte {
	return appendEnvelope(b, row, table)
}

func (restProxy) header(h http.Header) {
	h.Set("Content-Type", "application/vnd.kafka.json.v2+json")
	h.Set("Accept", "application/vnd.kafka.v2+json, application/json")
}

// appendEnvelope writes the REST Proxy v2 json-format body of one row of table.
func appendEnvelope(b []byte, row source.Row, table record.Table) []byte {
	b = row.AppendJSON(append(b, `{"records":[{"value":`...), table)
	return append(b, `}]}`...)
}

// produceResponse is the part of a REST Proxy v2 produce response the emulator checks.
type produceResponse struct {
	Offsets []struct {
		ErrorCode *int    `json:"error_code"`
		Error     *string `json:"error"`
	} `json:"offsets"`
	Message string `json:"message"`
}

// answer reads a REST Proxy v2 produce response: a 5xx or Kafka's retriable error (50003) may
// succeed on another attempt.
func (restProxy) answer(status int, payload []byte) error {
	var pr produceResponse
	decodeErr := json.Unmarshal(payload, &pr)
	if status != http.StatusOK {
		msg := strings.TrimSpace(pr.Message)
		if decodeErr != nil || msg == "" {
			msg = strings.TrimSpace(string(payload))
		}
		err := fmt.Errorf("HTTP %d: %s", status, msg)
		if status >= 500 {
			return retriable{err}
		}
		return err
	}
	if decodeErr != nil || len(pr.Offsets) != 1 {
		return fmt.Errorf("unexpected produce response %q: is the base URL a Kafka REST Proxy?", payload)
	}
	if o := pr.Offsets[0]; o.ErrorCode != nil {
		msg := ""
		if o.Error != nil {
			msg = *o.Error
		}
		err := fmt.Errorf("record not produced, Kafka error %d: %s", *o.ErrorCode, msg)
		if *o.ErrorCode == 50003 {
			return retriable{err}
		}
		return err
	}
	return nil
}
