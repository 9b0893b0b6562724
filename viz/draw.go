package viz

import (
	"fmt"
	"image/color"
	"io"
	"math"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// styles are the line styles and fonts of a surrogate figure. Each figure
// makes its own (newStyles), so that nothing is shared between calls.
type styles struct {
	spike, primitive, deriv, connector, axis draw.LineStyle
	derivFill                                color.Color
	rasterMark                               color.RGBA // a spike in a raster
}

func newStyles() styles {
	return styles{
		spike: draw.LineStyle{Color: color.RGBA{0x1a, 0x1a, 0x1a, 0xff}, Width: 1.6},
		primitive: draw.LineStyle{
			Color:  color.RGBA{0x1f, 0x6f, 0xc5, 0xff},
			Width:  1.8,
			Dashes: []vg.Length{5, 2.5},
		},
		deriv:     draw.LineStyle{Color: color.RGBA{0xe0, 0x4a, 0x1f, 0xff}, Width: 2.6},
		derivFill: color.NRGBA{0xe0, 0x4a, 0x1f, 0x26},
		connector: draw.LineStyle{
			Color:  color.RGBA{0x1a, 0x1a, 0x1a, 0xff},
			Width:  0.9,
			Dashes: []vg.Length{1.5, 1.5},
		},
		axis:       draw.LineStyle{Color: color.Gray{0xc8}, Width: 0.7},
		rasterMark: color.RGBA{0x17, 0x2a, 0x6b, 0xff},
	}
}

// font returns Liberation Sans of the given size in points.
func (styles) font(size vg.Length, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return f
}

// textStyle returns a text style of the given font, left and bottom
// aligned.
func (st styles) textStyle(size vg.Length, bold bool) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    st.font(size, bold),
		Handler: plot.DefaultTextHandler,
	}
}

// xyPoint is a point in data coordinates.
type xyPoint struct{ x, y float64 }

// xyPoints is a polyline in data coordinates.
type xyPoints []xyPoint

// toCanvas maps pts to canvas coordinates of p drawn on c.
func (pts xyPoints) toCanvas(c *draw.Canvas, p *plot.Plot) []vg.Point {
	trX, trY := p.Transforms(c)
	out := make([]vg.Point, len(pts))
	for i, pt := range pts {
		out[i] = vg.Point{X: trX(pt.x), Y: trY(pt.y)}
	}
	return out
}

// lines is a plot.Plotter that strokes polylines in one style.
type lines struct {
	pieces []xyPoints
	style  draw.LineStyle
}

// Plot implements plot.Plotter.
func (l *lines) Plot(c draw.Canvas, p *plot.Plot) {
	for _, piece := range l.pieces {
		c.StrokeLines(l.style, c.ClipLinesXY(piece.toCanvas(&c, p))...)
	}
}

// Thumbnail draws a sample of the line across c, for a legend.
func (l *lines) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(l.style, c.Min.X, y, c.Max.X, y)
}

// area is a plot.Plotter that fills the region between a curve and y = 0.
type area struct {
	points xyPoints
	fill   color.Color
}

// Plot implements plot.Plotter.
func (a *area) Plot(c draw.Canvas, p *plot.Plot) {
	if len(a.points) == 0 {
		return
	}
	poly := make(xyPoints, 0, len(a.points)+2)
	poly = append(poly, xyPoint{a.points[0].x, 0})
	poly = append(poly, a.points...)
	poly = append(poly, xyPoint{a.points[len(a.points)-1].x, 0})
	c.FillPolygon(a.fill, c.ClipPolygonXY(poly.toCanvas(&c, p)))
}

// axisLines is a plot.Plotter that draws the lines x = 0 and y = 0.
type axisLines struct{ style draw.LineStyle }

// Plot implements plot.Plotter.
func (a *axisLines) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	if x := trX(0); c.ContainsX(x) {
		c.StrokeLine2(a.style, x, c.Min.Y, x, c.Max.Y)
	}
	if y := trY(0); c.ContainsY(y) {
		c.StrokeLine2(a.style, c.Min.X, y, c.Max.X, y)
	}
}

// jumpMarks is a plot.Plotter that marks the jumps of a step: a dotted
// vertical line between the two limits, a filled dot at the value taken
// and open dots at the limits not taken.
type jumpMarks struct {
	jumps     []jump
	connector draw.LineStyle
	radius    vg.Length
	stroke    color.Color
}

// Plot implements plot.Plotter.
func (m *jumpMarks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, j := range m.jumps {
		x := trX(j.x)
		lo, hi := min(j.left, j.right, j.at), max(j.left, j.right, j.at)
		// Leave a gap of the dots' radius at each end of the connector.
		y0, y1 := trY(lo)+m.radius, trY(hi)-m.radius
		if y1 > y0 {
			c.StrokeLine2(m.connector, x, y0, x, y1)
		}
		if j.left != j.at {
			m.open(&c, vg.Point{X: x, Y: trY(j.left)})
		}
		if j.right != j.at {
			m.open(&c, vg.Point{X: x, Y: trY(j.right)})
		}
		m.closed(&c, vg.Point{X: x, Y: trY(j.at)})
	}
}

// open draws an open dot (white inside) at pt.
func (m *jumpMarks) open(c *draw.Canvas, pt vg.Point) {
	var path vg.Path
	path.Move(vg.Point{X: pt.X + m.radius, Y: pt.Y})
	path.Arc(pt, m.radius, 0, 2*math.Pi)
	path.Close()
	c.SetColor(color.White)
	c.Fill(path)
	c.SetLineStyle(draw.LineStyle{Color: m.stroke, Width: 1.1})
	c.Stroke(path)
}

// closed draws a filled dot at pt.
func (m *jumpMarks) closed(c *draw.Canvas, pt vg.Point) {
	var path vg.Path
	path.Move(vg.Point{X: pt.X + m.radius, Y: pt.Y})
	path.Arc(pt, m.radius, 0, 2*math.Pi)
	path.Close()
	c.SetColor(m.stroke)
	c.Fill(path)
}

// Thumbnail draws a filled and an open dot, for a legend.
func (m *jumpMarks) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	m.closed(c, vg.Point{X: c.Min.X + m.radius + 1, Y: y})
	m.open(c, vg.Point{X: c.Max.X - m.radius - 1, Y: y})
}

// legendEntry is one entry of a figure's legend: a sample drawn by thumb
// (nil for text alone), thumbW wide, and its label.
type legendEntry struct {
	thumb  interface{ Thumbnail(*draw.Canvas) }
	thumbW vg.Length
	label  string
	style  text.Style
}

// drawHeader draws the figure's title and a legend that all panels share,
// centred at the top of c, and returns the height it took. The legend
// wraps onto more lines where c is too narrow for one. An empty title
// leaves out the title's line, and no entries leave out the legend.
func drawHeader(c draw.Canvas, title string, entries []legendEntry) vg.Length {
	st := newStyles()
	ts := st.textStyle(17, true)
	ts.XAlign = draw.XCenter
	ts.YAlign = draw.YTop
	c.FillText(ts, vg.Point{X: c.Center().X, Y: c.Max.Y - 8}, title)

	const (
		gap     = 5  // thumbnail to label
		sep     = 20 // entry to entry
		margin  = 10 // left and right of the legend
		rowH    = 17 // line height of the legend
		firstY  = 38 // from the top to the middle of the first line
		bottomH = 20 // below the middle of the last line
		titleH  = 36 // the title alone
	)
	if len(entries) == 0 {
		return titleH
	}
	top := vg.Length(0) // how far the legend moves up for want of a title
	if title == "" {
		top = 22
	}
	width := func(e legendEntry) vg.Length {
		w := e.style.Width(e.label)
		if e.thumb != nil {
			w += e.thumbW + gap
		}
		return w
	}
	// Fill lines greedily, then centre each.
	var rows [][]legendEntry
	var rowW []vg.Length
	avail := c.Max.X - c.Min.X - 2*margin
	for _, e := range entries {
		n := len(rows)
		if n > 0 && rowW[n-1]+sep+width(e) <= avail {
			rows[n-1] = append(rows[n-1], e)
			rowW[n-1] += sep + width(e)
			continue
		}
		rows = append(rows, []legendEntry{e})
		rowW = append(rowW, width(e))
	}
	for r, row := range rows {
		y := c.Max.Y - firstY + top - vg.Length(r)*rowH
		x := c.Center().X - rowW[r]/2
		for _, e := range row {
			if e.thumb != nil {
				tc := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
					Min: vg.Point{X: x, Y: y - 5},
					Max: vg.Point{X: x + e.thumbW, Y: y + 5},
				}}
				e.thumb.Thumbnail(&tc)
				x += e.thumbW + gap
			}
			c.FillText(e.style, vg.Point{X: x, Y: y}, e.label)
			x += e.style.Width(e.label) + sep
		}
	}
	return firstY - top + vg.Length(len(rows)-1)*rowH + bottomH
}

// legendLabel and legendNote are the text styles of a legend's labels and
// of its notes (text without a sample), vertically centred on the line.
func (st styles) legendLabel() text.Style {
	s := st.textStyle(11.5, false)
	s.YAlign = draw.YCenter
	return s
}

func (st styles) legendNote() text.Style {
	s := st.legendLabel()
	s.Color = color.Gray{0x55}
	return s
}

// styleAxes sets the fonts, ticks and axis lines of a panel.
func (st styles) styleAxes(p *plot.Plot) {
	p.Title.TextStyle.Font = st.font(12.5, true)
	p.Title.Padding = 5
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Tick.Label.Font = st.font(10, false)
		ax.Label.TextStyle.Font = st.font(11, false)
		ax.Tick.Length = 4
		ax.Padding = 3
		ax.LineStyle.Width = 0.8
		ax.Tick.LineStyle.Width = 0.8
	}
}

// figureSize returns width and height with 0 replaced by DefaultWidth and
// DefaultHeight, or an error if either is larger than MaxSide.
func figureSize(width, height int) (int, int, error) {
	if width == 0 {
		width = DefaultWidth
	}
	if height == 0 {
		height = DefaultHeight
	}
	if width > MaxSide || height > MaxSide {
		return 0, 0, fmt.Errorf("viz: a %dx%d image is too large: at most %d pixels a side", width, height, MaxSide)
	}
	return width, height, nil
}

// newImage returns a canvas of exactly width by height pixels, at a
// resolution (a whole number of dots per inch between minDPI and maxDPI)
// at which it measures at least wPt by hPt points where that range
// allows, and that resolution.
func newImage(width, height int, wPt, hPt vg.Length) (*vgimg.Canvas, int) {
	dpi := min(72*float64(width)/float64(wPt), 72*float64(height)/float64(hPt))
	idpi := max(minDPI, min(maxDPI, int(dpi)))
	cw := vg.Length(float64(width) * 72 / float64(idpi))
	ch := vg.Length(float64(height) * 72 / float64(idpi))
	return vgimg.NewWith(vgimg.UseWH(cw, ch), vgimg.UseDPI(idpi)), idpi
}

// writePNG encodes img as PNG to w.
func writePNG(w io.Writer, img *vgimg.Canvas) error {
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(w); err != nil {
		return fmt.Errorf("viz: writing PNG: %w", err)
	}
	return nil
}

// drawGrid draws panels on c in rows of cols, aligning their axes, with
// the padding of tiles (whose Rows and Cols it sets). Cells past the last
// panel stay empty.
func drawGrid(c draw.Canvas, panels []*plot.Plot, cols int, tiles draw.Tiles) {
	rows := (len(panels) + cols - 1) / cols
	tiles.Rows, tiles.Cols = rows, cols
	grid := make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
		for col := range grid[r] {
			if i := r*cols + col; i < len(panels) {
				grid[r][col] = panels[i]
			}
		}
	}
	canvases := plot.Align(grid, tiles, c)
	for r, row := range grid {
		for col, p := range row {
			if p != nil {
				p.Draw(canvases[r][col])
			}
		}
	}
}
