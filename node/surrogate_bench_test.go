package node

import (
	"math/rand/v2"
	"testing"

	"github.com/spikego/spikego/autograd"
)

// benchSurrogates are the surrogates BenchmarkLIFSurrogates runs: BrainCog's
// functions, then SpikingJelly's and snnTorch's most used ones, all run by
// the fused kernels through their slice loops.
var benchSurrogates = []string{
	"QGateGrad", "AtanGrad", "SigmoidGrad", "GateGrad", "STDPGrad", "RoundGrad",
	"ATan", "Sigmoid", "PiecewiseQuadratic", "atan", "fast_sigmoid", "sigmoid", "SquarewaveFourierSeries",
}

// BenchmarkLIFSurrogates times the fused multi-step forward and backward
// pass of BenchmarkLIFForwardBackward (LIFNode, T = 8, batch 128, 800
// neurons) with each surrogate of benchSurrogates.
func BenchmarkLIFSurrogates(b *testing.B) {
	const T, B, N = 8, 128, 800
	r := rand.New(rand.NewPCG(7, 8))
	xt := randTensor(r, 0.8, T, B, N)
	R := autograd.Const(randTensor(r, 1, T, B, N))
	for _, name := range benchSurrogates {
		b.Run(name, func(b *testing.B) {
			n, err := NewKind(LIF, WithSurrogate(name))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
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
		})
	}
}
