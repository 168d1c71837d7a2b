package clean

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/pintui/pintui/pipeline/record"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// examples are copies of fixtures/examples, the documented raw draws and their cleaned form.
const examples = "testdata/examples"

func readExample(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(examples, name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return data
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n got: %s\nwant: %s", name, got, want)
	}
}

// TestExamplesCleanByteForByte checks the documented raw draws against their exact cleaned
// form, through the same Run that `pintui clean` calls.
func TestExamplesCleanByteForByte(t *testing.T) {
	for _, table := range record.Tables {
		t.Run(string(table), func(t *testing.T) {
			raw := readExample(t, "raw_"+string(table)+".jsonl")
			want := readExample(t, "clean_"+string(table)+".jsonl")
			var out bytes.Buffer
			report, err := Run(context.Background(), table, bytes.NewReader(raw), &out)
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != string(want) {
				t.Errorf("clean %s:\n got: %s\nwant: %s", table, out.String(), want)
			}
			var summary bytes.Buffer
			if err := report.WriteSummary(&summary); err != nil {
				t.Fatal(err)
			}
			golden(t, "examples_"+string(table)+".golden", summary.Bytes())
		})
	}
}

// TestExamplesBatch runs the same fixtures through the batch path, which must agree with Run.
func TestExamplesBatch(t *testing.T) {
	t.Run("pin", func(t *testing.T) { testExamplesBatch(t, record.TablePin, AppendPin) })
	t.Run("geo", func(t *testing.T) { testExamplesBatch(t, record.TableGeo, AppendGeo) })
	t.Run("user", func(t *testing.T) { testExamplesBatch(t, record.TableUser, AppendUser) })
}

func testExamplesBatch[T CleanRow](t *testing.T, table record.Table, appendRow func([]byte, T) []byte) {
	raw := readExample(t, "raw_"+string(table)+".jsonl")
	want := readExample(t, "clean_"+string(table)+".jsonl")
	var out []byte
	b := NewBatch(func(row *T) { out = append(appendRow(out, *row), '\n') })
	b.Add("topics/x/partition=0/x+0+0000000000.json", raw)
	b.Add("topics/x/partition=0/x+0+0000000002.json", raw)
	if string(out) != string(want) {
		t.Errorf("batch %s:\n got: %s\nwant: %s", table, out, want)
	}
	if r := b.Report(); r.RowsIn != 4 || r.RowsOut != 2 || r.Duplicates != 2 {
		t.Errorf("batch %s report: in %d out %d duplicates %d, want 4 2 2", table, r.RowsIn, r.RowsOut, r.Duplicates)
	}
}
