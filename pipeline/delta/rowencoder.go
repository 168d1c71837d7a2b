package delta

import (
	"fmt"
	"strings"
	"time"

	"github.com/pintui/pintui/pipeline/record"
)

// RowEncoder takes rows of a cleaned record type over from the goroutine that cleaned them:
// it copies each row out of the cleaner's reused buffers into memory of its own, a chunk's
// text in one growing block, so Writer.WriteEncoded can hand the rows to the data files' writers
// in order. One goroutine uses a RowEncoder at a time.
type RowEncoder[T any] struct {
	copyRow func(*rowArena, *T)
	rows    []T
	arena   rowArena
}

// EncodedRows are rows a RowEncoder took over, owned by nothing else.
type EncodedRows struct {
	rows  int
	chunk any
}

// Rows returns how many rows were encoded.
func (e *EncodedRows) Rows() int { return e.rows }

// NewRowEncoder returns an encoder for rows of this write; only the cleaned record types
// (record.CleanPin, CleanGeo, CleanUser) can be encoded apart from the write.
func (w *Writer[T]) NewRowEncoder() (*RowEncoder[T], error) {
	copyRow := rowCopier[T]()
	if copyRow == nil {
		var zero T
		return nil, fmt.Errorf("write table %s: rows of %T cannot be encoded apart: pass them to Write", w.table.root, zero)
	}
	return &RowEncoder[T]{copyRow: copyRow}, nil
}

// Append takes one row over; the encoder keeps no reference to it, so its strings may alias a
// buffer the caller reuses afterwards.
func (e *RowEncoder[T]) Append(row T) {
	e.copyRow(&e.arena, &row)
	e.rows = append(e.rows, row)
}

// Encode returns the rows appended since the last call and starts afresh.
func (e *RowEncoder[T]) Encode() *EncodedRows {
	out := &EncodedRows{rows: len(e.rows), chunk: e.rows}
	e.rows = make([]T, 0, cap(e.rows))
	e.arena.next()
	return out
}

// arenaBlock is how many values of a kind the arena allocates at a time.
const arenaBlock = 512

// rowArena holds the copies of a chunk's values: its text in one block, which a chunk's strings
// slice, and its pointed-to values in blocks, so a row costs no allocation of its own.
type rowArena struct {
	text     strings.Builder
	textSize int
	strs     block[string]
	int32s   block[int32]
	int64s   block[int64]
	times    block[time.Time]
	doubles  []float64
}

// next starts the arena of the next chunk, its text sized like the last chunk's; the rows of
// the last chunk keep the blocks they point into.
func (a *rowArena) next() {
	a.textSize = max(a.textSize, a.text.Len())
	a.text = strings.Builder{}
	a.strs, a.int32s, a.int64s, a.times = block[string]{}, block[int32]{}, block[int64]{}, block[time.Time]{}
	a.doubles = nil
}

func (a *rowArena) str(s *string) *string {
	if s == nil {
		return nil
	}
	if a.text.Cap() == 0 {
		a.text.Grow(max(a.textSize, 4096))
	}
	start := a.text.Len()
	a.text.WriteString(*s)
	return a.strs.put(a.text.String()[start:])
}

func (a *rowArena) float64s(list []float64) []float64 {
	switch {
	case list == nil:
		return nil
	case len(list) == 0:
		// An empty list, which is not a null one.
		return []float64{}
	}
	if len(a.doubles)+len(list) > cap(a.doubles) {
		a.doubles = make([]float64, 0, max(arenaBlock, len(list)))
	}
	start := len(a.doubles)
	a.doubles = append(a.doubles, list...)
	return a.doubles[start:len(a.doubles):len(a.doubles)]
}

// block hands out pointers to copies of values, arenaBlock at a time.
type block[V any] struct{ free []V }

func (b *block[V]) put(v V) *V {
	if len(b.free) == 0 {
		b.free = make([]V, arenaBlock)
	}
	p := &b.free[0]
	*p = v
	b.free = b.free[1:]
	return p
}

func copyOf[V any](b *block[V], v *V) *V {
	if v == nil {
		return nil
	}
	return b.put(*v)
}

// rowCopier returns how to copy a row of T into an arena, nil for types other than the cleaned
// record types.
func rowCopier[T any]() func(*rowArena, *T) {
	var f any
	switch any(*new(T)).(type) {
	case record.CleanPin:
		f = func(a *rowArena, p *record.CleanPin) {
			p.UniqueID, p.Title, p.Description = a.str(p.UniqueID), a.str(p.Title), a.str(p.Description)
			p.FollowerCount, p.PosterName = copyOf(&a.int32s, p.FollowerCount), a.str(p.PosterName)
			p.TagList, p.IsImageOrVideo, p.ImageSrc = a.str(p.TagList), a.str(p.IsImageOrVideo), a.str(p.ImageSrc)
			p.SaveLocation, p.Category = a.str(p.SaveLocation), a.str(p.Category)
		}
	case record.CleanGeo:
		f = func(a *rowArena, g *record.CleanGeo) {
			g.Country, g.Coordinates, g.Timestamp = a.str(g.Country), a.float64s(g.Coordinates), copyOf(&a.times, g.Timestamp)
		}
	case record.CleanUser:
		f = func(a *rowArena, u *record.CleanUser) {
			u.UserName, u.Age, u.DateJoined = a.str(u.UserName), copyOf(&a.int64s, u.Age), copyOf(&a.times, u.DateJoined)
		}
	default:
		return nil
	}
	return f.(func(*rowArena, *T))
}
