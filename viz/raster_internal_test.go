package viz

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"slices"
	"strconv"
	"testing"
)

// markBoxes returns the bounding boxes of the connected regions of pixels
// of exactly the colour of a raster's spike marks in the PNG b, sorted by
// their top edge.
func markBoxes(t *testing.T, b []byte) []image.Rectangle {
	t.Helper()
	return colourBoxes(t, b, newStyles().rasterMark)
}

// colourBoxes returns the bounding boxes of the connected regions of
// pixels of exactly colour c (its alpha ignored) in the PNG b, sorted by
// their top edge.
func colourBoxes(t *testing.T, b []byte, c color.RGBA) []image.Rectangle {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	r := img.Bounds()
	isInk := func(x, y int) bool {
		cr, cg, cb, _ := img.At(x, y).RGBA()
		return cr>>8 == uint32(c.R) && cg>>8 == uint32(c.G) && cb>>8 == uint32(c.B)
	}
	seen := make([]bool, r.Dx()*r.Dy())
	var boxes []image.Rectangle
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if seen[(y-r.Min.Y)*r.Dx()+x-r.Min.X] || !isInk(x, y) {
				continue
			}
			box := image.Rect(x, y, x+1, y+1)
			stack := []image.Point{{x, y}}
			seen[(y-r.Min.Y)*r.Dx()+x-r.Min.X] = true
			for len(stack) > 0 {
				p := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				box = box.Union(image.Rect(p.X, p.Y, p.X+1, p.Y+1))
				for _, d := range []image.Point{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
					q := p.Add(d)
					if q.In(r) && !seen[(q.Y-r.Min.Y)*r.Dx()+q.X-r.Min.X] && isInk(q.X, q.Y) {
						seen[(q.Y-r.Min.Y)*r.Dx()+q.X-r.Min.X] = true
						stack = append(stack, q)
					}
				}
			}
			boxes = append(boxes, box)
		}
	}
	slices.SortFunc(boxes, func(a, b image.Rectangle) int { return a.Min.Y - b.Min.Y })
	return boxes
}

// TestSpikeRasterMarks checks the marks of known spikes: one per spike, at
// its step and neuron, and none for a silent layer. The first region of
// the spikes' colour, at the top, is the legend's sample.
func TestSpikeRasterMarks(t *testing.T) {
	const steps, neurons = 4, 6
	draw := func(spikes []float32) []image.Rectangle {
		var buf bytes.Buffer
		if err := SpikeRaster(&buf, "marks", []RasterPanel{{Title: "l", Steps: steps, Neurons: neurons, Spikes: spikes}}, 1, 500, 400); err != nil {
			t.Fatal(err)
		}
		return markBoxes(t, buf.Bytes())
	}
	silent := draw(make([]float32, steps*neurons))
	if len(silent) != 1 {
		t.Fatalf("silent layer: %d regions of the spikes' colour, want 1 (the legend's)", len(silent))
	}
	legend := silent[0]

	// Spikes at (t, n) = (0, 0), (1, 2), (2, 4), (3, 5).
	spikes := make([]float32, steps*neurons)
	at := [][2]int{{0, 0}, {1, 2}, {2, 4}, {3, 5}}
	for _, s := range at {
		spikes[s[0]*neurons+s[1]] = 1
	}
	spikes[1*neurons+2] = -0.5 // any value other than 0 is a spike
	boxes := draw(spikes)
	if len(boxes) != len(at)+1 || boxes[0] != legend {
		t.Fatalf("regions %v: want the legend's %v and %d marks", boxes, legend, len(at))
	}
	marks := boxes[1:]
	// Sorted by top edge, the marks come from the highest neuron down,
	// and so from the last step back.
	slices.Reverse(marks)
	for i := 1; i < len(marks); i++ {
		if !(marks[i].Min.X > marks[i-1].Max.X) {
			t.Errorf("mark %v of step %d is not right of mark %v of step %d", marks[i], at[i][0], marks[i-1], at[i-1][0])
		}
		if !(marks[i].Max.Y < marks[i-1].Min.Y) {
			t.Errorf("mark %v of neuron %d is not above mark %v of neuron %d", marks[i], at[i][1], marks[i-1], at[i-1][1])
		}
	}
	// Neurons are evenly spaced: 2 apart from (0, 0) to (2, 4) as from
	// (1, 2) to (2, 4), within a pixel.
	cy := func(r image.Rectangle) float64 { return float64(r.Min.Y+r.Max.Y) / 2 }
	if d1, d2 := cy(marks[0])-cy(marks[1]), cy(marks[1])-cy(marks[2]); math.Abs(d1-d2) > 1 {
		t.Errorf("neurons 0, 2, 4 at heights %v, %v, %v: not evenly spaced", cy(marks[0]), cy(marks[1]), cy(marks[2]))
	}
}

// TestSpikeRasterSubsample checks that of a layer of more than
// RasterMaxNeurons neurons only every k-th neuron is drawn.
func TestSpikeRasterSubsample(t *testing.T) {
	const steps, neurons = 3, 1000 // stride 3: neurons 0, 3, …, 999
	spikes := make([]float32, steps*neurons)
	spikes[0*neurons+1] = 1   // not drawn
	spikes[1*neurons+999] = 1 // drawn
	spikes[2*neurons+500] = 1 // not drawn
	var buf bytes.Buffer
	if err := SpikeRaster(&buf, "", []RasterPanel{{Title: "big", Steps: steps, Neurons: neurons, Spikes: spikes}}, 1, 500, 400); err != nil {
		t.Fatal(err)
	}
	if boxes := markBoxes(t, buf.Bytes()); len(boxes) != 2 {
		t.Errorf("regions %v: want the legend's and one mark", boxes)
	}
}

func TestRasterTitle(t *testing.T) {
	for _, tc := range []struct {
		title  string
		spikes []float32
		want   string
	}{
		{"lif1, image 0", []float32{1, 0, 0, 0, 0, 0, 0, 0}, "lif1, image 0 (rate 0.12)"},
		{"", []float32{0, 0}, "rate 0"},
		{"x", []float32{1, 2}, "x (rate 1)"},
		{"x", []float32{1, 0}, "x (rate 0.50)"},
		{"x", append([]float32{1}, make([]float32, 299)...), "x (rate 0.0033)"},
	} {
		rp := RasterPanel{Title: tc.title, Steps: 1, Neurons: len(tc.spikes), Spikes: tc.spikes}
		if got := rasterTitle(rp); got != tc.want {
			t.Errorf("rasterTitle(%q, %v…) = %q, want %q", tc.title, tc.spikes[:min(3, len(tc.spikes))], got, tc.want)
		}
	}
}

func TestOrdinal(t *testing.T) {
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 63: "63rd", 112: "112th", 122: "122nd"} {
		if got := ordinal(n); got != want {
			t.Errorf("ordinal(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestIntTicker(t *testing.T) {
	for _, r := range [][2]float64{{0.65, 1.35}, {0.65, 3.35}, {-0.5, 3.5}, {-0.16, 30.16}, {-0.5, 499.5}, {-31.5, 25087}, {-1.5, 1e6}} {
		var labels []float64
		for _, tk := range (intTicker{}).Ticks(r[0], r[1]) {
			if tk.Value < r[0] || tk.Value > r[1] || tk.Value != math.Trunc(tk.Value) || math.Signbit(tk.Value) && tk.Value == 0 {
				t.Errorf("range %v: tick %v", r, tk.Value)
			}
			if tk.Label != "" {
				labels = append(labels, tk.Value)
			}
		}
		if len(labels) < 1 || len(labels) > 9 {
			t.Errorf("range %v: labels at %v", r, labels)
		}
	}
}

func TestNiceTicker(t *testing.T) {
	for _, r := range [][2]float64{{0.074, 0.438}, {86.6, 98.1}, {0, 1}, {0.36, 0.46}, {-0.3, 1.9}, {1e-5, 3e-5}} {
		ticks := (niceTicker{}).Ticks(r[0], r[1])
		if len(ticks) < 3 || len(ticks) > 7 {
			t.Errorf("range %v: %d ticks", r, len(ticks))
		}
		for _, tk := range ticks {
			if tk.Value < r[0] || tk.Value > r[1] || tk.Label == "" {
				t.Errorf("range %v: tick %v labelled %q", r, tk.Value, tk.Label)
			}
		}
	}
}

func TestPaddedRange(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		pts    xyPoints
		lo, hi float64
	}{
		{xyPoints{{1, 0.5}}, 0.475, 0.525},           // one value: the least span
		{xyPoints{{1, 0}, {2, 1}}, -0.08, 1.08},      // 8% each side
		{xyPoints{{1, nan}, {2, math.Inf(1)}}, 0, 1}, // nothing finite
		{xyPoints{{1, 2}, {2, nan}, {3, 4}}, 1.84, 4.16},
	} {
		lo, hi := paddedRange(0.08, 0.05, tc.pts)
		if math.Abs(lo-tc.lo) > 1e-12 || math.Abs(hi-tc.hi) > 1e-12 {
			t.Errorf("paddedRange(%v) = %v, %v, want %v, %v", tc.pts, lo, hi, tc.lo, tc.hi)
		}
	}
}

// classNames are ten neuron labels of the lengths of Fashion-MNIST's.
var classNames = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// TestSpikeRasterHighlight checks the marked neuron of a panel: its
// spikes, and only its, are drawn in the highlight's colour, on a tinted
// row that spans the panel at its height; the zero value of RasterPanel
// marks nothing.
func TestSpikeRasterHighlight(t *testing.T) {
	const steps, neurons = 4, 10
	// Spikes at (t, n) = (0, 3), (1, 3), (3, 3), (2, 5), (2, 1).
	spikes := make([]float32, steps*neurons)
	for _, s := range [][2]int{{0, 3}, {1, 3}, {3, 3}, {2, 5}, {2, 1}} {
		spikes[s[0]*neurons+s[1]] = 1
	}
	hi := newHighlight()
	for _, tc := range []struct {
		name   string
		panel  RasterPanel
		marked int // -1: none
	}{
		{"zero value", RasterPanel{}, -1},
		{"mark 0 unmarked", RasterPanel{Mark: 0}, -1},
		{"marked 3", RasterPanel{Marked: true, Mark: 3, MarkName: "predicted class"}, 3},
		{"marked 3 with labels", RasterPanel{Marked: true, Mark: 3, NeuronLabels: classNames}, 3},
		{"marked silent neuron", RasterPanel{Marked: true, Mark: 0, Note: "predicted T-shirt/top"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rp := tc.panel
			rp.Title, rp.Steps, rp.Neurons, rp.Spikes = "out", steps, neurons, spikes
			var buf bytes.Buffer
			if err := SpikeRaster(&buf, "highlight", []RasterPanel{rp}, 1, 600, 500); err != nil {
				t.Fatal(err)
			}
			plain := markBoxes(t, buf.Bytes())
			marks := colourBoxes(t, buf.Bytes(), hi.mark)
			rows := colourBoxes(t, buf.Bytes(), hi.row)
			if tc.marked < 0 {
				if len(marks) != 0 || len(rows) != 0 {
					t.Fatalf("nothing marked, but %d regions of the highlight's colour and %d of its tint", len(marks), len(rows))
				}
				if len(plain) != 1+5 {
					t.Errorf("%d regions of the spikes' colour, want the legend's and 5 marks", len(plain))
				}
				return
			}
			// The legend shows the marked neuron's sample: one region of
			// each colour above the panel's.
			if len(rows) != 2 {
				t.Fatalf("%d tinted regions %v, want the legend's and the marked row", len(rows), rows)
			}
			row := rows[1]
			own := 3 // the marked neuron's spikes
			if tc.marked != 3 {
				own = 0
			}
			if len(marks) != 1+own {
				t.Fatalf("%d regions of the highlight's colour %v, want the legend's and %d marks", len(marks), marks, own)
			}
			if len(plain) != 1+5-own {
				t.Errorf("%d regions of the spikes' colour, want the legend's and %d marks", len(plain), 5-own)
			}
			for _, m := range marks[1:] {
				if cy := (m.Min.Y + m.Max.Y) / 2; cy < row.Min.Y || cy >= row.Max.Y || m.Min.X < row.Min.X || m.Max.X > row.Max.X {
					t.Errorf("highlighted mark %v is not on the tinted row %v", m, row)
				}
			}
			// The row spans the panel's width, and its height is that of
			// one neuron: the other marks lie above or below it.
			if len(plain) > 1 {
				panelW := plain[len(plain)-1].Max.X - plain[1].Min.X // steps 0 (or 2) to 3 at least
				if row.Dx() < panelW {
					t.Errorf("tinted row %v narrower than the marks' span %d", row, panelW)
				}
			}
			for _, m := range plain[1:] {
				if m.Overlaps(row) {
					t.Errorf("mark %v of another neuron lies on the tinted row %v", m, row)
				}
			}
		})
	}
}

// TestSpikeRasterHighlightSubsampled checks that a marked neuron is drawn
// in a subsampled layer even where its index is not one drawn.
func TestSpikeRasterHighlightSubsampled(t *testing.T) {
	const steps, neurons = 2, 1000 // stride 3
	spikes := make([]float32, steps*neurons)
	spikes[1*neurons+500] = 1 // 500 is not a multiple of 3
	spikes[0*neurons+501] = 1
	var buf bytes.Buffer
	rp := RasterPanel{Title: "big", Steps: steps, Neurons: neurons, Spikes: spikes, Marked: true, Mark: 500}
	if err := SpikeRaster(&buf, "", []RasterPanel{rp}, 1, 500, 400); err != nil {
		t.Fatal(err)
	}
	if marks := colourBoxes(t, buf.Bytes(), newHighlight().mark); len(marks) != 2 {
		t.Errorf("%d regions of the highlight's colour, want the legend's and one mark", len(marks))
	}
	if plain := markBoxes(t, buf.Bytes()); len(plain) != 2 {
		t.Errorf("%d regions of the spikes' colour, want the legend's and one mark (neuron 501)", len(plain))
	}
}

// TestSpikeRasterLabelsAndNote checks that neuron names take the place of
// the indices on the y axis (the axis widens to hold "Ankle boot", so the
// panel starts further right), and that a note is written (in its own
// colour, which no other text uses).
func TestSpikeRasterLabelsAndNote(t *testing.T) {
	const steps, neurons = 4, 10
	spikes := make([]float32, steps*neurons)
	spikes[0] = 1 // step 0, neuron 0: the leftmost mark
	noteInk := newPanelHeads(newStyles(), true).note.Color.(color.RGBA)
	draw := func(rp RasterPanel) []byte {
		rp.Title, rp.Steps, rp.Neurons, rp.Spikes = "out", steps, neurons, spikes
		var buf bytes.Buffer
		if err := SpikeRaster(&buf, "labels", []RasterPanel{rp}, 1, 600, 500); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	left := func(b []byte) int {
		boxes := markBoxes(t, b)
		if len(boxes) != 2 {
			t.Fatalf("%d regions of the spikes' colour, want the legend's and one mark", len(boxes))
		}
		return boxes[1].Min.X
	}
	indices, names := draw(RasterPanel{}), draw(RasterPanel{NeuronLabels: classNames})
	if l0, l1 := left(indices), left(names); !(l1 > l0+20) {
		t.Errorf("the first mark is at x = %d with names on the y axis, %d with indices: the names did not widen the axis", l1, l0)
	}
	if n := len(colourBoxes(t, names, noteInk)); n != 0 {
		t.Errorf("no note, but %d regions of the note's colour", n)
	}
	noted := draw(RasterPanel{NeuronLabels: classNames, Note: "predicted Trouser, label Trouser"})
	if n := len(colourBoxes(t, noted, noteInk)); n < 10 {
		t.Errorf("a note of 26 letters, but %d regions of the note's colour", n)
	}
}

func TestLabelTicker(t *testing.T) {
	t.Run("all", func(t *testing.T) {
		ticks := labelTicker{labels: classNames, stride: 1}.Ticks(-0.5, 9.5)
		if len(ticks) != 10 {
			t.Fatalf("%d ticks, want 10", len(ticks))
		}
		for i, tk := range ticks {
			if tk.Value != float64(i) || tk.Label != classNames[i] {
				t.Errorf("tick %d: %v %q, want %d %q", i, tk.Value, tk.Label, i, classNames[i])
			}
		}
	})
	t.Run("many", func(t *testing.T) {
		labels := make([]string, 1000)
		for i := range labels {
			labels[i] = "n" + strconv.Itoa(i)
		}
		var named int
		for _, tk := range (labelTicker{labels: labels, stride: 3}).Ticks(-1.5, 1000.5) {
			if tk.Label == "" {
				continue
			}
			named++
			if tk.Label != "n"+strconv.FormatFloat(tk.Value, 'f', -1, 64) {
				t.Errorf("tick at %v labelled %q", tk.Value, tk.Label)
			}
		}
		if named < 2 || named > 9 {
			t.Errorf("%d named ticks of 1000 neurons, want 2 to 9", named)
		}
	})
}
