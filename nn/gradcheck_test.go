// This file holds checkGrad, the finite-difference gradient check shared
// by the tests of package nn (layers, losses and anything else built on
// autograd).
//
// Usage: write the operation under test as a function of Vars and pass
// small input tensors (a few dozen elements each: every element costs two
// evaluations of f):
//
//	checkGrad(t, func(in []*autograd.Var) *autograd.Var {
//		l := &Linear{Weight: in[1], Bias: in[2], in: 4, out: 3}
//		y, err := l.Forward(in[0])
//		if err != nil {
//			panic(err)
//		}
//		return y
//	}, x, w, b)
//
// checkGrad wraps each input in a fresh Var that requires a gradient,
// evaluates f, and backpropagates the scalar loss L = sum(f(inputs) * R)
// for a fixed pseudo-random R uniform in [-1, 1) (so every output element
// contributes with its own weight). It then compares each element of each
// input's gradient with the central difference (L(x+h) - L(x-h)) / 2h,
// h = 1e-2, where L is evaluated from f's float32 output with float64
// accumulation. A gradient passes when |numeric - analytic| <= 1e-3 +
// 1e-2·max(|numeric|, |analytic|).
//
// f must be deterministic (put Dropout in evaluation mode) and smooth
// within h of the inputs: keep inputs away from kinks such as ReLU's 0 or
// ties of a max by at least h. f may panic on errors. The inputs are
// restored after each perturbation, so the caller's tensors are unchanged
// when checkGrad returns. gradMismatches is the same check returning its
// complaints instead of reporting them.
//
// The file also holds two small tensor helpers for tests: randUniform
// (seeded uniform tensor) and fromData (tensor over a literal slice).
package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// Step and tolerances of checkGrad.
const (
	gradCheckStep = 1e-2
	gradCheckRTol = 1e-2
	gradCheckATol = 1e-3
)

// checkGrad compares the gradients autograd computes for f with central
// finite differences and reports every mismatch as a test error; see the
// comment at the top of this file.
func checkGrad(t *testing.T, f func(inputs []*autograd.Var) *autograd.Var, inputs ...*tensor.Tensor) {
	t.Helper()
	for _, msg := range gradMismatches(f, inputs...) {
		t.Error(msg)
	}
}

// gradMismatches does the work of checkGrad and returns its complaints
// (at most five per input, plus a count).
func gradMismatches(f func(inputs []*autograd.Var) *autograd.Var, inputs ...*tensor.Tensor) []string {
	vars := make([]*autograd.Var, len(inputs))
	for i, x := range inputs {
		vars[i] = autograd.NewVar(x.Clone(), true)
	}
	out := f(vars)
	if out == nil {
		return []string{"checkGrad: f returned nil"}
	}
	if !out.RequiresGrad() {
		return []string{"checkGrad: output does not require grad"}
	}
	rr := rand.New(rand.NewPCG(0x5eed, 0x9c))
	r := tensor.New(out.Shape()...)
	for i := range r.Data() {
		r.Data()[i] = 2*rr.Float32() - 1
	}
	loss := autograd.Sum(autograd.Mul(out, autograd.Const(r)))
	if err := autograd.Backward(loss, nil); err != nil {
		return []string{fmt.Sprintf("checkGrad: Backward: %v", err)}
	}
	lossAt := func() (float64, error) {
		vs := make([]*autograd.Var, len(inputs))
		for i, x := range inputs {
			vs[i] = autograd.NewVar(x, true)
		}
		o := f(vs).Value()
		if !o.SameShape(r) {
			return 0, fmt.Errorf("checkGrad: output shape changed from %v to %v", r.Shape(), o.Shape())
		}
		var s float64
		for i, v := range o.Data() {
			s += float64(v) * float64(r.Data()[i])
		}
		return s, nil
	}
	var msgs []string
	for i, x := range inputs {
		g := vars[i].Grad()
		if g == nil {
			msgs = append(msgs, fmt.Sprintf("checkGrad: input %d (shape %v) got no gradient", i, x.Shape()))
			continue
		}
		if !g.SameShape(x) {
			msgs = append(msgs, fmt.Sprintf("checkGrad: input %d: gradient shape %v, want %v", i, g.Shape(), x.Shape()))
			continue
		}
		bad := 0
		xd := x.Data()
		for j := range xd {
			orig := xd[j]
			xd[j] = orig + gradCheckStep
			lp, errP := lossAt()
			xd[j] = orig - gradCheckStep
			lm, errM := lossAt()
			xd[j] = orig
			if err := errors.Join(errP, errM); err != nil {
				return append(msgs, err.Error())
			}
			num := (lp - lm) / (2 * gradCheckStep)
			ana := float64(g.Data()[j])
			if !(math.Abs(num-ana) <= gradCheckATol+gradCheckRTol*math.Max(math.Abs(num), math.Abs(ana))) {
				if bad < 5 {
					msgs = append(msgs, fmt.Sprintf("checkGrad: input %d (shape %v) element %d: analytic %.6g, numeric %.6g", i, x.Shape(), j, ana, num))
				}
				bad++
			}
		}
		if bad > 5 {
			msgs = append(msgs, fmt.Sprintf("checkGrad: input %d: %d of %d elements wrong", i, bad, len(xd)))
		}
	}
	return msgs
}

// randUniform returns a tensor of the given shape with elements uniform in
// [lo, hi) drawn from rng.
func randUniform(rng *Rand, lo, hi float32, shape ...int) *tensor.Tensor {
	t := tensor.New(shape...)
	for i := range t.Data() {
		t.Data()[i] = rng.Uniform(lo, hi)
	}
	return t
}

// fromData returns a tensor of the given shape over data; it panics on a
// mismatch.
func fromData(data []float32, shape ...int) *tensor.Tensor {
	t, err := tensor.FromSlice(data, shape...)
	if err != nil {
		panic(err)
	}
	return t
}

// TestCheckGradCatchesWrongGradient makes sure checkGrad can fail: a
// function whose Backward is off by a factor must be reported.
func TestCheckGradCatchesWrongGradient(t *testing.T) {
	x := randUniform(NewRand(1), -1, 1, 3, 2)
	msgs := gradMismatches(func(in []*autograd.Var) *autograd.Var {
		y, err := autograd.Apply(wrongSquare{}, in[0])
		if err != nil {
			panic(err)
		}
		return y
	}, x)
	if len(msgs) == 0 {
		t.Error("checkGrad accepted a gradient that is off by a factor 1.5")
	}
	// The same check passes with the true gradient.
	checkGrad(t, func(in []*autograd.Var) *autograd.Var { return autograd.Square(in[0]) }, x)
	// An input that gets no gradient is reported.
	msgs = gradMismatches(func(in []*autograd.Var) *autograd.Var { return autograd.Square(in[0]) }, x, x.Clone())
	if len(msgs) != 1 || !strings.Contains(msgs[0], "input 1") {
		t.Errorf("unused input: got %q, want one complaint about input 1", msgs)
	}
}

// wrongSquare is x² with a deliberately wrong gradient 3x.
type wrongSquare struct{}

func (wrongSquare) Forward(ctx *autograd.Context, in ...*tensor.Tensor) (*tensor.Tensor, error) {
	ctx.SaveForBackward(in[0])
	return tensor.Square(in[0]), nil
}

func (wrongSquare) Backward(ctx *autograd.Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
	gx, err := tensor.Mul(g, tensor.MulScalar(ctx.Saved()[0], 3))
	return []*tensor.Tensor{gx}, err
}
