package node

import (
	"errors"
	"fmt"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/tensor"
)

// Every node is an nn.Module that knows about time steps (nn.Temporal), so
// that it goes into an nn.Sequential beside the stateless layers.
var (
	_ nn.Temporal = (*BaseNode)(nil)
	_ nn.Temporal = (*LIFNode)(nil)
)

// Buffers returns the node's fixed values, which BrainCog's state_dict
// holds as parameters that need no gradient: "threshold" (unless
// learnable) and the surrogate's "act_fun.alpha" (unless learnable, and
// where the surrogate has an alpha). The tensors are the node's own, so
// nn.LoadStateDict sets them: a BrainCog checkpoint's thresholds and
// alphas take effect.
func (n *BaseNode) Buffers() []nn.NamedTensor {
	var out []nn.NamedTensor
	if !n.th.RequiresGrad() {
		out = append(out, nn.NamedTensor{Name: "threshold", Tensor: n.th.Value()})
	}
	if a := n.act.Alpha(); a != nil && !a.RequiresGrad() {
		out = append(out, nn.NamedTensor{Name: "act_fun.alpha", Tensor: a.Value()})
	}
	return out
}

// SetTraining has no effect: a node computes the same in training and in
// evaluation.
func (n *BaseNode) SetTraining(bool) {}

// ForwardTime runs the node over T time steps (nn.Temporal): x is [T·B,
// ...], or, when static, [B, ...], the same input at every step. The
// spikes (the membrane, for a non-spiking node) come back as [T·B, ...],
// never static.
func (n *BaseNode) ForwardTime(x *autograd.Var, T int, static bool) (*autograd.Var, bool, error) {
	if x == nil {
		return nil, false, errors.New("node: ForwardTime of nil input")
	}
	if T < 1 {
		return nil, false, fmt.Errorf("node: ForwardTime needs T >= 1, got %d", T)
	}
	shape := x.Value().Shape()
	if len(shape) < 1 {
		return nil, false, fmt.Errorf("node: ForwardTime needs input [N,...], got a scalar")
	}
	var out *autograd.Var
	var err error
	if static {
		out, err = n.ForwardRepeat(x, T)
	} else {
		if shape[0]%T != 0 {
			return nil, false, fmt.Errorf("node: input of shape %v does not hold %d time steps", shape, T)
		}
		seq := append([]int{T, shape[0] / T}, shape[1:]...)
		out, err = n.Forward(autograd.Reshape(x, seq...))
	}
	if err != nil {
		return nil, false, err
	}
	flat := append([]int{out.Value().Dim(0) * out.Value().Dim(1)}, out.Value().Shape()[2:]...)
	return autograd.Reshape(out, flat...), false, nil
}

// runMembrane runs a non-spiking node (WithNonSpiking) for T steps on x
// ([T,B,...], or [B,...] at every step when repeat) and returns the
// membrane after each step's charge, [T,B,...], as one autograd operation.
// The node never fires, so it never resets; the numbers are those of T
// calls of Step.
func (n *BaseNode) runMembrane(x *autograd.Var, T int, repeat bool) (*autograd.Var, error) {
	shape := x.Value().Shape()
	stepShape := shape
	if !repeat {
		stepShape = shape[1:]
	}
	n.Reset()
	f := &membraneSeq{n: n, T: T, repeat: repeat, outShape: append([]int{T}, stepShape...), dyn: n.dyn()}
	var w *autograd.Var
	if n.w != nil {
		w = n.w
	}
	out, err := autograd.Apply(f, x, w)
	if err != nil {
		return nil, err
	}
	N := f.N
	last := out.Value().Data()[(T-1)*N:]
	n.mem = autograd.Const(mustFrom(append([]float32(nil), last...), stepShape))
	n.spike = autograd.Const(tensor.New(stepShape...))
	n.seen += float64(out.Value().Len())
	return out, nil
}

// membraneSeq is the multi-step non-spiking node as one autograd Function.
// Inputs: x, w (PLIF only).
type membraneSeq struct {
	n        *BaseNode
	T, N     int
	repeat   bool
	outShape []int
	dyn      dynamics
}

func (f *membraneSeq) Forward(ctx *autograd.Context, in ...*tensor.Tensor) (*tensor.Tensor, error) {
	x := in[0]
	T := f.T
	N := x.Len()
	if !f.repeat {
		N /= T
	}
	f.N = N
	out := ctx.Buffer(f.n.bufs, f.outShape...) // every element is written
	xd, od := x.Data(), out.Data()
	v0 := f.n.cfg.vReset
	for i := 0; i < N; i++ {
		mem := v0
		for t := 0; t < T; t++ {
			xi := xd[i]
			if !f.repeat {
				xi = xd[t*N+i]
			}
			mem = f.dyn.charge(mem, xi)
			od[t*N+i] = mem
		}
	}
	if ctx.AnyNeedsGrad() {
		ctx.SaveForBackward(x, out)
	}
	return out, nil
}

func (f *membraneSeq) Backward(ctx *autograd.Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
	x, out := ctx.Saved()[0], ctx.Saved()[1]
	T, N := f.T, f.N
	gx := ctx.GradBuffer(0, f.n.bufs, x.Shape()...)
	if f.repeat {
		clear(gx.Data()) // summed over the steps; else every element is written
	}
	gxd, gd, xd, od := gx.Data(), g.Data(), x.Data(), out.Data()
	d := f.dyn
	detach := f.n.cfg.memDetach
	var gk float64
	for i := 0; i < N; i++ {
		var carry float32 // dL/dmem_t from the steps after t
		for t := T - 1; t >= 0; t-- {
			gm := gd[t*N+i] + carry
			xi := xd[i]
			if !f.repeat {
				xi = xd[t*N+i]
			}
			prev := f.n.cfg.vReset
			if t > 0 {
				prev = od[(t-1)*N+i]
			}
			gIn, gPrev, gK := d.chargeBack(gm, prev, xi)
			if f.repeat {
				gxd[i] += gIn
			} else {
				gxd[t*N+i] = gIn
			}
			gk += float64(gK)
			carry = gPrev
			if detach {
				carry = 0
			}
		}
	}
	var gw *tensor.Tensor
	if ctx.NeedsInputGrad(1) {
		k := d.k
		gw = tensor.Scalar(float32(gk) * (k * (1 - k)))
	}
	return []*tensor.Tensor{gx, gw}, nil
}

// charge is one step of the node's charge equation on the tape, in
// BrainCog's operations.
func (n *BaseNode) charge(mem, x *autograd.Var) *autograd.Var {
	switch n.kind {
	case IF:
		return autograd.Add(mem, autograd.MulScalar(x, n.cfg.dt))
	case LIF:
		return autograd.Add(mem, autograd.DivScalar(autograd.Sub(x, mem), n.cfg.tau))
	case LIFSTDP:
		return autograd.Add(autograd.MulScalar(mem, n.cfg.tau), x)
	}
	k := autograd.Sigmoid(n.w)
	return autograd.Add(mem, autograd.MulScalar(autograd.Mul(autograd.Sub(x, mem), k), n.cfg.dt))
}
