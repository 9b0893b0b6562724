package nn

import (
	"fmt"
	"math"
	"testing"
)

// TestIm2colFastPathsMatchGeneric checks the same-geometry im2col and the
// 3×3 col2im bit for bit against the generic loops, on planes down to
// 1×1 and with channels, including col2im onto a non-zero dx.
func TestIm2colFastPathsMatchGeneric(t *testing.T) {
	r := NewRand(17)
	for _, tc := range []struct{ c, h, w, k int }{
		{1, 28, 28, 3}, {3, 14, 14, 3}, {2, 5, 7, 3}, {2, 1, 1, 3}, {1, 2, 3, 3}, {2, 3, 2, 3},
		{1, 1, 6, 3}, {2, 6, 1, 3}, {2, 7, 6, 5}, {1, 2, 2, 5}, {1, 4, 9, 7}, {2, 5, 5, 1},
	} {
		g := newConvGeom(tc.c, tc.h, tc.w, tc.k, 1, tc.k/2)
		if !g.same() {
			t.Fatalf("%v: not a same geometry", tc)
		}
		name := fmt.Sprint(tc)
		x := randUniform(r, -1, 1, g.inSize).Data()
		got, want := make([]float32, g.rows*g.hwOut), make([]float32, g.rows*g.hwOut)
		for i := range got {
			got[i] = float32(math.NaN())
		}
		im2col(&g, x, got)
		im2colGeneric(&g, x, want)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s: im2col[%d] = %v, want %v", name, i, got[i], want[i])
			}
		}
		cols := randUniform(r, -1, 1, g.rows*g.hwOut).Data()
		for _, start := range []float32{0, 0.3} {
			dGot, dWant := make([]float32, g.inSize), make([]float32, g.inSize)
			for i := range dGot {
				dGot[i], dWant[i] = start*float32(i%7), start*float32(i%7)
			}
			col2im(&g, cols, dGot)
			col2imGeneric(&g, cols, dWant)
			for i := range dGot {
				if math.Float32bits(dGot[i]) != math.Float32bits(dWant[i]) {
					t.Fatalf("%s: col2im onto %v: dx[%d] = %v, want %v", name, start, i, dGot[i], dWant[i])
				}
			}
		}
	}
}
