package surrogate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestVectorKernelsMatchLoops checks the AVX2 kernels of QGateGrad and
// AtanGrad against their Go loops bit for bit (NaNs of any sign and
// payload count as equal, see sameBits), on edge values, random values
// of every magnitude and random bit patterns, at several alphas and every
// length up to 40, in place (dst the same as g or x) too.
func TestVectorKernelsMatchLoops(t *testing.T) {
	if !haveAVX2 {
		t.Skip("no AVX2 kernels in this build or on this CPU")
	}
	r := rand.New(rand.NewPCG(5, 6))
	edge := edgeFloats()
	random := func(v []float32) {
		for i := range v {
			switch u := r.Float64(); {
			case u < 0.2:
				v[i] = edge[r.IntN(len(edge))]
			case u < 0.3:
				v[i] = math.Float32frombits(r.Uint32())
			case u < 0.4:
				v[i] = float32(r.NormFloat64() * 1e20)
			default:
				v[i] = float32(r.NormFloat64())
			}
		}
	}
	kernels := []struct {
		name string
		with func(asm bool, dst, g, x []float32, alpha float32)
	}{{"QGateGrad", qgateGradWith}, {"AtanGrad", atanGradWith}}
	lengths := []int{1024, 333}
	for n := 0; n <= 40; n++ {
		lengths = append(lengths, n)
	}
	alphas := []float32{2, 0.5, 3.7, 1e-3}
	for range 12 {
		alphas = append(alphas, float32(0.1+10*r.Float64()))
	}
	for _, k := range kernels {
		for _, alpha := range alphas {
			for _, n := range lengths {
				for _, inPlace := range []string{"", "g", "x"} {
					name := fmt.Sprintf("%s/alpha %v/%d/%s", k.name, alpha, n, inPlace)
					g, x := make([]float32, n), make([]float32, n)
					random(g)
					random(x)
					for i := 0; i < n; i += 5 {
						x[i] = 1 / alpha // the gate of QGateGrad
						if i%2 == 1 {
							x[i] = -x[i]
						}
					}
					run := func(asm bool) []float32 {
						gc, xc := append([]float32(nil), g...), append([]float32(nil), x...)
						dst := make([]float32, n)
						switch inPlace {
						case "g":
							dst = gc
						case "x":
							dst = xc
						}
						k.with(asm, dst, gc, xc, alpha)
						return dst
					}
					got, want := run(true), run(false)
					for i := range got {
						if !sameBits(got[i], want[i]) {
							t.Fatalf("%s: [%d] = %v, loop %v (g %v, x %v)", name, i, got[i], want[i], g[i], x[i])
						}
					}
				}
			}
		}
	}
}
