package viz

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// GridImage is one small image of an ImageGrid: Rows×Cols values in
// row-major order, and a caption drawn under it (may be empty).
type GridImage struct {
	Pixels     []float32
	Rows, Cols int
	Caption    string
}

// ImageGrid draws images (learned filters, receptive fields) side by side
// in rows of cols (0: about square), each in a diverging colour map
// scaled to its own largest magnitude: blue negative, white 0, red
// positive. A width or height of 0 means DefaultWidth or DefaultHeight.
// No images, an image whose Pixels do not hold Rows×Cols values, or an
// image larger than MaxSide is an error.
func ImageGrid(w io.Writer, title string, images []GridImage, cols, width, height int) error {
	if len(images) == 0 {
		return fmt.Errorf("viz: no images to draw")
	}
	for i, im := range images {
		if im.Rows < 1 || im.Cols < 1 || len(im.Pixels) != im.Rows*im.Cols {
			return fmt.Errorf("viz: image %d has %d pixels for %d×%d", i, len(im.Pixels), im.Rows, im.Cols)
		}
	}
	if cols <= 0 {
		cols = int(math.Ceil(math.Sqrt(float64(len(images)))))
	}
	rows := (len(images) + cols - 1) / cols
	width, height, err := figureSize(width, height)
	if err != nil {
		return err
	}
	img, _ := newImage(width, height, vg.Length(cols*90), vg.Length(rows*100+50))
	dc := draw.New(img)
	st := newStyles()
	note := st.legendNote()
	body := draw.Crop(dc, 10, -10, 10, -drawHeader(dc, title, []legendEntry{
		{nil, 0, "blue < 0 < red, each image scaled to its largest |value|", note},
	}))
	cellW := (body.Max.X - body.Min.X) / vg.Length(cols)
	cellH := (body.Max.Y - body.Min.Y) / vg.Length(rows)
	capStyle := st.textStyle(9, false)
	capStyle.XAlign = draw.XCenter
	capStyle.YAlign = draw.YTop
	for i, im := range images {
		r, c := i/cols, i%cols
		x0 := body.Min.X + vg.Length(c)*cellW
		yTop := body.Max.Y - vg.Length(r)*cellH
		capH := vg.Length(0)
		if im.Caption != "" {
			capH = 13
		}
		side := min(cellW-8, cellH-8-capH)
		px := min(side/vg.Length(im.Cols), side/vg.Length(im.Rows))
		iw, ih := px*vg.Length(im.Cols), px*vg.Length(im.Rows)
		left := x0 + (cellW-iw)/2
		top := yTop - 4
		var scale float64
		for _, v := range im.Pixels {
			scale = max(scale, math.Abs(float64(v)))
		}
		for y := 0; y < im.Rows; y++ {
			for x := 0; x < im.Cols; x++ {
				v := float64(im.Pixels[y*im.Cols+x])
				if scale > 0 {
					v /= scale
				}
				fillRect(dc, diverging(v), left+vg.Length(x)*px, top-vg.Length(y+1)*px, px, px)
			}
		}
		dc.StrokeLines(draw.LineStyle{Color: color.Gray{0x99}, Width: 0.5}, []vg.Point{
			{X: left, Y: top}, {X: left + iw, Y: top}, {X: left + iw, Y: top - ih}, {X: left, Y: top - ih}, {X: left, Y: top},
		})
		if im.Caption != "" {
			dc.FillText(capStyle, vg.Point{X: x0 + cellW/2, Y: top - ih - 2}, im.Caption)
		}
	}
	return writePNG(w, img)
}

// fillRect fills a w×h rectangle with its lower left corner at (x, y),
// slightly enlarged so that neighbouring cells leave no seam.
func fillRect(c draw.Canvas, col color.Color, x, y, w, h vg.Length) {
	const e = 0.15
	c.FillPolygon(col, []vg.Point{{X: x - e, Y: y - e}, {X: x + w + e, Y: y - e}, {X: x + w + e, Y: y + h + e}, {X: x - e, Y: y + h + e}})
}

// diverging maps v in [-1, 1] to blue (-1), white (0) and red (1).
func diverging(v float64) color.Color {
	v = max(-1, min(1, v))
	lerp := func(a, b uint8, t float64) uint8 { return uint8(float64(a) + (float64(b)-float64(a))*t + 0.5) }
	if v >= 0 {
		return color.RGBA{lerp(0xff, 0xb2, v), lerp(0xff, 0x18, v), lerp(0xff, 0x2b, v), 0xff}
	}
	return color.RGBA{lerp(0xff, 0x21, -v), lerp(0xff, 0x66, -v), lerp(0xff, 0xac, -v), 0xff}
}

// ConfusionMatrix draws counts[true][predicted] as a grid whose cells are
// shaded by the fraction of their row (the recall of each class on the
// diagonal) and show it in percent, with the overall accuracy in the
// title. labels names the classes (nil: their indices). A non-square
// matrix, labels of the wrong length or an empty matrix is an error.
func ConfusionMatrix(w io.Writer, title string, counts [][]int, labels []string, width, height int) error {
	n := len(counts)
	if n == 0 {
		return fmt.Errorf("viz: empty confusion matrix")
	}
	for i, row := range counts {
		if len(row) != n {
			return fmt.Errorf("viz: confusion matrix row %d has %d columns, want %d", i, len(row), n)
		}
	}
	if labels == nil {
		for i := 0; i < n; i++ {
			labels = append(labels, fmt.Sprint(i))
		}
	}
	if len(labels) != n {
		return fmt.Errorf("viz: %d labels for %d classes", len(labels), n)
	}
	width, height, err := figureSize(width, height)
	if err != nil {
		return err
	}
	var total, correct int
	for i, row := range counts {
		for j, v := range row {
			total += v
			if i == j {
				correct += v
			}
		}
	}
	if total > 0 {
		title = fmt.Sprintf("%s (accuracy %.2f%%)", title, 100*float64(correct)/float64(total))
	}
	img, _ := newImage(width, height, 560, 560)
	dc := draw.New(img)
	st := newStyles()
	body := draw.Crop(dc, 0, 0, 0, -drawHeader(dc, title, []legendEntry{
		{nil, 0, "rows: true class, columns: predicted; percent of the row", st.legendNote()},
	}))
	const margin = 90
	side := min(body.Max.X-body.Min.X-margin-20, body.Max.Y-body.Min.Y-margin)
	cell := side / vg.Length(n)
	left := body.Min.X + margin
	top := body.Max.Y - 10
	num := st.textStyle(min(10, cell/3.2), false)
	num.XAlign, num.YAlign = draw.XCenter, draw.YCenter
	lab := st.textStyle(10, false)
	lab.YAlign = draw.YCenter
	lab.XAlign = draw.XRight
	for i, row := range counts {
		var rs int
		for _, v := range row {
			rs += v
		}
		for j, v := range row {
			f := 0.0
			if rs > 0 {
				f = float64(v) / float64(rs)
			}
			x, y := left+vg.Length(j)*cell, top-vg.Length(i+1)*cell
			fillRect(dc, sequential(f), x, y, cell, cell)
			if v > 0 {
				num.Color = color.Black
				if f > 0.55 {
					num.Color = color.White
				}
				dc.FillText(num, vg.Point{X: x + cell/2, Y: y + cell/2}, fmt.Sprintf("%.0f", 100*f))
			}
		}
		dc.FillText(lab, vg.Point{X: left - 5, Y: top - (vg.Length(i)+0.5)*cell}, labels[i])
	}
	colLab := st.textStyle(10, false)
	colLab.XAlign, colLab.YAlign = draw.XCenter, draw.YTop
	colLab.Rotation = -math.Pi / 4
	for j := range labels {
		dc.FillText(colLab, vg.Point{X: left + (vg.Length(j)+0.5)*cell, Y: top - vg.Length(n)*cell - 6}, labels[j])
	}
	return writePNG(w, img)
}

// sequential maps f in [0, 1] to white (0) through dark blue (1).
func sequential(f float64) color.Color {
	f = max(0, min(1, f))
	lerp := func(a, b uint8) uint8 { return uint8(float64(a) + (float64(b)-float64(a))*f + 0.5) }
	return color.RGBA{lerp(0xf7, 0x08), lerp(0xfb, 0x30), lerp(0xff, 0x6b), 0xff}
}

// LabelCounts draws a bar chart of how many neurons carry each label
// (the voting readout's assignment), with an extra bar for neurons
// without a label when unlabelled > 0. labels names the classes (nil:
// their indices).
func LabelCounts(w io.Writer, title string, counts []int, unlabelled int, labels []string, width, height int) error {
	if len(counts) == 0 {
		return fmt.Errorf("viz: no label counts")
	}
	if labels == nil {
		for i := range counts {
			labels = append(labels, fmt.Sprint(i))
		}
	}
	if len(labels) != len(counts) {
		return fmt.Errorf("viz: %d labels for %d counts", len(labels), len(counts))
	}
	width, height, err := figureSize(width, height)
	if err != nil {
		return err
	}
	vals := make(plotter.Values, len(counts))
	names := append([]string(nil), labels...)
	for i, c := range counts {
		vals[i] = float64(c)
	}
	if unlabelled > 0 {
		vals = append(vals, float64(unlabelled))
		names = append(names, "none")
	}
	st := newStyles()
	p := plot.New()
	st.styleAxes(p)
	p.Y.Label.Text = "neurons"
	bars, err := plotter.NewBarChart(vals, vg.Points(22))
	if err != nil {
		return fmt.Errorf("viz: %w", err)
	}
	bars.Color = color.RGBA{0x1f, 0x6f, 0xc5, 0xff}
	bars.LineStyle.Width = 0
	p.Add(bars)
	p.NominalX(names...)
	var top float64
	for _, v := range vals {
		top = max(top, v)
	}
	p.X.Min, p.X.Max = -0.6, float64(len(vals))-0.4
	p.Y.Min, p.Y.Max = 0, max(1, 1.1*top)
	p.Y.Tick.Marker = intTicker{}
	img, _ := newImage(width, height, 600, 400)
	dc := draw.New(img)
	body := draw.Crop(dc, 6, -12, 6, -drawHeader(dc, title, nil))
	p.Draw(body)
	return writePNG(w, img)
}
