package surrogate

import (
	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// Function is a surrogate spike function: Apply emits spikes from a
// membrane-potential input and records the surrogate gradient on the tape.
// Alpha returns the shape parameter, or nil where the function has none.
type Function interface {
	Apply(x *autograd.Var) *autograd.Var
	Alpha() *autograd.Var
}

// SurrogateFunctionBase is what every surrogate of this package is made
// of, as BrainCog's surrogates derive from its SurrogateFunctionBase: the
// function's own copy of its Kernel and, where the function has one, its
// parameter (alpha) as a 0-d Var (learnable when it requires a gradient).
type SurrogateFunctionBase struct {
	kernel *Kernel
	alpha  *autograd.Var
}

// newKernel returns a completed copy of the declaration k; it panics if the
// declaration is inconsistent (a programmer error inside this package,
// which its tests rule out).
func newKernel(k Kernel) *Kernel {
	if err := k.complete(); err != nil {
		panic(err)
	}
	return &k
}

// newBase returns the base of a function declared by k with parameter
// alpha, or an error if alpha is outside k's domain where k uses it.
func newBase(k Kernel, alpha float32, requiresGrad bool) (SurrogateFunctionBase, error) {
	if k.UsesAlpha {
		if err := k.Domain.check(k.Name, k.Param, alpha); err != nil {
			return SurrogateFunctionBase{}, err
		}
	}
	b := SurrogateFunctionBase{kernel: newKernel(k)}
	if k.HasAlpha {
		b.alpha = autograd.NewVar(tensor.Scalar(alpha), requiresGrad)
	}
	return b, nil
}

// newBaseWith is newBase for a function with a second parameter besides
// alpha: it first checks that the parameter, named name, is finite.
func newBaseWith(k Kernel, alpha float32, name string, value float32, requiresGrad bool) (SurrogateFunctionBase, error) {
	if err := DomainFinite.check(k.Name, name, value); err != nil {
		return SurrogateFunctionBase{}, err
	}
	return newBase(k, alpha, requiresGrad)
}

// Apply returns the spikes for membrane input x and records the surrogate
// gradient: x receives upstream * Deriv(x, alpha), and alpha, when it
// requires a gradient and the function defines one, receives
// sum(upstream * DAlpha(x, alpha)).
func (b SurrogateFunctionBase) Apply(x *autograd.Var) *autograd.Var {
	if b.kernel.Deriv == nil && b.kernel.Grad == nil && b.kernel.DAlpha == nil {
		return autograd.Const(Spikes(b.kernel, x.Value()))
	}
	alpha := b.alpha
	if b.kernel.DAlpha == nil && alpha != nil && alpha.RequiresGrad() {
		// alpha gets no gradient from this function; keep it off the tape
		// so that its Grad stays nil, as in BrainCog.
		alpha = autograd.Detach(alpha)
	}
	v, err := autograd.Apply(spikeFunction{b.kernel}, x, alpha)
	if err != nil {
		panic(err) // spikeFunction cannot fail
	}
	return v
}

// Alpha returns the alpha parameter, or nil where the function has none.
func (b SurrogateFunctionBase) Alpha() *autograd.Var { return b.alpha }

// Kernel returns a copy of the function's declaration: changing it
// changes neither the function nor the registry.
func (b SurrogateFunctionBase) Kernel() *Kernel {
	k := *b.kernel
	return &k
}

// Name returns the function's name, as New accepts it.
func (b SurrogateFunctionBase) Name() string { return b.kernel.Name }

// AlphaValue returns the current value of the parameter (the kernel's
// default where the function has none).
func (b SurrogateFunctionBase) AlphaValue() float32 {
	if b.alpha == nil {
		return b.kernel.DefaultAlpha
	}
	return b.alpha.Value().Item()
}

// Spikes applies k's spike rule element-wise to x. k must be complete: one
// that Lookup or a Function's Kernel method returned.
func Spikes(k *Kernel, x *tensor.Tensor) *tensor.Tensor {
	return tensor.Map(x, k.Spike)
}

// spikeFunction is the autograd Function of a surrogate: inputs x and an
// optional 0-d alpha.
type spikeFunction struct{ k *Kernel }

func (f spikeFunction) Forward(ctx *autograd.Context, in ...*tensor.Tensor) (*tensor.Tensor, error) {
	if ctx.AnyNeedsGrad() {
		ctx.SaveForBackward(in[0])
		ctx.Value = f.alphaOf(in[1])
	}
	return Spikes(f.k, in[0]), nil
}

func (f spikeFunction) alphaOf(a *tensor.Tensor) float32 {
	if a == nil {
		return f.k.DefaultAlpha
	}
	return a.Item()
}

func (f spikeFunction) Backward(ctx *autograd.Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
	x := ctx.Saved()[0]
	alpha := ctx.Value.(float32)
	grads := make([]*tensor.Tensor, 2)
	xd, gd := x.Data(), g.Data()
	if ctx.NeedsInputGrad(0) && (f.k.Deriv != nil || f.k.Grad != nil) {
		gx := tensor.New(x.Shape()...)
		od := gx.Data()
		k := f.k
		tensor.ParallelFor(len(od), 8, func(lo, hi int) {
			k.GradInto(od[lo:hi], gd[lo:hi], xd[lo:hi], alpha)
		})
		grads[0] = gx
	}
	if ctx.NeedsInputGrad(1) && f.k.DAlpha != nil {
		var s float64
		for i, xv := range xd {
			s += float64(f.k.DAlpha(gd[i], xv, alpha))
		}
		grads[1] = tensor.Scalar(float32(s))
	}
	return grads, nil
}
