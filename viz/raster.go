package viz

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// RasterPanel is the spike record of one layer for one input, as
// SpikeRaster draws it: Spikes holds Steps*Neurons values, row-major by
// time step (the value of neuron n at step t is Spikes[t*Neurons+n]), and
// any value other than 0 is a spike.
type RasterPanel struct {
	Title          string
	Steps, Neurons int
	Spikes         []float32
}

// RasterMaxNeurons is the largest number of neurons that SpikeRaster
// draws in a panel. Of a layer with more neurons it draws every k-th
// neuron (0, k, 2k, …), with k the least stride that gives at most
// RasterMaxNeurons of them: a uniform sample that spans all of the layer
// (all the channels of a convolution, say), not just its first neurons.
const RasterMaxNeurons = 400

// Layout of SpikeRaster in points: the size of a panel at which text and
// lines have the proportions meant (see SurrogateFigure).
const (
	rasterPanelW = 250
	rasterPanelH = 210
)

// SpikeRaster writes to w a PNG image, width by height pixels, of spike
// rasters: one panel per element of panels, on a grid of cols columns
// (0 means up to four, as square as that allows; more columns than panels
// means one row), under title and a legend that all panels share.
//
// A panel's x axis is the time step, 0 to Steps-1, and its y axis the
// neuron index, from 0 at the bottom; each spike is a filled mark at its
// step and neuron. The panel's title is its Title followed by its firing
// rate, the share of (step, neuron) pairs with a spike, counted over all
// of its neurons: "lif1, image 0 (rate 0.12)". Of a layer with more than
// RasterMaxNeurons neurons only every k-th neuron is drawn (see
// RasterMaxNeurons), at its own index, and the y axis says so.
//
// A width or height of 0 means DefaultWidth or DefaultHeight. No panels,
// a negative cols, a panel with no steps or no neurons or whose Spikes
// does not hold Steps*Neurons values, or an image too small to draw on or
// larger than MaxSide is an error, and then nothing is written.
func SpikeRaster(w io.Writer, title string, panels []RasterPanel, cols int, width, height int) error {
	if len(panels) == 0 {
		return fmt.Errorf("viz: no raster panels to draw")
	}
	for i, rp := range panels {
		if rp.Steps < 1 || rp.Neurons < 1 {
			return fmt.Errorf("viz: raster panel %d (%q) has %d steps and %d neurons: need at least one of each", i, rp.Title, rp.Steps, rp.Neurons)
		}
		if n := rp.Steps * rp.Neurons; len(rp.Spikes) != n || n/rp.Steps != rp.Neurons {
			return fmt.Errorf("viz: raster panel %d (%q) has %d spike values, want steps*neurons = %d*%d",
				i, rp.Title, len(rp.Spikes), rp.Steps, rp.Neurons)
		}
	}
	var rows int
	switch {
	case cols < 0:
		return fmt.Errorf("viz: %d columns: want 0 (automatic) or more", cols)
	case cols == 0:
		cols, rows = gridShape(len(panels))
	default:
		cols = min(cols, len(panels))
		rows = (len(panels) + cols - 1) / cols
	}
	width, height, err := figureSize(width, height)
	if err != nil {
		return err
	}
	if minW, minH := 120*cols, 100*rows+40; width < minW || height < minH {
		return fmt.Errorf("viz: a %dx%d image is too small for %d raster panels (%d columns, %d rows): use at least %dx%d",
			width, height, len(panels), cols, rows, minW, minH)
	}

	st := newStyles()
	img, dpi := newImage(width, height, vg.Length(cols*rasterPanelW), vg.Length(rows*rasterPanelH+headerH))
	pixel := vg.Length(72 / float64(dpi))
	ink := st.rasterMark

	plots := make([]*plot.Plot, len(panels))
	maxStride := 1
	for i, rp := range panels {
		stride := (rp.Neurons + RasterMaxNeurons - 1) / RasterMaxNeurons
		maxStride = max(maxStride, stride)
		p := plot.New()
		st.styleAxes(p)
		p.Title.Text = rasterTitle(rp)
		p.Title.TextStyle.Font = st.font(11, true)
		if i+cols >= len(panels) {
			p.X.Label.Text = "time step"
			p.X.Label.Padding = 2
		}
		p.Y.Label.Text = "neuron"
		if stride > 1 {
			p.Y.Label.Text = "neuron (every " + ordinal(stride) + ")"
		}
		p.Y.Label.Padding = 2
		p.X.Min, p.X.Max = -0.5, float64(rp.Steps)-0.5
		shown := (rp.Neurons + stride - 1) / stride
		p.Y.Min, p.Y.Max = -0.5*float64(stride), (float64(shown)-0.5)*float64(stride)
		p.X.Tick.Marker = intTicker{}
		p.Y.Tick.Marker = clampTicker{intTicker{}, 0, float64(rp.Neurons - 1)}
		p.Add(&rasterMarks{panel: rp, stride: stride, ink: ink, pixel: pixel})
		plots[i] = p
	}

	label, note := st.legendLabel(), st.legendNote()
	entries := []legendEntry{
		{&rasterMarks{ink: ink}, 14, "spike", label},
		{nil, 0, "rate: spikes per neuron per time step", note},
	}
	if maxStride > 1 {
		entries = append(entries, legendEntry{nil, 0,
			fmt.Sprintf("layers of over %d neurons: every k-th neuron drawn", RasterMaxNeurons), note})
	}
	dc := draw.New(img)
	body := draw.Crop(dc, 0, 0, 0, -drawHeader(dc, title, entries))
	drawGrid(body, plots, cols, draw.Tiles{
		PadTop: 4, PadBottom: 6, PadLeft: 6, PadRight: 12,
		PadX: 16, PadY: 12,
	})
	return writePNG(w, img)
}

// rasterTitle is the title of a raster panel: its Title and its rate.
func rasterTitle(rp RasterPanel) string {
	rate := "rate " + formatRate(firingRate(rp.Spikes))
	if rp.Title == "" {
		return rate
	}
	return rp.Title + " (" + rate + ")"
}

// firingRate returns the share of the values of spikes that are not 0.
func firingRate(spikes []float32) float64 {
	var n int
	for _, v := range spikes {
		if v != 0 {
			n++
		}
	}
	return float64(n) / float64(len(spikes))
}

// formatRate formats a rate in [0, 1] to two significant digits, in
// decimals: "0", "0.12", "0.0034", "1".
func formatRate(r float64) string {
	if r == 0 || r == 1 {
		return strconv.FormatFloat(r, 'f', -1, 64)
	}
	decimals := max(2, 1-int(math.Floor(math.Log10(r))))
	return strconv.FormatFloat(r, 'f', decimals, 64)
}

// ordinal returns n followed by its English ordinal suffix: 2nd, 11th, 63rd.
func ordinal(n int) string {
	suffix := "th"
	switch n % 10 {
	case 1:
		suffix = "st"
	case 2:
		suffix = "nd"
	case 3:
		suffix = "rd"
	}
	if n%100 >= 11 && n%100 <= 13 {
		suffix = "th"
	}
	return strconv.Itoa(n) + suffix
}

// rasterMarks is a plot.Plotter that draws a filled mark per spike of a
// panel's neurons 0, stride, 2*stride, …: a box 70% of a time step wide
// and 80% of the space between drawn neurons high, but no more than
// maxMarkH, and at least a pixel each way, with its edges on the edges of
// pixels. Where the drawn neurons are under 3 pixels apart, the marks
// fill that space, and the marks of neighbours that spike at the same
// step are drawn as one box.
type rasterMarks struct {
	panel  RasterPanel
	stride int
	ink    color.Color
	pixel  vg.Length // one pixel of the image, in points
}

// maxMarkH is the greatest height of a spike's mark.
const maxMarkH vg.Length = 4.5

// Plot implements plot.Plotter.
func (m *rasterMarks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	rp := m.panel
	stepW := trX(1) - trX(0)
	rowH := trY(float64(m.stride)) - trY(0)
	markW := max(0.7*stepW, m.pixel)
	markH := max(min(0.8*rowH, maxMarkH), m.pixel)
	merge := rowH < 3*m.pixel
	if merge {
		markH = max(rowH, m.pixel)
	}
	c.SetColor(m.ink)
	for t := range rp.Steps {
		row := rp.Spikes[t*rp.Neurons : (t+1)*rp.Neurons]
		x := trX(float64(t))
		var path vg.Path
		box := func(lo, hi vg.Length) { // centres of the first and last marks
			x0, x1 := m.snap(x-markW/2), m.snap(x+markW/2)
			y0, y1 := m.snap(lo-markH/2), m.snap(hi+markH/2)
			x1, y1 = max(x1, x0+m.pixel), max(y1, y0+m.pixel)
			path.Move(vg.Point{X: x0, Y: y0})
			path.Line(vg.Point{X: x1, Y: y0})
			path.Line(vg.Point{X: x1, Y: y1})
			path.Line(vg.Point{X: x0, Y: y1})
			path.Close()
		}
		for n := 0; n < rp.Neurons; n += m.stride {
			if row[n] == 0 {
				continue
			}
			last := n
			if merge {
				for last+m.stride < rp.Neurons && row[last+m.stride] != 0 {
					last += m.stride
				}
			}
			box(trY(float64(n)), trY(float64(last)))
			n = last
		}
		if len(path) > 0 {
			c.Fill(path)
		}
	}
}

// snap rounds v to the nearest edge between pixels, so that marks are
// sharp (the image's pixels have their edges at the multiples of
// m.pixel from the origin of its canvas).
func (m *rasterMarks) snap(v vg.Length) vg.Length {
	return vg.Length(math.Round(float64(v/m.pixel))) * m.pixel
}

// Thumbnail draws one mark, for a legend.
func (m *rasterMarks) Thumbnail(c *draw.Canvas) {
	c.SetColor(m.ink)
	y := c.Center().Y
	var path vg.Path
	path.Move(vg.Point{X: c.Min.X, Y: y - maxMarkH/2})
	path.Line(vg.Point{X: c.Max.X, Y: y - maxMarkH/2})
	path.Line(vg.Point{X: c.Max.X, Y: y + maxMarkH/2})
	path.Line(vg.Point{X: c.Min.X, Y: y + maxMarkH/2})
	path.Close()
	c.Fill(path)
}
