package stdp

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/node"
	"github.com/spikego/spikego/strategy"
	"github.com/spikego/spikego/tensor"
)

// ConvConfig configures an STDPConv. DefaultConvConfig gives BrainCog's
// defaults.
type ConvConfig struct {
	// In and Out are the input and output channels.
	In, Out int
	// Kernel, Stride and Padding describe the square convolution window.
	Kernel, Stride, Padding int
	// Tau is the membrane decay per step of the LIFSTDPNode:
	// BrainCog's exp(-1/100) in float32.
	Tau float32
	// Offset is normgrad's offset (BrainCog's convoff, 0.3).
	Offset float32
	// Inh is the strength of the lateral inhibition in threshold mode.
	// STDPConv's default is 6.5; the example's network uses 1.625.
	Inh float32
	// Steps is the number of time steps Forward runs (the nn.Module
	// path; Run takes T as an argument).
	Steps int
	// K is the number of winners of the WTALayer (1).
	K int
	// Seed seeds the WTALayer's random numbers.
	Seed uint64
}

// DefaultConvConfig returns BrainCog's STDPConv defaults for a 3×3
// convolution with stride 1 and padding 1 from in to out channels, run
// for 100 steps.
func DefaultConvConfig(in, out int) ConvConfig {
	return ConvConfig{
		In: in, Out: out, Kernel: 3, Stride: 1, Padding: 1,
		Tau:    float32(math.Exp(-1.0 / 100)),
		Offset: 0.3, Inh: 6.5, Steps: 100, K: 1,
	}
}

// STDPConv is BrainCog's STDPConv (examples/Perception_and_Learning/
// UnsupervisedSTDP/codef.py): a bias-free convolution whose output drives
// a layer of LIFSTDPNode neurons (STDPGrad surrogate, membrane detached
// at every step) through a per-channel adaptive threshold and a sigmoid
// input shaping, with winner-take-all over channels followed by lateral
// inhibition in threshold mode, for a static input presented at every
// step. See the package documentation for the formulas.
//
// It is an nn.Module: Forward runs the layer on the autograd tape, T calls
// of node.Step, strategy.WTALayer and strategy.LateralInhibition, exactly
// BrainCog's graph. Run is the fast path for learning: the same spikes
// from fused kernels whose memory does not grow with T, with Backward
// giving the weight gradient that autograd through STDPGrad gives.
type STDPConv struct {
	cfg  ConvConfig
	conv *nn.Conv2d
	node node.Node
	wta  *strategy.WTALayer
	li   *strategy.LateralInhibition

	// thr is the per-channel threshold of the last batch, [Out].
	thr []float32

	// State of the last Run, for Backward.
	y      *autograd.Var // conv output on the tape
	argmax []int         // per channel: flat index into y of the element that set the threshold
	counts *tensor.Tensor
	sim    convSim
}

// NewSTDPConv returns an STDPConv with PyTorch's default initialisation
// of the convolution weight drawn from rng, then normalised as BrainCog's
// constructor does (NormWeight(false)).
func NewSTDPConv(cfg ConvConfig, rng *nn.Rand) (*STDPConv, error) {
	switch {
	case cfg.Steps < 1:
		return nil, fmt.Errorf("stdp: STDPConv needs Steps >= 1, got %d", cfg.Steps)
	case !finite(cfg.Tau) || !finite(cfg.Offset) || !finite(cfg.Inh):
		return nil, fmt.Errorf("stdp: STDPConv needs finite Tau, Offset and Inh, got %v, %v, %v", cfg.Tau, cfg.Offset, cfg.Inh)
	}
	conv, err := nn.NewConv2d(cfg.In, cfg.Out, cfg.Kernel, cfg.Stride, cfg.Padding, false, rng)
	if err != nil {
		return nil, fmt.Errorf("stdp: STDPConv: %w", err)
	}
	nd, err := node.New("LIFSTDPNode", node.WithSurrogate("STDPGrad"), node.WithTau(cfg.Tau), node.WithMemDetach(true))
	if err != nil {
		return nil, fmt.Errorf("stdp: STDPConv: %w", err)
	}
	wta, err := strategy.NewWTALayer(cfg.K, cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("stdp: STDPConv: %w", err)
	}
	li, err := strategy.NewLateralInhibition(nd, cfg.Inh, strategy.Threshold)
	if err != nil {
		return nil, fmt.Errorf("stdp: STDPConv: %w", err)
	}
	c := &STDPConv{cfg: cfg, conv: conv, node: nd, wta: wta, li: li, thr: make([]float32, cfg.Out)}
	for i := range c.thr {
		c.thr[i] = 1 // LIFSTDPNode's default threshold, until the first batch
	}
	if err := c.NormWeight(false); err != nil {
		return nil, err
	}
	return c, nil
}

func finite(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }

// Config returns the layer's configuration.
func (c *STDPConv) Config() ConvConfig { return c.cfg }

// Weight returns the [Out, In, Kernel, Kernel] convolution weight.
func (c *STDPConv) Weight() *autograd.Var { return c.conv.Weight }

// Node returns the layer's LIFSTDPNode.
func (c *STDPConv) Node() node.Node { return c.node }

// WTA returns the layer's winner-take-all.
func (c *STDPConv) WTA() *strategy.WTALayer { return c.wta }

// Threshold returns a copy of the per-channel threshold set by the last
// batch (1 before any).
func (c *STDPConv) Threshold() []float32 { return append([]float32(nil), c.thr...) }

// Counts returns the spike counts of the last Run [B, Out, Ho, Wo] (nil
// before any; shared, overwritten by the next Run).
func (c *STDPConv) Counts() *tensor.Tensor { return c.counts }

// Params returns the convolution weight, "conv.weight" as in BrainCog's
// state_dict.
func (c *STDPConv) Params() []nn.NamedVar {
	return []nn.NamedVar{{Name: "conv.weight", Var: c.conv.Weight}}
}

// Buffers returns the per-channel threshold of the last batch,
// "node.threshold" [Out] (a non-trainable Parameter in BrainCog).
func (c *STDPConv) Buffers() []nn.NamedTensor {
	t, _ := tensor.FromSlice(c.thr, len(c.thr))
	return []nn.NamedTensor{{Name: "node.threshold", Tensor: t}}
}

// SetTraining does nothing: the layer behaves the same in both modes, as
// in BrainCog.
func (c *STDPConv) SetTraining(bool) {}

// Reset returns the neurons to rest (BrainCog's reset).
func (c *STDPConv) Reset() { c.node.Reset() }

// shapeConsts returns the constants of the input shaping for threshold n:
// q = 4n/10 and r = 8/n computed as PyTorch does (8/n is reciprocal(n)*8).
func shapeConsts(n float32) (q, r float32) {
	q = float32(4*n) / 10
	r = float32(1/n) * 8
	return q, r
}

// shapeInput is the sigmoid input shaping of one element, in BrainCog's
// float32 order: xc = max(y, 0), e = exp(-((xc - q)*r)), xs = n/(1 + e).
func shapeInput(y, n, q, r float32) (xs, e, den float32) {
	xc := y
	if y < 0 {
		xc = 0
	}
	p := float32(float32(xc-q) * r)
	e = float32(math.Exp(float64(-p)))
	den = 1 + e
	return n / den, e, den
}

// Forward runs the layer for Steps steps on the static input x [B, In,
// H, W] on the autograd tape and returns the spike counts [B, Out, Ho, Wo]
// (the sum of the WTA outputs over the steps), as BrainCog's
// STDPConv.forward with static=True. The node is reset first.
// Backpropagating from the result through STDPGrad gives the Hebbian
// update; Run and Backward give the same without the tape.
func (c *STDPConv) Forward(x *autograd.Var) (*autograd.Var, error) {
	if x == nil {
		return nil, errors.New("stdp: STDPConv.Forward of nil input")
	}
	y, err := c.conv.Forward(x)
	if err != nil {
		return nil, fmt.Errorf("stdp: STDPConv: %w", err)
	}
	if y.Value().Len() == 0 {
		return nil, fmt.Errorf("stdp: STDPConv: empty input of shape %v", x.Shape())
	}
	// n = max over batch, rows, columns (in that order, as BrainCog) + 1e-4.
	n := autograd.AddScalar(autograd.Max(autograd.Max(autograd.Max(y, 0, true), 2, true), 3, true), 0.0001)
	copy(c.thr, n.Value().Data())
	if err := c.node.SetThreshold(n.Value()); err != nil {
		return nil, fmt.Errorf("stdp: STDPConv: %w", err)
	}
	ge, _ := tensor.GreaterEqual(y.Value(), tensor.Scalar(0))
	xc := autograd.Where(ge, y, autograd.Scalar(0))
	q := autograd.DivScalar(autograd.MulScalar(n, 4), 10)
	r := autograd.MulScalar(autograd.Div(autograd.Scalar(1), n), 8)
	e := autograd.Exp(autograd.Neg(autograd.Mul(autograd.Sub(xc, q), r)))
	xs := autograd.Div(n, autograd.AddScalar(e, 1))
	c.node.Reset()
	var sum *autograd.Var
	for t := 0; t < c.cfg.Steps; t++ {
		s, err := c.node.Step(xs)
		if err != nil {
			return nil, fmt.Errorf("stdp: STDPConv step %d: %w", t, err)
		}
		// BrainCog skips WTA and inhibition when no neuron of the batch
		// spiked; both are then no-ops, so they always run here.
		if s, err = c.wta.Forward(s); err != nil {
			return nil, fmt.Errorf("stdp: STDPConv step %d: %w", t, err)
		}
		if _, err := c.li.Apply(s, nil); err != nil {
			return nil, fmt.Errorf("stdp: STDPConv step %d: %w", t, err)
		}
		if sum == nil {
			sum = s
		} else {
			sum = autograd.Add(sum, s)
		}
	}
	return sum, nil
}

// Run runs the layer for T steps on the static input x [B, In, H, W] and
// returns the spike counts [B, Out, Ho, Wo] (a buffer reused by the next
// Run). It gives the spikes of Forward with fused kernels: each position
// of each sample is an independent system of Out neurons (WTA and
// inhibition act across channels only), simulated over the T steps in
// registers, drawing the WTALayer's random numbers of the same calls.
// It keeps what Backward needs: the convolution output, the threshold's
// argmax and the counts; its memory does not depend on T.
func (c *STDPConv) Run(x *tensor.Tensor, T int) (*tensor.Tensor, error) {
	if x == nil {
		return nil, errors.New("stdp: STDPConv.Run of nil input")
	}
	if T < 1 {
		return nil, fmt.Errorf("stdp: STDPConv.Run needs T >= 1, got %d", T)
	}
	y, err := c.conv.Forward(autograd.Const(x))
	if err != nil {
		return nil, fmt.Errorf("stdp: STDPConv: %w", err)
	}
	yv := y.Value()
	if yv.Len() == 0 {
		return nil, fmt.Errorf("stdp: STDPConv: empty input of shape %v", x.Shape())
	}
	B, C, H, W := yv.Dim(0), yv.Dim(1), yv.Dim(2), yv.Dim(3)
	c.y = y
	c.argmax = channelArgmax(yv, c.argmax)
	yd := yv.Data()
	for ch := 0; ch < C; ch++ {
		c.thr[ch] = yd[c.argmax[ch]] + 0.0001
	}
	if c.counts == nil || !slices.Equal(c.counts.Shape(), yv.Shape()) {
		c.counts = tensor.New(B, C, H, W)
	}
	s := &c.sim
	s.reset(B, C, H*W, T, c.cfg.K, c.cfg.Tau, c.cfg.Inh, c.thr, c.wta)
	s.shape(yd)
	s.run(c.counts.Data())
	c.wta.Skip(uint64(T))
	return c.counts, nil
}

// Backward adds to the weight's gradient the gradient of
// scale·Σ(counts) of the last Run, which autograd through STDPGrad gives:
// the gradient of every shaped input is scale times its spike count (the
// surrogate passes the upstream gradient where the WTA output spiked, the
// membrane being detached at every step), then back through the sigmoid
// shaping, the threshold (to the element that attained the batch maximum)
// and the convolution.
func (c *STDPConv) Backward(scale float32) error {
	if c.y == nil {
		return errors.New("stdp: STDPConv.Backward before Run")
	}
	yv := c.y.Value()
	C := yv.Dim(1)
	P := yv.Dim(2) * yv.Dim(3)
	B := yv.Dim(0)
	gy := tensor.New(yv.Shape()...)
	gd, yd, cd := gy.Data(), yv.Data(), c.counts.Data()
	// Partial sums of the threshold's gradient per channel and per
	// sample, added in sample order so that the result does not depend on
	// the goroutines.
	dn := make([]float64, B*C)
	tensor.ParallelFor(B, C*P*8, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			for ch := 0; ch < C; ch++ {
				n := c.thr[ch]
				q, r := shapeConsts(n)
				recip := 1 / n
				var acc float64
				base := (b*C + ch) * P
				for i := base; i < base+P; i++ {
					g := scale * cd[i]
					if g == 0 {
						continue
					}
					gx, gn := shapeBack(g, yd[i], n, q, r, recip)
					gd[i] = gx
					acc += float64(gn)
				}
				dn[b*C+ch] = acc
			}
		}
	})
	for ch := 0; ch < C; ch++ {
		var s float64
		for b := 0; b < B; b++ {
			s += dn[b*C+ch]
		}
		gd[c.argmax[ch]] += float32(s)
	}
	y := c.y
	c.y = nil // the tape is used once
	if err := autograd.Backward(y, gy); err != nil {
		return fmt.Errorf("stdp: STDPConv.Backward: %w", err)
	}
	return nil
}

// shapeBack returns the gradients of the convolution output y and of the
// threshold n from the gradient g of the shaped input, following
// PyTorch's backward of each operation of shapeInput.
func shapeBack(g, y, n, q, r, recip float32) (gy, gn float32) {
	xc := y
	if y < 0 {
		xc = 0
	}
	d := xc - q
	p := float32(d * r)
	e := float32(math.Exp(float64(-p)))
	den := 1 + e
	// xs = n / den
	gn = g / den
	gden := -float32(g * float32(float32(n/den)/den))
	// den = 1 + e; e = exp(-p)
	gp := -float32(gden * e)
	// p = d * r; d = xc - q
	gd := float32(gp * r)
	gr := float32(gp * d)
	if y >= 0 {
		gy = gd
	}
	// q = (4n)/10; r = reciprocal(n)*8
	gn += float32(float32(-gd/10) * 4)
	gn += float32(-float32(gr*8) * float32(recip*recip))
	return gy, gn
}

// channelArgmax returns, per channel of y [B, C, H, W], the flat index of
// the element that torch's y.max(0).max(2).max(3) routes its gradient to:
// among the maxima, the first column, then the first row, then the first
// sample.
func channelArgmax(y *tensor.Tensor, dst []int) []int {
	B, C, H, W := y.Dim(0), y.Dim(1), y.Dim(2), y.Dim(3)
	yd := y.Data()
	dst = append(dst[:0], make([]int, C)...)
	for ch := 0; ch < C; ch++ {
		best := float32(math.Inf(-1))
		bi := -1
		bb, bh, bw := 0, 0, 0
		for b := 0; b < B; b++ {
			for h := 0; h < H; h++ {
				for w := 0; w < W; w++ {
					i := ((b*C+ch)*H+h)*W + w
					v := yd[i]
					if bi < 0 || v > best || (v == best && (w < bw || (w == bw && (h < bh || (h == bh && b < bb))))) {
						best, bi, bb, bh, bw = v, i, b, h, w
					}
				}
			}
		}
		dst[ch] = bi
	}
	return dst
}

// NormGrad is BrainCog's STDPConv.normgrad: with force (the example's
// phase 1), per output channel it subtracts from the weight's gradient
// its minimum and Offset times the channel's "max", then flips the sign
// (so that SGD ascends). BrainCog computes that max as
// grad.min(1).max(2).max(3) (the minimum over input channels, then the
// maximum over the window), which this follows: with one input channel,
// as in the example, it is the maximum of the filter's gradient. Without
// force it subtracts Offset times the channel's mean spike count of the
// last Run instead, then flips the sign.
func (c *STDPConv) NormGrad(force bool) error {
	g := c.conv.Weight.Grad()
	if g == nil {
		return errors.New("stdp: STDPConv.NormGrad without a gradient")
	}
	O, I, K := c.cfg.Out, c.cfg.In, c.cfg.Kernel
	gd := g.Data()
	per := I * K * K
	if force {
		for o := 0; o < O; o++ {
			f := gd[o*per : (o+1)*per]
			mn := f[0]
			for _, v := range f {
				mn = min32(mn, v)
			}
			// max over the window of the minimum over input channels.
			mx := float32(math.Inf(-1))
			for k := 0; k < K*K; k++ {
				m := f[k]
				for i := 1; i < I; i++ {
					m = min32(m, f[i*K*K+k])
				}
				mx = max32(mx, m)
			}
			tmp := c.cfg.Offset * mx
			for i := range f {
				f[i] = -((f[i] - mn) - tmp)
			}
		}
		return nil
	}
	if c.counts == nil {
		return errors.New("stdp: STDPConv.NormGrad(false) before Run")
	}
	cv := c.counts
	B, C, P := cv.Dim(0), cv.Dim(1), cv.Dim(2)*cv.Dim(3)
	cd := cv.Data()
	for o := 0; o < O; o++ {
		var s float64
		for b := 0; b < B; b++ {
			for _, v := range cd[(b*C+o)*P : (b*C+o+1)*P] {
				s += float64(v)
			}
		}
		tmp := c.cfg.Offset * float32(s/float64(B*P))
		f := gd[o*per : (o+1)*per]
		for i := range f {
			f[i] = -(f[i] - tmp)
		}
	}
	return nil
}

// NormWeight is BrainCog's STDPConv.normweight: with clip, it clamps the
// weight to [-3, 1]; otherwise it makes every output channel's filter
// zero-mean (means over input channels, rows and columns in turn) and
// divides it by its standard deviation (biased, over the whole filter).
// A filter with zero deviation becomes NaN, as in BrainCog; that is
// reported as an error.
func (c *STDPConv) NormWeight(clip bool) error {
	wd := c.conv.Weight.Value().Data()
	if clip {
		for i, v := range wd {
			wd[i] = max32(-3, min32(v, 1))
		}
		return nil
	}
	O, I, K := c.cfg.Out, c.cfg.In, c.cfg.Kernel
	per := I * K * K
	for o := 0; o < O; o++ {
		f := wd[o*per : (o+1)*per]
		// mean(1).mean(2).mean(3), each a float32 mean of the previous.
		m1 := make([]float32, K*K)
		for k := range m1 {
			var s float32
			for i := 0; i < I; i++ {
				s += f[i*K*K+k]
			}
			m1[k] = s / float32(I)
		}
		var avg float32
		for kw := 0; kw < K; kw++ {
			var s float32
			for kh := 0; kh < K; kh++ {
				s += m1[kh*K+kw]
			}
			avg += s / float32(K)
		}
		avg /= float32(K)
		for i := range f {
			f[i] -= avg
		}
		var mean, ss float64
		for _, v := range f {
			mean += float64(v)
		}
		mean /= float64(per)
		for _, v := range f {
			d := float64(v) - mean
			ss += d * d
		}
		std := float32(math.Sqrt(ss / float64(per)))
		if std == 0 || !finite(std) {
			return fmt.Errorf("stdp: STDPConv.NormWeight: filter %d has standard deviation %v", o, std)
		}
		for i := range f {
			f[i] /= std
		}
	}
	return nil
}

func min32(a, b float32) float32 {
	if b < a {
		return b
	}
	return a
}

func max32(a, b float32) float32 {
	if b > a {
		return b
	}
	return a
}
