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
	w.eachRow(c, func(row Row) {
		var (
			v   any
			err error
		)
		switch w.cleaner.Table() {
		case record.TablePin:
			v, err = w.cleaner.Pin(row)
		case record.TableGeo:
			v, err = w.cleaner.Geo(row)
		case record.TableUser:
			v, err = w.cleaner.User(row)
		}
		if err == nil {
			rows = append(rows, v.(T))
		}
	})
	c.rows = rows
	c.quarantined = w.cleaner.takeQuarantined()
}

// RawPins decodes raw pin JSON lines into record.RawPin on every core without applying any rule,
// handing them to emit in input order: the ceiling a cleaning table writer is measured against.
// Lines that are no object, and values of another type than the column's, are left out.
func RawPins(ctx context.Context, in io.Reader, emit func([]record.RawPin) error) error {
	_, err := runChunks(ctx, in, func(c *chunk) error {
		return emit(c.rows.([]record.RawPin))
	}, runtime.GOMAXPROCS(0), func() chunkProcessor { return &rawPinWorker{} })
	if err != nil {
		return fmt.Errorf("decode raw pins: %w", err)
	}
	return nil
}

type rawPinWorker struct {
	chunkWorker
}

func (w *rawPinWorker) report() Report { return Report{} }

func (w *rawPinWorker) process(c *chunk) {
	rows := make([]record.RawPin, 0, bytes.Count(c.data, []byte{'\n'})+1)
	w.eachRow(c, func(row Row) {
		var p record.RawPin
		for _, f := range row.Fields {
			switch f.Key {
			case "index":
				p.Index, _ = strconv.ParseInt(f.Value, 10, 64)
			case "unique_id":
				p.UniqueID = f.Value
			case "title":
				p.Title = f.Value
			case "description":
				p.Description = f.Value
			case "poster_name":
				p.PosterName = f.Value
			case "follower_count":
				p.FollowerCount = f.Value
			case "tag_list":
				p.TagList = f.Value
			case "is_image_or_video":
				p.IsImageOrVideo = f.Value
			case "image_src":
				p.ImageSrc = f.Value
			case "downloaded":
				p.Downloaded, _ = strconv.ParseInt(f.Value, 10, 64)
			case "save_location":
				p.SaveLocation = f.Value
			case "category":
				p.Category = f.Value
			}
		}
		rows = append(rows, p)
	})
	c.rows = rows
}
