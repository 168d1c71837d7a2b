package command

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func testRegistry() *Registry {
	r := NewRegistry()
	echo := func(_ context.Context, in *Invocation) (*Result, error) {
		return &Result{Message: in.Command.Name + " " + strings.Join(in.Args, "|") + " limit=" + in.Flag("limit")}, nil
	}
	r.Add(
		&Command{Name: "tables", Help: "List tables.", Run: echo},
		&Command{Name: "preview", Args: "TABLE", MinArgs: 1, MaxArgs: 1, Flags: []Flag{{Name: "limit", Default: "20"}}, Help: "Preview.", Run: echo},
		&Command{Name: "batch run", Help: "Run the batch job.", Run: echo},
		&Command{Name: "wait landings", Args: ">= N", MinArgs: 2, MaxArgs: 2, Help: "Wait.", Run: echo},
	)
	return r
}

func TestRunParsesWordsArgsAndFlags(t *testing.T) {
	r := testRegistry()
	cases := map[string]string{
		"tables":                       "tables  limit=",
		"preview pin --limit 5":        "preview pin limit=5",
		"preview --limit=7 'my table'": "preview my table limit=7",
		"batch run":                    "batch run  limit=",
		"wait landings >= 3000":        "wait landings >=|3000 limit=",
		`preview "a \"quoted\" name"`:  `preview a "quoted" name limit=20`,
	}
	for line, want := range cases {
		res, err := r.Run(context.Background(), line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if res.Message != want {
			t.Errorf("%s: got %q want %q", line, res.Message, want)
		}
	}
}

func TestErrorsSuggestAndExplain(t *testing.T) {
	r := testRegistry()
	cases := map[string]string{
		"tabels":              `unknown command "tabels": did you mean "tables"? (type help for the list)`,
		"batch rnu":           `unknown command "batch rnu": did you mean "batch run"? (type help for the list)`,
		"frobnicate":          `unknown command "frobnicate": type help for the list of commands`,
		"preview":             `preview: wrong number of arguments (usage: preview TABLE [--limit N])`,
		"preview x --bogus 1": `preview: unknown flag: --bogus (usage: preview TABLE [--limit N])`,
		`preview "x`:          `unterminated " quote in "preview \"x"`,
	}
	for line, want := range cases {
		_, err := r.Run(context.Background(), line)
		if err == nil || err.Error() != want {
			t.Errorf("%s: got %v\nwant %s", line, err, want)
		}
	}
	if _, err := r.Parse("   # a comment"); err != ErrEmpty {
		t.Errorf("comment: %v", err)
	}
}

func TestErrorsNameTheCommandOnce(t *testing.T) {
	r := NewRegistry()
	r.Add(&Command{Name: "bench sink", Run: func(context.Context, *Invocation) (*Result, error) {
		return nil, errors.New("bench sink: need at least 3 × flush size records")
	}}, &Command{Name: "tables", Run: func(context.Context, *Invocation) (*Result, error) {
		return nil, errors.New("list tables: permission denied")
	}})
	for line, want := range map[string]string{
		"bench sink": "bench sink: need at least 3 × flush size records",
		"tables":     "tables: list tables: permission denied",
	} {
		if _, err := r.Run(context.Background(), line); err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %s", line, err, want)
		}
	}
}

func TestErrorsAndMessagesHideTheSecretsTheyQuote(t *testing.T) {
	r := NewRegistry()
	r.Add(&Command{Name: "status", Run: func(context.Context, *Invocation) (*Result, error) {
		return nil, fmt.Errorf("get https://abc.execute-api.example/dev?token=s3cr3t: %w", ErrEmpty)
	}}, &Command{Name: "tables", Run: func(context.Context, *Invocation) (*Result, error) {
		return &Result{Message: "read mysql://reader:hunter2@db:3306/pins"}, nil
	}})
	_, err := r.Run(context.Background(), "status")
	if err == nil || strings.Contains(err.Error(), "s3cr3t") || !errors.Is(err, ErrEmpty) {
		t.Errorf("error %v: want the token masked and the cause kept", err)
	}
	res, err := r.Run(context.Background(), "tables")
	if err != nil || strings.Contains(res.Message, "hunter2") {
		t.Errorf("message %q, %v: want the password masked", res.Message, err)
	}
}

func TestRenderTableAndJSONFromTheTypedValue(t *testing.T) {
	type row struct {
		Name string   `json:"name"`
		Rows int64    `json:"rows"`
		Seen Time     `json:"seen"`
		Tags []string `json:"tags"`
	}
	seen := At(time.Date(2026, 12, 1, 9, 30, 0, 123_456_789, time.FixedZone("CET", 3600)))
	res := &Result{Data: []row{{"0a_pin_batch", 11001, seen, []string{}}, {"top_country", 1, Time{}, []string{"x"}}}, Message: "2 tables"}
	var b bytes.Buffer
	if err := res.Write(&b, FormatTable); err != nil {
		t.Fatal(err)
	}
	want := "name          rows   seen\n0a_pin_batch  11001  2026-12-01T08:30:00Z\ntop_country   1\n2 tables\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	if err := res.Write(&b, FormatJSON); err != nil {
		t.Fatal(err)
	}
	wantJSON := `[{"name":"0a_pin_batch","rows":11001,"seen":"2026-12-01T08:30:00.123Z","tags":[]},{"name":"top_country","rows":1,"seen":null,"tags":["x"]}]` + "\n"
	if got := b.String(); got != wantJSON {
		t.Errorf("json:\n%s\nwant:\n%s", got, wantJSON)
	}
	b.Reset()
	if err := (&Result{Message: "done"}).Write(&b, FormatJSON); err != nil || b.String() != `{"message":"done"}`+"\n" {
		t.Errorf("message json: %q %v", b.String(), err)
	}
}

// TestSplitComments expects a word that starts with # to begin a comment running to the end of
// the line, while a # inside a word or inside quotes is kept.
func TestSplitComments(t *testing.T) {
	cases := map[string][]string{
		"seed   # 11,001 rows per table":  {"seed"},
		"# only a comment":                nil,
		"\t#tab then comment":             nil,
		"preview a#b --limit 5":           {"preview", "a#b", "--limit", "5"},
		`preview '#x' "# y" \#z # gone`:   {"preview", "#x", "# y", "#z"},
		"wait landings >= 3000 #done 'x":  {"wait", "landings", ">=", "3000"},
		"s3 ls topics/#/ # keys with a #": {"s3", "ls", "topics/#/"},
		`a "" # empty word kept`:          {"a", ""},
	}
	for line, want := range cases {
		got, err := Split(line)
		if err != nil {
			t.Errorf("%q: %v", line, err)
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: got %q, want %q", line, got, want)
		}
	}
}

// TestValueNameByKind expects a flag's value to be named by its kind in --help: N for a whole
// number, D for a duration, the declared placeholder when there is one.
func TestValueNameByKind(t *testing.T) {
	cases := []struct {
		flag Flag
		want string
	}{
		{Flag{Name: "timeout", Default: "60s"}, "D"},
		{Flag{Name: "limit", Default: "20"}, "N"},
		{Flag{Name: "from", Default: "-5"}, "N"},
		{Flag{Name: "where", Placeholder: "COL=VALUE"}, "COL=VALUE"},
		{Flag{Name: "landings"}, "LANDINGS"},
		{Flag{Name: "from", Default: "beginning"}, "FROM"},
	}
	for _, c := range cases {
		if got := c.flag.ValueName(); got != c.want {
			t.Errorf("%+v: value name %q, want %q", c.flag, got, c.want)
		}
	}
}
