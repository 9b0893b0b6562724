package node

import (
	"math/rand/v2"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/surrogate"
	"github.com/spikego/spikego/tensor"
)

func randTensor(r *rand.Rand, scale float32, shape ...int) *tensor.Tensor {
	t := tensor.New(shape...)
	for i := range t.Data() {
		t.Data()[i] = scale * float32(r.NormFloat64())
	}
	return t
}

// stepAll runs x [T,...] through T calls of Step and returns the stacked
// spikes as one tensor and the loss sum(spikes*R).
func stepAll(t *testing.T, n *BaseNode, x *autograd.Var, R *tensor.Tensor) (*tensor.Tensor, *autograd.Var) {
	t.Helper()
	shape := x.Shape()
	T := shape[0]
	per := x.Value().Len() / T
	n.Reset()
	out := tensor.New(shape...)
	var loss *autograd.Var
	for s := 0; s < T; s++ {
		// Slice step s out of x on the tape: x_s = sum over t of x*onehot_t.
		mask := tensor.New(shape...)
		for i := s * per; i < (s+1)*per; i++ {
			mask.Data()[i] = 1
		}
		xs := autograd.SumAxis(autograd.Mul(x, autograd.Const(mask)), 0, false)
		spk, err := n.Step(xs)
		if err != nil {
			t.Fatal(err)
		}
		copy(out.Data()[s*per:], spk.Value().Data())
		rs := mustFrom(append([]float32(nil), R.Data()[s*per:(s+1)*per]...), shape[1:])
		term := autograd.Sum(autograd.Mul(spk, autograd.Const(rs)))
		if loss == nil {
			loss = term
		} else {
			loss = autograd.Add(loss, term)
		}
	}
	return out, loss
}

func TestSingleAndMultiStepAgree(t *testing.T) {
	cases := []struct {
		kind string
		opts []Option
	}{
		{"LIFNode", nil},
		{"LIFNode", []Option{WithThresholdGrad(true)}},
		{"LIFNode", []Option{WithMemDetach(true)}},
		{"LIFNode", []Option{WithSurrogate("AtanGrad"), WithTau(3), WithThreshold(0.3)}},
		{"LIFNode", []Option{WithSurrogate("SigmoidGrad"), WithVReset(0.2)}},
		{"IFNode", nil},
		{"IFNode", []Option{WithDt(0.5), WithThresholdGrad(true)}},
		{"LIFSTDPNode", []Option{WithSurrogate("STDPGrad"), WithTau(0.9)}},
		{"PLIFNode", nil},
		{"PLIFNode", []Option{WithTau(4), WithThresholdGrad(true), WithSurrogate("QGateGrad")}},
		{"LIFNode", []Option{WithSurrogate("EIGrad")}},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			checkSingleMulti(t, r, c.kind, c.opts...)
		})
	}
}

// TestSingleAndMultiStepAgreeEverySurrogate runs the comparison of
// TestSingleAndMultiStepAgree for every registered surrogate: LIFNode with
// a learnable threshold, and PLIFNode (whose surrogate parameter is
// learnable).
func TestSingleAndMultiStepAgreeEverySurrogate(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, name := range surrogate.Names() {
		for _, kind := range []string{"LIFNode", "PLIFNode"} {
			t.Run(name+"/"+kind, func(t *testing.T) {
				checkSingleMulti(t, r, kind, WithSurrogate(name), WithThresholdGrad(true), WithThreshold(0.3))
			})
		}
	}
}

// checkSingleMulti runs a node of the kind with opts over random inputs
// [6,3,5] once fused (Forward) and once step by step (Step), and checks
// that spikes, final membrane and the gradient of x agree bit for bit and
// the parameters' gradients to rounding.
func checkSingleMulti(t *testing.T, r *rand.Rand, kind string, opts ...Option) {
	t.Helper()
	shape := []int{6, 3, 5}
	xt := randTensor(r, 0.8, shape...)
	R := randTensor(r, 1, shape...)

	a, err := NewKind(mustKind(kind), opts...)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewKind(mustKind(kind), opts...)
	if err != nil {
		t.Fatal(err)
	}
	// Multi-step.
	xa := autograd.NewVar(xt, true)
	sa, err := a.Forward(xa)
	if err != nil {
		t.Fatal(err)
	}
	la := autograd.Sum(autograd.Mul(sa, autograd.Const(R)))
	if err := autograd.Backward(la, nil); err != nil {
		t.Fatal(err)
	}
	// Single-step.
	xb := autograd.NewVar(xt.Clone(), true)
	sb, lb := stepAll(t, b, xb, R)
	exact(t, "spikes", sa.Value().Data(), sb.Data())
	exact(t, "final membrane", a.Mem().Value().Data(), b.Mem().Value().Data())
	if !lb.RequiresGrad() {
		// A surrogate without a gradient (heaviside): the steps record
		// nothing, and the fused backward passes zeros.
		exact(t, "grad x", xa.Grad().Data(), make([]float32, xt.Len()))
		return
	}
	if err := autograd.Backward(lb, nil); err != nil {
		t.Fatal(err)
	}
	exact(t, "grad x", xa.Grad().Data(), xb.Grad().Data())
	pa, pb := a.Params(), b.Params()
	if len(pa) != len(pb) {
		t.Fatalf("params %d vs %d", len(pa), len(pb))
	}
	for i := range pa {
		ga, gb := pa[i].Var.Grad(), pb[i].Var.Grad()
		if ga == nil && gb == nil {
			continue // e.g. a learnable alpha the surrogate gives no gradient
		}
		if ga == nil || gb == nil {
			t.Fatalf("%s: grads %v, %v", pa[i].Name, ga, gb)
		}
		// Sums in another order: compare with a tolerance.
		for j := range ga.Data() {
			d := ga.Data()[j] - gb.Data()[j]
			if d < 0 {
				d = -d
			}
			if d > 1e-4*(1+abs(gb.Data()[j])) {
				t.Errorf("%s grad %d: multi %v single %v", pa[i].Name, j, ga.Data()[j], gb.Data()[j])
			}
		}
	}
}

func abs(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}

func mustKind(s string) Kind {
	k, err := ParseKind(s)
	if err != nil {
		panic(err)
	}
	return k
}

func exact(t *testing.T, what string, a, b []float32) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: lengths %d and %d", what, len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("%s[%d]: multi-step %v, single-step %v", what, i, a[i], b[i])
		}
	}
}
