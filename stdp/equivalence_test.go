package stdp

import (
	"fmt"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/tensor"
)

func randTensor(rng *nn.Rand, sparsity float32, shape ...int) *tensor.Tensor {
	x := tensor.New(shape...)
	for i := range x.Data() {
		if rng.Uniform(0, 1) >= sparsity {
			x.Data()[i] = rng.Uniform(0, 1)
		}
	}
	return x
}

// TestConvAccumulatedEqualsAutograd checks, on random small inputs, that
// the fused path (spike counts accumulated step by step, gradient from
// the counts) gives the spikes of T autograd steps through STDPGrad bit
// for bit and the same weight gradient, with the assembly kernel and the
// pure-Go loops, for several channel counts (above 16 the Go loop runs).
func TestConvAccumulatedEqualsAutograd(t *testing.T) {
	for _, tc := range []struct{ B, C, H, T, K int }{{3, 4, 5, 20, 1}, {2, 12, 7, 40, 1}, {2, 20, 4, 15, 1}, {2, 6, 5, 25, 2}} {
		for _, asm := range []bool{true, false} {
			t.Run(fmt.Sprintf("%+v asm=%v", tc, asm), func(t *testing.T) {
				defer func(v bool) { useAsm = v }(useAsm)
				useAsm = asm && useAsm
				rng := nn.NewRand(uint64(tc.C * tc.T))
				x := randTensor(rng, 0.3, tc.B, 1, tc.H, tc.H)
				cfg := DefaultConvConfig(1, tc.C)
				cfg.Steps, cfg.K, cfg.Inh, cfg.Seed = tc.T, tc.K, 1.625, 9
				a, err := NewSTDPConv(cfg, nn.NewRand(5))
				if err != nil {
					t.Fatal(err)
				}
				b, _ := NewSTDPConv(cfg, nn.NewRand(5))
				y, err := a.Forward(autograd.Const(x))
				if err != nil {
					t.Fatal(err)
				}
				const scale = 0.01
				if err := autograd.Backward(autograd.Sum(y), tensor.Scalar(scale)); err != nil {
					t.Fatal(err)
				}
				counts, err := b.Run(x, tc.T)
				if err != nil {
					t.Fatal(err)
				}
				if err := b.Backward(scale); err != nil {
					t.Fatal(err)
				}
				var total float32
				for _, v := range counts.Data() {
					total += v
				}
				if total == 0 {
					t.Fatal("no spikes: the case tests nothing")
				}
				check(t, "counts", counts.Data(), y.Value().Data(), 0)
				check(t, "gradient", b.Weight().Grad().Data(), a.Weight().Grad().Data(), 1e-5)
				if a.WTA().Calls() != b.WTA().Calls() {
					t.Errorf("draw counters %d and %d", a.WTA().Calls(), b.WTA().Calls())
				}
			})
		}
	}
}

// TestLinearAccumulatedEqualsAutograd is the same check for STDPLinear:
// the sparse running sum of spike-by-input outer products against
// autograd through T steps of STDPGrad, for sizes that are not multiples
// of the vector width.
func TestLinearAccumulatedEqualsAutograd(t *testing.T) {
	for _, tc := range []struct {
		B, In, N, T, K int
		inh            float32
	}{{4, 9, 13, 40, 1, 25}, {5, 30, 64, 60, 1, 2}, {3, 7, 21, 50, 2, 0.5}, {6, 16, 100, 30, 1, 0}} {
		for _, asm := range []bool{true, false} {
			t.Run(fmt.Sprintf("%+v asm=%v", tc, asm), func(t *testing.T) {
				defer func(v bool) { useAsm = v }(useAsm)
				useAsm = asm && useAsm
				rng := nn.NewRand(uint64(tc.N))
				x := randTensor(rng, 0.2, tc.B, tc.In)
				cfg := DefaultLinearConfig(tc.In, tc.N)
				cfg.Steps, cfg.K, cfg.Inh, cfg.Seed = tc.T, tc.K, tc.inh, 3
				a, err := NewSTDPLinear(cfg, nn.NewRand(2))
				if err != nil {
					t.Fatal(err)
				}
				b, _ := NewSTDPLinear(cfg, nn.NewRand(2))
				for round := 0; round < 2; round++ { // the second with thresholds set
					a.Weight().ZeroGrad()
					b.Weight().ZeroGrad()
					y, err := a.Forward(autograd.Const(x))
					if err != nil {
						t.Fatal(err)
					}
					if err := autograd.Backward(autograd.Sum(y), nil); err != nil {
						t.Fatal(err)
					}
					sp, err := b.Run(x, tc.T)
					if err != nil {
						t.Fatal(err)
					}
					if err := b.Backward(); err != nil {
						t.Fatal(err)
					}
					dense, _ := sp.Dense(tc.N)
					var total float32
					for _, v := range dense.Data() {
						total += v
					}
					if total == 0 {
						t.Fatal("no spikes: the case tests nothing")
					}
					check(t, "counts", dense.Data(), y.Value().Data(), 0)
					check(t, "gradient", b.Weight().Grad().Data(), a.Weight().Grad().Data(), 1e-6)
					check(t, "thresholds", b.Threshold(), a.Threshold(), 0)
				}
			})
		}
	}
}
