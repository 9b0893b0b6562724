package viz

import (
	"math"
	"testing"

	"github.com/spikego/spikego/surrogate"
)

func samples() []float32 {
	xs := make([]float32, SurrogateSamples)
	for i := range xs {
		xs[i] = float32(SurrogateXMin + (SurrogateXMax-SurrogateXMin)*float64(i)/float64(SurrogateSamples-1))
	}
	return xs
}

// TestStepPieces checks the jumps found in the spikes: their place, the
// value taken there and the limits on each side.
func TestStepPieces(t *testing.T) {
	for _, tc := range []struct {
		name  string
		jumps []jump
	}{
		{"heaviside", []jump{{x: 0, left: 0, at: 1, right: 1}}},         // x >= 0
		{"AtanGrad", []jump{{x: 0, left: 0, at: 0, right: 1}}},          // x > 0
		{"EIGrad", []jump{{x: 0, left: -1, at: 0, right: 1}}},           // sign(x)
		{"RoundGrad", []jump{{0, 0, 0, 1}, {1, 1, 1, 2}, {2, 2, 2, 3}}}, // ceil, with round-off
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := surrogate.Lookup(tc.name)
			if err != nil {
				t.Fatal(err)
			}
			pieces, jumps := stepPieces(k.Spike, samples())
			if len(jumps) != len(tc.jumps) {
				t.Fatalf("jumps %v, want %v", jumps, tc.jumps)
			}
			for i, j := range jumps {
				w := tc.jumps[i]
				if j.x != w.x || !near(j.left, w.left) || j.at != w.at || !near(j.right, w.right) {
					t.Errorf("jump %d = %+v, want %+v", i, j, w)
				}
			}
			if len(pieces) != len(jumps)+1 {
				t.Fatalf("%d pieces for %d jumps", len(pieces), len(jumps))
			}
			for i, p := range pieces {
				if len(p) < 2 {
					t.Fatalf("piece %d has %d points", i, len(p))
				}
				if i > 0 && (p[0].x != jumps[i-1].x || p[0].y != jumps[i-1].right) {
					t.Errorf("piece %d starts at %v, not at the right limit of jump %d", i, p[0], i-1)
				}
				if i < len(jumps) && (p[len(p)-1].x != jumps[i].x || p[len(p)-1].y != jumps[i].left) {
					t.Errorf("piece %d ends at %v, not at the left limit of jump %d", i, p[len(p)-1], i)
				}
				for j := 1; j < len(p); j++ {
					if !(p[j].x >= p[j-1].x) {
						t.Fatalf("piece %d goes back at point %d", i, j)
					}
				}
			}
		})
	}
}

// TestCurveVerticalEdges checks that a window's edges are drawn at the
// window's bounds, not across a sampling interval.
func TestCurveVerticalEdges(t *testing.T) {
	k, err := surrogate.Lookup("GateGrad")
	if err != nil {
		t.Fatal(err)
	}
	c := curve(func(x float32) float32 { return k.Deriv(x, 2) }, samples())
	var edges []float64
	for i := 1; i < len(c); i++ {
		if c[i].x == c[i-1].x && c[i].y != c[i-1].y {
			edges = append(edges, c[i].x)
		}
	}
	if len(edges) != 2 || edges[0] != -0.5 || edges[1] != 0.5 {
		t.Errorf("vertical edges at %v, want [-0.5 0.5]", edges)
	}
	// A smooth curve has no jumps.
	k, _ = surrogate.Lookup("AtanGrad")
	if _, jumps := stepPieces(func(x float32) float32 { return k.Deriv(x, 2) }, samples()); len(jumps) != 0 {
		t.Errorf("AtanGrad's g' has jumps %v", jumps)
	}
}

func TestYTicker(t *testing.T) {
	for _, r := range [][2]float64{{-0.08, 1.08}, {-2.3, 2.3}, {-0.4, 5.4}, {-1.16, 1.16}, {0, 1e-3}} {
		var labelled int
		for _, tk := range (yTicker{}).Ticks(r[0], r[1]) {
			if tk.Value < r[0]-1e-9 || tk.Value > r[1]+1e-9 {
				t.Errorf("range %v: tick %v outside", r, tk.Value)
			}
			if tk.Label != "" {
				labelled++
			}
		}
		if labelled < 2 || labelled > 7 {
			t.Errorf("range %v: %d labelled ticks", r, labelled)
		}
	}
	for _, tk := range (yTicker{}).Ticks(-1.1, 1.1) {
		if tk.Value == 0 && (math.Signbit(tk.Value) || tk.Label != "0") {
			t.Errorf("tick at 0 is %v labelled %q", tk.Value, tk.Label)
		}
	}
}

func TestGridShape(t *testing.T) {
	for n, want := range map[int][2]int{1: {1, 1}, 2: {2, 1}, 4: {2, 2}, 5: {3, 2}, 9: {3, 3}, 12: {4, 3}, 13: {4, 4}} {
		if c, r := gridShape(n); c != want[0] || r != want[1] {
			t.Errorf("gridShape(%d) = %d, %d, want %v", n, c, r, want)
		}
	}
}
