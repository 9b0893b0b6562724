package nn

import (
	"fmt"
	"math"
	"testing"

	"github.com/spikego/spikego/tensor"
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
			col2imGeneric(&g, cols, g.hwOut, dWant)
			for i := range dGot {
				if math.Float32bits(dGot[i]) != math.Float32bits(dWant[i]) {
					t.Fatalf("%s: col2im onto %v: dx[%d] = %v, want %v", name, start, i, dGot[i], dWant[i])
				}
			}
		}
	}
}

// TestConvXGradGroupMatchesPerSample checks the grouped input gradient of
// Conv2d's backward pass bit for bit against one GEMM and one col2im per
// sample, for groups of 1 to 5 samples and several geometries (3×3 same
// planes, which take the gathering col2im, strided, padded and 1×1
// windows, planes narrower than the window).
func TestConvXGradGroupMatchesPerSample(t *testing.T) {
	r := NewRand(29)
	fill := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.Normal())
		}
		return v
	}
	for _, tc := range []struct{ c, h, w, k, stride, pad, out int }{
		{4, 14, 14, 3, 1, 1, 6}, {3, 5, 7, 3, 1, 1, 2}, {2, 2, 2, 3, 1, 1, 3}, {2, 9, 8, 3, 2, 1, 4},
		{3, 7, 7, 5, 1, 2, 2}, {2, 6, 5, 1, 1, 1, 3}, {1, 8, 8, 4, 2, 0, 5},
	} {
		g := newConvGeom(tc.c, tc.h, tc.w, tc.k, tc.stride, tc.pad)
		w := fill(tc.out * g.rows)
		for m := 1; m <= 5; m++ {
			name := fmt.Sprintf("%+v/m=%d", tc, m)
			grad := fill(m * tc.out * g.hwOut)
			want := make([]float32, m*g.inSize)
			cols := make([]float32, g.rows*g.hwOut)
			for j := range m {
				gj := grad[j*tc.out*g.hwOut : (j+1)*tc.out*g.hwOut]
				tensor.Gemm(true, false, g.rows, g.hwOut, tc.out, 1, w, g.rows, gj, g.hwOut, 0, cols, g.hwOut)
				col2imSet(&g, cols, want[j*g.inSize:(j+1)*g.inSize])
			}
			got := make([]float32, m*g.inSize)
			for i := range got {
				got[i] = float32(math.NaN()) // every element must be written
			}
			buf := make([]float32, (g.rows+tc.out)*m*g.hwOut)
			convXGradGroup(&g, tc.out, w, grad, got, buf)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s: element %d is %v, per sample %v", name, i, got[i], want[i])
				}
			}
		}
	}
}
