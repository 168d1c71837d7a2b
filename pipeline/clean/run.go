package clean

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/pintui/pintui/pipeline/record"
)

// chunkSize is how many bytes of whole lines one worker cleans at a time: large enough that the
// hand-off between goroutines costs nothing next to the cleaning, small enough to stream.
const chunkSize = 256 << 10

// chunk is a run of whole input lines travelling from the reader through a worker to the
// writer, which waits on done so the output keeps the input order.
type chunk struct {
	data        []byte
	first       int
	out         []byte
	quarantined []Quarantined
	// rows holds the chunk's cleaned rows ([]record.CleanPin…) when they are not encoded.
	rows any
	done chan struct{}
}

var chunkPool = sync.Pool{New: func() any { return new(chunk) }}

// Run reads raw JSON lines of table from in, cleans them (without de-duplication:
// one input is one stream of rows) and writes one clean JSON object per line to out, in input
// order. It cleans on every core: a reader cuts the input into chunks of whole lines, workers
// clean them, and the writer puts them out in order. Quarantined lines are numbered from 1.
func Run(ctx context.Context, table record.Table, in io.Reader, out io.Writer) (Report, error) {
	return runWorkers(ctx, table, in, out, runtime.GOMAXPROCS(0))
}

func runWorkers(ctx context.Context, table record.Table, in io.Reader, out io.Writer, workers int) (Report, error) {
	if err := checkTable(table); err != nil {
		return Report{}, err
	}
	report, err := runChunks(ctx, in, writeOut(out), workers, func() chunkProcessor {
		w := &chunkWorker{cleaner: NewCleaner(table)}
		// Each row is encoded before the next is read and a chunk's bytes stay put until its
		// output is written, so rows may alias the chunk and share their values.
		w.dec.borrow, w.cleaner.transient = true, true
		return w
	})
	report.Table = table
	if err != nil {
		return report, fmt.Errorf("clean %s: %w", table, err)
	}
	return report, nil
}

// Copy decodes raw JSON lines and encodes them again without cleaning: the ceiling that Run's
// speed is measured against, through the same chunked pipeline.
func Copy(ctx context.Context, in io.Reader, out io.Writer) error {
	_, err := runChunks(ctx, in, writeOut(out), runtime.GOMAXPROCS(0), func() chunkProcessor { return &copyWorker{} })
	if err != nil {
		return fmt.Errorf("copy raw rows: %w", err)
	}
	return nil
}

// chunkProcessor turns a chunk's lines into its output; each worker goroutine owns one.
type chunkProcessor interface {
	process(c *chunk)
	report() Report
}

// writeOut delivers a chunk's encoded lines to out.
func writeOut(out io.Writer) func(*chunk) error {
	return func(c *chunk) error {
		if _, err := out.Write(c.out); err != nil {
			return fmt.Errorf("write cleaned rows: %w", err)
		}
		return nil
	}
}

// runChunks runs the pipeline shared by Run, Rows and Copy: a reader cuts in into chunks of
// whole lines, workers process them, and this goroutine delivers their results in input order.
func runChunks(ctx context.Context, in io.Reader, deliver func(*chunk) error, workers int, newProcessor func() chunkProcessor) (Report, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	work := make(chan *chunk, workers)
	order := make(chan *chunk, 2*workers)
	var readErr error
	go func() {
		defer close(order)
		defer close(work)
		readErr = readChunks(ctx, in, func(c *chunk) bool {
			select {
			case order <- c:
			case <-ctx.Done():
				return false
			}
			work <- c
			return true
		})
	}()

	reports := make(chan Report, workers)
	for range workers {
		go func() {
			p := newProcessor()
			for c := range work {
				p.process(c)
				close(c.done)
			}
			reports <- p.report()
		}()
	}

	var (
		report   = Report{Rules: map[string]int64{}}
		writeErr error
	)
	for c := range order {
		<-c.done
		if writeErr == nil {
			if writeErr = deliver(c); writeErr != nil {
				cancel()
			}
		}
		report.Quarantined = append(report.Quarantined, c.quarantined...)
		c.quarantined, c.rows = nil, nil
		chunkPool.Put(c)
	}
	for range workers {
		r := <-reports
		r.Quarantined = nil
		report.Merge(r)
	}
	switch {
	case writeErr != nil:
		return report, writeErr
	case readErr != nil:
		return report, readErr
	}
	return report, ctx.Err()
}

// readChunks cuts in into chunks of whole lines and hands each to emit until emit returns false,
// the input ends or the context is cancelled. A line longer than a chunk grows its chunk.
func readChunks(ctx context.Context, in io.Reader, emit func(*chunk) bool) error {
	var carry []byte
	line := 1
	for eof := false; !eof; {
		if err := ctx.Err(); err != nil {
			return err
		}
		c := chunkPool.Get().(*chunk)
		c.data = append(c.data[:0], carry...)
		if cap(c.data) < chunkSize {
			c.data = slices2x(c.data, chunkSize)
		}
		for {
			if len(c.data) == cap(c.data) {
				c.data = slices2x(c.data, 2*cap(c.data))
			}
			want := cap(c.data) - len(c.data)
			n, err := in.Read(c.data[len(c.data):cap(c.data)])
			c.data = c.data[:len(c.data)+n]
			if errors.Is(err, io.EOF) {
				eof = true
				break
			}
			if err != nil {
				return fmt.Errorf("read input: %w", err)
			}
			// A short read means the input has nothing more for now (a pipe): clean what
			// came rather than wait for a full chunk.
			full := len(c.data) == cap(c.data)
			if (full || n < want) && bytes.LastIndexByte(c.data, '\n') >= 0 {
				break
			}
		}
		cut := len(c.data)
		if !eof {
			cut = bytes.LastIndexByte(c.data, '\n') + 1
		}
		carry = append(carry[:0], c.data[cut:]...)
		c.data = c.data[:cut]
		c.first = line
		line += bytes.Count(c.data, []byte{'\n'})
		c.done = make(chan struct{})
		if len(c.data) == 0 {
			chunkPool.Put(c)
			continue
		}
		if !emit(c) {
			return ctx.Err()
		}
	}
	return nil
}

// slices2x returns b with its bytes kept and a capacity of at least n.
func slices2x(b []byte, n int) []byte {
	grown := make([]byte, len(b), n)
	copy(grown, b)
	return grown
}

// chunkWorker cleans chunks with its own decoder and Cleaner, reusing their buffers.
type chunkWorker struct {
	cleaner *Cleaner
	dec     decoder
	fields  []Field
}

func (w *chunkWorker) report() Report { return w.cleaner.Report() }

func (w *chunkWorker) process(c *chunk) {
	out := c.out[:0]
	table := w.cleaner.Table()
	w.eachRow(c, func(row Row) {
		switch table {
		case record.TablePin:
			if p, err := w.cleaner.Pin(row); err == nil {
				out = append(AppendPin(out, p), '\n')
			}
		case record.TableGeo:
			if g, err := w.cleaner.Geo(row); err == nil {
				out = append(AppendGeo(out, g), '\n')
			}
		case record.TableUser:
			if u, err := w.cleaner.User(row); err == nil {
				out = append(AppendUser(out, u), '\n')
			}
		}
	})
	c.out = out
	c.quarantined = w.cleaner.takeQuarantined()
}

// eachRow decodes the chunk's lines and hands each row to use; lines that are no JSON object
// are quarantined with their number.
func (w *chunkWorker) eachRow(c *chunk, use func(Row)) {
	data := c.data
	for n := c.first; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if blank(line) {
			continue
		}
		if err := w.dec.scan(line); err != nil {
			if w.cleaner != nil {
				w.cleaner.Quarantine("", n, err.Error(), line)
			}
			continue
		}
		w.fields = w.dec.fields(w.fields[:0])
		use(Row{Line: n, Fields: w.fields})
	}
}

// copyWorker re-encodes each line's fields as compact JSON; lines that are no object are left out.
type copyWorker struct {
	dec decoder
}

func (w *copyWorker) report() Report { return Report{} }

func (w *copyWorker) process(c *chunk) {
	out := c.out[:0]
	for data := c.data; len(data) > 0; {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if w.dec.scan(line) != nil {
			continue
		}
		out = append(out, '{')
		for i, sp := range w.dec.spans {
			if i > 0 {
				out = append(out, ',')
			}
			out = appendJSONString(out, alias(w.dec.located(sp.keyInBuf, sp.k0, sp.k1)))
			out = append(out, ':')
			switch v := w.dec.located(sp.valueInBuf, sp.v0, sp.v1); sp.kind {
			case KindString:
				out = appendJSONString(out, alias(v))
			case KindNull:
				out = append(out, "null"...)
			default:
				out = append(out, v...)
			}
		}
		out = append(out, '}', '\n')
	}
	c.out = out
}

func checkTable(table record.Table) error {
	switch table {
	case record.TablePin, record.TableGeo, record.TableUser:
		return nil
	}
	return fmt.Errorf("clean table %q: unknown table, use pin, geo or user", table)
}
