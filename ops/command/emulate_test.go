package command

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/pintui/pintui/ops/kinesis"
	"github.com/pintui/pintui/pipeline/emulate"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/source"
	"github.com/pintui/pintui/pipeline/stream"
)

// TestStreamEmulatorPutsEveryDrawIntoItsStream runs `emulate stream --count 100 --rate 0` on the
// embedded stack, through the gateway's Kinesis proxy into the local Kinesis, and reads every
// stream back with GetRecords: each holds exactly one record per draw, its data the JSON of the
// row drawn.
func TestStreamEmulatorPutsEveryDrawIntoItsStream(t *testing.T) {
	env := openStack(t)
	reg := New(env)
	ctx := context.Background()
	for _, line := range []string{"seed --rows 300", "emulate stream --count 100 --rate 0"} {
		if _, err := reg.Run(ctx, line); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	res, err := reg.Run(ctx, "wait emulator stream --timeout 60s")
	if err != nil {
		t.Fatal(err)
	}
	if st := res.Data.(EmulatorStatus); st.Kind != "stream" || st.Sent != 300 || st.Failed != 0 {
		t.Fatalf("the streaming emulator ended %+v, want 300 records sent and none failed", st)
	}

	src, err := source.Open(ctx, env.Config.SourceURL())
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	maxID, err := src.MaxID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[record.Table][]string{}
	draws := source.NewDraws(emulate.DefaultSeed, maxID)
	for range 100 {
		row, err := src.Row(ctx, draws.Next().ID)
		if err != nil {
			t.Fatal(err)
		}
		want[record.TablePin] = append(want[record.TablePin], string(row.Pin.AppendJSON(nil)))
		want[record.TableGeo] = append(want[record.TableGeo], string(row.Geo.AppendJSON(nil)))
		want[record.TableUser] = append(want[record.TableUser], string(row.User.AppendJSON(nil)))
	}

	client, err := kinesis.New(ctx, kinesis.Settings{Endpoint: env.Backends.Stack.Endpoints().Kinesis})
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range record.Tables {
		name := stream.StreamName(env.Config.UID, table)
		recs, _, err := client.Read(ctx, name, kinesis.TrimHorizon, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range recs {
			got = append(got, string(r.Data))
		}
		// The records are spread over the shards by their partition keys, so only each shard
		// keeps the draw order.
		slices.Sort(got)
		slices.Sort(want[table])
		if !slices.Equal(got, want[table]) {
			t.Errorf("%s holds %d records, want the %d rows drawn:\ngot  %.300q\nwant %.300q", name, len(got), len(want[table]), got, want[table])
		}
	}
}

// TestEmulateCommandsRefuseAnUnknownEmulator checks that a wrong emulator name or a missing
// rate is a usage error that says what to type.
func TestEmulateCommandsRefuseAnUnknownEmulator(t *testing.T) {
	reg := New(openStack(t))
	for line, want := range map[string]string{
		"emulate stop kafka":     `emulate stop: "kafka" is not an emulator: use batch or stream`,
		"emulate status streams": `emulate status: "streams" is not an emulator: use batch or stream`,
		"wait emulator x":        `wait emulator: "x" is not an emulator: use batch or stream`,
		"emulate rate stream":    "emulate rate: no rate for the stream emulator: give the draws per second after it, e.g. `emulate rate stream 20`",
		"emulate rate fast 20":   `emulate rate: "fast" is not an emulator: use batch or stream`,
	} {
		_, err := reg.Run(context.Background(), line)
		var usageErr *UsageError
		if !errors.As(err, &usageErr) || err.Error() != want {
			t.Errorf("%s: %v, want the usage error %q", line, err, want)
		}
	}
}

// TestStreamedRecordsLandInTheStreamTablesOnce runs the acceptance path on the embedded stack:
// seed, `emulate stream --count 200 --rate 0` and `wait rows` on each stream table, which the
// owner's stream job fills; each table then holds exactly one row per draw, the drawn row's ind.
func TestStreamedRecordsLandInTheStreamTablesOnce(t *testing.T) {
	env := openStack(t)
	reg := New(env)
	ctx := context.Background()
	const draws = 200
	lines := []string{"seed --rows 300", fmt.Sprintf("emulate stream --count %d --rate 0", draws), "wait emulator stream --timeout 60s"}
	for _, table := range record.Tables {
		lines = append(lines, fmt.Sprintf("wait rows %s >= %d --timeout 60s", stream.TableName(env.Config.UID, table), draws))
	}
	for _, line := range lines {
		if _, err := reg.Run(ctx, line); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	src, err := source.Open(ctx, env.Config.SourceURL())
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	maxID, err := src.MaxID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	d := source.NewDraws(emulate.DefaultSeed, maxID)
	for range draws {
		want = append(want, d.Next().ID)
	}
	slices.Sort(want)
	for _, table := range record.Tables {
		name := stream.TableName(env.Config.UID, table)
		res, err := reg.Run(ctx, fmt.Sprintf("preview %s --limit %d", name, 2*draws))
		if err != nil {
			t.Fatal(err)
		}
		page := res.Data.(TablePage)
		var got []int64
		for _, row := range page.Rows {
			got = append(got, row[0].(int64))
		}
		slices.Sort(got)
		if page.TotalRows != draws || !slices.Equal(got, want) {
			t.Errorf("%s holds %d rows with ind %v, want the %d drawn ids %v", name, page.TotalRows, got, draws, want)
		}
	}
}
