package streams

import (
	"context"
	"math/big"
	"strings"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/livetail"
	"github.com/pintui/pintui/ui/component/table"
	"github.com/pintui/pintui/ui/keys"
	"github.com/pintui/pintui/ui/screen"
)

// stream is one stream opened from the list: its shards as `stream NAME` describes them, polled,
// above its live tail.
type stream struct {
	name   string
	tail   *livetail.Model
	shards *table.Model
	ticket int
	err    error
}

func newStream(ctx *screen.Context, tailer Tailer, name, from string) *stream {
	var src livetail.Source
	if tailer != nil {
		src = func(c context.Context, from string, emit func([]livetail.Record)) error {
			return tailer.Tail(c, name, from, emit)
		}
	}
	return &stream{name: name, tail: livetail.New(ctx, screen.Streams, from, src, unavailable), shards: table.New(ctx.Styles)}
}

// show lays out the shards: the share of the hash-key space each owns, its sequence numbers and
// how far the stream job reads behind it.
func (s *stream) show(d command.StreamDetail) {
	columns := []string{"shard", "hash_keys", "starting_sequence", "latest_sequence", "iterator_age"}
	rows := make([][]string, len(d.Shards))
	for i, sh := range d.Shards {
		rows[i] = []string{sh.Shard, keySpan(sh.StartingHashKey, sh.EndingHashKey), short(sh.StartingSequence), short(sh.LatestSequence), age(sh.IteratorAgeMS)}
	}
	s.shards.SetRows(columns, rows)
}

// short cuts a sequence number in the middle, keeping the digits that tell records of a shard
// apart (the last) and those that tell shards apart (the first); the tail below shows them whole.
// A shard without records shows "-".
func short(sequence string) string {
	const head, tail = 8, 12
	switch {
	case sequence == "":
		return "-"
	case len(sequence) <= head+tail+1:
		return sequence
	}
	return sequence[:head] + "…" + sequence[len(sequence)-tail:]
}

// keySpace is the size of Kinesis's hash-key space, 2^128: a partition key's MD5 is a key in it.
var keySpace = new(big.Float).SetInt(new(big.Int).Lsh(big.NewInt(1), 128))

// keySpan writes a shard's hash-key range as its share of the key space, "0%–50%", since the keys
// themselves run to 39 digits; a range that does not parse is shown as it is.
func keySpan(start, end string) string {
	share := func(key string, past int64) (string, bool) {
		n, ok := new(big.Int).SetString(key, 10)
		if !ok {
			return "", false
		}
		f, _ := new(big.Float).Quo(new(big.Float).SetInt(n.Add(n, big.NewInt(past))), keySpace).Float64()
		return strings.TrimSuffix(strings.TrimRight(big.NewFloat(f*100).Text('f', 1), "0"), ".") + "%", true
	}
	from, ok1 := share(start, 0)
	to, ok2 := share(end, 1) // the ending key is inclusive
	if !ok1 || !ok2 {
		return start + "–" + end
	}
	return from + "–" + to
}

// streamView draws the open stream: its title, the tail's line, the shards and the records.
func (m *Model) streamView(width, height int) string {
	s, st, k := m.ctx.Styles, m.stream, m.ctx.Keys
	lines := []string{
		s.Title.Render("Streams › "+st.name) + s.Muted.Render("  live tail from "+st.tail.From()+" · "+
			st.tail.Hints()+"  "+keys.Hints(keys.As(k.TailFrom, "starts elsewhere"), keys.As(k.Back, "back"))),
	}
	if m.start.IsOpen() {
		lines = append(lines, m.start.View(width)...)
	} else {
		lines = append(lines, st.tail.StatusLine(width))
	}
	if st.err != nil {
		lines = append(lines, s.Error.Render("stream failed: "+st.err.Error()))
	}
	if n := st.shards.Len(); n > 0 && height >= 12 {
		lines = append(lines, strings.Split(st.shards.View(width, min(n+1, 4)), "\n")...)
	}
	lines = append(lines, s.PanelBorder.Render(strings.Repeat("─", width)))
	if body := height - len(lines); body > 0 {
		lines = append(lines, st.tail.Records(width, body)...)
	}
	return screen.Fill(strings.Join(lines, "\n"), width, height)
}
