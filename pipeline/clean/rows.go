package clean

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"strconv"

	"github.com/pintui/pintui/pipeline/record"
)

// CleanRow is a cleaned row type of one of the three tables.
type CleanRow interface {
	record.CleanPin | record.CleanGeo | record.CleanUser
}

// Rows reads raw JSON lines of T's table from in, cleans them on every core like Run, and hands
// the cleaned rows to emit chunk by chunk in input order, for a table writer. emit owns each
// chunk; an error from emit stops the run and is returned.
func Rows[T CleanRow](ctx context.Context, in io.Reader, emit func([]T) error) (Report, error) {
	var zero T
	table := tableOf(any(zero))
	report, err := runChunks(ctx, in, func(c *chunk) error {
		return emit(c.rows.([]T))
	}, runtime.GOMAXPROCS(0), func() chunkProcessor {
		return &rowsWorker[T]{chunkWorker: chunkWorker{cleaner: NewCleaner(table)}}
	})
	report.Table = table
	if err != nil {
		return report, fmt.Errorf("clean %s: %w", table, err)
	}
	return report, nil
}

func tableOf(row any) record.Table {
	switch row.(type) {
	case record.CleanGeo:
		return record.TableGeo
	case record.CleanUser:
		return record.TableUser
	}
	return record.TablePin
}

// rowsWorker cleans chunks into row values that outlive the chunk: each row's strings copy its
// line and its values come from the Cleaner's slabs.
type rowsWorker[T CleanRow] struct {
	chunkWorker
}

func (w *rowsWorker[T]) process(c *chunk) {
	rows := make([]T, 0, bytes.Count(c.data, []byte{'\n'})+1)
	clean := cleanOf[T](w.cleaner)
	w.eachRow(c, func(row Row) {
		if v, err := clean(row); err == nil {
			rows = append(rows, v)
		}
	})
	c.rows = rows
	c.quarantined = w.cleaner.takeQuarantined()
}

// cleanOf returns the Cleaner's method for rows of T.
func cleanOf[T CleanRow](c *Cleaner) func(Row) (T, error) {
	var clean any
	switch any(*new(T)).(type) {
	case record.CleanPin:
		clean = c.Pin
	case record.CleanGeo:
		clean = c.Geo
	case record.CleanUser:
		clean = c.User
	}
	return clean.(func(Row) (T, error))
}

// ChunkEncoder encodes cleaned rows for a table writer on the worker that cleaned them
// (delta.RowEncoder); Append must copy what it keeps, as a row's text lives only until the
// next row is cleaned.
type ChunkEncoder[T CleanRow, E any] interface {
	Append(row T)
	// Encode returns what was appended since the last call.
	Encode() E
}

// EncodeRows reads raw JSON lines of T's table from in and cleans them on every core like Rows,
// but each worker appends its rows to its own encoder from newEncoder as they are cleaned,
// while their line is still in the core's cache and without keeping them; emit gets each
// chunk's encoding in input order. An error from newEncoder or emit stops the run and is
// returned.
func EncodeRows[T CleanRow, E any](ctx context.Context, in io.Reader, newEncoder func() (ChunkEncoder[T, E], error), emit func(E) error) (Report, error) {
	return encodeRows(ctx, in, newEncoder, emit, cleanOf[T])
}

// EncodePinCopies is EncodeRows for pins without the cleaning rules: each raw field goes, as it
// was posted, into the cleaned column of its name (`index` into `ind`; the follower count, text
// until it is cleaned, stays null; `downloaded` has no column). Decoding and encoding the same
// rows on the same workers, it is the ceiling EncodeRows is measured against. Lines that are no
// JSON object are left out.
func EncodePinCopies[E any](ctx context.Context, in io.Reader, newEncoder func() (ChunkEncoder[record.CleanPin, E], error), emit func(E) error) error {
	_, err := encodeRows(ctx, in, newEncoder, emit, func(*Cleaner) func(Row) (record.CleanPin, error) {
		return new(pinCopier).copy
	})
	return err
}

// encodeRows runs EncodeRows with the row maker rowOf gives each worker's cleaner.
func encodeRows[T CleanRow, E any](ctx context.Context, in io.Reader, newEncoder func() (ChunkEncoder[T, E], error), emit func(E) error, rowOf func(*Cleaner) func(Row) (T, error)) (Report, error) {
	var zero T
	table := tableOf(any(zero))
	workers := runtime.GOMAXPROCS(0)
	encoders := make(chan ChunkEncoder[T, E], workers)
	for range workers {
		enc, err := newEncoder()
		if err != nil {
			return Report{Table: table}, fmt.Errorf("clean %s: %w", table, err)
		}
		encoders <- enc
	}
	report, err := runChunks(ctx, in, func(c *chunk) error {
		return emit(c.rows.(E))
	}, workers, func() chunkProcessor {
		w := &encodeWorker[T, E]{chunkWorker: chunkWorker{cleaner: NewCleaner(table)}, enc: <-encoders}
		// Each row is encoded before the next is cleaned, so rows may alias the chunk and
		// share their values, as in Run.
		w.dec.borrow, w.cleaner.transient = true, true
		w.clean = rowOf(w.cleaner)
		return w
	})
	report.Table = table
	if err != nil {
		return report, fmt.Errorf("clean %s: %w", table, err)
	}
	return report, nil
}

type encodeWorker[T CleanRow, E any] struct {
	chunkWorker
	clean func(Row) (T, error)
	enc   ChunkEncoder[T, E]
}

func (w *encodeWorker[T, E]) process(c *chunk) {
	w.eachRow(c, func(row Row) {
		if v, err := w.clean(row); err == nil {
			w.enc.Append(v)
		}
	})
	c.rows = w.enc.Encode()
	c.quarantined = w.cleaner.takeQuarantined()
}

// pinCopier fills a cleaned pin row with a raw row's values as they were posted. The row points
// into the copier and the raw line, so it lives until the next copy.
type pinCopier struct {
	values [pinSlots]string
}

func (c *pinCopier) copy(r Row) (record.CleanPin, error) {
	var p record.CleanPin
	// The text columns by pinSlot; follower_count and downloaded have none here.
	columns := [pinSlots]**string{pinUniqueID: &p.UniqueID, pinTitle: &p.Title, pinDescription: &p.Description,
		pinPosterName: &p.PosterName, pinTagList: &p.TagList, pinIsImageOrVideo: &p.IsImageOrVideo,
		pinImageSrc: &p.ImageSrc, pinSaveLocation: &p.SaveLocation, pinCategory: &p.Category}
	for _, f := range r.Fields {
		slot := pinSlot(f.Key)
		switch {
		case slot == pinIndex:
			p.Ind, _ = strconv.ParseInt(f.Value, 10, 64)
		case slot >= 0 && columns[slot] != nil:
			c.values[slot] = f.Value
			*columns[slot] = &c.values[slot]
		}
	}
	return p, nil
}
