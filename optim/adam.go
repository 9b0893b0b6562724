package optim

import (
	"fmt"
	"math"

	"github.com/spikego/spikego/autograd"
)

// AdamOptions configures NewAdam and NewAdamW. Every field is used as
// given: start from DefaultAdam or DefaultAdamW for PyTorch's defaults.
type AdamOptions struct {
	// LR is the learning rate.
	LR float32
	// Beta1 and Beta2 are the decay rates of the running averages of the
	// gradient and of its square; each must lie in [0, 1).
	Beta1, Beta2 float32
	// Eps is added to the denominator for numerical stability.
	Eps float32
	// WeightDecay is the L2 penalty added to the gradient (Adam) or the
	// decoupled decay rate of the parameter (AdamW).
	WeightDecay float32
	// AMSGrad uses the maximum of all past second-moment estimates in the
	// denominator.
	AMSGrad bool
}

// DefaultAdam returns torch.optim.Adam's defaults: LR 1e-3, betas
// (0.9, 0.999), Eps 1e-8, no weight decay.
func DefaultAdam() AdamOptions {
	return AdamOptions{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// DefaultAdamW returns torch.optim.AdamW's defaults: those of DefaultAdam
// with WeightDecay 0.01.
func DefaultAdamW() AdamOptions {
	o := DefaultAdam()
	o.WeightDecay = 0.01
	return o
}

// Adam is the Adam optimizer (torch.optim.Adam), or AdamW
// (torch.optim.AdamW) when built by NewAdamW. For each parameter p with
// gradient g, at the parameter's step number t (counting only the steps at
// which it had a gradient), Step computes
//
//	g = g + wd*p                    (Adam, when wd != 0)
//	p = p * (1 - lr*wd)             (AdamW)
//	m = beta1*m + (1-beta1)*g
//	v = beta2*v + (1-beta2)*g*g
//	vmax = max(vmax, v)             (AMSGrad; then vmax replaces v below)
//	denom = sqrt(v)/sqrt(1-beta2^t) + eps
//	p = p - lr/(1-beta1^t) * m/denom
//
// with m, v and vmax starting at zero.
type Adam struct {
	params    []*autograd.Var
	opts      AdamOptions
	decoupled bool
	states    []*adamState
}

// adamScalars holds the float32 scalars of one parameter's update, as
// PyTorch rounds them for its float32 kernels. The assembly kernels read
// the float32 fields at the byte offsets of kernels_amd64.s: keep them
// first and in this order.
type adamScalars struct {
	wd         float32 // L2 weight decay (Adam) or 0
	decay      float32 // 1 - lr*wd (AdamW) or 1
	beta1      float32
	beta2      float32
	oneMinusB1 float32
	oneMinusB2 float32
	bc2Sqrt    float32 // sqrt(1 - beta2^t)
	eps        float32
	negStep    float32 // -lr / (1 - beta1^t)
	amsgrad    bool
	decoupled  bool
}

// adamState is one parameter's moment estimates and its element kernel.
type adamState struct {
	step    int
	m, v    []float32
	vmax    []float32 // AMSGrad only
	p, g    []float32 // the current step's parameter and gradient
	fn      func(lo, hi int)
	scalars adamScalars
}

// NewAdam returns an Adam optimizer over params. It is an error when
// params is empty or holds a nil or repeated Var, when LR, Eps or
// WeightDecay is negative or NaN, or when a beta lies outside [0, 1).
func NewAdam(params []*autograd.Var, opts AdamOptions) (*Adam, error) {
	return newAdam(params, opts, false)
}

// NewAdamW returns an AdamW optimizer over params: Adam with decoupled
// weight decay, which multiplies each parameter by 1 - LR*WeightDecay
// before the Adam update instead of adding an L2 term to the gradient. It
// fails in the same cases as NewAdam.
func NewAdamW(params []*autograd.Var, opts AdamOptions) (*Adam, error) {
	return newAdam(params, opts, true)
}

func newAdam(params []*autograd.Var, opts AdamOptions, decoupled bool) (*Adam, error) {
	ps, err := checkParams(params)
	if err != nil {
		return nil, err
	}
	if err := checkNonNeg("learning rate", opts.LR); err != nil {
		return nil, err
	}
	if err := checkNonNeg("epsilon", opts.Eps); err != nil {
		return nil, err
	}
	if err := checkNonNeg("weight decay", opts.WeightDecay); err != nil {
		return nil, err
	}
	if !(opts.Beta1 >= 0 && opts.Beta1 < 1) {
		return nil, fmt.Errorf("optim: invalid beta1 %v (must be in [0, 1))", opts.Beta1)
	}
	if !(opts.Beta2 >= 0 && opts.Beta2 < 1) {
		return nil, fmt.Errorf("optim: invalid beta2 %v (must be in [0, 1))", opts.Beta2)
	}
	return &Adam{params: ps, opts: opts, decoupled: decoupled, states: make([]*adamState, len(ps))}, nil
}

// Step applies one Adam (or AdamW) update to every parameter whose
// gradient is not nil.
func (a *Adam) Step() error {
	if err := checkNonNeg("learning rate", a.opts.LR); err != nil {
		return err
	}
	if err := checkGrads(a.params); err != nil {
		return err
	}
	o := a.opts
	for i, p := range a.params {
		g := p.Grad()
		if g == nil {
			continue
		}
		st := a.states[i]
		if st == nil {
			n := p.Value().Len()
			st = &adamState{m: make([]float32, n), v: make([]float32, n)}
			st.fn = st.update
			a.states[i] = st
		}
		if o.AMSGrad && st.vmax == nil {
			st.vmax = make([]float32, len(st.m))
		}
		st.step++
		st.scalars = newAdamScalars(o, a.decoupled, st.step)
		st.p, st.g = p.Value().Data(), g.Data()
		run(len(st.p), st.fn)
		st.p, st.g = nil, nil
	}
	return nil
}

// newAdamScalars returns the scalars of a parameter's update at its step
// number t (from 1).
func newAdamScalars(o AdamOptions, decoupled bool, t int) adamScalars {
	lr, wd := float64(o.LR), float64(o.WeightDecay)
	k := adamScalars{
		wd:         o.WeightDecay,
		decay:      1,
		beta1:      o.Beta1,
		beta2:      o.Beta2,
		oneMinusB1: oneMinus(o.Beta1),
		oneMinusB2: oneMinus(o.Beta2),
		eps:        o.Eps,
		amsgrad:    o.AMSGrad,
		decoupled:  decoupled,
	}
	if decoupled {
		k.wd = 0
		k.decay = float32(1 - float64(lr*wd))
	}
	bc1 := 1 - math.Pow(float64(o.Beta1), float64(t))
	bc2 := 1 - math.Pow(float64(o.Beta2), float64(t))
	k.negStep = float32(-(lr / bc1))
	k.bc2Sqrt = float32(math.Sqrt(bc2))
	return k
}

// update runs the Adam rule on elements [lo, hi).
func (st *adamState) update(lo, hi int) {
	var vmax []float32
	if st.scalars.amsgrad {
		vmax = st.vmax[lo:hi]
	}
	adamElems(&st.scalars, st.p[lo:hi], st.g[lo:hi], st.m[lo:hi], st.v[lo:hi], vmax)
}

// adamElems runs the Adam rule on every element of p (g, m, v and, with
// AMSGrad, vmax have p's length): the assembly kernel, where the CPU has
// one, on whole vectors, and adamGo on the rest; both give the same bits.
func adamElems(k *adamScalars, p, g, m, v, vmax []float32) {
	if n := vecLen(len(p)); n > 0 {
		adamAsm(k, p[:n], g[:n], m[:n], v[:n], vmax)
		p, g, m, v = p[n:], g[n:], m[n:], v[n:]
		if k.amsgrad {
			vmax = vmax[n:]
		}
	}
	adamGo(k, p, g, m, v, vmax)
}

// adamGo is the reference element loop of the Adam rule, one element at
// a time in the order of PyTorch's float32 kernel.
func adamGo(k *adamScalars, p, g, m, v, vmax []float32) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	if k.amsgrad {
		vmax = vmax[:len(p)]
	}
	for i := range p {
		gi := g[i]
		if k.decoupled {
			p[i] = float32(p[i] * k.decay)
		} else if k.wd != 0 {
			gi = fma32(k.wd, p[i], gi)
		}
		mi := fma32(k.oneMinusB1, gi, float32(m[i]*k.beta1))
		vi := fma32(float32(k.oneMinusB2*gi), gi, float32(v[i]*k.beta2))
		m[i], v[i] = mi, vi
		if k.amsgrad {
			vi = max(vmax[i], vi)
			vmax[i] = vi
		}
		denom := sqrt32(vi)/k.bc2Sqrt + k.eps
		p[i] += float32(k.negStep*mi) / denom
	}
}

// ZeroGrad sets every parameter's gradient to nil, keeping its storage
// for the next Backward (see Optimizer).
func (a *Adam) ZeroGrad() { zeroGrad(a.params) }

// LR returns the learning rate.
func (a *Adam) LR() float32 { return a.opts.LR }

// SetLR changes the learning rate used by the following steps.
func (a *Adam) SetLR(lr float32) { a.opts.LR = lr }
