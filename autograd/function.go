package autograd

import (
	"fmt"

	"github.com/spikego/spikego/tensor"
)

// Function is a differentiable operation, the Go twin of
// torch.autograd.Function. Forward receives the input values (nil where an
// optional input Var was nil) and returns the output; Backward receives the
// gradient of the output and returns one gradient per input, in order. A
// returned gradient may be nil where NeedsInputGrad is false or the
// gradient is zero by definition. Backward must not modify grad: it may be
// shared with other nodes.
type Function interface {
	Forward(ctx *Context, inputs ...*tensor.Tensor) (*tensor.Tensor, error)
	Backward(ctx *Context, grad *tensor.Tensor) ([]*tensor.Tensor, error)
}

// FreshGrads is implemented by Functions whose Backward returns only
// gradients that nothing else references: tensors it has just allocated,
// sharing storage with no other gradient it returns, with the incoming
// gradient or with anything the Function or its Context keeps. Backward
// then lets a leaf Var whose Grad is nil take such a gradient as its Grad
// rather than a copy of it. The method itself is only a marker.
type FreshGrads interface {
	FreshGrads()
}

// Context carries what one application of a Function keeps between
// Forward and Backward, like ctx in PyTorch.
type Context struct {
	saved []*tensor.Tensor
	needs []bool
	// Value holds any non-tensor state Forward wants Backward to see
	// (the counterpart of setting attributes on ctx in PyTorch).
	Value any

	vals     []*tensor.Tensor // the inputs' values, for Buffer
	vars     []*Var           // the inputs, for GradBuffer
	owned    []pooled         // Buffer's buffers of a recorded node
	released bool             // owned are back in their pools
	inferred []*Pool          // pools a Forward without a tape has used
	scope    *Scope           // lends Buffers to a Forward without a tape
	bw       *backwardState   // the running Backward, during Backward
	// home is the pool of the output's memory: that of the first
	// Buffer, or, for a node without one (a view such as Reshape), the
	// home of its first input made by a node. GradBuffer with a nil pool
	// takes the gradient of an input from the home of the input's node.
	home *Pool
}

// SaveForBackward keeps tensors for Backward.
func (c *Context) SaveForBackward(ts ...*tensor.Tensor) { c.saved = append(c.saved[:0], ts...) }

// Saved returns the tensors passed to SaveForBackward.
func (c *Context) Saved() []*tensor.Tensor { return c.saved }

// NeedsInputGrad reports whether input i requires a gradient (the
// counterpart of ctx.needs_input_grad[i]).
func (c *Context) NeedsInputGrad(i int) bool { return i < len(c.needs) && c.needs[i] }

// AnyNeedsGrad reports whether any input requires a gradient, that is,
// whether Backward can be called at all.
func (c *Context) AnyNeedsGrad() bool {
	for _, n := range c.needs {
		if n {
			return true
		}
	}
	return false
}

// Apply runs f on the inputs' values and, when any input requires a
// gradient, records the application on the tape so that Backward reaches
// the inputs. Inputs may be nil (optional inputs); they never receive
// gradients.
func Apply(f Function, inputs ...*Var) (*Var, error) {
	vals := make([]*tensor.Tensor, len(inputs))
	ctx := &Context{needs: make([]bool, len(inputs)), vals: vals, vars: inputs}
	record := false
	for i, in := range inputs {
		if in == nil {
			continue
		}
		vals[i] = in.value
		if in.requiresGrad {
			ctx.needs[i] = true
			record = true
		}
		if ctx.scope == nil {
			ctx.scope = in.scope
		}
	}
	if record {
		ctx.scope = nil // a recorded node's memory follows the tape
	}
	out, err := f.Forward(ctx, vals...)
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, fmt.Errorf("autograd: %T.Forward returned no tensor", f)
	}
	v := &Var{value: out, scope: ctx.scope}
	if record {
		v.requiresGrad = true
		v.creator = &node{fn: f, ctx: ctx, inputs: inputs, out: v}
		if len(ctx.owned) > 0 {
			ctx.home = ctx.owned[0].p
		} else {
			for _, in := range inputs {
				if in != nil && in.creator != nil {
					ctx.home = in.creator.ctx.home
					break
				}
			}
		}
	}
	return v, nil
}

// mustApply is Apply for the package's own operations, whose errors are
// shape errors made by the caller.
func mustApply(f Function, inputs ...*Var) *Var {
	v, err := Apply(f, inputs...)
	if err != nil {
		panic(err)
	}
	return v
}

// op adapts a pair of closures to Function; the package's built-in
// operations use it.
type op struct {
	name string
	fwd  func(ctx *Context, in []*tensor.Tensor) (*tensor.Tensor, error)
	bwd  func(ctx *Context, g *tensor.Tensor) ([]*tensor.Tensor, error)
}

func (o *op) Forward(ctx *Context, in ...*tensor.Tensor) (*tensor.Tensor, error) {
	t, err := o.fwd(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("autograd: %s: %w", o.name, err)
	}
	return t, nil
}

func (o *op) Backward(ctx *Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
	gs, err := o.bwd(ctx, g)
	if err != nil {
		return nil, fmt.Errorf("autograd: %s backward: %w", o.name, err)
	}
	return gs, nil
}
