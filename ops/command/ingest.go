package command

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/ops/kafka"
	"github.com/pintui/pintui/pipeline/emulate"
	"github.com/pintui/pintui/pipeline/sink"
)

// errNoBackends is returned by commands that need the running pipeline when it is not open.
var errNoBackends = errors.New("the pipeline is not running in this command: use the console or pintui --script")

func (env *Env) backends() (*backend.Backends, error) {
	if env.Backends == nil {
		return nil, errNoBackends
	}
	return env.Backends, nil
}

func (env *Env) ingestCommands() []*Command {
	return []*Command{
		{Name: "topics", Help: "List the Kafka topics with partitions, end offsets, records landed by the S3 sink and its lag.", Run: env.topics},
		{Name: "topic", Args: "TOPIC", MinArgs: 1, MaxArgs: 1, Help: "Show a topic's partitions with start and end offsets and each consumer group's committed offset and lag.", Run: env.topic},
		{
			Name: "tail topic", Args: "TOPIC", MinArgs: 1, MaxArgs: 1,
			Help: "Print a topic's records without joining a consumer group.",
			Flags: []Flag{
				{Name: "from", Default: "beginning", Help: "where to start: beginning, end, an offset, or -N for the last N records of each partition"},
				{Name: "max", Default: "100", Help: "stop after this many records (0: up to the current end)"},
			},
			Run: env.tail,
		},
		{
			Name: "emulate batch",
			Help: "Start the batch emulator in the background: draw rows from the source and post pin, geo and user to the gateway.",
			Flags: []Flag{
				{Name: "count", Default: "0", Help: "draws to post (three records each); 0 runs until `emulate stop`"},
				{Name: "rate", Default: "10", Help: "draws per second; 0 posts as fast as the gateway takes them"},
				{Name: "faithful", Bool: true, Help: "pace like the original emulator: sleep 0 or 1 s at random per draw"},
				{Name: "workers", Default: "1", Help: "draws posted at once; more than 1 is faster but lands the draws out of order"},
				{Name: "seed", Default: strconv.Itoa(emulate.DefaultSeed), Help: "seed of the draws (100 replays the original: 7528, 2863, …)"},
			},
			Run: env.emulateBatch,
		},
		{Name: "emulate stop", Help: "Stop the running emulator.", Run: env.emulateStop},
		{Name: "emulate status", Help: "Show the emulator's per-table sent and failed posts and its rate.", Run: env.emulateStatus},
		{
			Name: "s3 ls", Args: "[PREFIX]", MaxArgs: 1,
			Help:  "List the landing bucket under a prefix: folders first, then objects with size and time.",
			Flags: []Flag{{Name: "limit", Default: "1000", Help: "list at most this many entries (0: all)"}},
			Run:   env.s3Ls,
		},
		{Name: "s3 cat", Args: "KEY", MinArgs: 1, MaxArgs: 1, Help: "Print an object of the landing bucket.", Run: env.s3Cat},
		{Name: "sink status", Help: "Show, per topic partition, the last offset the S3 sink landed, the end offset, the lag and the objects written.", Run: env.sinkStatus},
		{
			Name:  "wait emulator",
			Help:  "Wait until the running emulator has posted its --count draws.",
			Flags: []Flag{{Name: "timeout", Default: "60s", Help: "give up after this long"}},
			Run:   env.waitEmulator,
		},
		{
			Name: "wait landings", Args: ">= N", MinArgs: 2, MaxArgs: 2,
			Help:  "Wait until the landing bucket holds at least N objects across the three topics.",
			Flags: []Flag{{Name: "timeout", Default: "60s", Help: "give up after this long"}},
			Run:   env.waitLandings,
		},
	}
}

// landed returns the sink group's committed offsets per partition of a topic.
func landed(t kafka.Topic) map[int32]int64 {
	out := map[int32]int64{}
	for _, g := range t.Groups {
		if g.Group != sink.DefaultGroup {
			continue
		}
		for _, p := range g.Partitions {
			out[p.Partition] = max(p.Committed, 0)
		}
	}
	return out
}

func (env *Env) topics(ctx context.Context, _ *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	list, err := b.Kafka.Topics(ctx)
	if err != nil {
		return nil, err
	}
	type row struct {
		Topic      string `json:"topic"`
		Partitions int    `json:"partitions"`
		EndOffset  int64  `json:"end_offset"`
		Landed     int64  `json:"landed"`
		Lag        int64  `json:"lag"`
	}
	res := &Result{Columns: []string{"topic", "partitions", "end_offset", "landed", "lag"}}
	rows := []row{}
	for _, t := range list {
		detail, err := b.Kafka.Topic(ctx, t.Name)
		if err != nil {
			return nil, err
		}
		r := row{Topic: t.Name, Partitions: len(t.Partitions)}
		done := landed(detail)
		for _, p := range detail.Partitions {
			r.EndOffset += p.End
			r.Landed += done[p.ID]
		}
		r.Lag = r.EndOffset - r.Landed
		rows = append(rows, r)
		res.Rows = append(res.Rows, []string{r.Topic, strconv.Itoa(r.Partitions), i64(r.EndOffset), i64(r.Landed), i64(r.Lag)})
	}
	res.Data = rows
	return res, nil
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

func (env *Env) topic(ctx context.Context, in *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	t, err := b.Kafka.Topic(ctx, in.Args[0])
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: []string{"partition", "start_offset", "end_offset", "group", "committed", "lag"}, Data: t}
	for _, p := range t.Partitions {
		found := false
		for _, g := range t.Groups {
			for _, gp := range g.Partitions {
				if gp.Partition == p.ID {
					found = true
					res.Rows = append(res.Rows, []string{strconv.Itoa(int(p.ID)), i64(p.Start), i64(p.End), g.Group, i64(gp.Committed), i64(gp.Lag)})
				}
			}
		}
		if !found {
			res.Rows = append(res.Rows, []string{strconv.Itoa(int(p.ID)), i64(p.Start), i64(p.End), "", "", ""})
		}
	}
	return res, nil
}

// ParseFrom reads --from: beginning, end, an offset, or -N for the last N records.
func ParseFrom(s string) (kafka.From, error) {
	switch s {
	case "beginning":
		return kafka.Beginning, nil
	case "end":
		return kafka.End, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil:
		return kafka.From{}, fmt.Errorf("--from %q is not valid: use beginning, end, an offset such as 42, or -10 for the last 10 records", s)
	case n < 0:
		return kafka.Last(-n), nil
	default:
		return kafka.At(n), nil
	}
}

func (env *Env) tail(ctx context.Context, in *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	from, err := ParseFrom(in.Flag("from"))
	if err != nil {
		return nil, err
	}
	limit, err := in.Int("max")
	if err != nil || limit < 0 {
		return nil, fmt.Errorf("--max %q is not valid: use 0 or more", in.Flag("max"))
	}
	type row struct {
		Partition int32  `json:"partition"`
		Offset    int64  `json:"offset"`
		Timestamp string `json:"timestamp"`
		Value     string `json:"value"`
	}
	rows := []row{}
	res := &Result{Columns: []string{"partition", "offset", "timestamp", "value"}}
	err = b.Kafka.Tail(ctx, in.Args[0], kafka.TailOptions{From: from, Max: limit}, func(r kafka.Record) error {
		ts := r.Time.UTC().Format("2006-01-02 15:04:05.000")
		rows = append(rows, row{r.Partition, r.Offset, ts, string(r.Value)})
		res.Rows = append(res.Rows, []string{strconv.Itoa(int(r.Partition)), i64(r.Offset), ts, string(r.Value)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Data = rows
	res.Message = fmt.Sprintf("%d records", len(rows))
	return res, nil
}

func (env *Env) emulateBatch(_ context.Context, in *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	count, err := in.Int("count")
	if err != nil || count < 0 {
		return nil, fmt.Errorf("--count %q is not valid: use 0 (until stopped) or more", in.Flag("count"))
	}
	rate, err := strconv.ParseFloat(in.Flag("rate"), 64)
	if err != nil || rate < 0 {
		return nil, fmt.Errorf("--rate %q is not valid: use draws per second, 0 for as fast as possible", in.Flag("rate"))
	}
	seed, err := strconv.ParseInt(in.Flag("seed"), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("--seed %q is not a whole number", in.Flag("seed"))
	}
	workers, err := in.Int("workers")
	if err != nil || workers < 1 {
		return nil, fmt.Errorf("--workers %q is not valid: use 1 (draws land in order) or more", in.Flag("workers"))
	}
	opts := emulate.Options{Count: int64(count), Rate: rate, Faithful: in.Flag("faithful") == "true", Seed: seed, Workers: workers}
	if err := b.StartEmulator(opts); err != nil {
		return nil, err
	}
	what := "until `emulate stop`"
	if count > 0 {
		what = fmt.Sprintf("%d draws (%d records)", count, 3*count)
	}
	pace := fmt.Sprintf("%g draws/s", rate)
	switch {
	case opts.Faithful:
		pace = "the original's 0–1 s pauses"
	case rate == 0:
		pace = "as fast as the gateway takes them"
	}
	if workers > 1 {
		pace += fmt.Sprintf(", %d at once", workers)
	}
	return &Result{Message: fmt.Sprintf("batch emulator started: %s at %s, posting to %s", what, pace, b.GatewayURL)}, nil
}

func (env *Env) emulateStop(context.Context, *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	if !b.StopEmulator() {
		return &Result{Message: "no emulator is running"}, nil
	}
	st, _ := b.Emulator()
	return &Result{Message: fmt.Sprintf("batch emulator stopped after %d draws", st.Stats.Iterations)}, nil
}

func (env *Env) emulateStatus(context.Context, *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	st, ok := b.Emulator()
	res := &Result{Columns: []string{"table", "sent", "failed", "rate"}}
	if !ok {
		res.Message = "stopped: no emulator has run; start one with `emulate batch`"
		return res, nil
	}
	rate := st.Stats.Rate() / 3
	for _, t := range st.Stats.Tables {
		res.Rows = append(res.Rows, []string{string(t.Table), i64(t.Sent), i64(t.Failed), fmt.Sprintf("%.0f/s", rate)})
	}
	state := "stopped"
	if st.Running {
		state = "running"
	}
	res.Message = fmt.Sprintf("%s: %d draws, rate %.0f records/s", state, st.Stats.Iterations, st.Stats.Rate())
	if st.Stats.LastError != "" {
		res.Message += "; last error: " + st.Stats.LastError
	}
	if st.Err != nil {
		res.Message += "; " + st.Err.Error()
	}
	res.Data = map[string]any{"running": st.Running, "draws": st.Stats.Iterations, "tables": st.Stats.Tables, "rate": st.Stats.Rate(), "last_error": st.Stats.LastError}
	return res, nil
}

func (env *Env) waitEmulator(ctx context.Context, in *Invocation) (*Result, error) {
	b, err := env.backends()
	if err != nil {
		return nil, err
	}
	timeout, err := in.Duration("timeout")
	if err != nil {
		return nil, err
	}
	st, ok := b.Emulator()
	if !ok {
		return nil, errors.New("no emulator has run: start one with `emulate batch --count N`")
	}
	if st.Running && st.Options.Count == 0 {
		return nil, errors.New("the emulator runs until stopped (no --count): use `emulate stop`")
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	st, err = b.WaitEmulator(ctx)
	if err != nil {
		return nil, fmt.Errorf("timed out after %s with %d draws posted: check `emulate status`", timeout, st.Stats.Iterations)
	}
	if st.Err != nil {
		return nil, st.Err
	}
	return &Result{Message: fmt.Sprintf("emulator done: %d draws, %d records sent, %d failed", st.Stats.Iterations, st.Stats.Sent(), st.Stats.Failed())}, nil
}

// pipelineStatus reports the running components for `status`.
func (env *Env) pipelineStatus(ctx context.Context) []Component {
	names := []string{"emulator", "gateway", "kafka", "sink", "s3"}
	b := env.Backends
	if b == nil {
		out := make([]Component, len(names))
		for i, n := range names {
			out[i] = Component{Component: n, State: StateNotStarted, Detail: "starts with the console or pintui --script", Count: -1}
		}
		return out
	}
	emu := Component{Component: "emulator", State: StateNotStarted, Detail: "start it with `emulate batch`", Count: -1}
	if st, ok := b.Emulator(); ok {
		emu.Count = st.Stats.Sent()
		emu.State, emu.Detail = StateReady, fmt.Sprintf("stopped after %d draws", st.Stats.Iterations)
		if st.Running {
			emu.State, emu.Detail = StateRunning, fmt.Sprintf("%d draws, %.0f records/s", st.Stats.Iterations, st.Stats.Rate())
		}
	}
	gw := Component{Component: "gateway", State: StateReady, Detail: b.GatewayURL, Count: -1}
	if b.GatewayURL == "" {
		gw.State, gw.Detail = StateNotStarted, "no gateway: set gateway.invoke_url in the profile"
	}
	kc := Component{Component: "kafka", Count: -1}
	sk := Component{Component: "sink", Count: -1}
	rows, err := groupRows(ctx, b, bucketTally{})
	if err != nil {
		kc.State, kc.Detail = StateDown, err.Error()
		sk.State, sk.Detail = StateDown, "kafka is down"
		gw.State, gw.Detail = StateDown, "kafka is down: "+err.Error()
	} else {
		var end, done, lag int64
		for _, r := range rows {
			end += r.EndOffset
			done += r.LandedOffset + 1
			lag += r.Lag
		}
		kc.State, kc.Count = StateReady, end
		kc.Detail = fmt.Sprintf("%d records in %d topics at %s", end, len(b.Topics()), strings.Join(b.Brokers, ","))
		gw.Count = end
		sk.Count = done
		sk.State, sk.Detail = StateReady, fmt.Sprintf("%d landed, lag %d", done, lag)
		if _, ok := b.SinkStatus(); ok {
			sk.State = StateRunning
		}
	}
	s3c := Component{Component: "s3", Count: -1}
	if tally, err := env.bucket.get(func() (bucketTally, error) { return tallyBucket(ctx, b) }); err != nil {
		s3c.State, s3c.Detail = StateDown, err.Error()
	} else {
		s3c.State, s3c.Count = StateReady, int64(tally.objects)
		s3c.Detail = fmt.Sprintf("%d landings in s3://%s", tally.objects, b.Bucket)
		if tally.objects == 0 {
			s3c.State = StateEmpty
		}
	}
	return []Component{emu, gw, kc, sk, s3c}
}
