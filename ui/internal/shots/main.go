// Command shots renders the console's golden frames (ui/app/testdata/TestGolden/*.golden, the
// exact frames the golden tests check) to screenshots/<screen>.svg and, through rsvg-convert,
// to .png. `make screenshots` runs it; refresh the frames first with
// `go test ./ui/app -run TestGolden -update` when the console changes.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	in := flag.String("in", "ui/app/testdata/TestGolden", "folder of golden frames")
	out := flag.String("out", "screenshots", "folder the images are written to")
	cols := flag.Int("cols", 120, "frame width in cells")
	rows := flag.Int("rows", 40, "frame height in cells")
	png := flag.Bool("png", true, "also write PNGs with rsvg-convert")
	flag.Parse()
	if err := render(*in, *out, *cols, *rows, *png); err != nil {
		fmt.Fprintln(os.Stderr, "shots:", err)
		os.Exit(1)
	}
}

func render(in, out string, cols, rows int, png bool) error {
	frames, err := filepath.Glob(filepath.Join(in, "*.golden"))
	if err != nil {
		return err
	}
	sort.Strings(frames)
	if len(frames) == 0 {
		return fmt.Errorf("no frames in %s: run go test ./ui/app -run TestGolden -update first", in)
	}
	if png {
		if _, err := exec.LookPath("rsvg-convert"); err != nil {
			return errors.New("rsvg-convert not found: install librsvg2-bin (apt-get install librsvg2-bin) or pass -png=false")
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("make %s: %w", out, err)
	}
	for _, f := range frames {
		name := strings.TrimSuffix(filepath.Base(f), ".golden")
		if strings.HasSuffix(name, "_no_color") {
			continue // the colourless frame is a test of NO_COLOR, not a picture
		}
		frame, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("read frame %s: %w", f, err)
		}
		svg := filepath.Join(out, name+".svg")
		if err := os.WriteFile(svg, SVG(string(frame), cols, rows, DefaultLook), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", svg, err)
		}
		if png {
			pngPath := filepath.Join(out, name+".png")
			cmd := exec.Command("rsvg-convert", "--format", "png", "--output", pngPath, svg)
			if msg, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("convert %s to png: %v: %s", svg, err, msg)
			}
		}
		fmt.Println("wrote", svg)
	}
	return nil
}
