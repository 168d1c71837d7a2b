package clean

import (
	"encoding/binary"
	"hash/maphash"
	"slices"
	"strings"
)

// Deduper drops repeated raw rows (the first step of cleaning): the emulator re-draws rows, so the landings
// hold the same row several times. Two rows are equal when they hold the same keys with the same
// values, whatever the key order and the whitespace of their JSON. The first one is kept.
//
// A row is remembered by a 128-bit hash of its canonical form rather than by its text, so a
// batch of millions of rows costs a few dozen bytes per row; two different rows share a hash
// with a probability far below that of a disk error.
type Deduper struct {
	seeds [2]maphash.Seed
	seen  map[[2]uint64]struct{}
	order []int
	n     [8]byte
}

// NewDeduper returns a Deduper that has seen no row.
func NewDeduper() *Deduper {
	return &Deduper{
		seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		seen:  make(map[[2]uint64]struct{}),
	}
}

// Seen reports whether a row equal to r came before, and remembers r.
func (d *Deduper) Seen(r Row) bool {
	key := d.key(r)
	if _, ok := d.seen[key]; ok {
		return true
	}
	d.seen[key] = struct{}{}
	return false
}

// Keep returns the rows not seen before, in order, and how many were dropped. It reuses the
// backing array of rows.
func (d *Deduper) Keep(rows []Row) ([]Row, int) {
	kept := rows[:0]
	for _, r := range rows {
		if !d.Seen(r) {
			kept = append(kept, r)
		}
	}
	return kept, len(rows) - len(kept)
}

// key hashes the row's fields sorted by key, the last of a repeated key standing for it, each
// part length-prefixed so no two different rows write the same bytes.
func (d *Deduper) key(r Row) [2]uint64 {
	d.order = d.order[:0]
	for i := range r.Fields {
		d.order = append(d.order, i)
	}
	slices.SortStableFunc(d.order, func(a, b int) int {
		return strings.Compare(r.Fields[a].Key, r.Fields[b].Key)
	})
	var h [2]maphash.Hash
	for k := range h {
		h[k].SetSeed(d.seeds[k])
	}
	for n, i := range d.order {
		f := r.Fields[i]
		if n+1 < len(d.order) && r.Fields[d.order[n+1]].Key == f.Key {
			continue
		}
		for k := range h {
			d.write(&h[k], f.Key)
			h[k].WriteByte(byte(f.Kind))
			d.write(&h[k], f.Value)
		}
	}
	return [2]uint64{h[0].Sum64(), h[1].Sum64()}
}

func (d *Deduper) write(h *maphash.Hash, s string) {
	binary.LittleEndian.PutUint64(d.n[:], uint64(len(s)))
	h.Write(d.n[:])
	h.WriteString(s)
}
