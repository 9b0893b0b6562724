package optim

import (
	"fmt"
	"math"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// Optimizer updates a fixed set of parameters from their gradients.
type Optimizer interface {
	// Step applies one update to every parameter whose gradient is not
	// nil. It returns an error, and changes nothing, when a gradient does
	// not have its parameter's number of elements or the learning rate is
	// negative or NaN.
	Step() error
	// ZeroGrad sets every parameter's gradient to nil, keeping its
	// storage for the next Backward to write the new gradient into
	// (autograd.Var.RecycleGrad): a gradient tensor taken before changes
	// at that Backward.
	ZeroGrad()
	// LR returns the learning rate.
	LR() float32
	// SetLR changes the learning rate used by the following steps.
	SetLR(lr float32)
}

// parallelCost is the approximate cost of one element's update, handed to
// tensor.ParallelFor: parameters of a few thousand elements and more are
// updated on several goroutines.
const parallelCost = 8

// checkParams validates a parameter list and returns a copy of it.
func checkParams(params []*autograd.Var) ([]*autograd.Var, error) {
	if len(params) == 0 {
		return nil, fmt.Errorf("optim: empty parameter list")
	}
	seen := make(map[*autograd.Var]bool, len(params))
	for i, p := range params {
		if p == nil {
			return nil, fmt.Errorf("optim: parameter %d is nil", i)
		}
		if p.Value() == nil {
			return nil, fmt.Errorf("optim: parameter %d has a nil value", i)
		}
		if seen[p] {
			return nil, fmt.Errorf("optim: parameter %d appears more than once", i)
		}
		seen[p] = true
	}
	return append([]*autograd.Var(nil), params...), nil
}

// checkNonNeg returns an error unless v >= 0 (NaN is rejected).
func checkNonNeg(name string, v float32) error {
	if !(v >= 0) {
		return fmt.Errorf("optim: invalid %s %v (must be >= 0)", name, v)
	}
	return nil
}

// checkGrads returns an error when a parameter's gradient does not hold
// as many elements as the parameter.
func checkGrads(params []*autograd.Var) error {
	for i, p := range params {
		g := p.Grad()
		if g == nil {
			continue
		}
		if g.Len() != p.Value().Len() {
			return fmt.Errorf("optim: parameter %d of shape %v has a gradient of shape %v", i, p.Value().Shape(), g.Shape())
		}
	}
	return nil
}

// zeroGrad sets every parameter's gradient to nil, keeping its storage
// for the next Backward (autograd.Var.RecycleGrad).
func zeroGrad(params []*autograd.Var) {
	for _, p := range params {
		p.RecycleGrad()
	}
}

// run calls fn over [0, n), on several goroutines when n is large.
func run(n int, fn func(lo, hi int)) { tensor.ParallelFor(n, parallelCost, fn) }

// fma32 returns x*y+z rounded once to float32, like the vfmadd
// instructions of PyTorch's vectorized kernels. The product of two float32
// values is exact in float64; the sum is rounded to odd in float64 (a
// TwoSum finds its exact error), which makes the final rounding to float32
// correct. When the sum is infinite or NaN, the TwoSum's error is NaN and
// the sum is passed on unchanged.
func fma32(x, y, z float32) float32 {
	p := float64(float64(x) * float64(y)) // exact
	c := float64(z)
	s := p + c
	bv := s - p
	e := (p - (s - bv)) + (c - bv)
	if math.Abs(e) > 0 { // inexact (false for NaN)
		b := math.Float64bits(s)
		if b&1 == 0 {
			if (e > 0) == (s > 0) {
				b++ // away from zero
			} else {
				b-- // toward zero
			}
			s = math.Float64frombits(b)
		}
	}
	return float32(s)
}

// sqrt32 returns the correctly rounded float32 square root of x.
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

// oneMinus returns float32(1 - x) computed in float64, as PyTorch computes
// 1 - beta in a Python float before handing it to a float32 kernel.
func oneMinus(x float32) float32 { return float32(1 - float64(x)) }

// Stateful is an optimizer whose per-parameter state (moments, momentum
// buffers) can be saved in a checkpoint and restored, keyed as PyTorch's
// optimizer state_dict keys it ("<index>.exp_avg", ...). Adam and SGD
// implement it.
type Stateful interface {
	Optimizer
	// Name returns the optimizer's PyTorch class name ("Adam", "AdamW",
	// "SGD"), so that a checkpoint's state is never loaded into another
	// kind of optimizer.
	Name() string
	// StateDict returns copies of the state tensors by name.
	StateDict() map[string]*tensor.Tensor
	// LoadStateDict replaces the state with the given tensors; on error
	// the state is unchanged.
	LoadStateDict(map[string]*tensor.Tensor) error
}
