package clean

import (
	"bytes"
)

// Batch cleans every landing of one table for the batch job: it reads each landed object line by
// line, drops rows equal to one already met in any earlier line or landing (the first step of cleaning),
// and cleans the rest in arrival order, handing each cleaned row on at once instead of keeping
// it, so a batch of a million landings holds no more than its de-duplication keys. It is not
// safe for concurrent use.
type Batch[T CleanRow] struct {
	cleaner    *Cleaner
	dedupe     *Deduper
	duplicates int64
	dec        decoder
	fields     []Field
	clean      func(Row) (T, error)
	use        func(*T)
}

// NewBatch returns an empty Batch of T's table that hands each cleaned row to use, in arrival
// order. The row, and the text it points to, alias the landing being added and the Batch's own
// buffers: they are valid only during the call, so use copies what it keeps.
func NewBatch[T CleanRow](use func(*T)) *Batch[T] {
	var zero T
	b := &Batch[T]{cleaner: NewCleaner(tableOf(any(zero))), dedupe: NewDeduper(), use: use}
	b.dec.borrow, b.cleaner.transient = true, true
	b.clean = cleanOf[T](b.cleaner)
	return b
}

// Add reads the JSON lines of one landed object; source (its key) names it in the quarantine
// list.
func (b *Batch[T]) Add(source string, data []byte) {
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if blank(line) {
			continue
		}
		if err := b.dec.scan(line); err != nil {
			b.cleaner.Quarantine(source, n, err.Error(), line)
			continue
		}
		b.fields = b.dec.fields(b.fields[:0])
		row := Row{Source: source, Line: n, Fields: b.fields}
		if b.dedupe.Seen(row) {
			b.duplicates++
			continue
		}
		if v, err := b.clean(row); err == nil {
			b.use(&v)
		}
	}
}

// Report returns what the batch has done so far, duplicates included.
func (b *Batch[T]) Report() Report {
	r := b.cleaner.Report()
	r.RowsIn += b.duplicates
	r.Duplicates = b.duplicates
	return r
}
