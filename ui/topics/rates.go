package topics

import (
	"fmt"

	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ui/component/sparkline"
	"github.com/pintui/pintui/ui/component/table"
	"github.com/pintui/pintui/ui/theme"
)

// partitionKey names one partition of one topic, whose rate the detail measures.
type partitionKey struct {
	topic     string
	partition int32
}

// series returns the series kept under k, made on first use; the screen keeps these maps for its
// whole life, so rates go on across polls, views and leaving the screen, as the Overview's do.
func series[K comparable](kept map[K]*sparkline.Series, k K) *sparkline.Series {
	s := kept[k]
	if s == nil {
		s = &sparkline.Series{}
		kept[k] = s
	}
	return s
}

// ratedTable is a table whose last two columns are each row's records/s and a sparkline of its
// recent rates; the sparkline takes the room the other columns leave, up to sparkline.Samples
// cells, so it is never what a narrow terminal cuts.
type ratedTable struct {
	*table.Model
	columns []string
	rows    [][]string
	series  []*sparkline.Series // one per row
	width   int                 // the width the rows were laid out for; 0 lays out for the widest
}

func newRatedTable(styles *theme.Styles) *ratedTable {
	r := &ratedTable{Model: table.New(styles)}
	r.Style = func(col int, cell string) string {
		switch col {
		case len(r.columns):
			return styles.Rate.Render(cell)
		case len(r.columns) + 1:
			return styles.Spark.Render(cell)
		}
		return styles.TableCell.Render(cell)
	}
	return r
}

// set replaces the rows, their cells already formatted, and the series each row's rate is read from.
func (r *ratedTable) set(columns []string, rows [][]string, series []*sparkline.Series) {
	r.columns, r.rows, r.series = columns, rows, series
	r.layout(r.width)
}

// View lays the rows out again when the width changed, then draws the table.
func (r *ratedTable) View(width, height int) string {
	if width != r.width {
		r.layout(width)
	}
	return r.Model.View(width, height)
}

func (r *ratedTable) layout(width int) {
	r.width = width
	rates := make([]string, len(r.rows))
	for i, s := range r.series {
		if rate, ok := s.Rate(); ok {
			rates[i] = sparkline.FormatRate(rate)
		}
	}
	header, cells := sparkColumn(width, append(append([]string(nil), r.columns...), "records/s"), r.rows, rates)
	rows := make([][]string, len(r.rows))
	for i, row := range r.rows {
		rows[i] = append(append(append([]string(nil), row...), rates[i]), sparkline.View(r.series[i].Rates(), cells))
	}
	r.SetRows(append(append([]string(nil), r.columns...), "records/s", header), rows)
}

// sparkColumn is the sparkline's header and cells in what the columns before it leave of width
// (the rates being the last of them); width 0 gives the whole series.
func sparkColumn(width int, columns []string, rows [][]string, rates []string) (string, int) {
	room := width - 2
	for i, c := range columns {
		w := ansi.StringWidth(c)
		for j, row := range rows {
			cell := rates[j]
			if i < len(row) {
				cell = row[i]
			}
			w = max(w, ansi.StringWidth(cell))
		}
		room -= w + 2
	}
	if width == 0 {
		room = sparkline.Samples
	}
	for n := min(sparkline.Samples, room); n > 0; n-- {
		if h := fmt.Sprintf("last %d polls", n); len(h) <= room {
			return h, n
		}
	}
	return "recent", max(5, room)
}
