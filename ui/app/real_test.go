package app

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pintui/pintui/ops/backend/backendtest"
	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/internal/fixture"
	"github.com/pintui/pintui/ui/screen"
)

// realPipeline is the real command registry on an embedded local stack with ports the kernel
// picks and a fresh data dir, seeded with a small source.
func realPipeline(t *testing.T) *command.Registry {
	t.Helper()
	cfg, b := backendtest.Open(t)
	reg := command.New(&command.Env{Config: cfg, Backends: b})
	run(t, reg, "seed --rows 300")
	return reg
}

// run runs script lines on the registry, failing the test on the first error.
func run(t *testing.T, reg *command.Registry, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if _, err := reg.Run(context.Background(), l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
}

func newRealModel(t *testing.T, reg screen.Runner, width, height int) *Model {
	t.Helper()
	m, err := New(context.Background(), Deps{Runner: reg, Profile: "local", DataDir: "/data", Now: clock, Width: width, Height: height, Tick: (&ticker{}).tick})
	if err != nil {
		t.Fatal(err)
	}
	drive(m, m.Init())
	return m
}

// TestFixtureAnswersLikeTheRealCommands keeps the console's stand-in registry honest: for every
// command it answers, it returns the same Go type as the real command and, where a person reads
// a table, the same columns.
func TestFixtureAnswersLikeTheRealCommands(t *testing.T) {
	reg := realPipeline(t)
	run(t, reg, "emulate batch --count 10 --rate 0", "wait emulator", "wait landings >= 30", "batch run")
	// A DAG run and a job run, so the lines with --last have a run to name.
	run(t, reg, "dag trigger", "dag wait --last --timeout 5m", "job run 0a1b2c3d4e5f_batch_job", "job wait --last --timeout 5m")
	fix := fixture.New()
	lines := map[string]string{
		"analytics":      "analytics top_country",
		"dags":           "dags",
		"dag trigger":    "dag trigger",
		"dag runs":       "dag runs",
		"dag run":        "dag run --last",
		"dag logs":       "dag logs --last load_landings",
		"dag pause":      "dag pause 0a1b2c3d4e5f_dag",
		"dag unpause":    "dag unpause 0a1b2c3d4e5f_dag",
		"jobs":           "jobs",
		"job run":        "job run 0a1b2c3d4e5f_batch_job",
		"job runs":       "job runs",
		"job output":     "job output --last",
		"job cancel":     "job cancel --last",
		"emulate batch":  "emulate batch --count 500 --rate 50",
		"emulate rate":   "emulate rate 100",
		"emulate status": "emulate status",
		"emulate stop":   "emulate stop",
		"emulate stream": "emulate stream --count 500 --rate 50",
		"preview":        "preview 0a1b2c3d4e5f_pin_batch --limit 3",
		"s3 cat":         "s3 cat topics/0a1b2c3d4e5f.pin/partition=0/0a1b2c3d4e5f.pin+0+0000000000.json",
		"s3 ls":          "s3 ls topics/0a1b2c3d4e5f.pin/partition=0/ --limit 5",
		"schema":         "schema 0a1b2c3d4e5f_pin_batch",
		"sink status":    "sink status",
		"status":         "status",
		"stream":         "stream streaming-0a1b2c3d4e5f-pin",
		"stream status":  "stream status",
		"streams":        "streams",
		"tables":         "tables",
		"tail stream":    "tail stream streaming-0a1b2c3d4e5f-pin --max 5",
		"topic":          "topic 0a1b2c3d4e5f.pin",
		"topics":         "topics",
	}
	for _, name := range fixture.Answers() {
		line, ok := lines[name]
		if !ok {
			t.Errorf("the fixture answers %q but this test has no line for it", name)
			continue
		}
		switch name {
		case "emulate batch":
			run(t, fix.Registry(), "emulate stop")
		case "emulate stream":
			run(t, fix.Registry(), "emulate stop stream")
		}
		want, err := reg.Run(context.Background(), line)
		if err != nil {
			t.Fatalf("real %s: %v", line, err)
		}
		if name == "emulate stream" {
			run(t, reg, "emulate stop stream")
		}
		got, err := fix.Run(context.Background(), line)
		if err != nil {
			t.Fatalf("fixture %s: %v", line, err)
		}
		if wt, gt := reflect.TypeOf(want.Data), reflect.TypeOf(got.Data); wt != gt {
			t.Errorf("%s: the fixture answers %v, the real command %v", line, gt, wt)
			continue
		}
		wantTable, _ := want.Table()
		gotTable, _ := got.Table()
		if !slices.Equal(wantTable.Columns, gotTable.Columns) {
			t.Errorf("%s: the fixture's columns are %q, the real command's %q", line, gotTable.Columns, wantTable.Columns)
		}
	}
	for _, c := range fix.Commands() {
		if _, ok := reg.Lookup(c.Name); !ok {
			t.Errorf("the fixture has a command %q the real registry does not", c.Name)
		}
	}
}

func TestRealEmulatorStartFasterSlowerStop(t *testing.T) {
	reg := realPipeline(t)
	m := newRealModel(t, reg, 120, 40)
	press(m, "2", "s", "enter")
	if !strings.Contains(plain(m), "batch emulator started: until `emulate stop`, configured 10 draws/s") {
		t.Fatalf("s enter did not start the emulator at its default rate:\n%s", plain(m))
	}
	repaceAndStop(t, reg, m, "batch")
}

// repaceAndStop presses + and - on the running emulator of kind, checking its rate through the
// real command each time, then x y, checking that it stopped.
func repaceAndStop(t *testing.T, reg *command.Registry, m *Model, kind string) {
	t.Helper()
	status := func() command.EmulatorStatus {
		t.Helper()
		res, err := reg.Run(context.Background(), "emulate status "+kind)
		if err != nil {
			t.Fatal(err)
		}
		return res.Data.(command.EmulatorStatus)
	}
	configured := func() float64 {
		t.Helper()
		st := status()
		if !st.Running() {
			t.Fatalf("the %s emulator is %s", kind, st.State)
		}
		return st.ConfiguredRate
	}
	press(m, "+")
	if got := configured(); got != 20 {
		t.Errorf("after + the %s emulator is configured at %g draws/s, want 20", kind, got)
	}
	if !strings.Contains(plain(m), "configured 20 draws/s") {
		t.Errorf("the screen does not show the new rate:\n%s", plain(m))
	}
	press(m, "-")
	if got := configured(); got != 10 {
		t.Errorf("after - the %s emulator is configured at %g draws/s, want 10", kind, got)
	}
	press(m, "x", "y")
	if st := status(); st.State != command.EmulatorStopped || st.MeasuredRate != nil {
		t.Errorf("after x y: %s, measured %v; want stopped with no rate", st.State, st.MeasuredRate)
	}
	if out := plain(m); !strings.Contains(out, "· stopped") || strings.Contains(out, "measured") {
		t.Errorf("the screen does not show a stopped emulator without a rate:\n%s", out)
	}
}

// TestRealStreamEmulatorStartFasterSlowerStop drives the streaming emulator from its rows of
// the Emulators screen against the real registry: started, re-paced both ways and stopped, while
// the batch emulator is left alone.
func TestRealStreamEmulatorStartFasterSlowerStop(t *testing.T) {
	reg := realPipeline(t)
	m := newRealModel(t, reg, 120, 40)
	press(m, "2", "G", "s", "enter")
	if !strings.Contains(plain(m), "streaming emulator started: until `emulate stop stream`, configured 10 draws/s") {
		t.Fatalf("G s enter did not start the streaming emulator at its default rate:\n%s", plain(m))
	}
	repaceAndStop(t, reg, m, "stream")
	res, err := reg.Run(context.Background(), "emulate status batch")
	if err != nil {
		t.Fatal(err)
	}
	if st := res.Data.(command.EmulatorStatus); st.State != command.EmulatorNotStarted {
		t.Errorf("driving the streaming emulator left the batch one %s", st.State)
	}
}

func TestRealTablesPreviewAndAnalytics(t *testing.T) {
	reg := realPipeline(t)
	run(t, reg, "emulate batch --count 40 --rate 0", "wait emulator", "wait landings >= 120", "batch run")
	m := newRealModel(t, reg, 120, 40)
	press(m, "8")
	out := plain(m)
	for _, want := range []string{"0a1b2c3d4e5f_pin_batch", "top_country", "median_followers_by_age_group_and_join_year"} {
		if !strings.Contains(out, want) {
			t.Errorf("Tables lacks %s:\n%s", want, out)
		}
	}
	press(m, "j", "enter") // the pin table, after the geo table
	res, err := reg.Run(context.Background(), "tables")
	if err != nil {
		t.Fatal(err)
	}
	var pins int64
	for _, ti := range res.Data.([]command.TableInfo) {
		if ti.Table == "0a1b2c3d4e5f_pin_batch" {
			pins = ti.Rows
		}
	}
	if out := plain(m); pins == 0 || !strings.Contains(out, "rows 1–20 of "+itoa(pins)) || !strings.Contains(out, "follower_count") {
		t.Errorf("the pin preview does not show its first page of %d rows:\n%s", pins, out)
	}
	press(m, "esc", "G", "enter") // the last analytics output
	if out := plain(m); !strings.Contains(out, "median_follower_count") || !strings.Contains(out, "rows 1–") {
		t.Errorf("the last analytics output is not shown:\n%s", out)
	}
}

func itoa(n int64) string { return strings.TrimSpace(command.Cell(n)) }

func TestRealOverviewShowsTheStreamJob(t *testing.T) {
	reg := realPipeline(t)
	run(t, reg, "emulate stream --count 20 --rate 0", "wait emulator stream",
		"wait rows 0a1b2c3d4e5f_pin_table >= 20", "wait rows 0a1b2c3d4e5f_geo_table >= 20", "wait rows 0a1b2c3d4e5f_user_table >= 20")
	m := newRealModel(t, reg, 120, 40)
	out := plain(m)
	for _, want := range []string{"╭ stream job", "▶ running", "60 rows in 3 tables", ", last commit "} {
		if !strings.Contains(out, want) {
			t.Errorf("the Overview lacks %q:\n%s", want, out)
		}
	}
}

func TestRealStreamsListAndShards(t *testing.T) {
	reg := realPipeline(t)
	run(t, reg, "emulate stream --count 5 --rate 0", "wait emulator stream")
	m := newRealModel(t, reg, 120, 40)
	press(m, "4")
	out := plain(m)
	for _, want := range []string{"3 streams", "streaming-0a1b2c3d4e5f-pin", "streaming-0a1b2c3d4e5f-geo", "streaming-0a1b2c3d4e5f-user", "ACTIVE"} {
		if !strings.Contains(out, want) {
			t.Errorf("Streams lacks %s:\n%s", want, out)
		}
	}
	press(m, "enter")
	res, err := reg.Run(context.Background(), "stream streaming-0a1b2c3d4e5f-pin")
	if err != nil {
		t.Fatal(err)
	}
	out = plain(m)
	for _, s := range res.Data.(command.StreamDetail).Shards {
		if !strings.Contains(out, s.Shard) || s.LatestSequence != "" && !strings.Contains(out, s.LatestSequence[len(s.LatestSequence)-12:]) {
			t.Errorf("the pin stream's view lacks shard %s and its latest sequence %s:\n%s", s.Shard, s.LatestSequence, out)
		}
	}
	if !strings.Contains(out, "0%–50%") || !strings.Contains(out, "live tail unavailable") {
		t.Errorf("the pin stream's view lacks its hash-key shares or the word on the missing tail:\n%s", out)
	}
}
