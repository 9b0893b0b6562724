package optim

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkAdamElems times the element loop alone, on one goroutine, for
// a parameter that stays in the L2 cache and for fc1 of the mlp.
func BenchmarkAdamElems(b *testing.B) {
	for _, n := range []int{4096, 800 * 784} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			p := randFloats(r, n, typical, 0.05, false)
			g := randFloats(r, n, typical, 1e-3, false)
			m, v := make([]float32, n), make([]float32, n)
			k := newAdamScalars(DefaultAdam(), false, 10)
			b.SetBytes(int64(4 * n))
			for b.Loop() {
				adamElems(&k, p, g, m, v, nil)
			}
		})
	}
}
