package command

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/ops/kinesis"
	"github.com/pintui/pintui/pipeline/clean"
	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/record"
	"github.com/pintui/pintui/pipeline/source"
	"github.com/pintui/pintui/pipeline/stream"
)

func TestWaitRowsAnswersOnceTheTableHoldsThemAndSaysWhyNot(t *testing.T) {
	ctx := context.Background()
	env := lakehouseEnv(t)
	reg := New(env)
	users := make([]record.CleanUser, 3)
	for i := range users {
		users[i].Ind = int64(i)
	}
	if _, err := delta.WriteRecords(ctx, delta.Open(env.lakehouse(), "0a1b2c3d4e5f_user_table"), delta.Write{Mode: delta.Append}, users); err != nil {
		t.Fatal(err)
	}
	res, err := reg.Run(ctx, "wait rows 0a1b2c3d4e5f_user_table >= 3")
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Data.(RowsWait); got.Table != "0a1b2c3d4e5f_user_table" || got.Rows != 3 || got.Target != 3 || got.WaitedMS < 0 {
		t.Errorf("wait rows = %+v", got)
	}
	for line, want := range map[string]string{
		"wait rows 0a1b2c3d4e5f_user_table >= 4 --timeout 100ms": "wait rows: timed out after 100ms with 3 of 4 rows in 0a1b2c3d4e5f_user_table: check `stream status` and `emulate status`",
		"wait rows 0a1b2c3d4e5f_pin_table >= 1 --timeout 100ms":  "wait rows: timed out after 100ms: table 0a1b2c3d4e5f_pin_table does not exist yet; check `stream status` and `emulate status`",
		"wait rows pins >= 1": `wait rows: no table "pins": the tables are 0a1b2c3d4e5f_user_table`,
	} {
		if _, err := reg.Run(ctx, line); err == nil || err.Error() != want {
			t.Errorf("%s: %v\nwant %s", line, err, want)
		}
	}
	for line, want := range map[string]string{
		"wait rows 0a1b2c3d4e5f_user_table > 3":              "wait rows: write the condition as `wait rows TABLE >= N`, not \"0a1b2c3d4e5f_user_table > 3\"",
		"wait rows 0a1b2c3d4e5f_user_table >= many":          `wait rows: "many" is not a count of rows: give a whole number, 0 or more`,
		"wait rows 0a1b2c3d4e5f_user_table >= 1 --timeout x": `wait rows: --timeout "x" is not a duration: use a form like 60s or 2m`,
	} {
		if _, err := reg.Run(ctx, line); !IsUsage(err) || err.Error() != want {
			t.Errorf("%s: %v (usage error %v)\nwant %s", line, err, IsUsage(err), want)
		}
	}
}

func TestStreamStatusShowsTheJobsTablesAndLagOnlyWhileReading(t *testing.T) {
	env := lakehouseEnv(t)
	env.Config.Stream.TriggerInterval = "50ms"
	started := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	tables := []stream.TableStatus{
		{Table: "0a1b2c3d4e5f_pin_table", Stream: "streaming-0a1b2c3d4e5f-pin", MicroBatch: 7, LastCommit: started.Add(time.Second), Rows: 1000, Rate: 200, Lag: 40 * time.Millisecond, Reading: true, Quarantined: 2},
		{Table: "0a1b2c3d4e5f_geo_table", Stream: "streaming-0a1b2c3d4e5f-geo", MicroBatch: -1, Err: "read streaming-0a1b2c3d4e5f-geo shardId-000000000000: throttled"},
	}
	running := env.streamJobStatus(context.Background(), backend.StreamJobState{Ran: true, Running: true,
		Status: stream.Status{Started: started, Trigger: 50 * time.Millisecond, Err: "0a1b2c3d4e5f_geo_table: throttled", Tables: tables}})
	if running.State != StreamJobRunning || running.TriggerMS != 50 || running.Error != "0a1b2c3d4e5f_geo_table: throttled" || !running.Started.Equal(started) {
		t.Errorf("running status: %+v", running)
	}
	if lag := running.Tables[0].LagMS; lag == nil || *lag != 40 {
		t.Errorf("lag of the table being read: %v, want 40", lag)
	}
	if running.Tables[1].LagMS != nil {
		t.Errorf("lag of the table not read yet: %v, want null", *running.Tables[1].LagMS)
	}
	wantMsg := "running since 2026-12-01T10:00:00.000Z, trigger 50ms: 1000 rows in the stream tables, 2 records quarantined; error: 0a1b2c3d4e5f_geo_table: throttled"
	if running.Message != wantMsg {
		t.Errorf("message %q\nwant %q", running.Message, wantMsg)
	}
	wantTable := "table                   micro_batch  last_commit           rows  rows/s  lag_ms  quarantined\n" +
		"0a1b2c3d4e5f_pin_table  7            2026-12-01T10:00:01Z  1000  200.0   40      2\n" +
		"0a1b2c3d4e5f_geo_table  -                                  0     0.0     -       0\n"
	if got := running.TextTable().String(); got != wantTable {
		t.Errorf("table:\n%s\nwant:\n%s", got, wantTable)
	}

	stopped := env.streamJobStatus(context.Background(), backend.StreamJobState{Ran: true, Status: stream.Status{Started: started, Trigger: 50 * time.Millisecond, Tables: tables}})
	if stopped.State != StreamJobStopped || stopped.Tables[0].LagMS != nil {
		t.Errorf("stopped status: %+v", stopped)
	}
	never := env.streamJobStatus(context.Background(), backend.StreamJobState{Err: "no Kinesis to read the streams from"})
	if never.State != StreamJobNotStarted || len(never.Tables) != 3 || never.Tables[0].MicroBatch != -1 || never.TriggerMS != 50 ||
		never.Message != "not started: 0 rows in the stream tables; start the job with `stream start`; error: no Kinesis to read the streams from" {
		t.Errorf("status of a job never started: %+v", never)
	}
}

func TestStreamCommandsRunTheJobOverTheLocalKinesis(t *testing.T) {
	env := openStack(t)
	reg := New(env)
	ctx := context.Background()
	k, err := kinesis.New(ctx, kinesis.Settings{Endpoint: env.Backends.Stack.Endpoints().Kinesis})
	if err != nil {
		t.Fatal(err)
	}
	put := func(rows []source.Row) {
		t.Helper()
		entries := map[record.Table][]kinesis.Entry{}
		for i, r := range rows {
			key := strconv.Itoa(i)
			entries[record.TablePin] = append(entries[record.TablePin], kinesis.Entry{PartitionKey: key, Data: r.Pin.AppendJSON(nil)})
			entries[record.TableGeo] = append(entries[record.TableGeo], kinesis.Entry{PartitionKey: key, Data: r.Geo.AppendJSON(nil)})
			entries[record.TableUser] = append(entries[record.TableUser], kinesis.Entry{PartitionKey: key, Data: r.User.AppendJSON(nil)})
		}
		for table, es := range entries {
			puts, err := k.PutRecords(ctx, stream.StreamName(env.Config.UID, table), es)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range puts {
				if p.Failed() {
					t.Fatalf("put into %s: %s", table, p.ErrorMessage)
				}
			}
		}
	}
	rows := source.Generate(60, 100)
	put(rows[:30])
	for _, table := range []string{"pin", "geo", "user"} {
		if _, err := reg.Run(ctx, "wait rows 0a1b2c3d4e5f_"+table+"_table >= 30 --timeout 60s"); err != nil {
			t.Fatal(err)
		}
	}
	res, err := reg.Run(ctx, "stream stop")
	if err != nil {
		t.Fatal(err)
	}
	if st := res.Data.(StreamJobStatus); st.State != StreamJobStopped || len(st.Tables) != 3 || st.Tables[0].Rows != 30 || st.Tables[0].MicroBatch < 0 || st.Error != "" {
		t.Fatalf("after stream stop: %+v", st)
	}
	put(rows[30:])
	res, err = reg.Run(ctx, "stream start")
	if err != nil {
		t.Fatal(err)
	}
	if st := res.Data.(StreamJobStatus); st.State != StreamJobRunning || res.Message != "stream job started: reading streaming-0a1b2c3d4e5f-pin, streaming-0a1b2c3d4e5f-geo, streaming-0a1b2c3d4e5f-user into 0a1b2c3d4e5f_pin_table, 0a1b2c3d4e5f_geo_table, 0a1b2c3d4e5f_user_table, a micro-batch every 50ms" {
		t.Fatalf("after stream start: %q %+v", res.Message, st)
	}
	if _, err := reg.Run(ctx, "wait rows 0a1b2c3d4e5f_pin_table >= 60 --timeout 60s"); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Run(ctx, "wait rows 0a1b2c3d4e5f_pin_table >= 61 --timeout 300ms"); err == nil {
		t.Fatal("the pin table holds more rows than were put")
	}
	res, err = reg.Run(ctx, "stream status")
	if err != nil {
		t.Fatal(err)
	}
	for _, ts := range res.Data.(StreamJobStatus).Tables {
		if ts.Rows != 60 || ts.LagMS == nil || ts.Quarantined != 0 {
			t.Errorf("stream status: %+v", ts)
		}
	}
}

// TestEmulatedStreamsLandCleanedInTheStreamTables runs the acceptance script's steps through the
// registry on a fresh stack and checks each stream table holds exactly what `pintui clean` makes
// of the records the emulator put into its stream.
func TestEmulatedStreamsLandCleanedInTheStreamTables(t *testing.T) {
	env := openStack(t)
	reg := New(env)
	ctx := context.Background()
	for _, line := range []string{"seed --rows 300", "emulate stream --count 100 --rate 0", "wait emulator stream --timeout 60s",
		"wait rows 0a1b2c3d4e5f_pin_table >= 100 --timeout 60s", "wait rows 0a1b2c3d4e5f_geo_table >= 100 --timeout 60s",
		"wait rows 0a1b2c3d4e5f_user_table >= 100 --timeout 60s"} {
		if _, err := reg.Run(ctx, line); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	for _, table := range record.Tables {
		recs, _, err := env.Backends.Kinesis.Read(ctx, stream.StreamName(env.Config.UID, table), kinesis.TrimHorizon, 0)
		if err != nil {
			t.Fatal(err)
		}
		var raw bytes.Buffer
		for _, r := range recs {
			raw.Write(r.Data)
			raw.WriteByte('\n')
		}
		var cleaned bytes.Buffer
		if _, err := clean.Run(ctx, table, &raw, &cleaned); err != nil {
			t.Fatal(err)
		}
		want := strings.Split(strings.TrimSuffix(cleaned.String(), "\n"), "\n")
		got := streamTableLines(t, env, table)
		slices.Sort(want)
		if len(recs) != 100 || !slices.Equal(got, want) {
			t.Errorf("%s: the stream holds %d records; the table %d rows, want the %d cleaned records\nfirst got:  %.300s\nfirst want: %.300s",
				table, len(recs), len(got), len(want), strings.Join(got[:min(1, len(got))], ""), strings.Join(want[:min(1, len(want))], ""))
		}
	}
}

// streamTableLines reads a stream table's rows as `pintui clean` prints them, sorted.
func streamTableLines(t *testing.T, env *Env, table record.Table) []string {
	t.Helper()
	ctx := context.Background()
	dt := delta.Open(env.lakehouse(), stream.TableName(env.Config.UID, table))
	var out []string
	var err error
	switch table {
	case record.TablePin:
		var rows []record.CleanPin
		rows, err = delta.Read[record.CleanPin](ctx, dt)
		for _, r := range rows {
			out = append(out, string(clean.AppendPin(nil, r)))
		}
	case record.TableGeo:
		var rows []record.CleanGeo
		rows, err = delta.Read[record.CleanGeo](ctx, dt)
		for _, r := range rows {
			out = append(out, string(clean.AppendGeo(nil, r)))
		}
	default:
		var rows []record.CleanUser
		rows, err = delta.Read[record.CleanUser](ctx, dt)
		for _, r := range rows {
			out = append(out, string(clean.AppendUser(nil, r)))
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}
