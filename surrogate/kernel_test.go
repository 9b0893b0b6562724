package surrogate_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/spikego/spikego/surrogate"
)

// kernels returns the declaration of every registered surrogate.
func kernels(t *testing.T) []*surrogate.Kernel {
	t.Helper()
	var ks []*surrogate.Kernel
	for _, name := range surrogate.Names() {
		k, err := surrogate.Lookup(name)
		if err != nil {
			t.Fatalf("Lookup(%q) of a registered name: %v", name, err)
		}
		if k.Name != name {
			t.Fatalf("Lookup(%q) returned kernel named %q", name, k.Name)
		}
		ks = append(ks, k)
	}
	if len(ks) == 0 {
		t.Fatal("no kernels registered")
	}
	return ks
}

var (
	// fdStep is the finite-difference step, a power of two so that x±h is
	// exact in float32 for every grid point.
	fdStep = float32(1.0 / 1024)
)

// testAlphas returns the parameters the generic tests use for k: 0.5, 1,
// 2 and 4, or values inside k's domain where it excludes those.
func testAlphas(k *surrogate.Kernel) []float32 {
	if k.Domain == surrogate.DomainAboveOne {
		return []float32{1.5, 2, 3, 4}
	}
	return []float32{0.5, 1, 2, 4}
}

// randAlpha returns a random parameter inside k's domain.
func randAlpha(rng *rand.Rand, k *surrogate.Kernel) float32 {
	if k.Domain == surrogate.DomainAboveOne {
		return float32(1.1 + rng.Float64()*8)
	}
	return float32(0.25 + rng.Float64()*8)
}

// xGrid returns x in [-3, 3] in steps of 1/64 (all exact in float32).
func xGrid() []float32 {
	var xs []float32
	for i := -192; i <= 192; i++ {
		xs = append(xs, float32(i)/64)
	}
	return xs
}

// nearKink reports whether x lies within 2h of a point where one of the
// package's primitives is not smooth: 0 (|x|, relu), ±1/alpha (the gates),
// ±1/(2 alpha) (Rect), ±alpha (PiecewiseLeakyReLU's w), ±0.5 (the half
// windows), -0.5 and 4.5 (RoundGrad's clamp), ±1 (LogTailedReLU, SFS's B,
// spike_rate_escape's centre).
func nearKink(x, alpha float32) bool {
	a := float64(alpha)
	w := 1 / a
	for _, k := range []float64{0, w, -w, w / 2, -w / 2, a, -a, 0.5, -0.5, 4.5, 1, -1} {
		if math.Abs(float64(x)-k) <= 2*float64(fdStep) {
			return true
		}
	}
	return false
}

// ulp32 returns the spacing of float32 values at v.
func ulp32(v float32) float64 {
	a := float32(math.Abs(float64(v)))
	return float64(math.Nextafter32(a, float32(math.Inf(1))) - a)
}

// TestDerivIsDerivativeOfPrimitive checks every declared Deriv against
// central finite differences of the declared Primitive, away from the
// primitives' kinks. The primitive is a float32 function, so the
// difference quotient carries rounding noise of a few ulps of the
// primitive divided by 2h; the tolerance is 1% of the derivative plus that
// noise.
func TestDerivIsDerivativeOfPrimitive(t *testing.T) {
	checked := 0
	for _, k := range kernels(t) {
		if k.Primitive == nil || k.Deriv == nil {
			continue
		}
		checked++
		t.Run(k.Name, func(t *testing.T) {
			h := fdStep
			for _, alpha := range testAlphas(k) {
				points := 0
				for _, x := range xGrid() {
					if nearKink(x, alpha) {
						continue
					}
					points++
					pp, pm := k.Primitive(x+h, alpha), k.Primitive(x-h, alpha)
					fd := (float64(pp) - float64(pm)) / (2 * float64(h))
					d := float64(k.Deriv(x, alpha))
					noise := 4 * (ulp32(pp) + ulp32(pm)) / (2 * float64(h))
					if math.IsNaN(fd) || math.IsNaN(d) || math.Abs(fd-d) > 1e-2*math.Abs(d)+noise {
						t.Errorf("alpha=%v x=%v: Deriv = %v, finite difference of Primitive = %v", alpha, x, d, fd)
					}
				}
				if points < 300 {
					t.Fatalf("alpha=%v: only %d grid points checked", alpha, points)
				}
			}
		})
	}
	if checked < 8 {
		t.Errorf("only %d kernels have both Primitive and Deriv, want at least 8", checked)
	}
}

// nonMonotone lists the primitives that do not increase, with the reason.
var nonMonotone = map[string]string{
	"SquarewaveFourierSeries": "a truncated Fourier series, periodic in x",
	"triangular":              "the tent -threshold|x|, as snnTorch defines the gradient",
}

// TestPrimitiveAndSpikeMonotone checks that every primitive and every
// spike rule is non-decreasing in x (the surrogates smooth an increasing
// step), kinks included, except for the primitives of nonMonotone.
func TestPrimitiveAndSpikeMonotone(t *testing.T) {
	xs := xGrid()
	for _, k := range kernels(t) {
		t.Run(k.Name, func(t *testing.T) {
			for i := 1; i < len(xs); i++ {
				if a, b := k.Spike(xs[i-1]), k.Spike(xs[i]); b < a {
					t.Errorf("Spike(%v) = %v < Spike(%v) = %v", xs[i], b, xs[i-1], a)
				}
				if k.Primitive == nil || nonMonotone[k.Name] != "" {
					continue
				}
				for _, alpha := range testAlphas(k) {
					if a, b := k.Primitive(xs[i-1], alpha), k.Primitive(xs[i], alpha); b < a {
						t.Errorf("alpha=%v: Primitive(%v) = %v < Primitive(%v) = %v", alpha, xs[i], b, xs[i-1], a)
					}
				}
			}
		})
	}
}

// TestSpikeIsLimitOfPrimitive is SpikingJelly's check: where the primitive
// is a smoothed step (going from 0 to 1), it tends to the spike rule as
// alpha grows, away from x = 0.
func TestSpikeIsLimitOfPrimitive(t *testing.T) {
	const big = 1000
	var stepLike []string
	for _, k := range kernels(t) {
		if k.Primitive == nil || !k.UsesAlpha {
			continue
		}
		if lo, hi := k.Primitive(-3, big), k.Primitive(3, big); math.Abs(float64(lo)) > 1e-3 || math.Abs(float64(hi)-1) > 1e-3 {
			continue // not a smoothed step (GateGrad's ramp, ReLU, log)
		}
		stepLike = append(stepLike, k.Name)
		for _, x := range xGrid() {
			if math.Abs(float64(x)) < 0.125 {
				continue
			}
			if p, s := k.Primitive(x, big), k.Spike(x); math.Abs(float64(p-s)) > 1e-2 {
				t.Errorf("%s: Primitive(%v, alpha=%v) = %v, Spike = %v", k.Name, x, big, p, s)
			}
		}
	}
	for _, want := range []string{"AtanGrad", "QGateGrad", "SigmoidGrad"} {
		if !slices.Contains(stepLike, want) {
			t.Errorf("%s's primitive is not a smoothed step from 0 to 1 (step-like: %v)", want, stepLike)
		}
	}
}

// TestGradAgreesWithDeriv checks that where a kernel declares Grad (to
// reproduce BrainCog's order of operations), it is g*Deriv(x, alpha) up to
// rounding, so the two declarations describe the same function.
func TestGradAgreesWithDeriv(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	checked := 0
	for _, k := range kernels(t) {
		if k.Grad == nil {
			continue
		}
		checked++
		if k.Deriv == nil {
			t.Errorf("%s declares Grad but no Deriv", k.Name)
			continue
		}
		t.Run(k.Name, func(t *testing.T) {
			type in struct{ g, x, alpha float32 }
			var ins []in
			for _, alpha := range testAlphas(k) {
				for _, x := range []float32{0, -0.5, 0.5, 4.5, 1 / alpha, -1 / alpha, 3, -3} {
					ins = append(ins, in{1.5, x, alpha}, in{-0.25, x, alpha})
				}
			}
			for range 20000 {
				ins = append(ins, in{
					g:     float32(rng.Float64()*8 - 4),
					x:     float32(rng.Float64()*12 - 6),
					alpha: randAlpha(rng, k),
				})
			}
			for _, c := range ins {
				got := float64(k.Grad(c.g, c.x, c.alpha))
				want := float64(c.g) * float64(k.Deriv(c.x, c.alpha))
				// Relative to the result, or to the smallest normal number
				// where the result is subnormal and carries fewer bits.
				if math.Abs(got-want) > 1e-6*max(math.Abs(want), 0x1p-126) {
					t.Fatalf("Grad(%v, %v, %v) = %v, g*Deriv = %v", c.g, c.x, c.alpha, got, want)
				}
				if gat := float64(k.GradAt(c.g, c.x, c.alpha)); gat != got && !(math.IsNaN(gat) && math.IsNaN(got)) {
					t.Fatalf("GradAt(%v, %v, %v) = %v, Grad = %v", c.g, c.x, c.alpha, gat, got)
				}
			}
		})
	}
	if checked == 0 {
		t.Error("no kernel declares Grad")
	}
}

// TestDAlphaFormulas checks the alpha gradients by hand: only AtanGrad and
// ReLUGrad have one, AtanGrad's is g * x/2 / (1 + (pi/2 alpha x)^2)
// (BrainCog's expression) and ReLUGrad's is g * relu(x).
func TestDAlphaFormulas(t *testing.T) {
	var withDAlpha []string
	for _, k := range kernels(t) {
		if k.DAlpha != nil {
			withDAlpha = append(withDAlpha, k.Name)
			if !k.HasAlpha {
				t.Errorf("%s has DAlpha but no alpha", k.Name)
			}
		}
	}
	if want := []string{"AtanGrad", "ReLUGrad"}; !slices.Equal(withDAlpha, want) {
		t.Fatalf("kernels with DAlpha: %v, want %v", withDAlpha, want)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	type in struct{ g, x, alpha float32 }
	ins := []in{{1, 0, 2}, {1, 1, 2}, {-2, -1, 0.5}, {3, 1e-3, 4}, {1, -0.0, 1}}
	for range 20000 {
		ins = append(ins, in{
			g:     float32(rng.Float64()*8 - 4),
			x:     float32(rng.Float64()*12 - 6),
			alpha: float32(0.25 + rng.Float64()*8),
		})
	}

	atan, _ := surrogate.Lookup("AtanGrad")
	relu, _ := surrogate.Lookup("ReLUGrad")
	for _, c := range ins {
		g, x, a := float64(c.g), float64(c.x), float64(c.alpha)
		u := math.Pi / 2 * a * x
		want := x / 2 / (1 + u*u) * g
		got := float64(atan.DAlpha(c.g, c.x, c.alpha))
		if math.Abs(got-want) > 1e-6*math.Abs(want) {
			t.Errorf("AtanGrad DAlpha(%v, %v, %v) = %v, want %v", c.g, c.x, c.alpha, got, want)
		}
		// relu(x)*g is one float32 rounding of an exact float64 product.
		wantR := float32(g * math.Max(x, 0))
		if gotR := relu.DAlpha(c.g, c.x, c.alpha); gotR != wantR {
			t.Errorf("ReLUGrad DAlpha(%v, %v, %v) = %v, want %v", c.g, c.x, c.alpha, gotR, wantR)
		}
	}
	if v := relu.DAlpha(1, float32(math.NaN()), 2); !math.IsNaN(float64(v)) {
		t.Errorf("ReLUGrad DAlpha at NaN = %v, want NaN (F.relu keeps NaN)", v)
	}
}

// TestGradAtWithoutDeriv checks that a kernel without Deriv and Grad (no
// gradient) gives 0, and one with Deriv only gives g*Deriv.
func TestGradAtWithoutDeriv(t *testing.T) {
	for _, k := range kernels(t) {
		for _, x := range []float32{-1, -0.25, 0, 0.25, 1} {
			got := k.GradAt(3, x, 2)
			var want float32
			switch {
			case k.Grad != nil:
				want = k.Grad(3, x, 2)
			case k.Deriv != nil:
				want = 3 * k.Deriv(x, 2)
			}
			if got != want {
				t.Errorf("%s: GradAt(3, %v, 2) = %v, want %v", k.Name, x, got, want)
			}
		}
	}
}
