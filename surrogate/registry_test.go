package surrogate_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/surrogate"
	"github.com/spikego/spikego/tensor"
)

// wrap adapts a typed constructor to one returning a Function, keeping a
// nil Function on error.
func wrap[F surrogate.Function](fn func(float32, bool) (F, error)) func(float32, bool) (surrogate.Function, error) {
	return func(alpha float32, rg bool) (surrogate.Function, error) {
		f, err := fn(alpha, rg)
		if err != nil {
			return nil, err
		}
		return f, nil
	}
}

func noAlpha[F surrogate.Function](fn func() F) func(float32, bool) (surrogate.Function, error) {
	return func(float32, bool) (surrogate.Function, error) { return fn(), nil }
}

// second adapts a typed constructor of two parameters to one of the
// first, with the second fixed.
func second[F surrogate.Function, P any](fn func(float32, P, bool) (F, error), p P) func(float32, bool) (surrogate.Function, error) {
	return wrap(func(a float32, rg bool) (F, error) { return fn(a, p, rg) })
}

const (
	positive = surrogate.DomainPositive
	finite   = surrogate.DomainFinite
	aboveOne = surrogate.DomainAboveOne
)

// registry describes every surrogate as its library defines it (names,
// parameters, defaults from the libraries' constructors), independently
// of the kernels' own declarations.
var registry = []struct {
	name      string
	typ       string // Go type New returns
	ctor      func(float32, bool) (surrogate.Function, error)
	library   string
	param     string // the parameter New sets, "" if none
	domain    surrogate.ParamDomain
	usesAlpha bool // the parameter is validated
	hasAlpha  bool // Alpha() != nil
	alpha     float32
	learnable bool
}{
	{"SigmoidGrad", "*surrogate.SigmoidGrad", wrap(surrogate.NewSigmoidGrad), "BrainCog", "alpha", positive, true, true, 1, false},
	{"AtanGrad", "*surrogate.AtanGrad", wrap(surrogate.NewAtanGrad), "BrainCog", "alpha", positive, true, true, 2, true},
	{"GateGrad", "*surrogate.GateGrad", wrap(surrogate.NewGateGrad), "BrainCog", "alpha", positive, true, true, 2, false},
	{"QGateGrad", "*surrogate.QGateGrad", wrap(surrogate.NewQGateGrad), "BrainCog", "alpha", positive, true, true, 2, false},
	{"ReLUGrad", "*surrogate.ReLUGrad", wrap(surrogate.NewReLUGrad), "BrainCog", "alpha", positive, true, true, 2, false},
	{"STDPGrad", "*surrogate.STDPGrad", wrap(surrogate.NewSTDPGrad), "BrainCog", "alpha", positive, false, true, 2, false},
	{"EIGrad", "*surrogate.EIGrad", wrap(surrogate.NewEIGrad), "BrainCog", "alpha", positive, false, true, 2, false},
	{"BackEIGateGrad", "*surrogate.BackEIGateGrad", wrap(surrogate.NewBackEIGateGrad), "BrainCog", "alpha", positive, false, true, 2, false},
	{"RoundGrad", "*surrogate.RoundGrad", noAlpha(surrogate.NewRoundGrad), "BrainCog", "", positive, false, false, 0, false},
	{"straight_through_estimator", "*surrogate.StraightThroughEstimator", noAlpha(surrogate.NewStraightThroughEstimator), "BrainCog", "", positive, false, false, 0, false},
	{"heaviside", "*surrogate.Heaviside", noAlpha(surrogate.NewHeaviside), "BrainCog", "", positive, false, false, 0, false},

	{"PiecewiseQuadratic", "*surrogate.PiecewiseQuadratic", wrap(surrogate.NewPiecewiseQuadratic), "SpikingJelly", "alpha", positive, true, true, 1, false},
	{"PiecewiseExp", "*surrogate.PiecewiseExp", wrap(surrogate.NewPiecewiseExp), "SpikingJelly", "alpha", positive, true, true, 1, false},
	{"Sigmoid", "*surrogate.Sigmoid", wrap(surrogate.NewSigmoid), "SpikingJelly", "alpha", positive, true, true, 4, false},
	{"SoftSign", "*surrogate.SoftSign", wrap(surrogate.NewSoftSign), "SpikingJelly", "alpha", positive, true, true, 2, false},
	{"SuperSpike", "*surrogate.SuperSpike", wrap(surrogate.NewSuperSpike), "SpikingJelly", "alpha", positive, true, true, 1, false},
	{"ATan", "*surrogate.ATan", wrap(surrogate.NewATan), "SpikingJelly", "alpha", positive, true, true, 2, false},
	{"NonzeroSignLogAbs", "*surrogate.NonzeroSignLogAbs", wrap(surrogate.NewNonzeroSignLogAbs), "SpikingJelly", "alpha", positive, true, true, 1, false},
	{"Erf", "*surrogate.Erf", wrap(surrogate.NewErf), "SpikingJelly", "alpha", positive, true, true, 2, false},
	{"PiecewiseLeakyReLU", "*surrogate.PiecewiseLeakyReLU", second(surrogate.NewPiecewiseLeakyReLU, float32(0.01)), "SpikingJelly", "w", positive, true, true, 1, false},
	{"SquarewaveFourierSeries", "*surrogate.SquarewaveFourierSeries", wrap(func(t float32, rg bool) (*surrogate.SquarewaveFourierSeries, error) {
		return surrogate.NewSquarewaveFourierSeries(2, t, rg)
	}), "SpikingJelly", "T_period", positive, true, true, 8, false},
	{"S2NN", "*surrogate.S2NN", second(surrogate.NewS2NN, float32(1)), "SpikingJelly", "alpha", positive, true, true, 4, false},
	{"QPseudoSpike", "*surrogate.QPseudoSpike", wrap(surrogate.NewQPseudoSpike), "SpikingJelly", "alpha", aboveOne, true, true, 2, false},
	{"LeakyKReLU", "*surrogate.LeakyKReLU", second(surrogate.NewLeakyKReLU, float32(1)), "SpikingJelly", "leak", finite, true, true, 0, false},
	{"FakeNumericalGradient", "*surrogate.FakeNumericalGradient", wrap(surrogate.NewFakeNumericalGradient), "SpikingJelly", "alpha", positive, true, true, 0.3, false},
	{"LogTailedReLU", "*surrogate.LogTailedReLU", wrap(surrogate.NewLogTailedReLU), "SpikingJelly", "alpha", finite, true, true, 0, false},
	{"DeterministicPass", "*surrogate.DeterministicPass", noAlpha(surrogate.NewDeterministicPass), "SpikingJelly", "", positive, false, false, 0, false},
	{"Rect", "*surrogate.Rect", wrap(surrogate.NewRect), "SpikingJelly", "alpha", positive, true, true, 1, false},

	{"atan", "*surrogate.SnnTorchATan", wrap(surrogate.NewSnnTorchATan), "snnTorch", "alpha", positive, true, true, 2, false},
	{"fast_sigmoid", "*surrogate.FastSigmoid", wrap(surrogate.NewFastSigmoid), "snnTorch", "slope", positive, true, true, 25, false},
	{"sigmoid", "*surrogate.SnnTorchSigmoid", wrap(surrogate.NewSnnTorchSigmoid), "snnTorch", "slope", positive, true, true, 25, false},
	{"triangular", "*surrogate.Triangular", wrap(surrogate.NewTriangular), "snnTorch", "threshold", positive, true, true, 1, false},
	{"spike_rate_escape", "*surrogate.SpikeRateEscape", wrap(func(slope float32, rg bool) (*surrogate.SpikeRateEscape, error) {
		return surrogate.NewSpikeRateEscape(1, slope, rg)
	}), "snnTorch", "slope", positive, true, true, 25, false},
	{"SFS", "*surrogate.SparseFastSigmoid", second(surrogate.NewSparseFastSigmoid, float32(1)), "snnTorch", "slope", positive, true, true, 25, false},
	{"LSO", "*surrogate.LeakySpikeOperator", wrap(surrogate.NewLeakySpikeOperator), "snnTorch", "slope", finite, true, true, 0.1, false},
	{"snntorch_heaviside", "*surrogate.SnnTorchHeaviside", noAlpha(surrogate.NewSnnTorchHeaviside), "snnTorch", "", positive, false, false, 0, false},
	{"snntorch_straight_through_estimator", "*surrogate.SnnTorchStraightThroughEstimator", noAlpha(surrogate.NewSnnTorchStraightThroughEstimator), "snnTorch", "", positive, false, false, 0, false},
}

func TestNamesMatchRegistry(t *testing.T) {
	var want []string
	for _, r := range registry {
		want = append(want, r.name)
	}
	slices.Sort(want)
	if got := surrogate.Names(); !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
}

func TestNewEveryName(t *testing.T) {
	for _, r := range registry {
		t.Run(r.name, func(t *testing.T) {
			f, err := surrogate.New(r.name, 3, false)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%T", f); got != r.typ {
				t.Errorf("New(%q) returned %s, want %s", r.name, got, r.typ)
			}
			named, ok := f.(interface {
				Name() string
				Kernel() *surrogate.Kernel
			})
			if !ok {
				t.Fatalf("%T has no Name and Kernel methods", f)
			}
			k, _ := surrogate.Lookup(r.name)
			if named.Name() != r.name || named.Kernel().Name != r.name || k.Name != r.name {
				t.Errorf("Name() = %q, Kernel().Name = %q, Lookup's Name = %q, want %q", named.Name(), named.Kernel().Name, k.Name, r.name)
			}
			if k.Library != r.library || k.Param != r.param || k.Domain != r.domain {
				t.Errorf("kernel Library=%q Param=%q Domain=%v, want %q %q %v", k.Library, k.Param, k.Domain, r.library, r.param, r.domain)
			}
			if k.DefaultAlpha != r.alpha || k.DefaultLearnable != r.learnable {
				t.Errorf("kernel defaults %v (learnable %v), want %v (%v)", k.DefaultAlpha, k.DefaultLearnable, r.alpha, r.learnable)
			}
			if (f.Alpha() != nil) != r.hasAlpha {
				t.Errorf("Alpha() = %v, want an alpha: %v", f.Alpha(), r.hasAlpha)
			}
			if r.hasAlpha && f.Alpha().Value().Item() != 3 {
				t.Errorf("alpha = %v, want 3", f.Alpha().Value().Item())
			}
			if k.UsesAlpha != r.usesAlpha || k.HasAlpha != r.hasAlpha {
				t.Errorf("kernel UsesAlpha=%v HasAlpha=%v, want %v %v", k.UsesAlpha, k.HasAlpha, r.usesAlpha, r.hasAlpha)
			}
			// The typed constructor builds the same thing.
			g, err := r.ctor(3, false)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprintf("%T", g) != r.typ {
				t.Errorf("constructor returned %T, want %s", g, r.typ)
			}
		})
	}
}

func TestNewUnknownName(t *testing.T) {
	for _, name := range []string{"", "foo", "atangrad", "Heaviside", "AtanGrad "} {
		f, err := surrogate.New(name, 2, false)
		if err == nil || f != nil {
			t.Fatalf("New(%q) = %v, %v; want an error", name, f, err)
		}
		for _, known := range surrogate.Names() {
			if !strings.Contains(err.Error(), known) {
				t.Errorf("New(%q) error %q does not mention %q", name, err, known)
			}
		}
		if _, err := surrogate.NewDefault(name); err == nil {
			t.Errorf("NewDefault(%q) succeeded", name)
		}
		if k, err := surrogate.Lookup(name); err == nil || k != nil {
			t.Errorf("Lookup(%q) = %v, %v; want an error", name, k, err)
		}
	}
}

// domainCases lists, per domain, parameters outside it and inside it,
// worked out from the domain's definition.
var domainCases = map[surrogate.ParamDomain]struct{ bad, good []float32 }{
	surrogate.DomainPositive: {
		bad:  []float32{nan32, inf32, -inf32, 0, negZero32, -1, -math.SmallestNonzeroFloat32},
		good: []float32{math.SmallestNonzeroFloat32, 1e-3, 0.5, 1, 2, 100},
	},
	surrogate.DomainFinite: {
		bad:  []float32{nan32, inf32, -inf32},
		good: []float32{0, negZero32, -1, 1e-3, 0.5, 1, 100, -math.MaxFloat32},
	},
	surrogate.DomainAboveOne: {
		bad:  []float32{nan32, inf32, -inf32, 0, negZero32, -1, 0.5, 1},
		good: []float32{math.Nextafter32(1, 2), 1.5, 2, 100},
	},
}

var (
	nan32     = float32(math.NaN())
	inf32     = float32(math.Inf(1))
	negZero32 = float32(math.Copysign(0, -1))
)

func TestNewAlphaValidation(t *testing.T) {
	for _, r := range registry {
		dc := domainCases[r.domain]
		for _, alpha := range dc.bad {
			for _, rg := range []bool{false, true} {
				f, err := surrogate.New(r.name, alpha, rg)
				g, cerr := r.ctor(alpha, rg)
				if r.usesAlpha {
					if err == nil || f != nil {
						t.Errorf("New(%q, %v, %v) = %v, %v; want an error", r.name, alpha, rg, f, err)
					} else if !strings.Contains(err.Error(), r.name) || !strings.Contains(err.Error(), r.param) {
						t.Errorf("New(%q, %v) error %q does not name the function and %q", r.name, alpha, err, r.param)
					}
					if cerr == nil || g != nil {
						t.Errorf("constructor of %s with alpha %v = %v, %v; want an error", r.name, alpha, g, cerr)
					}
					continue
				}
				if err != nil || f == nil {
					t.Errorf("New(%q, %v, %v): %v; alpha is unused and should be accepted", r.name, alpha, rg, err)
				}
				if cerr != nil || g == nil {
					t.Errorf("constructor of %s with alpha %v: %v", r.name, alpha, cerr)
				}
			}
		}
		for _, alpha := range dc.good {
			if _, err := surrogate.New(r.name, alpha, false); err != nil {
				t.Errorf("New(%q, %v): %v", r.name, alpha, err)
			}
			if _, err := r.ctor(alpha, true); err != nil {
				t.Errorf("constructor of %s with alpha %v: %v", r.name, alpha, err)
			}
		}
	}
}

// TestSecondParameterValidation checks the second parameters of the
// constructors of two: finite (c, beta, k, B) and n >= 1.
func TestSecondParameterValidation(t *testing.T) {
	for _, bad := range []float32{nan32, inf32, -inf32} {
		if _, err := surrogate.NewPiecewiseLeakyReLU(1, bad, false); err == nil || !strings.Contains(err.Error(), "c must") {
			t.Errorf("NewPiecewiseLeakyReLU(1, %v): %v", bad, err)
		}
		if _, err := surrogate.NewS2NN(4, bad, false); err == nil || !strings.Contains(err.Error(), "beta must") {
			t.Errorf("NewS2NN(4, %v): %v", bad, err)
		}
		if _, err := surrogate.NewLeakyKReLU(0, bad, false); err == nil || !strings.Contains(err.Error(), "k must") {
			t.Errorf("NewLeakyKReLU(0, %v): %v", bad, err)
		}
		if _, err := surrogate.NewSpikeRateEscape(bad, 25, false); err == nil || !strings.Contains(err.Error(), "beta must") {
			t.Errorf("NewSpikeRateEscape(%v, 25): %v", bad, err)
		}
		if _, err := surrogate.NewSparseFastSigmoid(25, bad, false); err == nil || !strings.Contains(err.Error(), "B must") {
			t.Errorf("NewSparseFastSigmoid(25, %v): %v", bad, err)
		}
	}
	for _, n := range []int{0, -1} {
		if _, err := surrogate.NewSquarewaveFourierSeries(n, 8, false); err == nil || !strings.Contains(err.Error(), "n must") {
			t.Errorf("NewSquarewaveFourierSeries(%d, 8): %v", n, err)
		}
	}
	// The accessors return what was set.
	p, _ := surrogate.NewPiecewiseLeakyReLU(0.5, -0.25, false)
	s, _ := surrogate.NewS2NN(3, 2, false)
	l, _ := surrogate.NewLeakyKReLU(0.1, 2, false)
	q, _ := surrogate.NewSquarewaveFourierSeries(5, 4, false)
	e, _ := surrogate.NewSpikeRateEscape(3, 10, false)
	f, _ := surrogate.NewSparseFastSigmoid(10, -0.5, false)
	for _, c := range []struct {
		name      string
		got, want float32
	}{
		{"PiecewiseLeakyReLU w", p.AlphaValue(), 0.5}, {"PiecewiseLeakyReLU c", p.C(), -0.25},
		{"S2NN alpha", s.AlphaValue(), 3}, {"S2NN beta", s.Beta(), 2},
		{"LeakyKReLU leak", l.AlphaValue(), 0.1}, {"LeakyKReLU k", l.K(), 2},
		{"SquarewaveFourierSeries T", q.AlphaValue(), 4}, {"SquarewaveFourierSeries n", float32(q.N()), 5},
		{"spike_rate_escape slope", e.AlphaValue(), 10}, {"spike_rate_escape beta", e.Beta(), 3},
		{"SFS slope", f.AlphaValue(), 10}, {"SFS B", f.B(), -0.5},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestNewDefault(t *testing.T) {
	for _, r := range registry {
		t.Run(r.name, func(t *testing.T) {
			f, err := surrogate.NewDefault(r.name)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprintf("%T", f) != r.typ {
				t.Errorf("NewDefault returned %T, want %s", f, r.typ)
			}
			a := f.Alpha()
			if !r.hasAlpha {
				if a != nil {
					t.Errorf("Alpha() = %v, want nil", a)
				}
				return
			}
			if a == nil {
				t.Fatal("Alpha() = nil")
			}
			if got := a.Value().Item(); got != r.alpha {
				t.Errorf("default alpha = %v, want %v", got, r.alpha)
			}
			if len(a.Value().Shape()) != 0 {
				t.Errorf("alpha has shape %v, want 0-d", a.Value().Shape())
			}
			if a.RequiresGrad() != r.learnable {
				t.Errorf("alpha learnable = %v, want %v", a.RequiresGrad(), r.learnable)
			}
		})
	}
}

// mustTensor wraps data in a tensor of the given shape, or fails.
func mustTensor(t *testing.T, data []float32, shape ...int) *tensor.Tensor {
	t.Helper()
	x, err := tensor.FromSlice(data, shape...)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

var alphaInputs = []float32{-1.5, -0.3, 0, 0.2, 0.7, 2}

// dalphaSum is sum_i DAlpha(g_i, x_i, alpha) in float64, rounded.
func dalphaSum(k *surrogate.Kernel, g, x []float32, alpha float32) float32 {
	var s float64
	for i := range x {
		s += float64(k.DAlpha(g[i], x[i], alpha))
	}
	return float32(s)
}

func TestAlphaGradient(t *testing.T) {
	g := []float32{1, -2, 0.5, 3, -1, 0.25}
	cases := []struct {
		name       string
		learnable  bool
		xGrad      bool
		wantAlpha  bool // alpha receives a gradient
		wantOutput bool // output requires grad
	}{
		{"AtanGrad", true, true, true, true},
		{"AtanGrad", false, true, false, true},
		{"AtanGrad", true, false, true, true}, // x constant, alpha learnable
		{"AtanGrad", false, false, false, false},
		{"ReLUGrad", true, true, true, true},
		{"ReLUGrad", true, false, true, true},
		{"ReLUGrad", false, true, false, true},
		{"SigmoidGrad", true, true, false, true}, // BrainCog returns None for alpha
		{"SigmoidGrad", false, false, false, false},
		// alpha is learnable but gets no gradient from SigmoidGrad, so with
		// a constant x nothing is recorded (PyTorch would still mark the
		// output as requiring grad, with alpha.grad staying None).
		{"SigmoidGrad", true, false, false, false},
		{"GateGrad", true, false, false, false},
		{"GateGrad", true, true, false, true},
		{"QGateGrad", true, true, false, true},
		{"NonzeroSignLogAbs", true, true, false, true},
		{"STDPGrad", true, true, false, true},
		{"EIGrad", true, true, false, true},
		{"BackEIGateGrad", true, true, false, true},
		{"QGateGrad", false, false, false, false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/learnable=%v/xgrad=%v", c.name, c.learnable, c.xGrad), func(t *testing.T) {
			f, err := surrogate.New(c.name, 1.5, c.learnable)
			if err != nil {
				t.Fatal(err)
			}
			if f.Alpha().RequiresGrad() != c.learnable {
				t.Fatalf("alpha requires grad = %v", f.Alpha().RequiresGrad())
			}
			x := autograd.NewVar(mustTensor(t, slices.Clone(alphaInputs), 2, 3), c.xGrad)
			y := f.Apply(x)
			if y.RequiresGrad() != c.wantOutput {
				// A learnable alpha that never gets a gradient (SigmoidGrad
				// etc.) is kept off the tape; with a constant x the output
				// then needs no gradient at all.
				t.Fatalf("output requires grad = %v, want %v", y.RequiresGrad(), c.wantOutput)
			}
			if !y.RequiresGrad() {
				return
			}
			if err := autograd.Backward(y, mustTensor(t, g, 2, 3)); err != nil {
				t.Fatal(err)
			}
			ga := f.Alpha().Grad()
			if !c.wantAlpha {
				if ga != nil {
					t.Errorf("alpha got gradient %v, want none", ga)
				}
			} else {
				k, _ := surrogate.Lookup(c.name)
				want := dalphaSum(k, g, alphaInputs, 1.5)
				if ga == nil {
					t.Fatalf("alpha got no gradient, want %v", want)
				}
				if len(ga.Shape()) != 0 {
					t.Errorf("alpha grad has shape %v, want 0-d", ga.Shape())
				}
				if math.Abs(float64(ga.Item()-want)) > 1e-6*math.Abs(float64(want)) {
					t.Errorf("alpha grad = %v, want %v", ga.Item(), want)
				}
			}
			if (x.Grad() != nil) != c.xGrad {
				t.Errorf("x grad = %v with x requiring grad %v", x.Grad(), c.xGrad)
			}
		})
	}
}

// TestAlphaGradientByHand checks ReLUGrad's alpha gradient against a sum
// worked out by hand: sum(g * relu(x)).
func TestAlphaGradientByHand(t *testing.T) {
	f, err := surrogate.NewReLUGrad(2, true)
	if err != nil {
		t.Fatal(err)
	}
	x := autograd.NewVar(mustTensor(t, []float32{-1, 0, 0.5, 2}), true)
	y := f.Apply(x)
	if err := autograd.Backward(y, mustTensor(t, []float32{5, 7, 2, -1})); err != nil {
		t.Fatal(err)
	}
	// 5*0 + 7*0 + 2*0.5 + -1*2 = -1
	if got := f.Alpha().Grad().Item(); got != -1 {
		t.Errorf("alpha grad = %v, want -1", got)
	}
	// g * alpha where x > 0: [0, 0, 4, -2]
	if got, want := x.Grad().Data(), []float32{0, 0, 4, -2}; !slices.Equal(got, want) {
		t.Errorf("x grad = %v, want %v", got, want)
	}
}

func TestLearnableAlphaAccumulates(t *testing.T) {
	for _, name := range []string{"AtanGrad", "ReLUGrad"} {
		t.Run(name, func(t *testing.T) {
			f, err := surrogate.New(name, 2, true)
			if err != nil {
				t.Fatal(err)
			}
			x := autograd.NewVar(mustTensor(t, slices.Clone(alphaInputs)), true)
			gt := mustTensor(t, []float32{1, 1, 1, 1, 1, 1})
			if err := autograd.Backward(f.Apply(x), gt); err != nil {
				t.Fatal(err)
			}
			first := f.Alpha().Grad().Item()
			firstX := slices.Clone(x.Grad().Data())
			if first == 0 {
				t.Fatal("alpha gradient is 0; the inputs do not test accumulation")
			}
			if err := autograd.Backward(f.Apply(x), gt); err != nil {
				t.Fatal(err)
			}
			if got := f.Alpha().Grad().Item(); got != 2*first {
				t.Errorf("alpha grad after two backward passes = %v, want %v", got, 2*first)
			}
			for i, v := range x.Grad().Data() {
				if v != 2*firstX[i] {
					t.Errorf("x grad[%d] after two passes = %v, want %v", i, v, 2*firstX[i])
				}
			}
		})
	}
}

func TestApplyShapes(t *testing.T) {
	shapes := [][]int{{0}, {2, 0, 3}, {}, {5}, {2, 3, 2, 2}}
	for _, r := range registry {
		for _, shape := range shapes {
			t.Run(fmt.Sprintf("%s/%v", r.name, shape), func(t *testing.T) {
				f, err := surrogate.New(r.name, 2, r.learnable)
				if err != nil {
					t.Fatal(err)
				}
				xt := tensor.New(shape...)
				xd := xt.Data()
				for i := range xd {
					xd[i] = float32(i%9)*0.5 - 2 // -2 .. 2
				}
				x := autograd.NewVar(xt, true)
				y := f.Apply(x)
				if !slices.Equal(y.Value().Shape(), shape) {
					t.Fatalf("output shape %v, want %v", y.Value().Shape(), shape)
				}
				k := f.(interface{ Kernel() *surrogate.Kernel }).Kernel()
				for i, v := range y.Value().Data() {
					if want := k.Spike(xd[i]); v != want {
						t.Errorf("y[%d] = %v at x = %v, want %v", i, v, xd[i], want)
					}
				}
				if r.name == "heaviside" {
					if y.RequiresGrad() {
						t.Error("heaviside output requires grad")
					}
					return
				}
				if !y.RequiresGrad() {
					t.Fatal("output does not require grad")
				}
				gt := tensor.Full(1.5, shape...)
				if err := autograd.Backward(y, gt); err != nil {
					t.Fatal(err)
				}
				gx := x.Grad()
				if gx == nil || !slices.Equal(gx.Shape(), shape) {
					t.Fatalf("x grad %v, want shape %v", gx, shape)
				}
				alpha := float32(2)
				for i, v := range gx.Data() {
					if want := k.GradAt(1.5, xd[i], alpha); v != want {
						t.Errorf("x grad[%d] = %v at x = %v, want %v", i, v, xd[i], want)
					}
				}
				if r.learnable {
					ga := f.Alpha().Grad()
					if ga == nil {
						t.Fatal("learnable alpha got no gradient")
					}
					if len(xd) == 0 && ga.Item() != 0 {
						t.Errorf("alpha grad of an empty input = %v, want 0", ga.Item())
					}
				}
			})
		}
	}
}

func TestHeavisideNeverRequiresGrad(t *testing.T) {
	for _, f := range []surrogate.Function{surrogate.NewHeaviside(), must(surrogate.New("heaviside", 2, true))} {
		x := autograd.NewVar(mustTensor(t, []float32{-1, 0, float32(math.NaN()), 1}), true)
		y := f.Apply(x)
		if y.RequiresGrad() {
			t.Error("heaviside output requires grad")
		}
		if got, want := y.Value().Data(), []float32{0, 1, 0, 1}; !slices.Equal(got, want) {
			t.Errorf("heaviside = %v, want %v", got, want)
		}
		if err := autograd.Backward(y, nil); err == nil {
			t.Error("Backward through heaviside succeeded")
		}
		if x.Grad() != nil {
			t.Errorf("x got gradient %v through heaviside", x.Grad())
		}
	}
}

func TestOutputWithoutGrad(t *testing.T) {
	// With x constant and alpha fixed (or absent) nothing is recorded.
	for _, r := range registry {
		f, err := surrogate.New(r.name, 2, false)
		if err != nil {
			t.Fatal(err)
		}
		y := f.Apply(autograd.Const(mustTensor(t, []float32{-1, 0, 1})))
		if y.RequiresGrad() || !y.IsLeaf() {
			t.Errorf("%s: output of a constant input requires grad", r.name)
		}
	}
}

func must(f surrogate.Function, err error) surrogate.Function {
	if err != nil {
		panic(err)
	}
	return f
}

// TestNothingChangesTheRegistry checks that what users get from the
// package (Lookup's kernel, a function's Kernel, Names' slice) are copies:
// changing them changes neither the registry nor the functions.
func TestNothingChangesTheRegistry(t *testing.T) {
	x := []float32{-1, -0.25, 0, 0.25, 1}
	grads := func(f surrogate.Function) []float32 {
		xv := autograd.NewVar(mustTensor(t, slices.Clone(x)), true)
		if err := autograd.Backward(f.Apply(xv), nil); err != nil {
			t.Fatal(err)
		}
		return xv.Grad().Data()
	}
	for _, name := range []string{"AtanGrad", "QGateGrad", "ATan", "fast_sigmoid", "S2NN"} {
		f, err := surrogate.New(name, 2, false)
		if err != nil {
			t.Fatal(err)
		}
		want := grads(f)

		k, _ := surrogate.Lookup(name)
		k.Name, k.Rule, k.DefaultAlpha, k.UsesAlpha = "changed", surrogate.SpikeSign, 99, false
		k.Deriv, k.Grad, k.GradSlice = nil, nil, nil
		fk := f.(interface{ Kernel() *surrogate.Kernel }).Kernel()
		fk.Grad = func(_, _, _ float32) float32 { return 42 }
		fk.GradSlice = func(dst, _, _ []float32, _ float32) {
			for i := range dst {
				dst[i] = 42
			}
		}
		names := surrogate.Names()
		names[0] = "changed"

		if got := grads(f); !slices.Equal(got, want) {
			t.Errorf("%s: gradients %v after changing copies, want %v", name, got, want)
		}
		g, _ := surrogate.New(name, 2, false)
		if got := grads(g); !slices.Equal(got, want) {
			t.Errorf("%s: a new function's gradients %v, want %v", name, got, want)
		}
		k2, _ := surrogate.Lookup(name)
		if k2.Name != name || k2.DefaultAlpha == 99 || !k2.UsesAlpha || k2.Deriv == nil || k2.Rule == surrogate.SpikeSign {
			t.Errorf("%s: Lookup after changing a copy: %+v", name, k2)
		}
		if surrogate.Names()[0] == "changed" {
			t.Error("Names returned the registry's own slice")
		}
	}
}

// TestNewCustom checks the errors of NewCustom and that its function
// follows its kernel.
func TestNewCustom(t *testing.T) {
	ok := surrogate.Kernel{Name: "mine", Rule: surrogate.SpikeGE, Deriv: func(_, _ float32) float32 { return 3 }}
	for _, c := range []struct {
		name string
		k    surrogate.Kernel
		want string
	}{
		{"no name", surrogate.Kernel{Rule: surrogate.SpikeGT}, "no name"},
		{"no rule", surrogate.Kernel{Name: "r"}, "neither Rule nor Spike"},
		{"two rules", surrogate.Kernel{Name: "r", Rule: surrogate.SpikeGT, Spike: func(float32) float32 { return 0 }}, "both"},
		{"bad alpha", surrogate.Kernel{Name: "a", Rule: surrogate.SpikeGT, UsesAlpha: true, HasAlpha: true, Param: "alpha"}, "alpha must be"},
	} {
		if f, err := surrogate.NewCustom(c.k, -1, false); err == nil || f != nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: NewCustom = %v, %v; want an error with %q", c.name, f, err, c.want)
		}
	}
	f, err := surrogate.NewCustom(ok, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	x := autograd.NewVar(mustTensor(t, []float32{-1, 0, 1}), true)
	y := f.Apply(x)
	if err := autograd.Backward(y, nil); err != nil {
		t.Fatal(err)
	}
	if got := y.Value().Data(); !slices.Equal(got, []float32{0, 1, 1}) {
		t.Errorf("spikes %v", got)
	}
	if got := x.Grad().Data(); !slices.Equal(got, []float32{3, 3, 3}) {
		t.Errorf("grad %v", got)
	}
	// A kernel from Lookup can be reused as a custom one.
	k, _ := surrogate.Lookup("SuperSpike")
	k.Name = "SuperSpike2"
	if _, err := surrogate.NewCustom(*k, 1, false); err != nil {
		t.Errorf("NewCustom of a looked-up kernel: %v", err)
	}
}

// TestLibraryParametersGetNoGradient checks that a learnable parameter of
// a SpikingJelly or snnTorch function stays without a gradient (their
// parameters are Python numbers), while x gets one.
func TestLibraryParametersGetNoGradient(t *testing.T) {
	for _, r := range registry {
		if r.library == "BrainCog" || !r.hasAlpha {
			continue
		}
		f, err := surrogate.New(r.name, 2, true)
		if err != nil {
			t.Fatal(err)
		}
		if !f.Alpha().RequiresGrad() {
			t.Errorf("%s: alpha does not require grad", r.name)
		}
		x := autograd.NewVar(mustTensor(t, slices.Clone(alphaInputs)), true)
		if err := autograd.Backward(f.Apply(x), nil); err != nil {
			t.Fatal(err)
		}
		if f.Alpha().Grad() != nil {
			t.Errorf("%s: alpha got gradient %v", r.name, f.Alpha().Grad())
		}
		if x.Grad() == nil {
			t.Errorf("%s: x got no gradient", r.name)
		}
	}
}
