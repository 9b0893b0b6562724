package node

import (
	"errors"
	"fmt"
	"sync"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/surrogate"
	"github.com/spikego/spikego/tensor"
)

// Forward runs x [T,B,...] through T time steps from a fresh state (so a
// forgotten Reset cannot leak one batch's membrane into the next) and
// returns the spikes [T,B,...]. It is one autograd operation with a fused
// forward pass and a fused backward pass through time, and gives the same
// numbers as T calls of Step. Afterwards Mem holds the membrane after the
// last step and Spike the last step's spikes, both detached from the tape.
func (n *BaseNode) Forward(x *autograd.Var) (*autograd.Var, error) {
	if x == nil {
		return nil, errors.New("node: Forward of nil input")
	}
	shape := x.Value().Shape()
	if len(shape) < 2 {
		return nil, fmt.Errorf("node: Forward needs input [T,B,...], got shape %v", shape)
	}
	if shape[0] < 1 {
		return nil, fmt.Errorf("node: Forward needs at least one time step, got input of shape %v", shape)
	}
	return n.run(x, shape[0], false)
}

// ForwardRepeat runs T time steps on the same input x [B,...] at every
// step, from a fresh state, and returns the spikes [T,B,...]. It equals
// Forward on x repeated T times, without materialising the repetition:
// the gradient of x is the sum over steps. Use it for a static input
// (direct coding), whose first layer then need only be computed once.
func (n *BaseNode) ForwardRepeat(x *autograd.Var, T int) (*autograd.Var, error) {
	if x == nil {
		return nil, errors.New("node: ForwardRepeat of nil input")
	}
	if T < 1 {
		return nil, fmt.Errorf("node: ForwardRepeat needs T >= 1, got %d", T)
	}
	if x.Value().Dims() < 1 {
		return nil, fmt.Errorf("node: ForwardRepeat needs input [B,...], got a scalar")
	}
	return n.run(x, T, true)
}

func (n *BaseNode) run(x *autograd.Var, T int, repeat bool) (*autograd.Var, error) {
	shape := x.Value().Shape()
	stepShape := shape
	if !repeat {
		stepShape = shape[1:]
	}
	outShape := append([]int{T}, stepShape...)
	if n.cfg.warmUp {
		n.Reset()
		if repeat {
			// Broadcast x over a leading time axis; the gradient sums over it.
			x = autograd.Add(autograd.Reshape(x, append([]int{1}, stepShape...)...), autograd.Const(tensor.New(outShape...)))
		}
		return autograd.ReLU(x), nil
	}
	if err := n.checkThreshold(stepShape); err != nil {
		return nil, err
	}
	n.Reset()
	f := &multiStep{
		n:        n,
		T:        T,
		repeat:   repeat,
		outShape: outShape,
		dyn:      n.dyn(),
		kernel:   n.kernel,
		alpha:    alphaValue(n.act),
	}
	var alpha, w *autograd.Var
	if a := n.act.Alpha(); a != nil && a.RequiresGrad() && n.kernel.DAlpha != nil {
		alpha = a
	}
	if n.w != nil {
		w = n.w
	}
	out, err := autograd.Apply(f, x, n.th, alpha, w)
	if err != nil {
		return nil, err
	}
	N := f.N
	n.mem = autograd.Const(mustFrom(f.lastMem, stepShape))
	last := out.Value().Data()[(T-1)*N:]
	n.spike = autograd.Const(mustFrom(append([]float32(nil), last...), stepShape))
	n.spikes += float64(f.spikes)
	n.seen += float64(out.Value().Len())
	return out, nil
}

func mustFrom(d []float32, shape []int) *tensor.Tensor {
	t, err := tensor.FromSlice(d, shape...)
	if err != nil {
		panic(err)
	}
	return t
}

func alphaValue(f surrogate.Function) float32 {
	if a, ok := f.(interface{ AlphaValue() float32 }); ok {
		return a.AlphaValue()
	}
	return 2
}

// multiStep is the fused multi-step node as one autograd Function. Inputs:
// x, threshold, alpha (nil unless learnable), w (PLIF only).
type multiStep struct {
	n        *BaseNode
	T, N     int
	repeat   bool
	outShape []int
	dyn      dynamics
	kernel   *surrogate.Kernel
	alpha    float32
	// pre holds the membrane after charging and before the reset at every
	// step, [T,N]: what backward needs (with the spikes) to recompute
	// every intermediate exactly.
	pre     []float32
	lastMem []float32
	th      []float32 // threshold expanded to N, or one value
	thShape []int     // the threshold's own shape
	spikes  int       // non-zero outputs of the forward pass
}

// thresholds returns the thresholds from element lo on and the stride to
// index them with: 0 for one shared threshold, 1 for one per element.
func (f *multiStep) thresholds(lo int) ([]float32, int) {
	if len(f.th) == 1 {
		return f.th, 0
	}
	return f.th[lo:], 1
}

func (f *multiStep) Forward(ctx *autograd.Context, in ...*tensor.Tensor) (*tensor.Tensor, error) {
	x := in[0]
	T := f.T
	N := x.Len()
	if !f.repeat {
		N /= T
	}
	f.N = N
	f.thShape = in[1].Shape()
	if in[1].Len() == 1 {
		f.th = []float32{in[1].Data()[0]}
	} else {
		stepShape := f.outShape[1:]
		e, err := tensor.Expand(in[1], stepShape...)
		if err != nil {
			return nil, err
		}
		f.th = e.Data()
	}
	out := tensor.New(f.outShape...)
	keep := ctx.AnyNeedsGrad()
	if keep {
		f.pre = make([]float32, T*N)
	}
	f.lastMem = make([]float32, N)
	xd, od := x.Data(), out.Data()
	vReset := f.n.cfg.vReset
	spike := f.kernel.Spike
	d := f.dyn
	var mu sync.Mutex
	tensor.ParallelFor(N, 4*T, func(lo, hi int) {
		mem := f.lastMem[lo:hi]
		th, stride := f.thresholds(lo)
		for i := range mem {
			mem[i] = vReset
		}
		spikes := 0
		for t := 0; t < T; t++ {
			xo := t * N
			if f.repeat {
				xo = 0
			}
			xs := xd[xo+lo : xo+hi]
			xs = xs[:len(mem)]
			o := od[t*N+lo : t*N+hi]
			o = o[:len(mem)]
			var pre []float32
			if keep {
				pre = f.pre[t*N+lo : t*N+hi]
				pre = pre[:len(mem)]
			}
			for j := range mem {
				m := d.charge(mem[j], xs[j])
				if keep {
					pre[j] = m
				}
				s := spike(m - th[j*stride])
				o[j] = s
				if s != 0 {
					spikes++
				}
				mem[j] = m * (1 - s)
			}
		}
		mu.Lock()
		f.spikes += spikes
		mu.Unlock()
	})
	if ctx.AnyNeedsGrad() {
		ctx.SaveForBackward(x, out)
	}
	return out, nil
}

func (f *multiStep) Backward(ctx *autograd.Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
	x, out := ctx.Saved()[0], ctx.Saved()[1]
	T, N := f.T, f.N
	needX, needTh := ctx.NeedsInputGrad(0), ctx.NeedsInputGrad(1)
	needAlpha, needW := ctx.NeedsInputGrad(2), ctx.NeedsInputGrad(3)
	var gx *tensor.Tensor
	if needX {
		gx = tensor.New(x.Shape()...)
	}
	xd, sd, gd := x.Data(), out.Data(), g.Data()
	vReset := f.n.cfg.vReset
	memDetach := f.n.cfg.memDetach
	k := f.kernel
	d := f.dyn
	thPer := len(f.th) > 1
	var gthElem []float32
	if needTh && thPer {
		gthElem = make([]float32, N)
	}
	type partial struct{ th, alpha, k float64 }
	var mu sync.Mutex
	var total partial
	tensor.ParallelFor(N, 8*T, func(lo, hi int) {
		var p partial
		n := hi - lo
		th, stride := f.thresholds(lo)
		// gmNext[j] is the gradient of neuron j's membrane after the reset
		// of the step being processed, flowing back from the later steps.
		gmNext := make([]float32, n)
		var gxAcc []float32 // repeated input: the sum over steps, in place
		if needX && f.repeat {
			gxAcc = gx.Data()[lo:hi]
		}
		var gthAcc []float32
		if gthElem != nil {
			gthAcc = gthElem[lo:hi]
		}
		for t := T - 1; t >= 0; t-- {
			base := t*N + lo
			pre, spk, gt := f.pre[base:base+n], sd[base:base+n], gd[base:base+n]
			var prevPre, prevSpk []float32
			if t > 0 {
				prevPre, prevSpk = f.pre[base-N:base-N+n], sd[base-N:base-N+n]
			}
			var xs []float32
			if f.repeat {
				xs = xd[lo:hi]
			} else {
				xs = xd[base : base+n]
			}
			var gxt []float32
			if needX && !f.repeat {
				gxt = gx.Data()[base : base+n]
			}
			for j := 0; j < n; j++ {
				u := pre[j] - th[j*stride]
				gu := k.GradAt(gt[j], u, f.alpha)
				gm := gu + gmNext[j]*(1-spk[j])
				if needTh {
					if gthAcc != nil {
						gthAcc[j] -= gu
					} else {
						p.th -= float64(gu)
					}
				}
				if needAlpha {
					p.alpha += float64(k.DAlpha(gt[j], u, f.alpha))
				}
				mPrev := vReset
				if t > 0 {
					mPrev = prevPre[j] * (1 - prevSpk[j])
				}
				gxv, gmPrev, gk := d.chargeBack(gm, mPrev, xs[j])
				if needW {
					p.k += float64(gk)
				}
				switch {
				case gxAcc != nil:
					gxAcc[j] += gxv
				case gxt != nil:
					gxt[j] = gxv
				}
				if memDetach {
					gmPrev = 0
				}
				gmNext[j] = gmPrev
			}
		}
		mu.Lock()
		total.th += p.th
		total.alpha += p.alpha
		total.k += p.k
		mu.Unlock()
	})
	grads := make([]*tensor.Tensor, 4)
	grads[0] = gx
	if needTh {
		if thPer {
			e, err := tensor.FromSlice(gthElem, f.outShape[1:]...)
			if err != nil {
				return nil, err
			}
			if grads[1], err = tensor.ReduceTo(e, f.thShape); err != nil {
				return nil, err
			}
		} else {
			grads[1] = tensor.Full(float32(total.th), f.thShape...)
		}
	}
	if needAlpha {
		grads[2] = tensor.Scalar(float32(total.alpha))
	}
	if needW {
		kv := d.k
		grads[3] = tensor.Scalar(float32(total.k) * (kv * (1 - kv)))
	}
	return grads, nil
}
