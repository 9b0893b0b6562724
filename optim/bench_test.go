package optim_test

import (
	"math/rand/v2"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/optim"
)

// benchShapes are the parameter sizes of the reference models, in the
// order of their Params: mlp is Linear(784, 800) and Linear(800, 10); cnn
// is two Conv2d(3x3) with BatchNorm2d(32) and Linear(1568, 10).
var benchShapes = []struct {
	name  string
	sizes []int
}{
	{"mlp", []int{800 * 784, 800, 10 * 800, 10}},
	{"cnn", []int{32 * 9, 32, 32, 32, 32 * 32 * 9, 32, 32, 32, 10 * 1568, 10}},
}

// benchParams returns parameters of the given sizes with values and
// gradients of the magnitudes seen in training.
func benchParams(sizes []int) []*autograd.Var {
	r := rand.New(rand.NewPCG(1, 2))
	ps := make([]*autograd.Var, len(sizes))
	for i, n := range sizes {
		p, g := make([]float32, n), make([]float32, n)
		for j := range p {
			p[j] = float32(r.NormFloat64() * 0.05)
			g[j] = float32(r.NormFloat64() * 1e-3)
		}
		ps[i] = autograd.NewVar(mustTensor(p), true)
		ps[i].SetGrad(mustTensor(g))
	}
	return ps
}

func benchStep(b *testing.B, newOpt func([]*autograd.Var) (optim.Optimizer, error)) {
	for _, s := range benchShapes {
		b.Run(s.name, func(b *testing.B) {
			ps := benchParams(s.sizes)
			o, err := newOpt(ps)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for _, p := range ps {
				n += p.Value().Len()
			}
			b.SetBytes(int64(4 * n))
			for b.Loop() {
				if err := o.Step(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAdamStep(b *testing.B) {
	benchStep(b, func(ps []*autograd.Var) (optim.Optimizer, error) {
		return optim.NewAdam(ps, optim.DefaultAdam())
	})
}

func BenchmarkAdamWStep(b *testing.B) {
	benchStep(b, func(ps []*autograd.Var) (optim.Optimizer, error) {
		return optim.NewAdamW(ps, optim.DefaultAdamW())
	})
}

func BenchmarkAdamAMSGradStep(b *testing.B) {
	benchStep(b, func(ps []*autograd.Var) (optim.Optimizer, error) {
		o := optim.DefaultAdam()
		o.AMSGrad = true
		return optim.NewAdam(ps, o)
	})
}

func BenchmarkSGDStep(b *testing.B) {
	benchStep(b, func(ps []*autograd.Var) (optim.Optimizer, error) {
		return optim.NewSGD(ps, optim.SGDOptions{LR: 0.01, Momentum: 0.9})
	})
}
