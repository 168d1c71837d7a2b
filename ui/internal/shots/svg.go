package main

import (
	"fmt"
	"html"
	"image/color"
	"strings"

	uv "github.com/charmbracelet/ultraviolet"
)

// Look is the terminal the frames are drawn in: its default colours, font and cell size.
type Look struct {
	Background, Foreground string
	Font                   string
	FontSize, CellWidth    float64
	LineHeight, Margin     float64
}

// DefaultLook is a dark terminal with DejaVu Sans Mono at 14px.
var DefaultLook = Look{
	Background: "#1C1C1C", Foreground: "#D0D0D0",
	Font: "DejaVu Sans Mono", FontSize: 14, CellWidth: 8.43, LineHeight: 18, Margin: 16,
}

// SVG draws an ANSI frame of cols×rows cells as an SVG image: one rectangle per run of a
// background colour and one text element per run of a style, each pinned to its cells so the
// grid never drifts.
func SVG(frame string, cols, rows int, look Look) []byte {
	buf := uv.NewScreenBuffer(cols, rows)
	uv.NewStyledString(frame).Draw(buf, buf.Bounds())
	w := float64(cols)*look.CellWidth + 2*look.Margin
	h := float64(rows)*look.LineHeight + 2*look.Margin
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" rx="8" fill="%s"/>`+"\n", look.Background)
	fmt.Fprintf(&b, `<g font-family="%s" font-size="%g" xml:space="preserve">`+"\n", look.Font, look.FontSize)
	for y := range rows {
		for _, r := range runs(buf, y, cols) {
			drawRun(&b, r, y, look)
		}
	}
	b.WriteString("</g>\n</svg>\n")
	return []byte(b.String())
}

// run is a stretch of cells on one row that share a style.
type run struct {
	x, width int
	text     string
	style    uv.Style
}

func runs(buf uv.ScreenBuffer, y, cols int) []run {
	var out []run
	for x := 0; x < cols; {
		c := buf.CellAt(x, y)
		if c == nil {
			break
		}
		cw := max(1, c.Width)
		content := c.Content
		if content == "" {
			content = " "
		}
		if n := len(out); n > 0 && out[n-1].style.Equal(&c.Style) && out[n-1].x+out[n-1].width == x {
			out[n-1].text += content
			out[n-1].width += cw
		} else {
			out = append(out, run{x: x, width: cw, text: content, style: c.Style})
		}
		x += cw
	}
	return out
}

func drawRun(b *strings.Builder, r run, y int, look Look) {
	fg, bg := hex(r.style.Fg, look.Foreground), hex(r.style.Bg, "")
	if r.style.Attrs&uv.AttrReverse != 0 {
		fg, bg = orDefault(bg, look.Background), fg
	}
	x := look.Margin + float64(r.x)*look.CellWidth
	top := look.Margin + float64(y)*look.LineHeight
	if bg != "" {
		fmt.Fprintf(b, `<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s"/>`+"\n",
			x, top, float64(r.width)*look.CellWidth, look.LineHeight, bg)
	}
	if strings.TrimSpace(r.text) == "" && r.style.Underline == uv.UnderlineNone {
		return
	}
	attrs := ""
	if r.style.Attrs&uv.AttrBold != 0 {
		attrs += ` font-weight="bold"`
	}
	if r.style.Attrs&uv.AttrItalic != 0 {
		attrs += ` font-style="italic"`
	}
	if r.style.Underline != uv.UnderlineNone {
		attrs += ` text-decoration="underline"`
	}
	if r.style.Attrs&uv.AttrFaint != 0 {
		attrs += ` opacity="0.6"`
	}
	baseline := top + look.LineHeight*0.78
	fmt.Fprintf(b, `<text x="%.2f" y="%.2f" fill="%s" textLength="%.2f" lengthAdjust="spacingAndGlyphs"%s>%s</text>`+"\n",
		x, baseline, fg, float64(r.width)*look.CellWidth, attrs, html.EscapeString(r.text))
}

func hex(c color.Color, fallback string) string {
	if c == nil {
		return fallback
	}
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02X%02X%02X", r>>8, g>>8, b>>8)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
