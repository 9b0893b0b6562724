package surrogate

import (
	"math"
	"math/rand/v2"
	"testing"
)

// edgeFloats are inputs where rounding, signs and comparisons are
// delicate: signed zeros, infinities, NaNs of both signs, the smallest
// subnormal and normal numbers, the largest finite number, and values at
// and next to the gates of the windowed surrogates.
func edgeFloats() []float32 {
	nan := float32(math.NaN())
	negNaN := math.Float32frombits(math.Float32bits(nan) | 1<<31)
	xs := []float32{
		0, float32(math.Copysign(0, -1)), nan, negNaN,
		float32(math.Inf(1)), float32(math.Inf(-1)),
		math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
		0x1p-126, -0x1p-126, math.MaxFloat32, -math.MaxFloat32,
		1, -1, 2, -2, 4.5, -4.5,
	}
	for _, c := range []float32{0.5, 0.25, 1, 2, 1.0 / 3, 4} {
		for _, v := range []float32{c, -c} {
			xs = append(xs, v, math.Nextafter32(v, 0), math.Nextafter32(v, 2*v))
		}
	}
	return xs
}

// sameBits reports whether a and b are the same float32, bit for bit, or
// both NaN: which NaN an operation on two NaNs returns (and so the sign of
// a NaN result) depends on the order of the operands in the machine
// instruction, which Go leaves to the compiler, case by case.
func sameBits(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

// TestBranchlessHelpers checks the branch-free helpers against their
// plain definitions, bit for bit, on edge values and random bit patterns.
func TestBranchlessHelpers(t *testing.T) {
	absRef := func(x float32) float32 {
		if x < 0 || (x == 0 && 1/x < 0) {
			return -x
		}
		return x
	}
	stepRef := func(c bool) float32 {
		if c {
			return 1
		}
		return 0
	}
	signRef := func(x float32) float32 {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return 0
	}
	xs := edgeFloats()
	r := rand.New(rand.NewPCG(5, 6))
	for range 100000 {
		xs = append(xs, math.Float32frombits(r.Uint32()))
	}
	for _, x := range xs {
		if got, want := abs32(x), absRef(x); !sameBits(got, want) {
			t.Fatalf("abs32(%v) = %#x, want %#x", x, math.Float32bits(got), math.Float32bits(want))
		}
		if got, want := sign32(x), signRef(x); !sameBits(got, want) {
			t.Fatalf("sign32(%v) = %v, want %v", x, got, want)
		}
		for _, c := range []bool{x > 0, x >= 0, x < 0.5} {
			if got, want := step(c), stepRef(c); !sameBits(got, want) {
				t.Fatalf("step(%v) = %v, want %v", c, got, want)
			}
			want := float32(0)
			if c {
				want = x
			}
			if got := zeroIf(!c, x); !sameBits(got, want) {
				t.Fatalf("zeroIf(%v, %v) = %v, want %v", !c, x, got, want)
			}
		}
	}
}

// TestSpikeFollowsRule checks that every kernel's Spike is its Rule,
// checked against the rule's plain comparison on edge values and random
// inputs, and that every kernel declares its rule exactly once.
func TestSpikeFollowsRule(t *testing.T) {
	ref := map[SpikeRule]func(x float32) float32{
		SpikeGT: func(x float32) float32 {
			if x > 0 {
				return 1
			}
			return 0
		},
		SpikeGE: func(x float32) float32 {
			if x >= 0 {
				return 1
			}
			return 0
		},
		SpikeSign: func(x float32) float32 {
			if x > 0 {
				return 1
			}
			if x < 0 {
				return -1
			}
			return 0
		},
	}
	xs := edgeFloats()
	r := rand.New(rand.NewPCG(7, 8))
	for range 10000 {
		xs = append(xs, float32(r.NormFloat64()), math.Float32frombits(r.Uint32()))
	}
	custom := 0
	for _, name := range Names() {
		k, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if k.Spike == nil {
			t.Fatalf("%s: nil Spike", name)
		}
		if k.Rule == SpikeCustom {
			custom++
			continue
		}
		want := ref[k.Rule]
		if want == nil {
			t.Fatalf("%s: rule %v has no reference", name, k.Rule)
		}
		for _, x := range xs {
			if got, w := k.Spike(x), want(x); !sameBits(got, w) {
				t.Fatalf("%s (%v): Spike(%v) = %v, want %v", name, k.Rule, x, got, w)
			}
		}
	}
	if custom != 1 {
		t.Errorf("%d kernels with a custom spike rule, want 1 (RoundGrad)", custom)
	}
	for _, k := range []*Kernel{
		{Name: "neither"},
		{Name: "both", Rule: SpikeGT, Spike: heavisideGT},
		{Name: "unknown", Rule: SpikeRule(99)},
	} {
		if err := k.complete(); err == nil {
			t.Errorf("complete accepted the declaration %q", k.Name)
		}
	}
}

// TestGradSliceIsGradAt checks, for every kernel, that GradInto (and so
// GradSlice where declared) gives GradAt bit for bit, on edge values of g
// and x and 100000 random inputs, with dst distinct from and aliased to
// the inputs.
func TestGradSliceIsGradAt(t *testing.T) {
	edges := edgeFloats()
	var g, x []float32
	for _, gv := range []float32{1, -0.25, 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.NaN()), 3e38} {
		for _, xv := range edges {
			g, x = append(g, gv), append(x, xv)
		}
	}
	for _, xv := range []float32{0.5, -1, 0, 2} {
		for _, gv := range edges {
			g, x = append(g, gv), append(x, xv)
		}
	}
	r := rand.New(rand.NewPCG(9, 10))
	for range 100000 {
		g = append(g, float32(r.NormFloat64()))
		x = append(x, float32(r.NormFloat64()*1.5))
	}
	withSlice := 0
	for _, name := range Names() {
		k, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if k.GradSlice != nil {
			withSlice++
		}
		for _, alpha := range []float32{0.5, 1, 2, 3, 4.5} {
			dst := make([]float32, len(x))
			k.GradInto(dst, g, x, alpha)
			inG := append([]float32(nil), g...)
			k.GradInto(inG, inG, x, alpha)
			inX := append([]float32(nil), x...)
			k.GradInto(inX, g, inX, alpha)
			for i := range x {
				want := k.GradAt(g[i], x[i], alpha)
				for _, got := range []float32{dst[i], inG[i], inX[i]} {
					if !sameBits(got, want) {
						t.Fatalf("%s alpha=%v: GradInto at g=%v x=%v gives %#x, GradAt %#x",
							name, alpha, g[i], x[i], math.Float32bits(got), math.Float32bits(want))
					}
				}
			}
		}
	}
	for _, name := range Names() {
		// Every registered gradient has a slice loop, so that the fused
		// node kernels never call through a function value per element.
		if k, _ := Lookup(name); k.GradSlice == nil && (k.Deriv != nil || k.Grad != nil) {
			t.Errorf("%s has a gradient but no GradSlice", name)
		}
	}
	if withSlice < 36 {
		t.Errorf("only %d kernels declare GradSlice", withSlice)
	}
}
