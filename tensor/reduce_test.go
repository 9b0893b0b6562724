package tensor_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/spikego/spikego/tensor"
)

// naiveReduce reduces x along axis with f over (index along axis, value),
// returning the reduced shape (without keepDim) and, per output element,
// the list of values in order.
func naiveSlices(x *tensor.Tensor, axis int) (out []int, slices [][]float32) {
	shape := x.Shape()
	for i, d := range shape {
		if i != axis {
			out = append(out, d)
		}
	}
	slices = make([][]float32, prod(out))
	for i, v := range x.Data() {
		idx := unravel(i, shape)
		oidx := append(append([]int(nil), idx[:axis]...), idx[axis+1:]...)
		o := ravel(oidx, out)
		slices[o] = append(slices[o], v)
	}
	return out, slices
}

func keepDimShape(shape []int, axis int) []int {
	s := append([]int(nil), shape...)
	s[axis] = 1
	return s
}

var reduceShapes = [][]int{
	{7},
	{3, 5},
	{1, 4},
	{4, 1},
	{2, 3, 4},
	{2, 1, 3, 5},
	{3, 0, 2},
	{0, 4},
}

func TestSumMeanAxis(t *testing.T) {
	r := newRand(10)
	for _, shape := range reduceShapes {
		x := randTensor(r, -2, 2, shape...)
		for axis := -len(shape); axis < len(shape); axis++ {
			ax := axis
			if ax < 0 {
				ax += len(shape)
			}
			outShape, slices := naiveSlices(x, ax)
			sums := make([]float64, len(slices))
			means := make([]float64, len(slices))
			for i, s := range slices {
				for _, v := range s {
					sums[i] += float64(v)
				}
				means[i] = sums[i] / float64(shape[ax])
			}
			for _, keep := range []bool{false, true} {
				name := fmt.Sprintf("%v axis=%d keepDim=%v", shape, axis, keep)
				want := outShape
				if keep {
					want = keepDimShape(shape, ax)
				}
				s, err := tensor.SumAxis(x, axis, keep)
				if err != nil {
					t.Fatalf("SumAxis %s: %v", name, err)
				}
				checkShape(t, "SumAxis "+name, s.Shape(), want)
				checkClose(t, "SumAxis "+name, s.Data(), sums, 1e-5, 1e-5)

				m, err := tensor.MeanAxis(x, axis, keep)
				if err != nil {
					t.Fatalf("MeanAxis %s: %v", name, err)
				}
				checkShape(t, "MeanAxis "+name, m.Shape(), want)
				checkClose(t, "MeanAxis "+name, m.Data(), means, 1e-5, 1e-5)
			}
		}
	}
}

func TestSumMeanAxisTable(t *testing.T) {
	x := fromSlice(t, []float32{1, 2, 3, 4, 5, 6}, 2, 3)
	tests := []struct {
		axis      int
		sum, mean []float32
	}{
		{0, []float32{5, 7, 9}, []float32{2.5, 3.5, 4.5}},
		{1, []float32{6, 15}, []float32{2, 5}},
		{-1, []float32{6, 15}, []float32{2, 5}},
		{-2, []float32{5, 7, 9}, []float32{2.5, 3.5, 4.5}},
	}
	for _, tc := range tests {
		s := mustT(tensor.SumAxis(x, tc.axis, false))
		checkExact(t, fmt.Sprint("SumAxis ", tc.axis), s.Data(), tc.sum)
		m, err := tensor.MeanAxis(x, tc.axis, true)
		if err != nil {
			t.Errorf("MeanAxis(%d): %v", tc.axis, err)
			continue
		}
		checkExact(t, fmt.Sprint("MeanAxis ", tc.axis), m.Data(), tc.mean)
	}
	checkExact(t, "Sum", tensor.Sum(x).Data(), []float32{21})
	checkExact(t, "Mean", tensor.Mean(x).Data(), []float32{3.5})
	if s := tensor.Sum(x); s.Dims() != 0 {
		t.Errorf("Sum shape %v, want scalar", s.Shape())
	}
	checkExact(t, "Sum empty", tensor.Sum(tensor.New(0)).Data(), []float32{0})
	if m := tensor.Mean(tensor.New(0)).Item(); m == m {
		t.Errorf("Mean of empty = %v, want NaN", m)
	}
	// float64 accumulation: 1 + 1e-8 * 1e6 terms.
	d := make([]float32, 1_000_001)
	d[0] = 1
	for i := 1; i < len(d); i++ {
		d[i] = 1e-8
	}
	if s := tensor.Sum(fromSlice(t, d)).Item(); math.Abs(float64(s)-1.01) > 1e-6 {
		t.Errorf("Sum lost precision: %v, want 1.01", s)
	}
}

func TestReduceAxisErrors(t *testing.T) {
	x := tensor.New(2, 3)
	for _, axis := range []int{2, 3, -3, -10} {
		_, err := tensor.SumAxis(x, axis, false)
		checkErrContains(t, err, fmt.Sprint(axis), "[2 3]")
		_, err = tensor.MeanAxis(x, axis, false)
		checkErrContains(t, err, fmt.Sprint(axis), "[2 3]")
		_, _, err = tensor.MaxAxis(x, axis, false)
		checkErrContains(t, err, fmt.Sprint(axis), "[2 3]")
	}
	_, err := tensor.SumAxis(tensor.Scalar(1), 0, false)
	checkErrContains(t, err, "axis 0")
	_, _, err = tensor.MaxAxis(tensor.New(2, 0, 3), 1, false)
	checkErrContains(t, err, "[2 0 3]")
	// An empty axis is fine when there are no slices at all.
	v, idx, err := tensor.MaxAxis(tensor.New(0, 0), 1, false)
	if err != nil || v.Len() != 0 || len(idx) != 0 {
		t.Errorf("MaxAxis of [0 0] = %v, %v, %v", v, idx, err)
	}
}

func TestMaxAxisRandom(t *testing.T) {
	r := newRand(11)
	for _, shape := range reduceShapes {
		if prod(shape) == 0 {
			continue
		}
		x := quantized(r, shape) // ties are common
		for axis := -len(shape); axis < len(shape); axis++ {
			ax := axis
			if ax < 0 {
				ax += len(shape)
			}
			outShape, slices := naiveSlices(x, ax)
			wantV := make([]float32, len(slices))
			wantI := make([]int, len(slices))
			for i, s := range slices {
				wantV[i], wantI[i] = s[0], 0
				for k, v := range s {
					if v > wantV[i] {
						wantV[i], wantI[i] = v, k
					}
				}
			}
			for _, keep := range []bool{false, true} {
				name := fmt.Sprintf("MaxAxis %v axis=%d keepDim=%v", shape, axis, keep)
				v, idx, err := tensor.MaxAxis(x, axis, keep)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				want := outShape
				if keep {
					want = keepDimShape(shape, ax)
				}
				checkShape(t, name, v.Shape(), want)
				checkExact(t, name, v.Data(), wantV)
				if fmt.Sprint(idx) != fmt.Sprint(wantI) {
					t.Errorf("%s: argmax %v, want %v", name, idx, wantI)
				}
			}
		}
	}
}

func TestMaxAxisTiesAndNaN(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	tests := []struct {
		name    string
		data    []float32
		shape   []int
		axis    int
		wantV   []float32
		wantIdx []int
	}{
		{"ties first", []float32{1, 3, 3, 2, 2, 1}, []int{2, 3}, 1, []float32{3, 2}, []int{1, 0}},
		{"ties along 0", []float32{5, 1, 5, 1}, []int{2, 2}, 0, []float32{5, 1}, []int{0, 0}},
		{"NaN middle", []float32{1, nan, 3}, []int{3}, 0, []float32{nan}, []int{1}},
		{"NaN first", []float32{nan, 5, 7}, []int{3}, 0, []float32{nan}, []int{0}},
		{"NaN last", []float32{9, 5, nan}, []int{3}, 0, []float32{nan}, []int{2}},
		{"two NaN first wins", []float32{0, nan, nan}, []int{3}, 0, []float32{nan}, []int{1}},
		{"all -Inf", []float32{-inf, -inf}, []int{2}, 0, []float32{-inf}, []int{0}},
		{"Inf", []float32{1, inf, inf}, []int{3}, 0, []float32{inf}, []int{1}},
		{"negative", []float32{-3, -1, -2}, []int{3}, 0, []float32{-1}, []int{1}},
		{"column NaN", []float32{1, 2, nan, 0, 3, 4}, []int{3, 2}, 0, []float32{nan, 4}, []int{1, 2}},
	}
	for _, tc := range tests {
		v, idx, err := tensor.MaxAxis(fromSlice(t, tc.data, tc.shape...), tc.axis, false)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		checkExact(t, tc.name, v.Data(), tc.wantV)
		if fmt.Sprint(idx) != fmt.Sprint(tc.wantIdx) {
			t.Errorf("%s: argmax %v, want %v", tc.name, idx, tc.wantIdx)
		}
	}

	am, err := tensor.ArgMaxRows(fromSlice(t, []float32{1, 3, 3, 2, 2, 1, 0, 0, 5}, 3, 3))
	if err != nil || fmt.Sprint(am) != "[1 0 2]" {
		t.Errorf("ArgMaxRows = %v, %v; want [1 0 2]", am, err)
	}
	_, err = tensor.ArgMaxRows(tensor.New(2, 2, 2))
	checkErrContains(t, err, "[2 2 2]")
}
