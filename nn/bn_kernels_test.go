package nn

import (
	"math"
	"testing"

	"github.com/spikego/spikego/autograd"
)

// TestBNKernelsMatchGo checks that the assembly batch-norm kernels give
// exactly the bits of the pure-Go loops, over run lengths with and
// without a tail of n%8 values, with values of mixed signs and scales.
func TestBNKernelsMatchGo(t *testing.T) {
	if !haveAVX2 {
		t.Skip("no assembly kernels on this build")
	}
	r := NewRand(21)
	for _, tc := range []struct{ n, runs, stride int }{
		{1, 1, 1}, {7, 3, 9}, {8, 2, 8}, {9, 4, 20}, {196, 64, 32 * 196}, {784, 5, 784}, {13, 1, 13},
	} {
		l := max(runsLen(tc.n, tc.runs, tc.stride), 1)
		x := randUniform(r, -3, 5, l).Data()
		g := randUniform(r, -1, 1, l).Data()
		for i := range x {
			if r.Float64() < 0.1 {
				x[i] *= 1e4
			}
		}
		shift, mean := float64(x[0]), float32(0.37)+x[1%l]
		a1, a2 := bnMoments(x, tc.n, tc.runs, tc.stride, shift)
		b1, b2 := bnMomentsGo(x[:runsLen(tc.n, tc.runs, tc.stride)], tc.n, tc.runs, tc.stride, shift)
		if math.Float64bits(a1) != math.Float64bits(b1) || math.Float64bits(a2) != math.Float64bits(b2) {
			t.Errorf("%v: bnMoments = %v %v, Go %v %v", tc, a1, a2, b1, b2)
		}
		a1, a2 = bnGradSums(g, x, tc.n, tc.runs, tc.stride, mean)
		b1, b2 = bnGradSumsGo(g[:runsLen(tc.n, tc.runs, tc.stride)], x[:runsLen(tc.n, tc.runs, tc.stride)], tc.n, tc.runs, tc.stride, mean)
		if math.Float64bits(a1) != math.Float64bits(b1) || math.Float64bits(a2) != math.Float64bits(b2) {
			t.Errorf("%v: bnGradSums = %v %v, Go %v %v", tc, a1, a2, b1, b2)
		}
		y1, y2 := make([]float32, l), make([]float32, l)
		for i := range y1 {
			y1[i], y2[i] = -7, -7
		}
		bnNorm(x, y1, tc.n, tc.runs, tc.stride, 0.25, 1.5, -0.75)
		bnNormGo(x[:runsLen(tc.n, tc.runs, tc.stride)], y2, tc.n, tc.runs, tc.stride, 0.25, 1.5, -0.75)
		for i := range y1 {
			if math.Float32bits(y1[i]) != math.Float32bits(y2[i]) {
				t.Fatalf("%v: bnNorm[%d] = %v, Go %v", tc, i, y1[i], y2[i])
			}
		}
		bnGradX(g, x, y1, tc.n, tc.runs, tc.stride, mean, 1.25, 0.125, -0.5)
		bnGradXGo(g[:runsLen(tc.n, tc.runs, tc.stride)], x, y2, tc.n, tc.runs, tc.stride, mean, 1.25, 0.125, -0.5)
		for i := range y1 {
			if math.Float32bits(y1[i]) != math.Float32bits(y2[i]) {
				t.Fatalf("%v: bnGradX[%d] = %v, Go %v", tc, i, y1[i], y2[i])
			}
		}
	}
}

// TestBNKernelsEmpty checks the kernels on no values.
func TestBNKernelsEmpty(t *testing.T) {
	x := []float32{1, 2, 3}
	for _, tc := range []struct{ n, runs int }{{0, 3}, {4, 0}} {
		if a, b := bnMoments(x, tc.n, tc.runs, 4, 1); a != 0 || b != 0 {
			t.Errorf("bnMoments of nothing = %v %v", a, b)
		}
		if a, b := bnGradSums(x, x, tc.n, tc.runs, 4, 1); a != 0 || b != 0 {
			t.Errorf("bnGradSums of nothing = %v %v", a, b)
		}
		bnNorm(x, x, tc.n, tc.runs, 4, 1, 2, 3)
		bnGradX(x, x, x, tc.n, tc.runs, 4, 1, 2, 3, 4)
		if x[0] != 1 || x[1] != 2 || x[2] != 3 {
			t.Errorf("kernels on nothing wrote %v", x)
		}
	}
}

// TestBatchNormShiftedVariance checks the one-pass variance on values
// whose mean is huge against their spread, and whose first value (the
// shift) lies far out.
func TestBatchNormShiftedVariance(t *testing.T) {
	bn, err := NewBatchNorm2d(2)
	if err != nil {
		t.Fatal(err)
	}
	x := randUniform(NewRand(5), 1e4-1, 1e4+1, 6, 2, 5, 7)
	x.Data()[0] = 1e4 + 50 // an outlier as the shift of channel 0
	want, mean, uvar := naiveBN(x, bn.Weight.Value().Data(), bn.Bias.Value().Data(), nil, nil, 1e-5)
	y, err := bn.Forward(autograd.Const(x))
	if err != nil {
		t.Fatal(err)
	}
	expectClose(t, "y", y.Value().Data(), want, 2e-3)
	for ch := range mean {
		mean[ch] *= 0.1
		uvar[ch] = 0.9 + 0.1*uvar[ch]
	}
	expectClose(t, "running_mean", bn.RunningMean.Data(), mean, 1e-6)
	expectClose(t, "running_var", bn.RunningVar.Data(), uvar, 1e-6)
}
