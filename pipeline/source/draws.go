package source

import (
	"math/bits"
	"time"
)

// Draw is one emulator iteration: the row id to read from all three tables, and the pause the
// original emulator slept before it (0 or 1 s) for faithful pacing.
type Draw struct {
	ID    int64
	Pause time.Duration
}

// Draws is the emulator's draw sequence. It replays Python's random module draw for draw
// (`random.seed(seed)`, then per iteration `randrange(0, 2)` and `randint(0, maxID)`), so seed
// 100 over 11,001 rows gives the documented ids 7528, 2863, 5730, … of the original emulator.
type Draws struct {
	mt    mersenne
	maxID int64
}

// NewDraws starts the draw sequence of seed over the ids 0…maxID (maxID ≥ 0).
func NewDraws(seed int64, maxID int64) *Draws {
	d := &Draws{maxID: max(maxID, 0)}
	d.mt.seed(seed)
	return d
}

// Next returns the next draw.
func (d *Draws) Next() Draw {
	pause := time.Duration(d.mt.below(2)) * time.Second
	return Draw{ID: int64(d.mt.below(uint64(d.maxID) + 1)), Pause: pause}
}

// mersenne is MT19937 seeded the way CPython seeds it from an integer.
type mersenne struct {
	state [624]uint32
	index int
}

func (m *mersenne) init(s uint32) {
	m.state[0] = s
	for i := 1; i < len(m.state); i++ {
		prev := m.state[i-1]
		m.state[i] = 1812433253*(prev^(prev>>30)) + uint32(i)
	}
	m.index = len(m.state)
}

// seed follows CPython's init_by_array with the 32-bit words of |seed|, least significant first.
func (m *mersenne) seed(seed int64) {
	abs := uint64(seed)
	if seed < 0 {
		abs = uint64(-seed)
	}
	key := []uint32{uint32(abs)}
	if hi := uint32(abs >> 32); hi != 0 {
		key = append(key, hi)
	}
	const n = len(m.state)
	m.init(19650218)
	i, j := 1, 0
	for k := max(n, len(key)); k > 0; k-- {
		prev := m.state[i-1]
		m.state[i] = (m.state[i] ^ ((prev ^ (prev >> 30)) * 1664525)) + key[j] + uint32(j)
		i++
		j++
		if i >= n {
			m.state[0] = m.state[n-1]
			i = 1
		}
		if j >= len(key) {
			j = 0
		}
	}
	for k := n - 1; k > 0; k-- {
		prev := m.state[i-1]
		m.state[i] = (m.state[i] ^ ((prev ^ (prev >> 30)) * 1566083941)) - uint32(i)
		i++
		if i >= n {
			m.state[0] = m.state[n-1]
			i = 1
		}
	}
	m.state[0] = 0x80000000
}

func (m *mersenne) uint32() uint32 {
	const n, k = 624, 397
	if m.index >= n {
		for i := range n {
			y := m.state[i]&0x80000000 | m.state[(i+1)%n]&0x7fffffff
			next := m.state[(i+k)%n] ^ y>>1
			if y&1 != 0 {
				next ^= 0x9908b0df
			}
			m.state[i] = next
		}
		m.index = 0
	}
	y := m.state[m.index]
	m.index++
	y ^= y >> 11
	y ^= y << 7 & 0x9d2c5680
	y ^= y << 15 & 0xefc60000
	return y ^ y>>18
}

// bits returns k random bits (1 ≤ k ≤ 64) as CPython's getrandbits builds them.
func (m *mersenne) bits(k int) uint64 {
	if k <= 32 {
		return uint64(m.uint32() >> (32 - k))
	}
	lo := uint64(m.uint32())
	return lo | uint64(m.uint32()>>(64-k))<<32
}

// below returns a uniform integer in [0, n) by rejection, as CPython's _randbelow does.
func (m *mersenne) below(n uint64) uint64 {
	k := bits.Len64(n)
	for {
		if r := m.bits(k); r < n {
			return r
		}
	}
}
