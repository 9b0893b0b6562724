package viz

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// EpochPoint is what LearningCurves draws of one epoch of training: the
// mean training loss, and the accuracies on the training and test sets as
// fractions in [0, 1]. A NaN value is missing: it is not drawn, and the
// line through its neighbours has a gap there.
type EpochPoint struct {
	Epoch                        int
	TrainLoss, TrainAcc, TestAcc float64
}

// WindowPoint is the training loss and accuracy averaged over a window of
// consecutive batches, placed at its end in epochs: 0.25 is a quarter of
// the way through the first epoch, 1 its end. Acc is a fraction in
// [0, 1]. A NaN value is missing, as in EpochPoint; so is an infinite
// loss.
type WindowPoint struct {
	Epoch     float64
	Loss, Acc float64
}

// WindowMaxPoints is the largest number of batch windows that
// TrainingCurves draws as they are. Of more windows it averages each run
// of k consecutive windows into one point, at the position of the last,
// with k the least that gives at most WindowMaxPoints points.
const WindowMaxPoints = 400

// Layout of TrainingCurves in points: the size of a panel at which text
// and lines have the proportions meant (see SurrogateFigure), and the
// height of the title and legend.
const (
	curvesPanelW = 340
	curvesPanelH = 300
)

// LearningCurves writes to w a PNG image, width by height pixels, of the
// learning curves of a training run, in two panels side by side: the
// training loss per epoch, and the training and test accuracies per epoch
// in percent, under a title and a legend that both panels share. Each
// epoch is marked with a dot on its line (a circle for training, a square
// for test), so that a run of one epoch shows as dots, and a note gives
// the best test accuracy and its epoch.
//
// The epochs must increase from one point to the next; they need not be
// consecutive. Non-finite losses and NaN accuracies are missing values
// (not drawn); other accuracies must lie in [0, 1]. A width or height of
// 0 means DefaultWidth or DefaultHeight. No points, epochs that do not
// increase, an accuracy out of range, or an image too small to draw on
// or larger than MaxSide is an error, and then nothing is written.
//
// LearningCurves is TrainingCurves without batch windows.
func LearningCurves(w io.Writer, points []EpochPoint, width, height int) error {
	return TrainingCurves(w, points, nil, width, height)
}

// TrainingCurves writes to w a PNG image, width by height pixels, of the
// learning curves of a training run as LearningCurves draws them, with
// the training loss and accuracy of each window of batches added as thin
// lines under the epochs' lines and markers, so that a run of one epoch
// tells how it went within that epoch.
//
// The x axis is in epochs, from 0: a window is drawn at its Epoch, and
// the point of epoch e at x = e, the end of that epoch (its training loss
// and accuracy are means over the epoch, its test accuracy is measured
// after it). Of more than WindowMaxPoints windows, runs of consecutive
// windows are averaged (see WindowMaxPoints); where a few dozen windows
// or fewer are drawn, each is marked with a small dot.
//
// The windows' positions must be finite, at least 0, and increase from
// one window to the next; their accuracies, like the epochs', are
// fractions in [0, 1] or NaN. Either epochs or windows may be empty, not
// both. The other rules and errors are those of LearningCurves; on an
// error nothing is written.
func TrainingCurves(w io.Writer, epochs []EpochPoint, windows []WindowPoint, width, height int) error {
	if len(epochs) == 0 && len(windows) == 0 {
		return fmt.Errorf("viz: no epochs and no batch windows to draw")
	}
	for i, pt := range epochs {
		if i > 0 && pt.Epoch <= epochs[i-1].Epoch {
			return fmt.Errorf("viz: epochs must increase, but epoch %d (point %d) follows epoch %d", pt.Epoch, i, epochs[i-1].Epoch)
		}
		for _, a := range []struct {
			name string
			v    float64
		}{{"training", pt.TrainAcc}, {"test", pt.TestAcc}} {
			if !isFraction(a.v) {
				return fmt.Errorf("viz: the %s accuracy of epoch %d is %v, not a fraction in [0, 1] (or NaN for none)", a.name, pt.Epoch, a.v)
			}
		}
	}
	for i, wp := range windows {
		switch {
		case math.IsNaN(wp.Epoch) || math.IsInf(wp.Epoch, 0):
			return fmt.Errorf("viz: batch window %d is at epoch %v: want a finite position", i, wp.Epoch)
		case wp.Epoch < 0:
			return fmt.Errorf("viz: batch window %d is at epoch %v: positions start at 0", i, wp.Epoch)
		case i > 0 && wp.Epoch <= windows[i-1].Epoch:
			return fmt.Errorf("viz: batch windows must increase in position, but window %d at epoch %v follows window %d at epoch %v",
				i, wp.Epoch, i-1, windows[i-1].Epoch)
		case !isFraction(wp.Acc):
			return fmt.Errorf("viz: the training accuracy of batch window %d (at epoch %v) is %v, not a fraction in [0, 1] (or NaN for none)", i, wp.Epoch, wp.Acc)
		}
	}
	width, height, err := figureSize(width, height)
	if err != nil {
		return err
	}
	const minW, minH = 360, 200
	if width < minW || height < minH {
		return fmt.Errorf("viz: a %dx%d image is too small for the learning curves: use at least %dx%d", width, height, minW, minH)
	}

	st := newStyles()
	train, test := newSeriesStyles(len(epochs))
	loss := make(xyPoints, len(epochs))
	trainAcc := make(xyPoints, len(epochs))
	testAcc := make(xyPoints, len(epochs))
	for i, pt := range epochs {
		x := float64(pt.Epoch)
		loss[i] = xyPoint{x, finiteOrNaN(pt.TrainLoss)}
		trainAcc[i] = xyPoint{x, 100 * pt.TrainAcc}
		testAcc[i] = xyPoint{x, 100 * pt.TestAcc}
	}
	drawn := thinWindows(windows)
	winLoss := make(xyPoints, len(drawn))
	winAcc := make(xyPoints, len(drawn))
	for i, wp := range drawn {
		winLoss[i] = xyPoint{wp.Epoch, finiteOrNaN(wp.Loss)}
		winAcc[i] = xyPoint{wp.Epoch, 100 * wp.Acc}
	}
	win := newWindowStyle(len(drawn))
	if len(epochs) == 0 {
		// The windows are all there is: draw them in the full colour.
		win.line.Color, win.glyph.Color = train.line.Color, train.glyph.Color
	}

	// The x range: that of the epochs, widened so that a single epoch
	// stands in the middle of its panel; with windows, from 0.
	var first, last float64
	var xTicks plot.Ticker = intTicker{}
	if len(windows) == 0 {
		first, last = float64(epochs[0].Epoch), float64(epochs[len(epochs)-1].Epoch)
		pad := max(0.35, 0.04*(last-first))
		first, last = first-pad, last+pad
	} else {
		first, last = 0, windows[len(windows)-1].Epoch
		if len(epochs) > 0 {
			first = min(first, float64(epochs[0].Epoch))
			last = max(last, float64(epochs[len(epochs)-1].Epoch))
		}
		if last-first < 4 {
			xTicks = shortTicker{}
		}
		pad := 0.02 * max(last-first, 0.05)
		first, last = first-pad, last+pad
	}

	lossPanel := plot.New()
	lossPanel.Title.Text = "Training loss"
	lossPanel.Y.Label.Text = "loss"
	accPanel := plot.New()
	accPanel.Title.Text = "Accuracy"
	accPanel.Y.Label.Text = "accuracy (%)"
	for _, p := range []*plot.Plot{lossPanel, accPanel} {
		st.styleAxes(p)
		p.X.Label.Text = "epoch"
		p.X.Label.Padding = 2
		p.Y.Label.Padding = 4
		p.X.Min, p.X.Max = first, last
		p.X.Tick.Marker = xTicks
		p.Add(&gridLines{style: draw.LineStyle{Color: color.Gray{0xe6}, Width: 0.6}})
	}

	lossPanel.Y.Min, lossPanel.Y.Max = paddedRange(0.08, 0.05, loss, winLoss)
	if lossPanel.Y.Min < 0 && !hasNegative(loss) && !hasNegative(winLoss) {
		lossPanel.Y.Min = 0
	}
	lossPanel.Y.Tick.Marker = niceTicker{}
	lossPanel.Add(&series{points: winLoss, style: win}, &series{points: loss, style: train})

	accPanel.Y.Min, accPanel.Y.Max = paddedRange(0.1, 1, trainAcc, testAcc, winAcc)
	accPanel.Y.Tick.Marker = clampTicker{niceTicker{}, 0, 100}
	accPanel.Add(&series{points: winAcc, style: win},
		&series{points: trainAcc, style: train}, &series{points: testAcc, style: test})

	label, note := st.legendLabel(), st.legendNote()
	var entries []legendEntry
	if len(windows) == 0 {
		entries = []legendEntry{
			{&series{style: train}, 30, "training", label},
			{&series{style: test}, 30, "test", label},
		}
	} else {
		entries = append(entries, legendEntry{&series{style: win}, 30, "training, per batch window", label})
		if len(epochs) > 0 {
			entries = append(entries,
				legendEntry{&series{style: train}, 30, "training, epoch mean", label},
				legendEntry{&series{style: test}, 30, "test, after the epoch", label})
		}
		if k := (len(windows) + WindowMaxPoints - 1) / WindowMaxPoints; k > 1 {
			entries = append(entries, legendEntry{nil, 0, fmt.Sprintf("(%d windows: each point the mean of %d)", len(windows), k), note})
		}
	}
	if best, ok := bestEpoch(epochs); ok {
		entries = append(entries, legendEntry{nil, 0, fmt.Sprintf("best test accuracy %s%% (epoch %d)",
			strconv.FormatFloat(100*best.TestAcc, 'f', 2, 64), best.Epoch), note})
	}

	img, _ := newImage(width, height, 2*curvesPanelW, curvesPanelH+headerH)
	dc := draw.New(img)
	body := draw.Crop(dc, 0, 0, 0, -drawHeader(dc, "Learning curves", entries))
	drawGrid(body, []*plot.Plot{lossPanel, accPanel}, 2, draw.Tiles{
		PadTop: 4, PadBottom: 8, PadLeft: 8, PadRight: 16,
		PadX: 26,
	})
	return writePNG(w, img)
}

// isFraction reports whether v is NaN (missing) or in [0, 1].
func isFraction(v float64) bool { return math.IsNaN(v) || v >= 0 && v <= 1 }

// finiteOrNaN returns v, or NaN (missing) if v is infinite.
func finiteOrNaN(v float64) float64 {
	if math.IsInf(v, 0) {
		return math.NaN()
	}
	return v
}

// thinWindows returns windows if there are at most WindowMaxPoints of
// them, else the means of runs of k consecutive windows (the last run may
// be shorter), each at the position of its last window. A mean is over
// the run's values that are not missing, and missing if all are.
func thinWindows(windows []WindowPoint) []WindowPoint {
	k := (len(windows) + WindowMaxPoints - 1) / WindowMaxPoints
	if k <= 1 {
		return windows
	}
	out := make([]WindowPoint, 0, (len(windows)+k-1)/k)
	for lo := 0; lo < len(windows); lo += k {
		run := windows[lo:min(lo+k, len(windows))]
		var loss, acc meanOf
		for _, wp := range run {
			loss.add(finiteOrNaN(wp.Loss))
			acc.add(wp.Acc)
		}
		out = append(out, WindowPoint{Epoch: run[len(run)-1].Epoch, Loss: loss.mean(), Acc: acc.mean()})
	}
	return out
}

// meanOf accumulates the mean of values that are not NaN.
type meanOf struct {
	sum float64
	n   int
}

func (m *meanOf) add(v float64) {
	if !math.IsNaN(v) {
		m.sum += v
		m.n++
	}
}

func (m *meanOf) mean() float64 {
	if m.n == 0 {
		return math.NaN()
	}
	return m.sum / float64(m.n)
}

// bestEpoch returns the point of the highest test accuracy (the first of
// equals), if any point has one.
func bestEpoch(points []EpochPoint) (EpochPoint, bool) {
	var best EpochPoint
	found := false
	for _, pt := range points {
		if !math.IsNaN(pt.TestAcc) && (!found || pt.TestAcc > best.TestAcc) {
			best, found = pt, true
		}
	}
	return best, found
}

// seriesStyle is the look of one series: its line and its marker.
type seriesStyle struct {
	line  draw.LineStyle
	glyph draw.GlyphStyle
}

// newSeriesStyles returns the styles of the training series (blue line,
// circles) and of the test series (orange line, squares), for n points:
// the markers shrink beyond 15 points and go beyond 60.
func newSeriesStyles(n int) (train, test seriesStyle) {
	blue := color.RGBA{0x1f, 0x6f, 0xc5, 0xff}
	orange := color.RGBA{0xe0, 0x4a, 0x1f, 0xff}
	train = seriesStyle{
		line:  draw.LineStyle{Color: blue, Width: 2},
		glyph: draw.GlyphStyle{Color: blue, Radius: 3.6, Shape: draw.CircleGlyph{}},
	}
	test = seriesStyle{
		line:  draw.LineStyle{Color: orange, Width: 2},
		glyph: draw.GlyphStyle{Color: orange, Radius: 3.4, Shape: draw.BoxGlyph{}},
	}
	switch {
	case n > 60:
		train.glyph.Radius, test.glyph.Radius = 0, 0
	case n > 15:
		train.glyph.Radius, test.glyph.Radius = 2.4, 2.3
	}
	return train, test
}

// newWindowStyle returns the style of the batch windows' series, of n
// points: a thin light blue line, with small dots where there are at
// most 40 points, and a little thicker where there are few.
func newWindowStyle(n int) seriesStyle {
	light := color.RGBA{0x8c, 0xb4, 0xe2, 0xff}
	s := seriesStyle{
		line:  draw.LineStyle{Color: light, Width: 1},
		glyph: draw.GlyphStyle{Color: light, Shape: draw.CircleGlyph{}},
	}
	if n <= 40 {
		s.line.Width, s.glyph.Radius = 1.4, 1.9
	}
	return s
}

// series is a plot.Plotter that draws a line through points, broken where
// a y is NaN, and a marker at each point.
type series struct {
	points xyPoints
	style  seriesStyle
}

// Plot implements plot.Plotter.
func (s *series) Plot(c draw.Canvas, p *plot.Plot) {
	var piece xyPoints
	stroke := func() {
		if len(piece) > 1 {
			c.StrokeLines(s.style.line, c.ClipLinesXY(piece.toCanvas(&c, p))...)
		}
		piece = piece[:0]
	}
	for _, pt := range s.points {
		if math.IsNaN(pt.y) {
			stroke()
			continue
		}
		piece = append(piece, pt)
	}
	stroke()
	trX, trY := p.Transforms(&c)
	missing := func(i int) bool { return i < 0 || i >= len(s.points) || math.IsNaN(s.points[i].y) }
	for i, pt := range s.points {
		if missing(i) {
			continue
		}
		g := s.style.glyph
		if missing(i-1) && missing(i+1) {
			// Without a line to either side, a point needs a marker.
			g.Radius = max(g.Radius, 2.4)
		}
		if v := (vg.Point{X: trX(pt.x), Y: trY(pt.y)}); g.Radius > 0 && c.Contains(v) {
			c.DrawGlyph(g, v)
		}
	}
}

// Thumbnail draws a line across c with a marker in its middle, for a
// legend.
func (s *series) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(s.style.line, c.Min.X, y, c.Max.X, y)
	if s.style.glyph.Radius > 0 {
		c.DrawGlyph(s.style.glyph, c.Center())
	}
}

// gridLines is a plot.Plotter that draws light lines at the labelled
// ticks of both axes, behind the data.
type gridLines struct{ style draw.LineStyle }

// Plot implements plot.Plotter.
func (g *gridLines) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, t := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
		if x := trX(t.Value); t.Label != "" && c.ContainsX(x) {
			c.StrokeLine2(g.style, x, c.Min.Y, x, c.Max.Y)
		}
	}
	for _, t := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
		if y := trY(t.Value); t.Label != "" && c.ContainsY(y) {
			c.StrokeLine2(g.style, c.Min.X, y, c.Max.X, y)
		}
	}
}

// paddedRange returns the range of the finite ys of sets, widened by frac
// of its span on each side, and to at least minSpan in all; [0, 1] if
// there is no finite y.
func paddedRange(frac, minSpan float64, sets ...xyPoints) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range sets {
		for _, pt := range s {
			if !math.IsNaN(pt.y) && !math.IsInf(pt.y, 0) {
				lo, hi = min(lo, pt.y), max(hi, pt.y)
			}
		}
	}
	if lo > hi {
		return 0, 1
	}
	pad := frac * (hi - lo)
	if span := hi - lo + 2*pad; span < minSpan {
		pad += (minSpan - span) / 2
	}
	return lo - pad, hi + pad
}

// hasNegative reports whether any y of pts is below 0.
func hasNegative(pts xyPoints) bool {
	for _, pt := range pts {
		if pt.y < 0 {
			return true
		}
	}
	return false
}

// clampTicker is a plot.Ticker that drops the ticks of Ticker outside
// [Min, Max] (percentages below 0 or above 100).
type clampTicker struct {
	plot.Ticker
	Min, Max float64
}

// Ticks implements plot.Ticker.
func (t clampTicker) Ticks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	for _, tk := range t.Ticker.Ticks(lo, hi) {
		if tk.Value >= t.Min-1e-9 && tk.Value <= t.Max+1e-9 {
			out = append(out, tk)
		}
	}
	return out
}

// intTicker puts labelled ticks at whole numbers on an axis: at every
// one, or at steps of 1, 2 or 5 times a power of ten, at most nine labels
// in all, with unlabelled ticks at the whole numbers between where there
// are at most 50 of them.
type intTicker struct{}

// Ticks implements plot.Ticker.
func (intTicker) Ticks(lo, hi float64) []plot.Tick {
	first, last := math.Ceil(lo-1e-9), math.Floor(hi+1e-9)
	if first > last {
		return nil
	}
	step := 1.0
	for mag := 1.0; (last-first)/step > 8; mag *= 10 {
		for _, m := range []float64{1, 2, 5, 10} {
			step = m * mag
			if (last-first)/step <= 8 {
				break
			}
		}
	}
	minor := step
	if step > 1 && last-first <= 50 {
		minor = 1
	}
	var ts []plot.Tick
	for v := math.Ceil(first/minor) * minor; v <= last; v += minor {
		t := plot.Tick{Value: cleanZero(v)}
		if math.Mod(v, step) == 0 {
			t.Label = strconv.FormatFloat(t.Value, 'f', -1, 64)
		}
		ts = append(ts, t)
	}
	return ts
}

// niceTicker puts labelled ticks at the multiples of the smallest step of
// 1, 2 or 5 times a power of ten that gives at most seven of them.
type niceTicker struct{}

// Ticks implements plot.Ticker.
func (niceTicker) Ticks(lo, hi float64) []plot.Tick {
	const maxLabels = 7
	span := hi - lo
	if !(span > 0) || math.IsInf(span, 0) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	exp := math.Floor(math.Log10(span / maxLabels))
	var step float64
	var decimals int
search:
	for ; ; exp++ {
		for _, m := range []float64{1, 2, 5} {
			step = m * math.Pow(10, exp)
			if math.Floor(hi/step)-math.Ceil(lo/step)+1 <= maxLabels {
				decimals = max(0, int(-exp))
				break search
			}
		}
	}
	var ts []plot.Tick
	for k := math.Ceil(lo / step); k*step <= hi; k++ {
		v := cleanZero(k * step)
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64)})
	}
	return ts
}

// shortTicker puts labelled ticks on a short axis (a few epochs) at the
// multiples of a step of 1, 2 or 5 times a power of ten, as niceTicker
// does, labelled without trailing zeros: 0, 0.2, …, 1.
type shortTicker struct{}

// Ticks implements plot.Ticker.
func (shortTicker) Ticks(lo, hi float64) []plot.Tick {
	ts := niceTicker{}.Ticks(lo, hi)
	for i := range ts {
		if l := ts[i].Label; strings.Contains(l, ".") {
			ts[i].Label = strings.TrimSuffix(strings.TrimRight(l, "0"), ".")
		}
	}
	return ts
}
