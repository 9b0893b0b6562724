package autograd_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0xa9)) }

func prod(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

func tt(data []float32, shape ...int) *tensor.Tensor {
	if shape == nil {
		shape = []int{len(data)}
	}
	t, err := tensor.FromSlice(data, shape...)
	if err != nil {
		panic(err)
	}
	return t
}

// uniform returns a tensor with values uniform in [lo, hi).
func uniform(r *rand.Rand, lo, hi float32, shape ...int) *tensor.Tensor {
	d := make([]float32, prod(shape))
	for i := range d {
		d[i] = lo + (hi-lo)*r.Float32()
	}
	if shape == nil {
		shape = []int{}
	}
	return tt(d, shape...)
}

// awayFromZero returns values with |x| in [lo, hi) and random sign.
func awayFromZero(r *rand.Rand, lo, hi float32, shape ...int) *tensor.Tensor {
	x := uniform(r, lo, hi, shape...)
	for i, v := range x.Data() {
		if r.IntN(2) == 0 {
			x.Data()[i] = -v
		}
	}
	return x
}

// distinct returns a tensor of the given shape whose values are a random
// permutation of evenly spaced values 0.1 apart, so that no two are
// within a finite-difference step of each other.
func distinct(r *rand.Rand, shape ...int) *tensor.Tensor {
	n := prod(shape)
	d := make([]float32, n)
	for i, p := range r.Perm(n) {
		d[i] = 0.1*float32(p) - 0.05*float32(n)
	}
	return tt(d, shape...)
}

// gradCheck compares the gradients that Backward computes for
// L = sum(f(inputs) * R), R a fixed random tensor, against central
// differences. f is evaluated in float32; the loss is summed in float64.
func gradCheck(t *testing.T, name string, f func(xs []*autograd.Var) *autograd.Var, inputs ...*tensor.Tensor) {
	t.Helper()
	r := newRand(99)
	vars := make([]*autograd.Var, len(inputs))
	for i, x := range inputs {
		vars[i] = autograd.NewVar(x.Clone(), true)
	}
	out := f(vars)
	if !out.RequiresGrad() {
		t.Fatalf("%s: output does not require grad", name)
	}
	R := uniform(r, -1, 1, out.Shape()...)
	loss := autograd.Sum(autograd.Mul(out, autograd.Const(R)))
	if err := autograd.Backward(loss, nil); err != nil {
		t.Fatalf("%s: Backward: %v", name, err)
	}
	lossAt := func() float64 {
		consts := make([]*autograd.Var, len(inputs))
		for i, x := range inputs {
			consts[i] = autograd.NewVar(x, true)
		}
		o := f(consts).Value()
		var s float64
		for i, v := range o.Data() {
			s += float64(v) * float64(R.Data()[i])
		}
		return s
	}
	const h = 1e-2
	for i, x := range inputs {
		g := vars[i].Grad()
		if g == nil {
			t.Errorf("%s: input %d has no gradient", name, i)
			continue
		}
		if !g.SameShape(x) {
			t.Errorf("%s: input %d grad shape %v, want %v", name, i, g.Shape(), x.Shape())
			continue
		}
		bad := 0
		for j := range x.Data() {
			orig := x.Data()[j]
			x.Data()[j] = orig + h
			lp := lossAt()
			x.Data()[j] = orig - h
			lm := lossAt()
			x.Data()[j] = orig
			num := (lp - lm) / (2 * h)
			ana := float64(g.Data()[j])
			if math.Abs(num-ana) > 2e-3+1e-2*math.Max(math.Abs(num), math.Abs(ana)) {
				if bad < 3 {
					t.Errorf("%s: d/dx%d[%d]: analytic %.6g, numeric %.6g", name, i, j, ana, num)
				}
				bad++
			}
		}
	}
}

func checkExact(t *testing.T, what string, got *tensor.Tensor, want []float32, shape ...int) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: nil tensor, want %v", what, want)
		return
	}
	if shape != nil && fmt.Sprint(got.Shape()) != fmt.Sprint(shape) {
		t.Errorf("%s: shape %v, want %v", what, got.Shape(), shape)
	}
	if fmt.Sprint(got.Data()) != fmt.Sprint(want) {
		t.Errorf("%s: %v, want %v", what, got.Data(), want)
	}
}

func checkClose(t *testing.T, what string, got *tensor.Tensor, want []float64, tol float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: nil tensor", what)
		return
	}
	if got.Len() != len(want) {
		t.Fatalf("%s: len %d, want %d", what, got.Len(), len(want))
	}
	for i, v := range got.Data() {
		if math.Abs(float64(v)-want[i]) > tol*(1+math.Abs(want[i])) {
			t.Errorf("%s: [%d] = %v, want %v", what, i, v, want[i])
		}
	}
}

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
