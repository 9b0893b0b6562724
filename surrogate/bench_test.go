package surrogate_test

import (
	"math/rand/v2"
	"testing"

	"github.com/spikego/spikego/surrogate"
)

// BenchmarkGradInto times the backward slice loop (Kernel.GradInto) of
// every surrogate on 65536 elements, the loop the fused neuron kernels
// run.
func BenchmarkGradInto(b *testing.B) {
	const n = 1 << 16
	r := rand.New(rand.NewPCG(1, 2))
	g, x, dst := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range x {
		g[i], x[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
	}
	for _, name := range surrogate.Names() {
		k, err := surrogate.Lookup(name)
		if err != nil {
			b.Fatal(err)
		}
		alpha := k.DefaultAlpha
		if alpha == 0 {
			alpha = 2
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(3 * 4 * n)
			for b.Loop() {
				k.GradInto(dst, g, x, alpha)
			}
		})
	}
}
