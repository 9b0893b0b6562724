package autograd

import (
	"errors"
	"fmt"

	"github.com/spikego/spikego/tensor"
)

// Var is a node of the computation: a tensor value, an optional gradient,
// and the operation that produced it (nil for a leaf).
type Var struct {
	value        *tensor.Tensor
	grad         *tensor.Tensor
	spare        *tensor.Tensor // storage of a recycled gradient (RecycleGrad)
	requiresGrad bool
	retainGrad   bool
	creator      *node
	scope        *Scope // lends memory to the passes without a tape on v
}

// node is one recorded application of a Function.
type node struct {
	fn     Function
	ctx    *Context
	inputs []*Var
	out    *Var
}

// NewVar returns a leaf Var holding t. When requiresGrad is true, Backward
// accumulates the gradient of the root with respect to it into Grad.
func NewVar(t *tensor.Tensor, requiresGrad bool) *Var {
	return &Var{value: t, requiresGrad: requiresGrad}
}

// Const returns a leaf Var holding t that does not require a gradient.
func Const(t *tensor.Tensor) *Var { return &Var{value: t} }

// Scalar returns a constant 0-d Var holding v.
func Scalar(v float32) *Var { return Const(tensor.Scalar(v)) }

// Value returns the Var's tensor.
func (v *Var) Value() *tensor.Tensor { return v.value }

// Grad returns the accumulated gradient, or nil before any Backward
// reached this Var. Non-leaf Vars keep a gradient only after RetainGrad.
func (v *Var) Grad() *tensor.Tensor { return v.grad }

// RequiresGrad reports whether gradients flow to this Var.
func (v *Var) RequiresGrad() bool { return v.requiresGrad }

// SetRequiresGrad changes whether a leaf Var requires a gradient. It is an
// error on a Var produced by an operation.
func (v *Var) SetRequiresGrad(b bool) error {
	if v.creator != nil {
		return errors.New("autograd: SetRequiresGrad on a non-leaf Var")
	}
	v.requiresGrad = b
	return nil
}

// IsLeaf reports whether v was created directly rather than by an
// operation on the tape.
func (v *Var) IsLeaf() bool { return v.creator == nil }

// RetainGrad asks Backward to store this non-leaf Var's gradient in Grad.
func (v *Var) RetainGrad() { v.retainGrad = true }

// ZeroGrad forgets the accumulated gradient.
func (v *Var) ZeroGrad() { v.grad, v.spare = nil, nil }

// RecycleGrad forgets the accumulated gradient, as ZeroGrad, but keeps
// its storage for the next Backward that reaches v to write the new
// gradient into, instead of allocating and clearing new memory. A tensor
// obtained from Grad before RecycleGrad therefore changes at that
// Backward: clone what must outlive it. The optimizers' ZeroGrad calls
// it.
func (v *Var) RecycleGrad() {
	if v.grad != nil {
		v.spare = v.grad
	}
	v.grad = nil
}

// SetGrad replaces the accumulated gradient (nil clears it).
func (v *Var) SetGrad(g *tensor.Tensor) {
	v.grad = g
	if g != nil && v.spare != nil && v.spare.SharesStorage(g) {
		v.spare = nil
	}
}

// Shape returns the shape of the Var's value.
func (v *Var) Shape() []int { return v.value.Shape() }

// String describes the Var.
func (v *Var) String() string {
	return fmt.Sprintf("Var(%v, requiresGrad=%v)", v.value, v.requiresGrad)
}

// Detach returns a new leaf Var sharing v's value that does not require a
// gradient: the tape stops there.
func Detach(v *Var) *Var { return &Var{value: v.value} }

// NoGrad runs fn with each given leaf Var marked as not requiring a
// gradient, so that operations inside fn that only involve these Vars and
// constants record nothing. The marks are restored when fn returns or
// panics. Pass a model's parameters to run inference without a tape.
func NoGrad(fn func() error, vars ...*Var) error {
	saved := make([]bool, len(vars))
	for i, v := range vars {
		saved[i] = v.requiresGrad
		if v.creator == nil {
			v.requiresGrad = false
		}
	}
	defer func() {
		// Restore in reverse order so that a Var listed twice (tied
		// parameters) gets back the flag it had before the first change.
		for i := len(vars) - 1; i >= 0; i-- {
			vars[i].requiresGrad = saved[i]
		}
	}()
	return fn()
}
