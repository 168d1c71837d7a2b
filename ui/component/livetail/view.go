package livetail

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// StatusLine is the tail's line under its screen's title: the filter being typed, why there is
// no tail, how it ended, or its account of the records.
func (t *Model) StatusLine(width int) string {
	s := t.ctx.Styles
	switch {
	case t.typing:
		return t.prompt.View(width)
	case t.pump == nil:
		return s.Error.Render(t.unavailable)
	case t.ended && t.err != nil:
		return s.Error.Render("tail ended: " + t.err.Error() + " · esc and enter to tail again")
	case t.ended:
		return s.Muted.Render("tail ended · esc and enter to tail again")
	}
	st := s.Text
	if t.dropped() > 0 {
		st = s.StateEmpty
	}
	status := st.Render(t.status())
	if t.filter != "" {
		status += s.Muted.Render(" · filter ") + s.Text.Render(t.filter)
	}
	return status
}

// Records draws the records that fit in height lines of width cells, from the top record down,
// or when following, as many of the newest as fit.
func (t *Model) Records(width, height int) []string {
	var out []string
	for _, rec := range t.window(height, width) {
		out = append(out, rec...)
	}
	return out
}

// window returns the records to draw in height lines, each as its lines.
func (t *Model) window(height, width int) [][]string {
	var out [][]string
	used := 0
	if t.follow {
		for i := len(t.matches) - 1; i >= 0 && used < height; i-- {
			l := t.lines(t.recs[t.matches[i]], width)
			out = append([][]string{l}, out...)
			used += len(l)
		}
		if used > height && len(out) > 0 {
			out[0] = out[0][used-height:] // the oldest record shown loses its first lines
		}
	} else {
		for i := t.top; i < len(t.matches) && used < height; i++ {
			l := t.lines(t.recs[t.matches[i]], width)
			out = append(out, l)
			used += len(l)
		}
	}
	t.shown = max(1, len(out))
	return out
}

// lines draws one record in width cells: part, position and time, then its value on the same
// line when raw, or indented below when pretty and the value is JSON.
func (t *Model) lines(r Record, width int) []string {
	s := t.ctx.Styles
	meta := r.Part + " #" + r.Position + " " + r.Time.UTC().Format("15:04:05.000")
	if t.pretty {
		var b bytes.Buffer
		if json.Indent(&b, r.Value, "  ", "  ") == nil {
			out := []string{s.Muted.Render(meta)}
			for _, l := range strings.Split("  "+b.String(), "\n") {
				out = append(out, s.Text.Render(ansi.Truncate(l, width, "…")))
			}
			return out
		}
	}
	value := oneLine(r.Value, max(1, width-len(meta)-2))
	return []string{s.Muted.Render(meta+"  ") + s.Text.Render(value)}
}

// oneLine fits a raw value on one line of cells. Values are mostly plain ASCII JSON, which is cut
// by bytes; measuring every grapheme of every record would take most of a frame's budget.
func oneLine(value []byte, cells int) string {
	ascii := true
	for _, c := range value {
		if c < ' ' || c > '~' {
			ascii = false
			break
		}
	}
	if !ascii {
		return ansi.Truncate(strings.ReplaceAll(string(value), "\n", " "), cells, "…")
	}
	if len(value) <= cells {
		return string(value)
	}
	return string(value[:cells-1]) + "…"
}

// status is the tail's one-line account: mode, counts, drops.
func (t *Model) status() string {
	mode := "following"
	switch {
	case t.paused:
		mode = fmt.Sprintf("paused · %d new held", t.held)
	case !t.follow:
		mode = "scrolled · G follows"
	}
	format := "pretty"
	if !t.pretty {
		format = "raw"
	}
	shown := fmt.Sprintf("%d in buffer", len(t.recs))
	if t.filter != "" {
		shown = fmt.Sprintf("%d of %d match", len(t.matches), len(t.recs))
	}
	return fmt.Sprintf("%s · %d received · %s · dropped %d · %s", mode, t.received, shown, t.dropped(), format)
}
