package tensor_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/spikego/spikego/tensor"
)

// newRand returns a deterministic generator so that failures reproduce.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

func prod(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// randTensor returns a tensor of the given shape with values uniform in
// [lo, hi).
func randTensor(r *rand.Rand, lo, hi float32, shape ...int) *tensor.Tensor {
	d := make([]float32, prod(shape))
	for i := range d {
		d[i] = lo + (hi-lo)*r.Float32()
	}
	if shape == nil {
		shape = []int{} // a nil shape would mean 1-d to FromSlice
	}
	t, err := tensor.FromSlice(d, shape...)
	if err != nil {
		panic(err)
	}
	return t
}

func mustT(t *tensor.Tensor, err error) *tensor.Tensor {
	if err != nil {
		panic(err)
	}
	return t
}

func fromSlice(tb testing.TB, data []float32, shape ...int) *tensor.Tensor {
	tb.Helper()
	t, err := tensor.FromSlice(data, shape...)
	if err != nil {
		tb.Fatalf("FromSlice(%v, %v): %v", data, shape, err)
	}
	return t
}

// unravel returns the multi-index of flat row-major index i in shape.
func unravel(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		idx[d] = i % shape[d]
		i /= shape[d]
	}
	return idx
}

// ravel returns the flat row-major index of idx in shape.
func ravel(idx, shape []int) int {
	off := 0
	for d := range shape {
		off = off*shape[d] + idx[d]
	}
	return off
}

// broadcastIndex maps a multi-index of the broadcast output shape to the
// flat index of an operand of shape s (NumPy rules, trailing alignment).
func broadcastIndex(outIdx, s []int) int {
	lead := len(outIdx) - len(s)
	idx := make([]int, len(s))
	for d := range s {
		if s[d] != 1 {
			idx[d] = outIdx[lead+d]
		}
	}
	return ravel(idx, s)
}

// naiveBinary computes f over a and b broadcast to out, one index at a time.
func naiveBinary(a, b *tensor.Tensor, out []int, f func(x, y float32) float32) []float32 {
	res := make([]float32, prod(out))
	ad, bd := a.Data(), b.Data()
	for i := range res {
		idx := unravel(i, out)
		res[i] = f(ad[broadcastIndex(idx, a.Shape())], bd[broadcastIndex(idx, b.Shape())])
	}
	return res
}

func sameBits(x, y float32) bool {
	return x == y || (x != x && y != y)
}

// checkExact fails when got and want differ anywhere (NaN equals NaN).
func checkExact(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: len %d, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range got {
		if !sameBits(got[i], want[i]) {
			if bad < 5 {
				t.Errorf("%s: [%d] = %v, want %v", what, i, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d mismatches in total", what, bad)
	}
}

// checkClose fails when |got-want| > atol + rtol*|want| anywhere.
func checkClose(t *testing.T, what string, got []float32, want []float64, rtol, atol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: len %d, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range got {
		g, w := float64(got[i]), want[i]
		if g == w || (math.IsNaN(w) && math.IsNaN(g)) {
			continue
		}
		if !(math.Abs(g-w) <= atol+rtol*math.Abs(w)) {
			if bad < 5 {
				t.Errorf("%s: [%d] = %v, want %v", what, i, g, w)
			}
			bad++
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d mismatches in total", what, bad)
	}
}

func checkShape(t *testing.T, what string, got, want []int) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: shape %v, want %v", what, got, want)
	}
}

// withProcs runs fn with GOMAXPROCS set to n, so that the parallel paths
// run even on a one-core machine.
func withProcs(n int, fn func()) {
	old := runtime.GOMAXPROCS(n)
	defer runtime.GOMAXPROCS(old)
	fn()
}

// mustPanic runs fn and returns the panic message, failing when fn does
// not panic.
func mustPanic(t *testing.T, fn func()) (msg string) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Errorf("no panic")
			return
		}
		msg = fmt.Sprint(r)
	}()
	fn()
	return ""
}

func checkErrContains(t *testing.T, err error, subs ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("got no error, want one containing %q", subs)
		return
	}
	for _, s := range subs {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}
