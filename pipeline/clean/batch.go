package clean

import (
	"bytes"
	"fmt"

	"github.com/pintui/pintui/pipeline/record"
)

// Batch cleans every landing of one table for the batch job: it reads each landed object line by
// line, drops rows equal to one already met in any earlier line or landing (the first step of cleaning),
// and cleans the rest in arrival order. It is not safe for concurrent use.
type Batch struct {
	cleaner    *Cleaner
	dedupe     *Deduper
	duplicates int64
	dec        decoder
	fields     []Field
	pins       []record.CleanPin
	geos       []record.CleanGeo
	users      []record.CleanUser
}

// NewBatch returns an empty Batch for table, or an error naming the tables there are.
func NewBatch(table record.Table) (*Batch, error) {
	if err := checkTable(table); err != nil {
		return nil, err
	}
	return &Batch{cleaner: NewCleaner(table), dedupe: NewDeduper()}, nil
}

func checkTable(table record.Table) error {
	switch table {
	case record.TablePin, record.TableGeo, record.TableUser:
		return nil
	}
	return fmt.Errorf("clean table %q: unknown table, use pin, geo or user", table)
}

// Add reads the JSON lines of one landed object; source (its key) names it in the quarantine
// list.
func (b *Batch) Add(source string, data []byte) {
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
		b.clean(row)
	}
}

func (b *Batch) clean(row Row) {
	switch b.cleaner.Table() {
	case record.TablePin:
		if p, err := b.cleaner.Pin(row); err == nil {
			b.pins = append(b.pins, p)
		}
	case record.TableGeo:
		if g, err := b.cleaner.Geo(row); err == nil {
			b.geos = append(b.geos, g)
		}
	case record.TableUser:
		if u, err := b.cleaner.User(row); err == nil {
			b.users = append(b.users, u)
		}
	}
}

// Pins returns the cleaned pin rows so far, in arrival order.
func (b *Batch) Pins() []record.CleanPin { return b.pins }

// Geos returns the cleaned geolocation rows so far, in arrival order.
func (b *Batch) Geos() []record.CleanGeo { return b.geos }

// Users returns the cleaned user rows so far, in arrival order.
func (b *Batch) Users() []record.CleanUser { return b.users }

// Report returns what the batch has done so far, duplicates included.
func (b *Batch) Report() Report {
	r := b.cleaner.Report()
	r.RowsIn += b.duplicates
	r.Duplicates = b.duplicates
	return r
}
