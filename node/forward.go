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
//
// The output, Mem and Spike lie in memory the node recycles (see
// autograd.Pool): once a Backward has run through this Forward, the
// node's next Forward overwrites them. Clone what must outlive it.
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
	if n.cfg.nonSpiking {
		out, err := n.runMembrane(x, T, repeat)
		if err == nil {
			n.notify(out.Value(), nil, 0)
		}
		return out, err
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
	// The last step's spikes are a view of the output, valid as long as
	// it is (see BaseNode.Forward).
	last := out.Value().Data()[(T-1)*N:]
	n.spike = autograd.Const(mustFrom(last, stepShape))
	n.spikes += float64(f.spikes)
	n.seen += float64(out.Value().Len())
	if len(n.observers) > 0 {
		var mem *tensor.Tensor
		if n.memWatchers > 0 {
			// The membrane after each step: charged, then reset where the
			// neuron fired.
			mem = tensor.New(outShape...)
			md, sd := mem.Data(), out.Value().Data()
			for i, v := range f.pre {
				md[i] = v * (1 - sd[i])
			}
		}
		n.notify(out.Value(), mem, f.spikes)
	}
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
	// step, [T,N], when a monitor records membranes; otherwise the
	// backward pass recomputes it tile by tile from the input and the
	// spikes (chargeReset), the same bits, rather than keep T·N floats
	// between the passes.
	pre     []float32
	lastMem []float32
	th      []float32 // threshold expanded to N, or one value
	thShape []int     // the threshold's own shape
	spikes  int       // non-zero outputs of the forward pass
}

// tile is the number of neurons whose T steps the fused kernels run
// together, one pass over the tile per operation and step: small enough
// that a tile's state (membrane or its gradient) and scratch stay in the
// L1 cache across the steps. The backward pass also sums the parameter
// gradients per tile, so changing tile changes their last bits.
const tile = 1024

// thresholdTile returns the thresholds of neurons lo..hi-1: a slice of
// the per-neuron thresholds, or of buf, the shared one repeated (see
// thresholdBuf).
func (f *multiStep) thresholdTile(buf []float32, lo, hi int) []float32 {
	if len(f.th) == 1 {
		return buf[:hi-lo]
	}
	return f.th[lo:hi]
}

// thresholdBuf returns the shared threshold repeated over a tile of at
// most n neurons, or nil when the threshold is per neuron. The loops then
// index thresholds the same way in both cases. The buffer comes from the
// node's pool: give it back with putThresholdBuf.
func (f *multiStep) thresholdBuf(n int) []float32 {
	if len(f.th) != 1 {
		return nil
	}
	buf := f.n.bufs.Get(min(n, tile))
	for i := range buf {
		buf[i] = f.th[0]
	}
	return buf
}

// putThresholdBuf gives back a buffer of thresholdBuf (nil is ignored).
func (f *multiStep) putThresholdBuf(buf []float32) {
	if buf != nil {
		f.n.bufs.Put(buf)
	}
}

// preTile returns the charged membranes of neurons a..b-1 at step t: a
// slice of pre when the forward pass kept it, else of buf, where the
// backward pass recomputed the tile's T steps.
func (f *multiStep) preTile(buf []float32, t, a, b int) []float32 {
	if f.pre != nil {
		return f.pre[t*f.N+a : t*f.N+b]
	}
	n := b - a
	return buf[t*n : (t+1)*n]
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
	// Every element of out, pre and lastMem is written below.
	pool := f.n.bufs
	out := ctx.Buffer(pool, f.outShape...)
	keep := f.n.memWatchers > 0
	if keep {
		f.pre = ctx.Buffer(pool, T*N).Data()
	}
	f.lastMem = ctx.Buffer(pool, N).Data()
	xd, od := x.Data(), out.Data()
	vReset := f.n.cfg.vReset
	k := f.kernel
	d := f.dyn
	var mu sync.Mutex
	tensor.ParallelFor(N, 4*T, func(lo, hi int) {
		thBuf := f.thresholdBuf(hi - lo)
		defer f.putThresholdBuf(thBuf)
		var scratch []float32 // the charged membrane, when pre is not kept
		if !keep {
			scratch = pool.Get(min(hi-lo, tile))
			defer pool.Put(scratch)
		}
		spikes := 0
		for a := lo; a < hi; a += tile {
			b := min(a+tile, hi)
			mem := f.lastMem[a:b]
			th := f.thresholdTile(thBuf, a, b)
			for i := range mem {
				mem[i] = vReset
			}
			for t := 0; t < T; t++ {
				xo := t * N
				if f.repeat {
					xo = 0
				}
				pre := scratch
				if keep {
					pre = f.pre[t*N+a : t*N+b]
				}
				pre = pre[:len(mem)]
				spikes += chargeFire(haveAVX2, &d, k, od[t*N+a:t*N+b], mem, pre, xd[xo+a:xo+b], th)
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
	pool := f.n.bufs
	var gx *tensor.Tensor
	if needX {
		// Written step by step below; summed over the steps when repeat.
		gx = ctx.GradBuffer(0, pool, x.Shape()...)
		if f.repeat {
			clear(gx.Data())
		}
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
	var gxd []float32
	if needX {
		gxd = gx.Data()
	}
	// Each tile of neurons (tile i holds neurons [i·tile, (i+1)·tile))
	// keeps its own partial sums, and they are added in tile order
	// afterwards: the tiles depend on N only, so the parameter gradients
	// depend on neither goroutine scheduling nor the number of cores.
	type partial struct{ th, alpha, k float64 }
	tiles := (N + tile - 1) / tile
	var parts []partial
	if needTh && !thPer || needAlpha || needW {
		parts = make([]partial, tiles)
	}
	tensor.ParallelFor(tiles, 8*T*min(N, tile), func(tlo, thi int) {
		lo, hi := tlo*tile, min(thi*tile, N)
		w := min(hi-lo, tile)
		thBuf := f.thresholdBuf(w)
		defer f.putThresholdBuf(thBuf)
		buf := pool.Get(4 * w)
		defer pool.Put(buf)
		// gmNext[j] is the gradient of neuron j's membrane after the reset
		// of the step being processed, flowing back from the later steps;
		// u is the input of the surrogate, gu its gradient, and gxBuf
		// receives the input gradient where it is not written in place.
		gmNextBuf, uBuf, guBuf, gxBuf := buf[:w], buf[w:2*w], buf[2*w:3*w], buf[3*w:]
		// The tile's charged membranes at every step, recomputed when
		// the forward pass did not keep them.
		var preBuf []float32
		if f.pre == nil {
			preBuf = pool.Get(T * w)
			defer pool.Put(preBuf)
		}
		for a := lo; a < hi; a += tile {
			b := min(a+tile, hi)
			n := b - a
			var p partial
			th := f.thresholdTile(thBuf, a, b)
			gmNext, u, gu := gmNextBuf[:n], uBuf[:n], guBuf[:n]
			if f.pre == nil {
				mem := u // free until the steps below
				for i := range mem {
					mem[i] = vReset
				}
				for t := range T {
					xo := t * N
					if f.repeat {
						xo = 0
					}
					chargeReset(haveAVX2, &d, f.preTile(preBuf, t, a, b), mem, xd[xo+a:xo+b], sd[t*N+a:t*N+b])
				}
			}
			clear(gmNext)
			var gthAcc []float32
			if gthElem != nil {
				gthAcc = gthElem[a:b]
			}
			for t := T - 1; t >= 0; t-- {
				base := t*N + a
				pre, spk, gt := f.preTile(preBuf, t, a, b), sd[base:base+n], gd[base:base+n]
				sub(haveAVX2, u, pre, th)
				k.GradInto(gu, gt, u, f.alpha)
				if needAlpha {
					for j, uj := range u {
						p.alpha += float64(k.DAlpha(gt[j], uj, f.alpha))
					}
				}
				if needTh {
					if gthAcc != nil {
						gthAcc = gthAcc[:n]
						for j, g := range gu {
							gthAcc[j] -= g
						}
					} else {
						for _, g := range gu {
							p.th -= float64(g)
						}
					}
				}
				gxt := gxBuf[:n]
				if needX && !f.repeat {
					gxt = gxd[base : base+n]
				}
				if needX && f.repeat && !needW {
					// Add the step's input gradient straight to the sum.
					chargeBack(haveAVX2, &d, gxd[a:b], gmNext, gu, spk, gxt)
					if memDetach {
						clear(gmNext)
					}
					continue
				}
				if needW {
					var xs []float32
					if f.repeat {
						xs = xd[a:b]
					} else {
						xs = xd[base : base+n]
					}
					var prevPre, prevSpk []float32
					if t > 0 {
						prevPre, prevSpk = f.preTile(preBuf, t-1, a, b), sd[base-N:base-N+n]
					}
					p.k += d.plifBackInto(gxt, gmNext, gu, spk, xs, prevPre, prevSpk, vReset)
				} else {
					chargeBack(haveAVX2, &d, gxt, gmNext, gu, spk, nil)
				}
				if needX && f.repeat {
					acc := gxd[a:b]
					acc = acc[:len(gxt)]
					for j, v := range gxt {
						acc[j] += v
					}
				}
				if memDetach {
					clear(gmNext)
				}
			}
			if parts != nil {
				parts[a/tile] = p
			}
		}
	})
	var total partial
	for _, p := range parts {
		total.th += p.th
		total.alpha += p.alpha
		total.k += p.k
	}
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
