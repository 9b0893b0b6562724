package viz

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"slices"
	"testing"
)

// markBoxes returns the bounding boxes of the connected regions of pixels
// of exactly the colour of a raster's spike marks in the PNG b, sorted by
// their top edge.
func markBoxes(t *testing.T, b []byte) []image.Rectangle {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	ink := newStyles().rasterMark
	r := img.Bounds()
	isInk := func(x, y int) bool {
		cr, cg, cb, _ := img.At(x, y).RGBA()
		return cr>>8 == uint32(ink.R) && cg>>8 == uint32(ink.G) && cb>>8 == uint32(ink.B)
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
