package clean

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/pintui/pintui/pipeline/record"
)

// jsonEncoder is a ChunkEncoder that prints rows as Run does, copying them at once as a table
// encoder must.
type jsonEncoder[T CleanRow] struct{ out []byte }

func (e *jsonEncoder[T]) Append(row T) {
	switch r := any(row).(type) {
	case record.CleanPin:
		e.out = AppendPin(e.out, r)
	case record.CleanGeo:
		e.out = AppendGeo(e.out, r)
	case record.CleanUser:
		e.out = AppendUser(e.out, r)
	}
	e.out = append(e.out, '\n')
}

func (e *jsonEncoder[T]) Encode() []byte {
	out := e.out
	e.out = nil
	return out
}

func checkEncodeRows[T CleanRow](t *testing.T, table record.Table) {
	t.Helper()
	data := genLines(table, 3000, 5)
	data = append(data, "not json\n{\"ind\": \"x\"}\n"...)
	data = append(data, genLines(table, 40, 6)...)
	var want bytes.Buffer
	wantReport, err := Run(context.Background(), table, bytes.NewReader(data), &want)
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	chunks := 0
	report, err := EncodeRows(context.Background(), bytes.NewReader(data), func() (ChunkEncoder[T, []byte], error) {
		return &jsonEncoder[T]{}, nil
	}, func(out []byte) error {
		got = append(got, out...)
		chunks++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("%s: EncodeRows and Run disagree", table)
	}
	if chunks < 2 {
		t.Errorf("%s: %d chunks, want the input cut into several", table, chunks)
	}
	if report.Table != table || report.RowsIn != wantReport.RowsIn || report.RowsOut != wantReport.RowsOut || len(report.Quarantined) != len(wantReport.Quarantined) {
		t.Errorf("%s: report %+v, want %+v", table, report, wantReport)
	}
}

// TestEncodeRowsMatchesRun checks that the rows a table encoder gets are the rows Run prints, in
// input order, with the same report, although each worker's rows alias its reused buffers.
func TestEncodeRowsMatchesRun(t *testing.T) {
	checkEncodeRows[record.CleanPin](t, record.TablePin)
	checkEncodeRows[record.CleanGeo](t, record.TableGeo)
	checkEncodeRows[record.CleanUser](t, record.TableUser)
}

func TestEncodeRowsErrors(t *testing.T) {
	data := genLines(record.TableGeo, 100, 7)
	newEncoder := func() (ChunkEncoder[record.CleanGeo, []byte], error) { return &jsonEncoder[record.CleanGeo]{}, nil }
	emitErr := errors.New("table gone")
	_, err := EncodeRows(context.Background(), bytes.NewReader(data), newEncoder, func([]byte) error { return emitErr })
	if !errors.Is(err, emitErr) || err.Error() != "clean geo: table gone" {
		t.Errorf("emit error = %v", err)
	}
	encoderErr := errors.New("no column layout")
	_, err = EncodeRows(context.Background(), bytes.NewReader(data), func() (ChunkEncoder[record.CleanGeo, []byte], error) {
		return nil, encoderErr
	}, func([]byte) error { return nil })
	if !errors.Is(err, encoderErr) || err.Error() != "clean geo: no column layout" {
		t.Errorf("encoder error = %v", err)
	}
}
