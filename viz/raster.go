package viz

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
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

	// NeuronLabels, if not nil, names each neuron (one name per neuron:
	// the classes of an output layer); the names label the y axis in
	// place of the indices.
	NeuronLabels []string
	// If Marked, neuron Mark (in [0, Neurons)) is highlighted: its row
	// is tinted and its spikes are drawn in another colour. It is meant
	// for the predicted class of an output layer.
	Marked bool
	Mark   int
	// MarkName says in the legend what the marked neuron is, such as
	// "predicted class"; empty means "marked neuron".
	MarkName string
	// Note is a line shown under the panel's title, such as
	// "predicted Trouser, label Trouser".
	Note string
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

// rasterAllLabels is the largest number of drawn neurons of a panel with
// NeuronLabels whose names are all written on its y axis; of more, only
// those at the axis's labelled ticks are.
const rasterAllLabels = 25

// SpikeRaster writes to w a PNG image, width by height pixels, of spike
// rasters: one panel per element of panels, on a grid of cols columns
// (0 means up to four, as square as that allows; more columns than panels
// means one row), under title and a legend that all panels share.
//
// A panel's x axis is the time step, 0 to Steps-1, and its y axis the
// neuron index, from 0 at the bottom, or the neuron's name if the panel
// has NeuronLabels; each spike is a filled mark at its step and neuron.
// The panel's title is its Title followed by its firing rate, the share
// of (step, neuron) pairs with a spike, counted over all of its neurons:
// "lif1, image 0 (rate 0.12)"; its Note, if any, is a line under the
// title. Of a layer with more than RasterMaxNeurons neurons only every
// k-th neuron is drawn (see RasterMaxNeurons), at its own index, and the
// y axis says so; a marked neuron (see RasterPanel.Marked) is drawn
// whatever its index, in its own colour on a tinted row.
//
// A width or height of 0 means DefaultWidth or DefaultHeight. No panels,
// a negative cols, a panel with no steps or no neurons, whose Spikes
// does not hold Steps*Neurons values, whose NeuronLabels are not one per
// neuron or whose Mark is not one of its neurons, or an image too small
// to draw on or larger than MaxSide is an error, and then nothing is
// written.
func SpikeRaster(w io.Writer, title string, panels []RasterPanel, cols int, width, height int) error {
	if len(panels) == 0 {
		return fmt.Errorf("viz: no raster panels to draw")
	}
	var hasNote bool
	var markNames []string
	for i, rp := range panels {
		if rp.Steps < 1 || rp.Neurons < 1 {
			return fmt.Errorf("viz: raster panel %d (%q) has %d steps and %d neurons: need at least one of each", i, rp.Title, rp.Steps, rp.Neurons)
		}
		if n := rp.Steps * rp.Neurons; len(rp.Spikes) != n || n/rp.Steps != rp.Neurons {
			return fmt.Errorf("viz: raster panel %d (%q) has %d spike values, want steps*neurons = %d*%d",
				i, rp.Title, len(rp.Spikes), rp.Steps, rp.Neurons)
		}
		if rp.NeuronLabels != nil && len(rp.NeuronLabels) != rp.Neurons {
			return fmt.Errorf("viz: raster panel %d (%q) has %d neuron labels for %d neurons: want one per neuron (or none)",
				i, rp.Title, len(rp.NeuronLabels), rp.Neurons)
		}
		if rp.Marked {
			if rp.Mark < 0 || rp.Mark >= rp.Neurons {
				return fmt.Errorf("viz: raster panel %d (%q) marks neuron %d, not one of its neurons 0 to %d", i, rp.Title, rp.Mark, rp.Neurons-1)
			}
			name := cmp.Or(rp.MarkName, "marked neuron")
			if !slices.Contains(markNames, name) {
				markNames = append(markNames, name)
			}
		}
		hasNote = hasNote || rp.Note != ""
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
	heads := newPanelHeads(st, hasNote)
	img, dpi := newImage(width, height, vg.Length(cols*rasterPanelW), vg.Length(rows*rasterPanelH+headerH))
	pixel := vg.Length(72 / float64(dpi))
	ink, hi := st.rasterMark, newHighlight()

	plots := make([]*plot.Plot, len(panels))
	maxStride := 1
	for i, rp := range panels {
		stride := (rp.Neurons + RasterMaxNeurons - 1) / RasterMaxNeurons
		maxStride = max(maxStride, stride)
		p := plot.New()
		st.styleAxes(p)
		if i+cols >= len(panels) {
			p.X.Label.Text = "time step"
			p.X.Label.Padding = 2
		}
		p.Y.Label.Padding = 2
		p.X.Min, p.X.Max = -0.5, float64(rp.Steps)-0.5
		shown := (rp.Neurons + stride - 1) / stride
		p.Y.Min, p.Y.Max = -0.5*float64(stride), (float64(shown)-0.5)*float64(stride)
		p.X.Tick.Marker = intTicker{}
		p.Y.Tick.Marker = clampTicker{intTicker{}, 0, float64(rp.Neurons - 1)}
		p.Y.Label.Text = "neuron"
		if rp.NeuronLabels != nil {
			// The names say what the neurons are.
			p.Y.Tick.Marker = labelTicker{labels: rp.NeuronLabels, stride: stride}
			p.Y.Label.Text = ""
		}
		if stride > 1 {
			p.Y.Label.Text = strings.TrimSpace(p.Y.Label.Text + " (every " + ordinal(stride) + ")")
		}
		p.Add(&rasterMarks{panel: rp, stride: stride, ink: ink, hi: hi, pixel: pixel})
		plots[i] = p
	}

	label, note := st.legendLabel(), st.legendNote()
	entries := []legendEntry{{&rasterMarks{ink: ink}, 14, "spike", label}}
	for _, name := range markNames {
		entries = append(entries, legendEntry{&rasterMarks{ink: ink, hi: hi, thumbMarked: true}, 14, name, label})
	}
	entries = append(entries, legendEntry{nil, 0, "rate: spikes per neuron per time step", note})
	if maxStride > 1 {
		entries = append(entries, legendEntry{nil, 0,
			fmt.Sprintf("layers of over %d neurons: every k-th neuron drawn", RasterMaxNeurons), note})
	}
	dc := draw.New(img)
	body := draw.Crop(dc, 0, 0, 0, -drawHeader(dc, title, entries))
	grid := make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
		for c := range grid[r] {
			if i := r*cols + c; i < len(panels) {
				grid[r][c] = plots[i]
			}
		}
	}
	canvases := plot.Align(grid, draw.Tiles{
		Rows: rows, Cols: cols,
		PadTop: 4 + heads.height, PadBottom: 6, PadLeft: 6, PadRight: 12,
		PadX: 16, PadY: 12 + heads.height,
	}, body)
	for r, row := range grid {
		for c, p := range row {
			if p == nil {
				continue
			}
			rp := panels[r*cols+c]
			p.Draw(canvases[r][c])
			heads.draw(canvases[r][c], p.DataCanvas(canvases[r][c]), rasterTitle(rp), rp.Note)
		}
	}
	return writePNG(w, img)
}

// panelHeads draws the titles of raster panels, with a note under each
// where there is one, above the panels' tiles.
type panelHeads struct {
	title, note text.Style
	titleH      vg.Length // the title's line
	height      vg.Length // all of it: the space above a tile
}

// newPanelHeads returns the heads of panels, with room for a note if
// withNote.
func newPanelHeads(st styles, withNote bool) panelHeads {
	h := panelHeads{title: st.textStyle(11, true), note: st.textStyle(10, false)}
	h.note.Color = color.RGBA{0x3a, 0x44, 0x55, 0xff} // dark slate grey
	for _, s := range []*text.Style{&h.title, &h.note} {
		s.XAlign, s.YAlign = draw.XCenter, draw.YTop
	}
	h.titleH = h.title.Height("M") + 2
	h.height = h.titleH + 3
	if withNote {
		h.height += h.note.Height("M") + 3
	}
	return h
}

// draw writes title and note above tile c, centred over the data area
// of the panel (data) but kept within the tile; a line too long for the
// tile is set in a smaller font, down to 70% of its size.
func (h panelHeads) draw(c, data draw.Canvas, title, note string) {
	top := c.Max.Y + h.height
	line := func(s text.Style, txt string, y vg.Length) {
		if w, avail := s.Width(txt), c.Max.X-c.Min.X; w > avail {
			s.Font.Size *= max(0.7, avail/w)
		}
		x, half := (data.Min.X+data.Max.X)/2, s.Width(txt)/2
		x = max(min(x, c.Max.X-half), c.Min.X+half)
		c.FillText(s, vg.Point{X: x, Y: y}, txt)
	}
	line(h.title, title, top)
	if note != "" {
		line(h.note, note, top-h.titleH)
	}
}

// newHighlight returns the colours of a marked neuron: its spikes and the
// tint of its row.
func newHighlight() highlight {
	return highlight{
		mark: color.RGBA{0xd9, 0x48, 0x1c, 0xff},
		row:  color.RGBA{0xfc, 0xe3, 0xd6, 0xff},
	}
}

// highlight is the look of a marked neuron.
type highlight struct{ mark, row color.RGBA }

// labelTicker labels the y axis of a raster with the neurons' names: a
// tick at every drawn neuron (0, stride, …) with its name, where there
// are at most rasterAllLabels of them; else the ticks of intTicker with
// the names of the neurons at the labelled ones.
type labelTicker struct {
	labels []string
	stride int
}

// Ticks implements plot.Ticker.
func (t labelTicker) Ticks(lo, hi float64) []plot.Tick {
	n := len(t.labels)
	if (n+t.stride-1)/t.stride <= rasterAllLabels {
		var ts []plot.Tick
		for i := 0; i < n; i += t.stride {
			if v := float64(i); v >= lo && v <= hi {
				ts = append(ts, plot.Tick{Value: v, Label: t.labels[i]})
			}
		}
		return ts
	}
	ts := clampTicker{intTicker{}, 0, float64(n - 1)}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = t.labels[int(ts[i].Value)]
		}
	}
	return ts
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
// step are drawn as one box. A marked neuron's row is tinted and its
// marks drawn, never merged, in the highlight's colour, whether its
// index is a multiple of stride or not.
type rasterMarks struct {
	panel       RasterPanel
	stride      int
	ink         color.Color
	hi          highlight
	pixel       vg.Length // one pixel of the image, in points
	thumbMarked bool      // for Thumbnail: draw a marked neuron's mark
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
	mark := -1
	if rp.Marked {
		mark = rp.Mark
		y := trY(float64(mark))
		band := max(rowH, 3*m.pixel) / 2
		c.SetColor(m.hi.row)
		c.Fill(m.rect(c.Min.X, y-band, c.Max.X, y+band))
	}
	box := func(path *vg.Path, x, lo, hi vg.Length) { // centres of the first and last marks
		x0, x1 := m.snap(x-markW/2), m.snap(x+markW/2)
		y0, y1 := m.snap(lo-markH/2), m.snap(hi+markH/2)
		x1, y1 = max(x1, x0+m.pixel), max(y1, y0+m.pixel)
		path.Move(vg.Point{X: x0, Y: y0})
		path.Line(vg.Point{X: x1, Y: y0})
		path.Line(vg.Point{X: x1, Y: y1})
		path.Line(vg.Point{X: x0, Y: y1})
		path.Close()
	}
	var marked vg.Path
	for t := range rp.Steps {
		row := rp.Spikes[t*rp.Neurons : (t+1)*rp.Neurons]
		x := trX(float64(t))
		var path vg.Path
		for n := 0; n < rp.Neurons; n += m.stride {
			if row[n] == 0 || n == mark {
				continue
			}
			last := n
			if merge {
				for next := last + m.stride; next < rp.Neurons && next != mark && row[next] != 0; next += m.stride {
					last = next
				}
			}
			box(&path, x, trY(float64(n)), trY(float64(last)))
			n = last
		}
		if len(path) > 0 {
			c.SetColor(m.ink)
			c.Fill(path)
		}
		if mark >= 0 && row[mark] != 0 {
			box(&marked, x, trY(float64(mark)), trY(float64(mark)))
		}
	}
	if len(marked) > 0 {
		c.SetColor(m.hi.mark)
		c.Fill(marked)
	}
}

// rect returns the path of the rectangle from (x0, y0) to (x1, y1),
// its edges on the edges of pixels.
func (m *rasterMarks) rect(x0, y0, x1, y1 vg.Length) vg.Path {
	x0, y0, x1, y1 = m.snap(x0), m.snap(y0), m.snap(x1), m.snap(y1)
	var path vg.Path
	path.Move(vg.Point{X: x0, Y: y0})
	path.Line(vg.Point{X: x1, Y: y0})
	path.Line(vg.Point{X: x1, Y: y1})
	path.Line(vg.Point{X: x0, Y: y1})
	path.Close()
	return path
}

// snap rounds v to the nearest edge between pixels, so that marks are
// sharp (the image's pixels have their edges at the multiples of
// m.pixel from the origin of its canvas). Without a pixel size, v is
// left as it is.
func (m *rasterMarks) snap(v vg.Length) vg.Length {
	if m.pixel == 0 {
		return v
	}
	return vg.Length(math.Round(float64(v/m.pixel))) * m.pixel
}

// Thumbnail draws one mark, for a legend: a marked neuron's on its tinted
// row if m.thumbMarked.
func (m *rasterMarks) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	if m.thumbMarked {
		c.SetColor(m.hi.row)
		c.Fill(m.rect(c.Min.X-3, y-maxMarkH, c.Max.X+3, y+maxMarkH))
		c.SetColor(m.hi.mark)
	} else {
		c.SetColor(m.ink)
	}
	c.Fill(m.rect(c.Min.X, y-maxMarkH/2, c.Max.X, y+maxMarkH/2))
}
