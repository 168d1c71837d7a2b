package overview

import (
	"fmt"
	"strings"
	"time"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/sparkline"
	"github.com/pintui/pintui/ui/component/units"
	"github.com/pintui/pintui/ui/screen"
)

// Streaming is the order of the streaming half of the pipeline, drawn as its own chain below the
// batch half: the Kinesis streams, from the streams command, and the stream job, from stream
// status.
var Streaming = []string{"kinesis", "stream job"}

// streaming is what the Overview knows of the streaming half: the polls of its two commands.
type streaming struct {
	streams, job streamPoll
}

// streamPoll is one streaming command the Overview asks with status, and the box drawn from its
// last answer. A registry without the command, such as a stand-in registry of a test, draws no
// box rather than failing a poll a second.
type streamPoll struct {
	line    string
	offered bool // the registry has the command
	ticket  int
	box     *component
}

func newStreaming(r screen.Runner) streaming {
	have := map[string]bool{}
	for _, c := range r.Commands() {
		have[c.Name] = true
	}
	return streaming{streams: streamPoll{line: "streams", offered: have["streams"]}, job: streamPoll{line: "stream status", offered: have["stream status"]}}
}

// comps are the streaming boxes answered so far, in chain order.
func (s *streaming) comps() []component {
	var out []component
	for _, c := range []*component{s.streams.box, s.job.box} {
		if c != nil {
			out = append(out, *c)
		}
	}
	return out
}

// kinesisBox draws the streams answer: ready while every stream is ACTIVE, the stream job's
// largest iterator age beside the state, and the streams and shards below it.
func kinesisBox(msg screen.ResultMsg) *component {
	c := &component{name: "kinesis"}
	list, ok := resultData[[]command.StreamSummary](msg)
	if !ok {
		c.state, c.detail = command.StateDown, failure(msg)
		return c
	}
	c.state = command.StateReady
	shards := 0
	var behind *int64
	for _, s := range list {
		shards += s.Shards
		if s.Status != "ACTIVE" && c.state == command.StateReady {
			c.state = strings.ToLower(s.Status)
		}
		if s.IteratorAgeMS != nil && (behind == nil || *s.IteratorAgeMS > *behind) {
			behind = s.IteratorAgeMS
		}
	}
	if len(list) == 0 {
		c.state = command.StateEmpty
	}
	c.summary = units.Plural(len(list), "stream", "streams") + " · " + units.Plural(shards, "shard", "shards")
	c.detail = c.summary + "; the stream job does not read them"
	if behind != nil {
		c.note = "age " + units.Millis(*behind)
		c.detail = c.summary + "; the stream job reads " + units.Millis(*behind) + " behind the newest record"
	}
	return c
}

// jobBox draws the stream status answer: the job's state, the rows per second it appends beside
// it, and its lag and last commit below, in the zone of loc.
func jobBox(msg screen.ResultMsg, loc *time.Location) *component {
	c := &component{name: "stream job"}
	st, ok := resultData[command.StreamJobStatus](msg)
	if !ok {
		c.state, c.detail = command.StateDown, failure(msg)
		return c
	}
	c.state = st.State
	if st.Error != "" && !st.Running() {
		c.state = command.StateDown
	}
	var rows int64
	var rate float64
	var lag *int64
	var last command.Time
	batch := int64(-1)
	for _, t := range st.Tables {
		rows, rate = rows+t.Rows, rate+t.Rate
		if t.LagMS != nil && (lag == nil || *t.LagMS > *lag) {
			lag = t.LagMS
		}
		if t.LastCommit.After(last.Time) {
			last, batch = t.LastCommit, t.MicroBatch
		}
	}
	c.rows = &rows
	if st.Running() {
		c.note = sparkline.FormatRate(rate)
	}
	box := []string{}
	detail := []string{units.Count(rows) + " rows in " + units.Plural(len(st.Tables), "table", "tables")}
	if lag != nil {
		box = append(box, "lag "+units.Millis(*lag))
		detail = append(detail, "lag "+units.Millis(*lag))
	}
	if last.IsZero() {
		box = append(box, "no commit yet")
		detail = append(detail, "no micro-batch committed yet")
	} else {
		at := last.In(loc).Format("15:04:05")
		box = append(box, at)
		detail = append(detail, fmt.Sprintf("last commit %s (micro-batch %d)", at, batch))
	}
	c.summary, c.detail = strings.Join(box, " · "), strings.Join(detail, ", ")
	if st.Error != "" {
		c.summary, c.detail = st.Error, st.Error
	}
	return c
}

// failure is why a poll has no typed answer.
func failure(msg screen.ResultMsg) string {
	if msg.Err != nil {
		return msg.Err.Error()
	}
	return msg.Line + " gave no answer"
}

// resultData is a successful reply's typed value.
func resultData[T any](msg screen.ResultMsg) (T, bool) {
	var zero T
	if msg.Err != nil || msg.Result == nil {
		return zero, false
	}
	v, ok := msg.Result.Data.(T)
	return v, ok
}
