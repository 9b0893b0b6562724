package optim

import (
	"fmt"

	"github.com/spikego/spikego/autograd"
)

// SGDOptions configures NewSGD, as AdamOptions configures NewAdam. Every
// field is used as given; with only LR set it is plain gradient descent.
type SGDOptions struct {
	// LR is the learning rate (PyTorch's SGD has no default).
	LR float32
	// Momentum is the momentum factor (0 disables momentum).
	Momentum float32
	// Dampening scales the new gradient's contribution to the momentum
	// buffer by 1-Dampening.
	Dampening float32
	// WeightDecay adds WeightDecay*param to the gradient (L2 penalty).
	WeightDecay float32
	// Nesterov enables Nesterov momentum; it needs Momentum > 0 and
	// Dampening == 0.
	Nesterov bool
}

// SGD is stochastic gradient descent with optional momentum, dampening,
// weight decay and Nesterov momentum: torch.optim.SGD. For each parameter p
// with gradient g, Step computes
//
//	d = g + wd*p                            (when wd != 0)
//	buf = d                                 (first step with momentum)
//	buf = momentum*buf + (1-dampening)*d    (later steps)
//	d = d + momentum*buf                    (Nesterov)
//	d = buf                                 (otherwise, when momentum != 0)
//	p = p - lr*d
type SGD struct {
	params []*autograd.Var
	lr     float32
	opts   SGDOptions
	states []*sgdState
	// Scalars of the current step, read by the element kernels.
	k sgdScalars
}

// sgdScalars holds the float32 scalars of an SGD step. The assembly
// kernels read the float32 fields at the byte offsets of
// kernels_amd64.s: keep them first and in this order.
type sgdScalars struct {
	wd           float32 // L2 weight decay
	momentum     float32
	oneMinusDamp float32 // 1 - dampening
	negLR        float32 // -lr
	nesterov     bool
}

// sgdState is one parameter's momentum buffer and its element kernel.
type sgdState struct {
	opt  *SGD
	buf  []float32 // momentum buffer, nil until the first update
	p, g []float32 // the current step's parameter and gradient
	init bool      // this step initialises buf
	fn   func(lo, hi int)
}

// NewSGD returns an SGD optimizer over params. It is an error when params
// is empty or holds a nil or repeated Var, when LR, Momentum or
// WeightDecay is negative or NaN, Dampening is NaN, or Nesterov is asked
// for without a positive Momentum and zero Dampening.
func NewSGD(params []*autograd.Var, opts SGDOptions) (*SGD, error) {
	lr := opts.LR
	ps, err := checkParams(params)
	if err != nil {
		return nil, err
	}
	if err := checkNonNeg("learning rate", lr); err != nil {
		return nil, err
	}
	if err := checkNonNeg("momentum", opts.Momentum); err != nil {
		return nil, err
	}
	if err := checkNonNeg("weight decay", opts.WeightDecay); err != nil {
		return nil, err
	}
	if opts.Dampening != opts.Dampening {
		return nil, fmt.Errorf("optim: invalid dampening %v", opts.Dampening)
	}
	if opts.Nesterov && (opts.Momentum <= 0 || opts.Dampening != 0) {
		return nil, fmt.Errorf("optim: Nesterov momentum requires a momentum and zero dampening")
	}
	s := &SGD{params: ps, lr: lr, opts: opts, states: make([]*sgdState, len(ps))}
	return s, nil
}

// Step applies one SGD update to every parameter whose gradient is not
// nil.
func (s *SGD) Step() error {
	if err := checkNonNeg("learning rate", s.lr); err != nil {
		return err
	}
	if err := checkGrads(s.params); err != nil {
		return err
	}
	s.k = newSGDScalars(s.opts, s.lr)
	for i, p := range s.params {
		g := p.Grad()
		if g == nil {
			continue
		}
		st := s.states[i]
		if st == nil {
			st = &sgdState{opt: s}
			st.fn = st.update
			s.states[i] = st
		}
		st.p, st.g = p.Value().Data(), g.Data()
		st.init = false
		if s.opts.Momentum != 0 && st.buf == nil {
			st.buf = make([]float32, len(st.p))
			st.init = true
		}
		run(len(st.p), st.fn)
		st.p, st.g = nil, nil
	}
	return nil
}

// newSGDScalars returns the scalars of a step with learning rate lr.
func newSGDScalars(o SGDOptions, lr float32) sgdScalars {
	return sgdScalars{
		wd:           o.WeightDecay,
		momentum:     o.Momentum,
		oneMinusDamp: oneMinus(o.Dampening),
		negLR:        -lr,
		nesterov:     o.Nesterov,
	}
}

// update runs the SGD rule on elements [lo, hi).
func (st *sgdState) update(lo, hi int) {
	var buf []float32
	if st.opt.k.momentum != 0 {
		buf = st.buf[lo:hi]
	}
	sgdElems(&st.opt.k, st.p[lo:hi], st.g[lo:hi], buf, st.init)
}

// sgdElems runs the SGD rule on every element of p (g and, with
// momentum, buf have p's length; init says that this step initialises
// buf): the assembly kernel, where the CPU has one, on whole vectors, and
// sgdGo on the rest; both give the same bits.
func sgdElems(k *sgdScalars, p, g, buf []float32, init bool) {
	if n := vecLen(len(p)); n > 0 {
		sgdAsm(k, p[:n], g[:n], buf, init)
		p, g = p[n:], g[n:]
		if k.momentum != 0 {
			buf = buf[n:]
		}
	}
	sgdGo(k, p, g, buf, init)
}

// sgdGo is the reference element loop of the SGD rule, one element at a
// time in the order of PyTorch's float32 kernel.
func sgdGo(k *sgdScalars, p, g, buf []float32, init bool) {
	wd, mom, damp1, negLR, nesterov := k.wd, k.momentum, k.oneMinusDamp, k.negLR, k.nesterov
	g = g[:len(p)]
	if mom != 0 {
		buf = buf[:len(p)]
	}
	for i, pi := range p {
		d := g[i]
		if wd != 0 {
			d = fma32(wd, pi, d)
		}
		if mom != 0 {
			b := d
			if !init {
				b = fma32(damp1, d, float32(buf[i]*mom))
			}
			buf[i] = b
			if nesterov {
				d = fma32(mom, b, d)
			} else {
				d = b
			}
		}
		p[i] = fma32(negLR, d, pi)
	}
}

// ZeroGrad sets every parameter's gradient to nil, keeping its storage
// for the next Backward (see Optimizer).
func (s *SGD) ZeroGrad() { zeroGrad(s.params) }

// LR returns the learning rate.
func (s *SGD) LR() float32 { return s.lr }

// SetLR changes the learning rate used by the following steps.
func (s *SGD) SetLR(lr float32) { s.lr = lr }
