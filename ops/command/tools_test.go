package command

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pintui/pintui/config"
)

// TestCleanCommandWritesAFileAndReports runs clean from the registry, as the palette and
// --script do: the clean lines go to a file and the result carries the typed report.
func TestCleanCommandWritesAFileAndReports(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "geo.jsonl")
	raw := `{"ind": 7528, "timestamp": "2020-08-28 03:52:47", "latitude": -89.9787, "longitude": -173.293, "country": "Albania"}` + "\nnot json\n"
	if err := os.WriteFile(in, []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	reg := New(&Env{Config: &config.Loaded{}})
	res, err := reg.Run(context.Background(), "clean --table geo "+in)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "geo.clean.jsonl")
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"ind": 7528, "country": "Albania", "coordinates": [-89.9787, -173.293], "timestamp": "2020-08-28 03:52:47"}` + "\n"
	if string(got) != want {
		t.Errorf("clean lines\n%s\nwant\n%s", got, want)
	}
	data, err := res.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Input, Output string
		Report        struct {
			RowsIn      int64 `json:"rows_in"`
			RowsOut     int64 `json:"rows_out"`
			Quarantined []struct {
				Line   int
				Reason string
			}
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Input != in || doc.Output != out || doc.Report.RowsIn != 2 || doc.Report.RowsOut != 1 || len(doc.Report.Quarantined) != 1 || doc.Report.Quarantined[0].Line != 2 {
		t.Errorf("clean result %s", data)
	}
	if !strings.HasSuffix(res.Message, "\nwrote "+out) {
		t.Errorf("message %q", res.Message)
	}
	if _, err := reg.Run(context.Background(), "clean --table post "+in); err == nil || err.Error() != `clean: --table "post" is not valid: use pin, geo or user` {
		t.Errorf("bad table: %v", err)
	}
}

// TestAnalyzeCommandNeedsEveryTable expects analyze to say which table it lacks, and lists in
// its JSON never null.
func TestAnalyzeCommandNeedsEveryTable(t *testing.T) {
	reg := New(&Env{Config: &config.Loaded{}})
	_, err := reg.Run(context.Background(), "analyze --pin a --geo b")
	if err == nil || err.Error() != "analyze: --user is required: give the raw user records, a JSON-lines file or a folder of landed objects" {
		t.Errorf("got %v", err)
	}
	dir := t.TempDir()
	for _, table := range []string{"pin", "geo", "user"} {
		if err := os.WriteFile(filepath.Join(dir, table+".jsonl"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := reg.Run(context.Background(), "analyze --pin "+dir+"/pin.jsonl --geo "+dir+"/geo.jsonl --user "+dir+"/user.jsonl --query top_country")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := res.JSON()
	if string(data) != `{"outputs":{"top_country":[]},"quarantined":[]}` {
		t.Errorf("analyze JSON %s", data)
	}
}
