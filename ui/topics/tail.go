package topics

import (
	"context"

	"github.com/pintui/pintui/ui/component/livetail"
	"github.com/pintui/pintui/ui/component/table"
	"github.com/pintui/pintui/ui/screen"
)

// Tailer reads a topic live. Tail reads topic from from, written as `tail topic --from` takes it
// ("beginning", "end", an offset, "-N" for the last N records of each partition, or a time such as
// "2026-12-01T10:00:00Z" or "-10m"), and hands records to emit in batches until ctx ends or
// reading fails; it returns nil when ctx ended it. Each record's Part is its partition as "p0"
// and its Position the offset. emit never blocks, and keeps the records it is given, so a Tailer
// must not reuse the Values it emitted.
type Tailer interface {
	Tail(ctx context.Context, topic, from string, emit func([]livetail.Record)) error
}

// unavailable is what the tail says without a Tailer.
const unavailable = "live tail unavailable: this console has no topic reader; the partitions below still refresh"

// tail is one topic's live tail with the partitions and the sink's lag, from the topic command.
type tail struct {
	*livetail.Model
	topic       string
	parts       *table.Model
	partsTicket int
	partsErr    error
}

func newTail(ctx *screen.Context, tailer Tailer, topic, from string) *tail {
	var src livetail.Source
	if tailer != nil {
		src = func(c context.Context, from string, emit func([]livetail.Record)) error {
			return tailer.Tail(c, topic, from, emit)
		}
	}
	return &tail{Model: livetail.New(ctx, screen.Topics, from, src, unavailable), topic: topic, parts: table.New(ctx.Styles)}
}
