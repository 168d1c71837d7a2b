package delta

import "fmt"

// RowEncoder encodes rows of a cleaned record type into Parquet pages on the goroutine that
// cleaned them, while their text is still in the core's cache; Writer.WriteEncoded puts the
// pages into the write's data files in order. One goroutine uses a RowEncoder at a time.
type RowEncoder[T any] struct {
	layout *layout[T]
	cols   []*column
	one    [1]T
	rows   int
}

// EncodedRows are rows a RowEncoder turned into the pages of each column.
type EncodedRows struct {
	rows   int
	chunks []columnChunk
	err    error
}

// Rows returns how many rows were encoded.
func (e *EncodedRows) Rows() int { return e.rows }

// NewRowEncoder returns an encoder for rows of this write; only the cleaned record types
// (record.CleanPin, CleanGeo, CleanUser) can be encoded apart from the write.
func (w *Writer[T]) NewRowEncoder() (*RowEncoder[T], error) {
	if w.layout == nil {
		var zero T
		return nil, fmt.Errorf("write table %s: rows of %T cannot be encoded apart: pass them to Write", w.table.root, zero)
	}
	e := &RowEncoder[T]{layout: w.layout}
	for _, leaf := range w.layout.leaves {
		c := newColumn(leaf)
		// Encode cuts the pages, so they grow only to what the caller appends between calls.
		c.pageBuffers = new(pageBuffers)
		e.cols = append(e.cols, c)
	}
	return e, nil
}

// Append encodes one row; the encoder keeps no reference to it, so its strings may alias a
// buffer the caller reuses afterwards.
func (e *RowEncoder[T]) Append(row T) {
	e.one[0] = row
	for i, f := range e.layout.fills {
		f.fill(e.cols[i], e.one[:])
	}
	e.one[0] = *new(T)
	e.rows++
}

// Encode returns the rows appended since the last call as whole pages and starts afresh.
func (e *RowEncoder[T]) Encode() *EncodedRows {
	out := &EncodedRows{rows: e.rows, chunks: make([]columnChunk, len(e.cols))}
	for i, c := range e.cols {
		c.flushPage()
		if c.err != nil && out.err == nil {
			out.err = c.err
		}
		out.chunks[i] = c.take()
	}
	e.rows = 0
	return out
}
