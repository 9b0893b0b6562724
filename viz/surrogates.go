package viz

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/spikego/spikego/surrogate"
)

// Default size, in pixels, of the image that SurrogateFigure,
// LearningCurves and SpikeRaster write when given a zero width or height.
const (
	DefaultWidth  = 1600
	DefaultHeight = 1200
)

// MaxSide is the largest width or height, in pixels, that the figures of
// this package accept.
const MaxSide = 16384

// Range of x, and number of points, over which SurrogateFigure samples
// each function. The points include both ends, 0 and the integers.
const (
	SurrogateXMin    = -2.5
	SurrogateXMax    = 2.5
	SurrogateSamples = 1001
)

// Layout in points, for a panel 400 pixels wide at 96 DPI. SurrogateFigure
// chooses the resolution so that the panels it draws have (at least) this
// size in points: text and lines keep their proportions to the panel
// whatever the image size.
const (
	panelW  = 300 // points
	panelH  = 262 // points
	headerH = 58  // points: figure title and a one-line legend
	minDPI  = 24
	maxDPI  = 1200
)

// SurrogateFigure writes to w a PNG image, width by height pixels, of the
// named surrogate functions (any of surrogate.Names; nil or empty means
// DefaultSurrogates, BrainCog's), one panel each on a grid of up to four
// columns, under a title and a legend that all panels share.
//
// Each panel shows, for x in [SurrogateXMin, SurrogateXMax], the forward
// spike S(x) as a step (a vertical dotted line at each jump, a filled dot
// at the value taken at the jump and an open dot at the limit not taken),
// the primitive g(x) where the function declares one, and the surrogate
// gradient g'(x) (Kernel.Deriv) that replaces dS/dx in the backward pass.
// The panel title gives the function's name and its alpha, or says that
// alpha is unused, that the function has no gradient (heaviside) or that
// g' is the spike itself (STDPGrad).
//
// alpha is the shape parameter given to every function that uses one and
// accepts it (surrogate.Kernel.Domain); 0 means each function's default
// (its library's). A width or height of 0 means
// DefaultWidth or DefaultHeight. An unknown name, a negative, NaN or
// infinite alpha, or an image too small to draw on or larger than MaxSide
// is an error, and then nothing is written.
func SurrogateFigure(w io.Writer, names []string, alpha float32, width, height int) error {
	if len(names) == 0 {
		names = DefaultSurrogates()
	}
	if math.IsNaN(float64(alpha)) || math.IsInf(float64(alpha), 0) || alpha < 0 {
		return fmt.Errorf("viz: alpha must be 0 (the defaults) or finite and positive, got %v", alpha)
	}
	width, height, err := figureSize(width, height)
	if err != nil {
		return err
	}
	cols, rows := gridShape(len(names))
	if width < 120*cols || height < 100*rows+40 {
		return fmt.Errorf("viz: a %dx%d image is too small for %d panels (%d columns, %d rows): use at least %dx%d",
			width, height, len(names), cols, rows, 120*cols, 100*rows+40)
	}
	panels := make([]*plot.Plot, len(names))
	for i, name := range names {
		k, err := surrogate.Lookup(name)
		if err != nil {
			return fmt.Errorf("viz: %w", err)
		}
		panels[i] = surrogatePanel(k, alpha, i+cols >= len(names))
	}

	// Choose the resolution so that a panel is at least panelW by panelH
	// points, then size the canvas in points to give exactly width by
	// height pixels.
	img, _ := newImage(width, height, vg.Length(cols*panelW), vg.Length(rows*panelH+headerH))
	dc := draw.New(img)
	body := draw.Crop(dc, 0, 0, 0, -drawHeader(dc, "Surrogate spike functions", surrogateLegend(alpha)))
	drawGrid(body, panels, cols, draw.Tiles{
		PadTop: 4, PadBottom: 6, PadLeft: 6, PadRight: 14,
		PadX: 18, PadY: 14,
	})
	return writePNG(w, img)
}

// surrogateLegend returns the legend of SurrogateFigure: the curves and
// marks of a panel and a note on alpha.
func surrogateLegend(alpha float32) []legendEntry {
	st := newStyles()
	label, note := st.legendLabel(), st.legendNote()
	sub := "α: each function's default"
	if alpha != 0 {
		sub = "α = " + formatAlpha(alpha) + " for every function that uses it"
	}
	return []legendEntry{
		{&lines{style: st.spike}, 24, "spike S(x), forward", label},
		{&jumpMarks{radius: 2.8, stroke: st.spike.Color}, 18, "value at a jump / limit not taken", label},
		{&lines{style: st.primitive}, 24, "primitive g(x)", label},
		{&lines{style: st.deriv}, 24, "surrogate gradient g′(x), backward", label},
		{nil, 0, sub, note},
	}
}

// gridShape returns the columns and rows of a grid for n panels: up to
// four columns, as square as that allows.
func gridShape(n int) (cols, rows int) {
	n = max(n, 1)
	cols = min(4, int(math.Ceil(math.Sqrt(float64(n)))))
	rows = (n + cols - 1) / cols
	return cols, rows
}

// DefaultSurrogates returns the functions SurrogateFigure draws when given
// no names: BrainCog's, in the order of the package documentation of
// surrogate.
func DefaultSurrogates() []string {
	var names []string
	for _, n := range surrogate.Names() {
		if k, err := surrogate.Lookup(n); err == nil && k.Library == "BrainCog" {
			names = append(names, n)
		}
	}
	return surrogateOrder(names)
}

// surrogateOrder sorts names as the package documentation of surrogate
// lists the functions (smooth ones first, then windows, then the rest),
// with names it does not know at the end in their given order.
func surrogateOrder(names []string) []string {
	order := []string{
		"SigmoidGrad", "AtanGrad", "QGateGrad",
		"GateGrad", "ReLUGrad", "STDPGrad", "EIGrad",
		"BackEIGateGrad", "RoundGrad", "straight_through_estimator", "heaviside",
	}
	rank := func(name string) int {
		i := slices.Index(order, name)
		if i < 0 {
			return math.MaxInt
		}
		return i
	}
	out := slices.Clone(names)
	slices.SortStableFunc(out, func(a, b string) int { return rank(a) - rank(b) })
	return out
}

// surrogatePanel returns the panel of kernel k: alpha 0 means k's default.
// xLabel says whether to label the x axis (the bottom panel of a column).
func surrogatePanel(k *surrogate.Kernel, alpha float32, xLabel bool) *plot.Plot {
	if alpha == 0 || !k.UsesAlpha || !k.Domain.Contains(alpha) {
		alpha = k.DefaultAlpha
	}
	xs := make([]float32, SurrogateSamples)
	for i := range xs {
		xs[i] = float32(SurrogateXMin + (SurrogateXMax-SurrogateXMin)*float64(i)/float64(SurrogateSamples-1))
	}
	st := newStyles()

	p := plot.New()
	p.Title.Text = panelTitle(k, alpha, xs)
	st.styleAxes(p)
	p.X.Min, p.X.Max = SurrogateXMin, SurrogateXMax
	p.X.Tick.Marker = xTicks()
	if xLabel {
		p.X.Label.Text = "x"
		p.X.Label.Padding = 2
	}

	ymin, ymax := 0.0, 1.0
	extend := func(v float64) {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			ymin, ymax = min(ymin, v), max(ymax, v)
		}
	}

	p.Add(&axisLines{style: st.axis})

	if k.Deriv != nil {
		d := curve(func(x float32) float32 { return k.Deriv(x, alpha) }, xs)
		for _, pt := range d {
			extend(pt.y)
		}
		p.Add(&area{points: d, fill: st.derivFill})
		p.Add(&lines{pieces: []xyPoints{d}, style: st.deriv})
	}
	if k.Primitive != nil {
		g := curve(func(x float32) float32 { return k.Primitive(x, alpha) }, xs)
		for _, pt := range g {
			extend(pt.y)
		}
		p.Add(&lines{pieces: []xyPoints{g}, style: st.primitive})
	}
	pieces, jumps := stepPieces(k.Spike, xs)
	for _, piece := range pieces {
		for _, pt := range piece {
			extend(pt.y)
		}
	}
	p.Add(&lines{pieces: pieces, style: st.spike})
	p.Add(&jumpMarks{jumps: jumps, connector: st.connector, radius: 2.6, stroke: st.spike.Color})

	pad := 0.08 * (ymax - ymin)
	p.Y.Min, p.Y.Max = ymin-pad, ymax+pad
	p.Y.Tick.Marker = yTicker{}
	return p
}

// panelTitle is the name of k with its alpha, or a note on what the panel
// lacks or what is special about it.
func panelTitle(k *surrogate.Kernel, alpha float32, xs []float32) string {
	var notes []string
	switch {
	case k.UsesAlpha && k.Param != "" && k.Param != "alpha":
		notes = append(notes, k.Param+" = "+formatAlpha(alpha))
	case k.UsesAlpha:
		notes = append(notes, "α = "+formatAlpha(alpha))
	case k.HasAlpha:
		notes = append(notes, "α unused")
	}
	switch {
	case k.Deriv == nil:
		notes = append(notes, "no gradient")
	case derivIsSpike(k, alpha, xs):
		notes = append(notes, "g′ = spike")
	}
	if len(notes) == 0 {
		return k.Name
	}
	t := k.Name + " ("
	for i, n := range notes {
		if i > 0 {
			t += ", "
		}
		t += n
	}
	return t + ")"
}

// derivIsSpike reports whether k's gradient equals its spike at every
// sample (STDPGrad's backward multiplies by the output spike).
func derivIsSpike(k *surrogate.Kernel, alpha float32, xs []float32) bool {
	if k.Primitive != nil {
		return false
	}
	for _, x := range xs {
		if k.Deriv(x, alpha) != k.Spike(x) {
			return false
		}
	}
	return true
}

// curve samples f at xs as one polyline, with each jump of f drawn as a
// vertical segment at the place of the jump (so that a window's edges are
// vertical, not slanted across one sampling interval).
func curve(f func(float32) float32, xs []float32) xyPoints {
	pieces, _ := stepPieces(f, xs)
	var out xyPoints
	for _, p := range pieces {
		out = append(out, p...)
	}
	return out
}

// jump is a discontinuity of a spike function at x: the limit from the
// left, the value at x and the limit from the right.
type jump struct {
	x, left, at, right float64
}

// stepPieces samples spike at xs and splits the curve at its jumps: each
// piece runs from one jump to the next, ending at the limits there, and
// the jumps are returned for their markers. A sample exactly at a jump is
// left out of the pieces (its marker shows it). Differences of a few
// units in the last place (RoundGrad's ceil(h) + h - h) are not jumps.
func stepPieces(spike func(float32) float32, xs []float32) ([]xyPoints, []jump) {
	ys := make([]float32, len(xs))
	for i, x := range xs {
		ys[i] = spike(x)
	}
	var jumps []jump
	for i := 0; i+1 < len(xs); i++ {
		if ys[i] == ys[i+1] || isNaN32(ys[i]) || isNaN32(ys[i+1]) {
			continue
		}
		j, ok := locateJump(spike, xs[i], xs[i+1])
		if !ok {
			continue
		}
		if n := len(jumps); n > 0 && jumps[n-1].x == j.x {
			jumps[n-1].right = j.right
			continue
		}
		jumps = append(jumps, j)
	}
	pieces := make([]xyPoints, len(jumps)+1)
	for p := range pieces {
		if p > 0 {
			pieces[p] = append(pieces[p], xyPoint{jumps[p-1].x, jumps[p-1].right})
		}
	}
	p := 0
	for i, x := range xs {
		xf := float64(x)
		for p < len(jumps) && jumps[p].x < xf {
			pieces[p] = append(pieces[p], xyPoint{jumps[p].x, jumps[p].left})
			p++
		}
		if p < len(jumps) && jumps[p].x == xf {
			continue
		}
		pieces[p] = append(pieces[p], xyPoint{xf, float64(ys[i])})
	}
	for ; p < len(jumps); p++ {
		pieces[p] = append(pieces[p], xyPoint{jumps[p].x, jumps[p].left})
	}
	return pieces, jumps
}

// locateJump looks for a jump of spike between lo and hi by bisection,
// keeping the half with the larger change until lo and hi are adjacent
// float32 values. It reports a jump if the change is still more than
// jumpTol there, and places it at a multiple of 1/1024 when that is within
// 1e-6 (the jumps of BrainCog's functions are at round numbers; the
// bisection ends one float32 away from them when the rule is x > c).
func locateJump(spike func(float32) float32, lo, hi float32) (jump, bool) {
	flo, fhi := spike(lo), spike(hi)
	for range 200 {
		mid := float32((float64(lo) + float64(hi)) / 2)
		if mid == lo || mid == hi {
			break
		}
		fmid := spike(mid)
		if abs64(float64(fmid)-float64(flo)) >= abs64(float64(fhi)-float64(fmid)) {
			hi, fhi = mid, fmid
		} else {
			lo, flo = mid, fmid
		}
	}
	if !(abs64(float64(fhi)-float64(flo)) > jumpTol) {
		return jump{}, false
	}
	x := float64(hi)
	if r := math.Round(x*1024) / 1024; abs64(x-r) < 1e-6 {
		x = r
	}
	j := jump{x: x, left: float64(flo), at: float64(spike(float32(x))), right: float64(fhi)}
	// Round-off aside, the value at the jump is one of the limits or
	// (EIGrad's sign at 0) a value between them.
	if near(j.at, j.left) {
		j.at = j.left
	} else if near(j.at, j.right) {
		j.at = j.right
	}
	return j, true
}

// jumpTol is the least change of a spike between adjacent float32 inputs
// that counts as a jump.
const jumpTol = 1e-3

func near(a, b float64) bool { return abs64(a-b) <= jumpTol }

func abs64(v float64) float64 { return math.Abs(v) }

func isNaN32(v float32) bool { return v != v }

// xTicks returns labelled major ticks at the integers of the sampled range
// and unlabelled minor ticks at the halves.
func xTicks() plot.ConstantTicks {
	var ts plot.ConstantTicks
	for v := math.Ceil(SurrogateXMin * 2); v <= SurrogateXMax*2; v++ {
		t := plot.Tick{Value: v / 2}
		if math.Mod(v, 2) == 0 {
			t.Label = strconv.FormatFloat(v/2, 'g', -1, 64)
		}
		ts = append(ts, t)
	}
	return ts
}

// yTicker puts about five labelled ticks on a y axis, at steps of 1, 2
// or 5 times a power of ten, with minor ticks between them.
type yTicker struct{}

// Ticks implements plot.Ticker.
func (yTicker) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	if !(span > 0) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	raw := span / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw*0.999 {
			step = m * mag
			break
		}
	}
	var ts []plot.Tick
	minor := step / 2
	for v := math.Ceil(lo/minor) * minor; v <= hi+1e-9; v += minor {
		t := plot.Tick{Value: cleanZero(v)}
		if r := math.Round(v / step); math.Abs(v/step-r) < 1e-6 {
			t.Value = cleanZero(r * step)
			t.Label = strconv.FormatFloat(t.Value, 'g', 4, 64)
		}
		ts = append(ts, t)
	}
	return ts
}

// cleanZero turns -0 and round-off around 0 into 0.
func cleanZero(v float64) float64 {
	if math.Abs(v) < 1e-12 {
		return 0
	}
	return v
}

// formatAlpha formats alpha as briefly as it reads back.
func formatAlpha(alpha float32) string {
	return strconv.FormatFloat(float64(alpha), 'g', -1, 32)
}
