package viz

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"slices"
	"testing"
)

// pixelsOf returns the pixels of exactly colour c (alpha ignored) in the
// PNG b, within r.
func pixelsOf(t *testing.T, b []byte, c color.RGBA, r image.Rectangle) []image.Point {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var out []image.Point
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if cr>>8 == uint32(c.R) && cg>>8 == uint32(c.G) && cb>>8 == uint32(c.B) {
				out = append(out, image.Point{x, y})
			}
		}
	}
	return out
}

// TestTrainingCurvesPositions checks where TrainingCurves puts windows and
// epochs on the x axis of the loss panel: windows at 0, 0.5 and 1 evenly
// spaced (the one at 0.5, the highest, halfway between the others), and
// the marker of epoch 1 at the window at 1, the end of the first epoch.
func TestTrainingCurvesPositions(t *testing.T) {
	const width, height = 1000, 1000
	epochs := []EpochPoint{{Epoch: 1, TrainLoss: 3, TrainAcc: 0.5, TestAcc: 0.5}}
	windows := []WindowPoint{{0, 1, 0.4}, {0.5, 2, 0.5}, {1, 1, 0.6}}
	var buf bytes.Buffer
	if err := TrainingCurves(&buf, epochs, windows, width, height); err != nil {
		t.Fatal(err)
	}
	// The loss panel, below the title and legend.
	loss := image.Rect(0, height/8, width/2, height)
	train, _ := newSeriesStyles(1)
	win := newWindowStyle(len(windows))
	wp := pixelsOf(t, buf.Bytes(), win.line.Color.(color.RGBA), loss)
	if len(wp) < 100 {
		t.Fatalf("%d pixels of the windows' colour in the loss panel", len(wp))
	}
	lo, hi, top := wp[0], wp[0], wp[0]
	for _, p := range wp {
		if p.X < lo.X {
			lo = p
		}
		if p.X > hi.X {
			hi = p
		}
		if p.Y < top.Y {
			top = p
		}
	}
	if mid := float64(lo.X+hi.X) / 2; math.Abs(float64(top.X)-mid) > 2 {
		t.Errorf("the window at 0.5 peaks at x = %d, not halfway between the windows at 0 and 1 (x from %d to %d)", top.X, lo.X, hi.X)
	}
	mp := pixelsOf(t, buf.Bytes(), train.glyph.Color.(color.RGBA), loss)
	if len(mp) < 10 {
		t.Fatalf("%d pixels of the epoch marker's colour in the loss panel", len(mp))
	}
	var cx float64
	for _, p := range mp {
		cx += float64(p.X)
	}
	cx /= float64(len(mp))
	// The window at 1 ends its dot's radius (under 4 pixels here) right
	// of x(1).
	if !(cx > float64(hi.X)-6 && cx <= float64(hi.X)) {
		t.Errorf("the marker of epoch 1 is centred at x = %.1f, not at the window at 1 (whose dot ends at x = %d)", cx, hi.X)
	}
	t.Logf("windows x %d..%d peak %d (y %d); marker x %.1f", lo.X, hi.X, top.X, top.Y, cx)
}

func TestThinWindows(t *testing.T) {
	nan := math.NaN()
	few := make([]WindowPoint, WindowMaxPoints)
	for i := range few {
		few[i] = WindowPoint{Epoch: float64(i+1) / 20, Loss: float64(i), Acc: 0.5}
	}
	if got := thinWindows(few); len(got) != len(few) || &got[0] != &few[0] {
		t.Errorf("%d windows thinned to %d: want them as they are", len(few), len(got))
	}

	// 1000 windows: runs of 3 (ceil(1000/400)), the last a single window.
	many := make([]WindowPoint, 1000)
	for i := range many {
		many[i] = WindowPoint{Epoch: float64(i+1) / 20, Loss: float64(i), Acc: float64(i) / 1000}
	}
	many[3].Loss, many[4].Loss, many[5].Loss = nan, math.Inf(1), 7 // run 1: only 7 counts
	many[6].Acc, many[7].Acc, many[8].Acc = nan, nan, nan          // run 2: no accuracy
	got := thinWindows(many)
	if len(got) != 334 {
		t.Fatalf("1000 windows thinned to %d points, want 334", len(got))
	}
	for _, tc := range []struct {
		i    int
		want WindowPoint
	}{
		{0, WindowPoint{Epoch: 3.0 / 20, Loss: 1, Acc: 0.001}},        // windows 0, 1, 2
		{1, WindowPoint{Epoch: 6.0 / 20, Loss: 7, Acc: 0.004}},        // 3, 4, 5
		{2, WindowPoint{Epoch: 9.0 / 20, Loss: 7, Acc: nan}},          // 6, 7, 8
		{100, WindowPoint{Epoch: 303.0 / 20, Loss: 301, Acc: 0.301}},  // 300, 301, 302
		{333, WindowPoint{Epoch: 1000.0 / 20, Loss: 999, Acc: 0.999}}, // 999 alone
	} {
		g := got[tc.i]
		same := func(a, b float64) bool { return math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) <= 1e-12 }
		if !same(g.Epoch, tc.want.Epoch) || !same(g.Loss, tc.want.Loss) || !same(g.Acc, tc.want.Acc) {
			t.Errorf("point %d: %+v, want %+v", tc.i, g, tc.want)
		}
	}
}

func TestShortTicker(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   []string
	}{
		{-0.02, 1.02, []string{"0", "0.2", "0.4", "0.6", "0.8", "1"}},
		{-0.06, 3.06, []string{"0", "0.5", "1", "1.5", "2", "2.5", "3"}},
		{-0.001, 0.051, []string{"0", "0.01", "0.02", "0.03", "0.04", "0.05"}},
	} {
		var got []string
		for _, tk := range (shortTicker{}).Ticks(tc.lo, tc.hi) {
			got = append(got, tk.Label)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("ticks on [%v, %v]: %q, want %q", tc.lo, tc.hi, got, tc.want)
		}
	}
}
