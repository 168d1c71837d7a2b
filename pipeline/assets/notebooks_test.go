package assets

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pintui/pintui/pipeline/dag"
)

// notebookShape is what inspect.py reads from a notebook.
type notebookShape struct {
	FirstLine string         `json:"first_line"`
	Cells     int            `json:"cells"`
	Constants map[string]any `json:"constants"`
	Calls     []struct {
		Func   string `json:"func"`
		Target string `json:"target"`
		Args   []any  `json:"args"`
	} `json:"calls"`
	Functions []string `json:"functions"`
}

// called reports whether the notebook calls target (e.g. dbutils.notebook.exit, or .option for
// any call of a method option) with exactly these arguments; an argument that is not a literal
// is given as its source text.
func (n notebookShape) called(target string, args ...any) bool {
	want, _ := json.Marshal(args)
	for _, c := range n.Calls {
		name := c.Target
		if strings.HasPrefix(target, ".") {
			name = "." + c.Func
		}
		var got []any
		for _, a := range c.Args {
			if m, ok := a.(map[string]any); ok && len(m) == 1 && m["expr"] != nil {
				a = m["expr"]
			}
			got = append(got, a)
		}
		if g, _ := json.Marshal(got); name == target && string(g) == string(want) {
			return true
		}
	}
	return false
}

func notebook(t *testing.T, name string) notebookShape {
	t.Helper()
	var n notebookShape
	inspect(t, "notebook", assetFiles(t, dag.DefaultSettings())[name], &n)
	if n.FirstLine != "# Databricks notebook source" || n.Cells < 3 {
		t.Errorf("%s starts %q with %d cells, want Databricks SOURCE format: # Databricks notebook source, cells split by # COMMAND ----------", name, n.FirstLine, n.Cells)
	}
	return n
}

// expectConstants compares the notebook's constants with SPEC's values, written out here by
// hand rather than taken from the Go code the notebooks are rendered from.
func expectConstants(t *testing.T, n notebookShape, want map[string]string) {
	t.Helper()
	for name, literal := range want {
		var w any
		if err := json.Unmarshal([]byte(literal), &w); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := n.Constants[name]; !reflect.DeepEqual(got, w) {
			g, _ := json.Marshal(got)
			t.Errorf("%s = %s, want SPEC's %s", name, g, literal)
		}
	}
}

// specRules are SPEC §4's literals and column orders, as both notebooks must hold them.
var specRules = map[string]string{
	"UID": `"0a1b2c3d4e5f"`,
	"PLACEHOLDERS": `{"description": "No description available Story format", "follower_count": "User Info Error",
		"image_src": "Image src error.", "poster_name": "User Info Error",
		"tag_list": "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e", "title": "No Title Data Available"}`,
	"FOLLOWER_SUFFIXES":    `{"k": 1000, "M": 1000000}`,
	"SAVE_LOCATION_PREFIX": `"Local save in "`,
	"CLEAN_COLUMNS": `{
		"pin": [["ind", "long"], ["unique_id", "string"], ["title", "string"], ["description", "string"],
			["follower_count", "integer"], ["poster_name", "string"], ["tag_list", "string"],
			["is_image_or_video", "string"], ["image_src", "string"], ["save_location", "string"], ["category", "string"]],
		"geo": [["ind", "long"], ["country", "string"], ["coordinates", "array<double>"], ["timestamp", "timestamp"]],
		"user": [["ind", "long"], ["user_name", "string"], ["age", "long"], ["date_joined", "timestamp"]]}`,
	"RAW_COLUMNS": `{
		"pin": ["index", "unique_id", "title", "description", "poster_name", "follower_count", "tag_list",
			"is_image_or_video", "image_src", "downloaded", "save_location", "category", "ind"],
		"geo": ["ind", "timestamp", "latitude", "longitude", "country"],
		"user": ["ind", "first_name", "last_name", "age", "date_joined"]}`,
}

func TestBatchNotebookAST(t *testing.T) {
	n := notebook(t, "batch.py")
	expectConstants(t, n, specRules)
	expectConstants(t, n, map[string]string{
		"LANDING_PREFIXES": `{"pin": "topics/0a1b2c3d4e5f.pin/", "geo": "topics/0a1b2c3d4e5f.geo/", "user": "topics/0a1b2c3d4e5f.user/"}`,
		"TOPICS":           `{"pin": "0a1b2c3d4e5f.pin", "geo": "0a1b2c3d4e5f.geo", "user": "0a1b2c3d4e5f.user"}`,
		"BATCH_TABLES":     `{"pin": "0a1b2c3d4e5f_pin_batch", "geo": "0a1b2c3d4e5f_geo_batch", "user": "0a1b2c3d4e5f_user_batch"}`,
		"LOAD_STEP":        `"load_landings"`,
		"CLEAN_STEPS":      `{"clean_pin": "pin", "clean_geo": "geo", "clean_user": "user"}`,
		"ANALYTICS_STEP":   `"analytics"`,
		"ANALYTICS": `{
			"category_by_country": [["country", "string"], ["category", "string"], ["category_count", "long"]],
			"category_by_year": [["post_year", "integer"], ["category", "string"], ["category_count", "long"]],
			"top_user_by_country": [["country", "string"], ["poster_name", "string"], ["follower_count", "integer"]],
			"top_country": [["country", "string"], ["follower_count", "integer"]],
			"category_by_age_group": [["age_group", "string"], ["category", "string"], ["category_count", "long"]],
			"median_followers_by_age_group": [["age_group", "string"], ["median_follower_count", "integer"]],
			"users_joined_by_year": [["post_year", "integer"], ["number_users_joined", "long"]],
			"median_followers_by_join_year": [["post_year", "integer"], ["median_follower_count", "integer"]],
			"median_followers_by_age_group_and_join_year": [["age_group", "string"], ["post_year", "integer"], ["median_follower_count", "integer"]]}`,
		"AGE_GROUPS": `[["18-24", 18, 24], ["25-35", 25, 35], ["36-50", 36, 50], ["+50", 51, null]]`,
		"POST_YEARS": `[2018, 2022]`,
		"JOIN_YEARS": `[2015, 2020]`,
	})
	checkRuleCalls(t, "batch", n)
	if keys := orderedKeys(BatchNotebook(uid), "ANALYTICS = {"); !slices.Equal(keys, specOutputs) {
		t.Errorf("analytics in order %v, want SPEC's %v", keys, specOutputs)
	}
	for _, c := range []struct {
		target string
		args   []any
	}{
		{"dbutils.widgets.text", []any{"step", ""}},
		{"dbutils.widgets.get", []any{"step"}},
		{"dbutils.notebook.exit", []any{"json.dumps(summary)"}},
		{".dropDuplicates", []any{`RAW_COLUMNS[table] + ['_corrupt_record']`}},
		{".saveAsTable", []any{"name"}},
		{"overwrite", []any{"rows", "name"}},
		{"overwrite", []any{"quarantined", "name + '_quarantine'"}},
		{".format", []any{"delta"}},
		{".option", []any{"userMetadata", "RUN_ID"}},
		{".percentile_approx", []any{"follower_count", 0.5}},
		{".rank", nil},
		{".join", []any{"geos", "ind"}},
		{".join", []any{"users", "ind"}},
	} {
		if !n.called(c.target, c.args...) {
			t.Errorf("the batch notebook never calls %s%v", c.target, c.args)
		}
	}
}

// specOutputs are SPEC §5's nine output names in its order.
var specOutputs = []string{"category_by_country", "category_by_year", "top_user_by_country", "top_country",
	"category_by_age_group", "median_followers_by_age_group", "users_joined_by_year",
	"median_followers_by_join_year", "median_followers_by_age_group_and_join_year"}

// orderedKeys returns the keys of the dict literal that starts at the line opening, in source
// order, which JSON maps lose.
func orderedKeys(source []byte, opening string) []string {
	_, rest, _ := strings.Cut(string(source), "\n"+opening+"\n")
	block, _, _ := strings.Cut(rest, "\n}\n")
	var keys []string
	for _, line := range strings.Split(block, "\n") {
		if strings.HasPrefix(line, `    "`) {
			keys = append(keys, strings.Trim(strings.SplitN(strings.TrimSpace(line), ":", 2)[0], `"`))
		}
	}
	return keys
}

// checkRuleCalls asserts the calls that apply SPEC §4's rules: coordinates as [latitude,
// longitude], user_name as first and last name, the save_location prefix cut.
func checkRuleCalls(t *testing.T, notebook string, n notebookShape) {
	t.Helper()
	for _, c := range []struct {
		target string
		args   []any
	}{
		{"finite_double", []any{"c('latitude')"}},
		{"finite_double", []any{"c('longitude')"}},
		{"F.array", []any{"lat", "lon"}},
		{"F.concat", []any{"c('first_name')", "F.lit(' ')", "c('last_name')"}},
		{"c.startswith", []any{"Local save in "}},
		{"F.coalesce", []any{"F.col('index')", "F.col('ind')"}},
		{"whole_number", []any{"c('age')"}},
		{"timestamp", []any{"c('date_joined')"}},
		{"timestamp", []any{"c('timestamp')"}},
	} {
		if !n.called(c.target, c.args...) {
			t.Errorf("the %s notebook never calls %s%v", notebook, c.target, c.args)
		}
	}
}

func TestStreamNotebookAST(t *testing.T) {
	n := notebook(t, "stream.py")
	expectConstants(t, n, specRules)
	checkRuleCalls(t, "stream", n)
	expectConstants(t, n, map[string]string{
		"STREAMS":       `{"pin": "streaming-0a1b2c3d4e5f-pin", "geo": "streaming-0a1b2c3d4e5f-geo", "user": "streaming-0a1b2c3d4e5f-user"}`,
		"STREAM_TABLES": `{"pin": "0a1b2c3d4e5f_pin_table", "geo": "0a1b2c3d4e5f_geo_table", "user": "0a1b2c3d4e5f_user_table"}`,
	})
	for _, c := range []struct {
		target string
		args   []any
	}{
		{"spark.readStream.format", []any{"kinesis"}},
		{".option", []any{"streamName", "STREAMS[table]"}},
		{".option", []any{"initialPosition", "earliest"}},
		{".option", []any{"region", "REGION"}},
		{".format", []any{"delta"}},
		{".outputMode", []any{"append"}},
		{".option", []any{"checkpointLocation", "f'{CHECKPOINTS}/{target}'"}},
		{".toTable", []any{"target"}},
		{".concat_ws", []any{"/", "F.col('stream')", "F.col('shardId')", "F.col('sequenceNumber')"}},
		{".from_json", []any{"data", "raw_schema(table)", map[string]any{"mode": "PERMISSIVE", "columnNameOfCorruptRecord": "_corrupt_record"}}},
	} {
		if !n.called(c.target, c.args...) {
			t.Errorf("the stream notebook never calls %s%v", c.target, c.args)
		}
	}
	if n.called(".dropDuplicates", "RAW_COLUMNS[table] + ['_corrupt_record']") {
		t.Error("the stream notebook de-duplicates: SPEC §4 de-duplicates the batch only")
	}
}

func TestNotebooksKeyedByWorkspacePath(t *testing.T) {
	got := Notebooks(uid, "/Workspace/team")
	want := map[string][]byte{
		"/Workspace/team/0a1b2c3d4e5f_batch":  BatchNotebook(uid),
		"/Workspace/team/0a1b2c3d4e5f_stream": StreamNotebook(uid),
	}
	if !reflect.DeepEqual(got, want) {
		var keys []string
		for k := range got {
			keys = append(keys, k)
		}
		t.Errorf("Notebooks keys %v, want the batch and stream notebooks at /Workspace/team/<uid>_<kind>", keys)
	}
}
