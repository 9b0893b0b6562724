package node

import (
	"math/rand/v2"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// BenchmarkLIFForwardBackward times one fused multi-step Forward and its
// backward pass for the MLP's hidden layer: LIFNode (QGateGrad), T = 8,
// batch 128, 800 neurons, loss sum(spikes*R).
func BenchmarkLIFForwardBackward(b *testing.B) {
	const T, B, N = 8, 128, 800
	r := rand.New(rand.NewPCG(7, 8))
	xt := randTensor(r, 0.8, T, B, N)
	R := autograd.Const(randTensor(r, 1, T, B, N))
	n, err := NewKind(LIF)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		x := autograd.NewVar(xt, true)
		s, err := n.Forward(x)
		if err != nil {
			b.Fatal(err)
		}
		if err := autograd.Backward(autograd.Sum(autograd.Mul(s, R)), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(T*B*N), "ns/neuron-step")
}

// BenchmarkLIFStepBackward is the same computation through T calls of
// Step (every operation on the tape), for comparison.
func BenchmarkLIFStepBackward(b *testing.B) {
	const T, B, N = 8, 128, 800
	r := rand.New(rand.NewPCG(7, 8))
	xs := make([]*tensor.Tensor, T)
	Rs := make([]*autograd.Var, T)
	for t := range xs {
		xs[t] = randTensor(r, 0.8, B, N)
		Rs[t] = autograd.Const(randTensor(r, 1, B, N))
	}
	n, err := NewKind(LIF)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		n.Reset()
		var loss *autograd.Var
		for t := range xs {
			s, err := n.Step(autograd.NewVar(xs[t], true))
			if err != nil {
				b.Fatal(err)
			}
			term := autograd.Sum(autograd.Mul(s, Rs[t]))
			if loss == nil {
				loss = term
			} else {
				loss = autograd.Add(loss, term)
			}
		}
		if err := autograd.Backward(loss, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(T*B*N), "ns/neuron-step")
}
