package viz

import (
	"image/color"
	"math"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// styles are the line styles and fonts of a surrogate figure. Each figure
// makes its own (newStyles), so that nothing is shared between calls.
type styles struct {
	spike, primitive, deriv, connector, axis draw.LineStyle
	derivFill                                color.Color
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
		axis: draw.LineStyle{Color: color.Gray{0xc8}, Width: 0.7},
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

// drawHeader draws the figure's title and the legend that all panels
// share, centred at the top of c, and returns the height it took. The
// legend wraps onto more lines where c is too narrow for one.
func drawHeader(c draw.Canvas, alpha float32) vg.Length {
	st := newStyles()
	title := st.textStyle(17, true)
	title.XAlign = draw.XCenter
	title.YAlign = draw.YTop
	c.FillText(title, vg.Point{X: c.Center().X, Y: c.Max.Y - 8}, "Surrogate spike functions")

	label := st.textStyle(11.5, false)
	label.YAlign = draw.YCenter
	note := label
	note.Color = color.Gray{0x55}
	sub := "α: each function's BrainCog default"
	if alpha != 0 {
		sub = "α = " + formatAlpha(alpha) + " for every function that uses it"
	}
	type entry struct {
		thumb  interface{ Thumbnail(*draw.Canvas) } // nil: text alone
		thumbW vg.Length
		label  string
		style  text.Style
	}
	entries := []entry{
		{&lines{style: st.spike}, 24, "spike S(x), forward", label},
		{&jumpMarks{radius: 2.8, stroke: st.spike.Color}, 18, "value at a jump / limit not taken", label},
		{&lines{style: st.primitive}, 24, "primitive g(x)", label},
		{&lines{style: st.deriv}, 24, "surrogate gradient g′(x), backward", label},
		{nil, 0, sub, note},
	}
	const (
		gap     = 5  // thumbnail to label
		sep     = 20 // entry to entry
		margin  = 10 // left and right of the legend
		rowH    = 17 // line height of the legend
		firstY  = 38 // from the top to the middle of the first line
		bottomH = 20 // below the middle of the last line
	)
	width := func(e entry) vg.Length {
		w := e.style.Width(e.label)
		if e.thumb != nil {
			w += e.thumbW + gap
		}
		return w
	}
	// Fill lines greedily, then centre each.
	var rows [][]entry
	var rowW []vg.Length
	avail := c.Max.X - c.Min.X - 2*margin
	for _, e := range entries {
		n := len(rows)
		if n > 0 && rowW[n-1]+sep+width(e) <= avail {
			rows[n-1] = append(rows[n-1], e)
			rowW[n-1] += sep + width(e)
			continue
		}
		rows = append(rows, []entry{e})
		rowW = append(rowW, width(e))
	}
	for r, row := range rows {
		y := c.Max.Y - firstY - vg.Length(r)*rowH
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
	return firstY + vg.Length(len(rows)-1)*rowH + bottomH
}
