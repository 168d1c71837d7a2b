package clean

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/pintui/pintui/pipeline/record"
)

// cleanOneByOne is the reference Run must agree with: one Cleaner, one line at a time.
func cleanOneByOne(t *testing.T, table record.Table, data []byte) ([]byte, Report) {
	t.Helper()
	c := NewCleaner(table)
	var out []byte
	for n, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
		if blank(line) {
			continue
		}
		row, err := DecodeLine(line)
		if err != nil {
			c.Quarantine("", n+1, err.Error(), line)
			continue
		}
		row.Line = n + 1
		switch table {
		case record.TablePin:
			if p, err := c.Pin(row); err == nil {
				out = append(AppendPin(out, p), '\n')
			}
		case record.TableGeo:
			if g, err := c.Geo(row); err == nil {
				out = append(AppendGeo(out, g), '\n')
			}
		case record.TableUser:
			if u, err := c.User(row); err == nil {
				out = append(AppendUser(out, u), '\n')
			}
		}
	}
	return out, c.Report()
}

// TestRunKeepsOrderAcrossWorkers cleans enough rows for many chunks on several workers, with bad
// lines sprinkled in, and expects exactly the sequential result.
func TestRunKeepsOrderAcrossWorkers(t *testing.T) {
	for _, table := range record.Tables {
		t.Run(string(table), func(t *testing.T) {
			lines := bytes.Split(genLines(table, 2500, 7), []byte("\n"))
			for i := 500; i < len(lines); i += 397 {
				lines[i] = []byte(fmt.Sprintf("garbage %d", i))
			}
			lines[1234] = []byte(`{"title": "no id"}`)
			data := bytes.Join(lines, []byte("\n"))
			want, wantReport := cleanOneByOne(t, table, data)
			for _, workers := range []int{1, 4} {
				var out bytes.Buffer
				report, err := runWorkers(context.Background(), table, iotest.HalfReader(bytes.NewReader(data)), &out, workers)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(out.Bytes(), want) {
					t.Fatalf("%d workers: output differs from cleaning line by line", workers)
				}
				if report.RowsIn != wantReport.RowsIn || report.RowsOut != wantReport.RowsOut ||
					!maps.Equal(report.Rules, wantReport.Rules) {
					t.Errorf("%d workers: report %d in %d out %v, want %d in %d out %v", workers,
						report.RowsIn, report.RowsOut, report.Rules, wantReport.RowsIn, wantReport.RowsOut, wantReport.Rules)
				}
				if fmt.Sprint(report.Quarantined) != fmt.Sprint(wantReport.Quarantined) {
					t.Errorf("%d workers: quarantined\n%v\nwant\n%v", workers, report.Quarantined, wantReport.Quarantined)
				}
			}
		})
	}
}

// TestRunQuarantinesNonJSON is the documented case: a line that is not JSON is set aside with its
// number and reason, and the lines around it are cleaned.
func TestRunQuarantinesNonJSON(t *testing.T) {
	raw := readExample(t, "raw_user.jsonl")
	lines := strings.SplitAfter(string(raw), "\n")
	in := lines[0] + "<html>502 Bad Gateway</html>\n" + lines[1]
	var out bytes.Buffer
	report, err := Run(context.Background(), record.TableUser, strings.NewReader(in), &out)
	if err != nil {
		t.Fatal(err)
	}
	if want := string(readExample(t, "clean_user.jsonl")); out.String() != want {
		t.Errorf("output\n%s\nwant\n%s", out.String(), want)
	}
	var summary bytes.Buffer
	if err := report.WriteSummary(&summary); err != nil {
		t.Fatal(err)
	}
	golden(t, "quarantine_user.golden", summary.Bytes())
}

// TestRunLongLine checks that a line longer than a chunk is read whole.
func TestRunLongLine(t *testing.T) {
	long := strings.Repeat("x", 3*chunkSize)
	in := `{"ind": 1, "first_name": "` + long + `", "last_name": "Y"}` + "\n" + `{"ind": 2}`
	var out bytes.Buffer
	if _, err := runWorkers(context.Background(), record.TableUser, strings.NewReader(in), &out, 2); err != nil {
		t.Fatal(err)
	}
	want := `{"ind": 1, "user_name": "` + long + ` Y", "age": null, "date_joined": null}` + "\n" +
		`{"ind": 2, "user_name": null, "age": null, "date_joined": null}` + "\n"
	if out.String() != want {
		t.Errorf("long line output has %d bytes, want %d", out.Len(), len(want))
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRunErrors(t *testing.T) {
	data := genLines(record.TablePin, 3000, 1)
	_, err := runWorkers(context.Background(), record.TablePin, bytes.NewReader(data), failingWriter{}, 2)
	if err == nil || err.Error() != "clean pin: write cleaned rows: disk full" {
		t.Errorf("write error = %v", err)
	}
	_, err = Run(context.Background(), record.TablePin, iotest.ErrReader(errors.New("connection reset")), io.Discard)
	if err == nil || err.Error() != "clean pin: read input: connection reset" {
		t.Errorf("read error = %v", err)
	}
	_, err = Run(context.Background(), "pins", strings.NewReader(""), io.Discard)
	if err == nil || err.Error() != `clean table "pins": unknown table, use pin, geo or user` {
		t.Errorf("table error = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, record.TablePin, bytes.NewReader(data), io.Discard); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run error = %v", err)
	}
}

// TestRowsMatchesRun checks that the rows handed to a table writer are the rows Run prints, in
// the same order, and stay intact after later chunks are cleaned.
func TestRowsMatchesRun(t *testing.T) {
	data := genLines(record.TablePin, 3000, 3)
	var want bytes.Buffer
	if _, err := Run(context.Background(), record.TablePin, bytes.NewReader(data), &want); err != nil {
		t.Fatal(err)
	}
	var rows []record.CleanPin
	report, err := Rows(context.Background(), bytes.NewReader(data), func(chunk []record.CleanPin) error {
		rows = append(rows, chunk...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	for _, p := range rows {
		got = append(AppendPin(got, p), '\n')
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Error("Rows and Run disagree")
	}
	if report.Table != record.TablePin || report.RowsOut != 3000 {
		t.Errorf("report table %s rows out %d", report.Table, report.RowsOut)
	}
	var copies []record.CleanPin
	err = EncodePinCopies(context.Background(), bytes.NewReader(data), func() (ChunkEncoder[record.CleanPin, []record.CleanPin], error) {
		return &collect{}, nil
	}, func(chunk []record.CleanPin) error {
		copies = append(copies, chunk...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(copies) != 3000 || copies[2999].Ind != 2999 || (*copies[0].SaveLocation)[:14] != "Local save in " || copies[0].FollowerCount != nil {
		t.Errorf("copied pins: %d, last %+v", len(copies), copies[len(copies)-1])
	}
	emitErr := errors.New("table gone")
	_, err = Rows(context.Background(), bytes.NewReader(data), func([]record.CleanUser) error { return emitErr })
	if !errors.Is(err, emitErr) || err.Error() != "clean user: table gone" {
		t.Errorf("emit error = %v", err)
	}
}

// collect is a ChunkEncoder that keeps deep copies of the rows appended to it.
type collect struct{ rows []record.CleanPin }

func (c *collect) Append(p record.CleanPin) {
	for _, s := range []**string{&p.UniqueID, &p.Title, &p.Description, &p.PosterName, &p.TagList, &p.IsImageOrVideo, &p.ImageSrc, &p.SaveLocation, &p.Category} {
		if *s != nil {
			v := strings.Clone(**s)
			*s = &v
		}
	}
	c.rows = append(c.rows, p)
}

func (c *collect) Encode() []record.CleanPin {
	rows := c.rows
	c.rows = nil
	return rows
}
