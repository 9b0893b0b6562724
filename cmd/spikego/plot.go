package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/spikego/spikego/surrogate"
	"github.com/spikego/spikego/viz"
)

// runPlot is "spikego plot <figure> [flags]". Its flags may come before
// or after the figure's name.
func runPlot(args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("plot")
	out := fs.String("o", "surrogates.png", "write the PNG image to `file`")
	alpha := fs.Float64("alpha", 0, "shape parameter `alpha` for every function that uses one (0: each function's BrainCog default)")
	names := fs.String("names", "", "comma-separated `list` of the surrogate functions to draw (default BrainCog's: "+strings.Join(viz.DefaultSurrogates(), ", ")+"; any of "+strings.Join(surrogate.Names(), ", ")+")")
	width := fs.Int("width", viz.DefaultWidth, "image width in `pixels`")
	height := fs.Int("height", viz.DefaultHeight, "image height in `pixels`")
	usage := flagUsage(fs, []string{"plot surrogates [-o file] [-alpha X] [-names a,b,c] [-width W] [-height H]"},
		`Plot draws a figure and writes it as a PNG image.

Figures:

	surrogates  one panel per surrogate spike function: the forward spike,
	            the primitive g(x) and the surrogate gradient g'(x) used in
	            the backward pass, over x in [-2.5, 2.5]`)

	if err := parseFlags(fs, args, usage); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return &usageError{err: fmt.Errorf("missing the figure to draw (surrogates)"), usage: usage}
	}
	figure := fs.Arg(0)
	if err := parseFlags(fs, fs.Args()[1:], usage); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{err: fmt.Errorf("unexpected arguments after %s: %s", figure, strings.Join(fs.Args(), " ")), usage: usage}
	}
	if figure != "surrogates" {
		return &usageError{err: fmt.Errorf("unknown figure %q (known: surrogates)", figure), usage: usage}
	}

	var list []string
	for n := range strings.SplitSeq(*names, ",") {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		if !slices.Contains(surrogate.Names(), n) {
			return &usageError{err: fmt.Errorf("unknown surrogate function %q (known: %s)", n, strings.Join(surrogate.Names(), ", ")), usage: usage}
		}
		list = append(list, n)
	}
	if a := *alpha; a < 0 || math.IsNaN(a) || math.IsInf(a, 0) || a > math.MaxFloat32 {
		return &usageError{err: fmt.Errorf("-alpha must be 0 or positive, got %v", a), usage: usage}
	}
	if *width <= 0 || *height <= 0 {
		return &usageError{err: fmt.Errorf("-width and -height must be positive, got %d and %d", *width, *height), usage: usage}
	}
	if *out == "" {
		return &usageError{err: fmt.Errorf("-o must name a file"), usage: usage}
	}

	var buf bytes.Buffer
	if err := viz.SurrogateFigure(&buf, list, float32(*alpha), *width, *height); err != nil {
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	n := len(list)
	if n == 0 {
		n = len(viz.DefaultSurrogates())
	}
	_, err := fmt.Fprintf(stdout, "wrote %s: %d surrogate functions, %dx%d PNG, %d bytes\n", *out, n, *width, *height, buf.Len())
	return err
}
