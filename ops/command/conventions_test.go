package command

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pintui/pintui/ops/backend/backendtest"
	"github.com/pintui/pintui/ops/databricks/databrickstest"
)

// openStack starts the real local stack with ports the kernel picks, in a fresh data dir.
func openStack(t *testing.T) *Env {
	t.Helper()
	cfg, b := backendtest.Open(t)
	return &Env{Config: cfg, Backends: b}
}

// everyCommand is one line per registered command, in an order that gives each something to show.
var everyCommand = []string{
	"help",
	"help preview",
	"status",
	"seed --rows 200",
	"seed --rows 200 --landings {dir}/landings --draws 20",
	"clean {dir}/landings/topics/0a1b2c3d4e5f.pin/partition=0/0a1b2c3d4e5f.pin+0+0000000000.json --table pin --out {dir}/pin.clean.jsonl",
	"analyze --pin {dir}/landings/topics/0a1b2c3d4e5f.pin --geo {dir}/landings/topics/0a1b2c3d4e5f.geo --user {dir}/landings/topics/0a1b2c3d4e5f.user",
	"bench clean --rows 5000",
	"bench ingest --duration 200ms --connections 2",
	"bench sink --records 20 --large-records 3000",
	"bench stream --rate 60 --duration 500ms",
	"bench landings --objects 300 --dir {dir}",
	"emulate status",
	"emulate batch --count 20 --rate 50",
	"emulate rate 1000",
	"wait emulator --timeout 60s",
	"emulate stop",
	"emulate stream --count 5 --rate 50",
	"emulate rate stream 1000",
	"wait emulator stream --timeout 60s",
	"emulate status stream",
	"emulate stop stream",
	"emulate status",
	"wait landings >= 60 --timeout 60s",
	"topics",
	"topic 0a1b2c3d4e5f.pin",
	"tail topic 0a1b2c3d4e5f.pin --from -3 --max 2",
	"streams",
	"stream streaming-0a1b2c3d4e5f-pin",
	"tail stream streaming-0a1b2c3d4e5f-pin --from trim-horizon --max 2",
	"s3 ls topics/0a1b2c3d4e5f.pin/partition=0/ --limit 5",
	"s3 cat topics/0a1b2c3d4e5f.pin/partition=0/0a1b2c3d4e5f.pin+0+0000000000.json",
	"sink status",
	"sink restart",
	"batch run",
	"wait rows 0a1b2c3d4e5f_geo_batch >= 1 --timeout 60s",
	"stream status",
	"stream stop",
	"stream start",
	"tables",
	"schema 0a1b2c3d4e5f_geo_batch",
	"preview 0a1b2c3d4e5f_geo_batch --limit 3",
	"vacuum 0a1b2c3d4e5f_geo_batch --retain 0s",
	"optimize 0a1b2c3d4e5f_geo_batch",
	"analytics",
	"analytics top_country",
	"deploy --dry-run",
	"status",
}

func TestEveryCommandFollowsTheJSONConventions(t *testing.T) {
	env := openStack(t)
	reg := New(env)
	covered := map[string]bool{}
	for _, line := range everyCommand {
		covered[followsConventions(t, reg, strings.ReplaceAll(line, "{dir}", env.Config.DataDir))] = true
	}
	for _, line := range append(slices.Clone(cloudCommand), airflowCommand...) {
		in, err := reg.Parse(line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		covered[in.Command.Name] = true
	}
	for _, c := range reg.Commands() {
		if !covered[c.Name] {
			t.Errorf("command %q is not in everyCommand, cloudCommand or airflowCommand: add a line that runs it", c.Name)
		}
	}
}

// cloudCommand is one line per command that TestCloudCommandsFollowTheJSONConventions runs in a
// cloud profile against the fake Databricks workspace.
var cloudCommand = []string{
	"jobs",
	"job run 0a1b2c3d4e5f_batch_job --param step=analytics --yes",
	"job wait --last",
	"job runs",
	"job runs 0a1b2c3d4e5f_batch_job --limit 5",
	"job output --last",
	"job cancel --last",
}

func TestCloudCommandsFollowTheJSONConventions(t *testing.T) {
	f := databrickstest.New(t)
	f.AddJob(11, "0a1b2c3d4e5f_batch_job", "step")
	f.SetOutput(1010, `{"analytics":9}`, "analytics done")
	_, reg := cloudEnv(t, f)
	for _, line := range cloudCommand {
		followsConventions(t, reg, line)
	}
}

// followsConventions runs one line and checks its result against SPEC §7's conventions; it
// returns the command's name.
func followsConventions(t *testing.T, reg *Registry, line string) string {
	t.Helper()
	in, err := reg.Parse(line)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	res, err := reg.Run(context.Background(), line)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	if res.Data == nil {
		t.Errorf("%s: no typed value in Result.Data", line)
	}
	noNilSlices(t, line, reflect.ValueOf(res.Data), "data")
	var out bytes.Buffer
	if err := res.Write(&out, FormatJSON); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	dec := json.NewDecoder(&out)
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%s: not one JSON document: %v", line, err)
	}
	if dec.More() {
		t.Errorf("%s: more than one JSON document", line)
	}
	conventional(t, line, doc, "")
	out.Reset()
	if err := res.Write(&out, FormatTable); err != nil || out.Len() == 0 {
		t.Errorf("%s: table form: %q, %v", line, out.String(), err)
	}
	return in.Command.Name
}

var (
	snakeCase     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	looksLikeTime = regexp.MustCompile(`^\d{4}-\d\d-\d\d[T ]\d\d:\d\d`)
	jsonTime      = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
)

// conventional checks SPEC §7's JSON conventions on a decoded document.
func conventional(t *testing.T, line string, v any, path string) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			at := path + "." + k
			if !snakeCase.MatchString(k) {
				t.Errorf("%s: key %s is not snake_case", line, at)
			}
			// null is a measure that has no value yet, such as the lag of a stream not read.
			if strings.HasSuffix(k, "_ms") || strings.HasSuffix(k, "_bytes") {
				if _, ok := e.(json.Number); !ok && e != nil {
					t.Errorf("%s: %s = %v, want a number or null", line, at, e)
				}
			}
			conventional(t, line, e, at)
		}
	case []any:
		for _, e := range x {
			conventional(t, line, e, path+"[]")
		}
	case string:
		if looksLikeTime.MatchString(x) && !jsonTime.MatchString(x) {
			t.Errorf("%s: %s = %q, want RFC 3339 in UTC with milliseconds", line, path, x)
		}
	}
}

// noNilSlices fails on a nil slice anywhere in a typed value: it would print as null, not [].
func noNilSlices(t *testing.T, line string, v reflect.Value, path string) {
	t.Helper()
	if v.IsValid() && v.Type().Implements(reflect.TypeFor[json.Marshaler]()) && v.Kind() != reflect.Interface {
		return // its own MarshalJSON decides, and the JSON checks see the result
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if !v.IsNil() {
			noNilSlices(t, line, v.Elem(), path)
		}
	case reflect.Slice:
		if v.IsNil() {
			t.Errorf("%s: %s is a nil slice: it prints as null; make it empty", line, path)
			return
		}
		for i := range min(v.Len(), 3) {
			noNilSlices(t, line, v.Index(i), path+"[]")
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() || f.Tag.Get("json") == "-" {
				continue
			}
			noNilSlices(t, line, v.Field(i), path+"."+f.Name)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			noNilSlices(t, line, v.MapIndex(k), path+"["+k.String()+"]")
		}
	}
}

func TestCompleteOffersLiveArguments(t *testing.T) {
	env := openStack(t)
	reg := New(env)
	ctx := context.Background()
	for _, line := range []string{"seed --rows 50", "emulate batch --count 2 --rate 0", "wait landings >= 6", "batch run"} {
		if _, err := reg.Run(ctx, line); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	cases := map[string][]string{
		"pre":                       {"preview"},
		"tail topic 0a1b2c3d4e5f.g": {"tail topic 0a1b2c3d4e5f.geo"},
		"topic ":                    {"topic 0a1b2c3d4e5f.geo", "topic 0a1b2c3d4e5f.pin", "topic 0a1b2c3d4e5f.user"},
		"schema 0a1b2c3d4e5f_u":     {"schema 0a1b2c3d4e5f_user_batch"},
		"analytics top_c":           {"analytics top_country"},
		"s3 ls top":                 {"s3 ls topics/"},
		"help emulate s":            {"help emulate status", "help emulate stop", "help emulate stream"},
		"emulate stop s":            {"emulate stop stream"},
		"preview x --limit ":        nil,
		"status ":                   nil,
	}
	for line, want := range cases {
		got, err := reg.Complete(ctx, line)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Complete(%q) = %q, %v; want %q", line, got, err, want)
		}
	}
}

func TestStatusCountsTheSourceAgainOnlyWhenItChanges(t *testing.T) {
	env := openStack(t)
	reg := New(env)
	source := func() Component {
		res, err := reg.Run(context.Background(), "status")
		if err != nil {
			t.Fatal(err)
		}
		return res.Data.([]Component)[0]
	}
	if c := source(); c.State != StateEmpty {
		t.Fatalf("before seed: %+v", c)
	}
	for _, rows := range []int64{50, 80} {
		if _, err := reg.Run(context.Background(), "seed --rows "+strconv.FormatInt(rows, 10)); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if c := source(); c.Count == nil || *c.Count != rows {
				t.Fatalf("after seed --rows %d: %+v", rows, c)
			}
		}
	}
}
