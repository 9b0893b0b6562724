package surrogate_test

import (
	"fmt"
	"strings"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/surrogate"
	"github.com/spikego/spikego/tensor"
)

// show applies f to the membrane potentials xs, back-propagates an
// upstream gradient of ones and prints the spikes and the gradient that
// reaches x.
func show(f surrogate.Function, xs ...float32) {
	xt, err := tensor.FromSlice(xs)
	if err != nil {
		panic(err)
	}
	x := autograd.NewVar(xt, true)
	y := f.Apply(x)
	fmt.Println("spikes:", format(y.Value().Data()))
	if !y.RequiresGrad() {
		fmt.Println("grad:   none")
		return
	}
	if err := autograd.Backward(y, nil); err != nil {
		panic(err)
	}
	fmt.Println("grad:  ", format(x.Grad().Data()))
}

func format(v []float32) string {
	s := make([]string, len(v))
	for i, e := range v {
		s[i] = fmt.Sprintf("%.4g", e)
	}
	return "[" + strings.Join(s, " ") + "]"
}

func ExampleNewAtanGrad() {
	// alpha = 2: g'(x) = 1 / (1 + (pi x)^2), so 1 at x = 0,
	// 1/(1+pi^2/4) = 0.2884 at 0.5 and 1/(1+pi^2) = 0.0920 at ±1.
	f, err := surrogate.NewAtanGrad(2, true)
	if err != nil {
		panic(err)
	}
	show(f, -1, 0, 0.5, 1)
	// The learnable alpha receives sum(x/2 / (1 + (pi x)^2)):
	// -0.5*0.0920 + 0 + 0.25*0.2884 + 0.5*0.0920 = 0.0721.
	fmt.Printf("alpha grad: %.4f\n", f.Alpha().Grad().Item())
	// Output:
	// spikes: [0 0 1 1]
	// grad:   [0.092 1 0.2884 0.092]
	// alpha grad: 0.0721
}

func ExampleNewQGateGrad() {
	// alpha = 2: g'(x) = 2 - 4|x| on |x| <= 1/2, 0 outside.
	f, err := surrogate.NewQGateGrad(2, false)
	if err != nil {
		panic(err)
	}
	show(f, -1, -0.25, 0, 0.25, 0.5)
	// Output:
	// spikes: [0 0 0 1 1]
	// grad:   [0 1 2 1 0]
}

func ExampleNewSigmoidGrad() {
	// alpha = 1: spikes where x >= 0; g'(x) = s(1-s) with s = sigmoid(x):
	// 0.25 at 0 and 0.8808*0.1192 = 0.1050 at ±2.
	f, err := surrogate.NewSigmoidGrad(1, false)
	if err != nil {
		panic(err)
	}
	show(f, -2, 0, 2)
	// Output:
	// spikes: [0 1 1]
	// grad:   [0.105 0.25 0.105]
}

func ExampleNewGateGrad() {
	// alpha = 2: the gradient passes where |x| < 1/2.
	f, err := surrogate.NewGateGrad(2, false)
	if err != nil {
		panic(err)
	}
	show(f, -1, -0.25, 0, 0.25, 0.5, 1)
	// Output:
	// spikes: [0 0 0 1 1 1]
	// grad:   [0 1 1 1 0 0]
}

func ExampleNewReLUGrad() {
	// alpha = 2: spikes where x >= 0; g'(x) = 2 where x > 0. The learnable
	// alpha receives sum(relu(x)) = 0.5 + 2.
	f, err := surrogate.NewReLUGrad(2, true)
	if err != nil {
		panic(err)
	}
	show(f, -1, 0, 0.5, 2)
	fmt.Println("alpha grad:", f.Alpha().Grad().Item())
	// Output:
	// spikes: [0 1 1 1]
	// grad:   [0 0 2 2]
	// alpha grad: 2.5
}

func ExampleNewSTDPGrad() {
	// Only neurons that fired pass the gradient; alpha is unused.
	f, err := surrogate.NewSTDPGrad(2, false)
	if err != nil {
		panic(err)
	}
	show(f, -1, 0, 0.3, 2)
	// Output:
	// spikes: [0 0 1 1]
	// grad:   [0 0 1 1]
}

func ExampleNewEIGrad() {
	// The forward is sign(x); the gradient passes where |x| < 0.5.
	f, err := surrogate.NewEIGrad(2, false)
	if err != nil {
		panic(err)
	}
	show(f, -1, -0.25, 0, 0.25, 1)
	// Output:
	// spikes: [-1 -1 0 1 1]
	// grad:   [0 1 1 1 0]
}

func ExampleNewBackEIGateGrad() {
	// Spikes where x > 0; the gradient passes where |x| < 0.5.
	f, err := surrogate.NewBackEIGateGrad(2, false)
	if err != nil {
		panic(err)
	}
	show(f, -1, -0.25, 0, 0.25, 1)
	// Output:
	// spikes: [0 0 0 1 1]
	// grad:   [0 1 1 1 0]
}

func ExampleNewRoundGrad() {
	// x is clamped to [-0.5, 4.5] and rounded up: -1 -> -0.5 -> 0,
	// 0.2 -> 1, 1.5 -> 2, 5 -> 4.5 -> 5. The gradient passes where
	// -0.5 < x < 4.5.
	show(surrogate.NewRoundGrad(), -1, -0.3, 0, 0.2, 1.5, 3, 5)
	// Output:
	// spikes: [0 0 0 1 2 3 5]
	// grad:   [0 1 1 1 1 1 0]
}

func ExampleNewStraightThroughEstimator() {
	// Spikes where x >= 0; the gradient passes unchanged.
	show(surrogate.NewStraightThroughEstimator(), -1, 0, 0.5)
	// Output:
	// spikes: [0 1 1]
	// grad:   [1 1 1]
}

func ExampleNewHeaviside() {
	// Spikes where x >= 0; not differentiable, so nothing is recorded.
	show(surrogate.NewHeaviside(), -1, 0, 0.5)
	// Output:
	// spikes: [0 1 1]
	// grad:   none
}

func ExampleNewNonzeroSignLogAbs() {
	// SpikingJelly's NonzeroSignLogAbs, alpha = 2: spikes where x >= 0;
	// g'(x) = 1 / (1/2 + |x|): 2/3 at -1, 2 at 0, 1 at 0.5, 0.5 at 1.5.
	f, err := surrogate.NewNonzeroSignLogAbs(2, false)
	if err != nil {
		panic(err)
	}
	show(f, -1, 0, 0.5, 1.5)
	// Output:
	// spikes: [0 1 1 1]
	// grad:   [0.6667 2 1 0.5]
}

func ExampleNew() {
	// GateGrad by BrainCog's name, alpha 1: the gradient passes where
	// |x| < 1.
	f, err := surrogate.New("GateGrad", 1, false)
	if err != nil {
		panic(err)
	}
	show(f, -1.5, -0.5, 0.5, 1.5)

	// snnTorch's fast_sigmoid by its name, with its slope 25:
	// g'(x) = 1 / (25|x| + 1)^2: 1/36 at -0.2, 1 at 0, 1/4 at 0.04.
	f, err = surrogate.New("fast_sigmoid", 25, false)
	if err != nil {
		panic(err)
	}
	show(f, -0.2, 0, 0.04)

	_, err = surrogate.New("Atan", 2, false)
	fmt.Println(strings.SplitN(err.Error(), " (", 2)[0])
	// Output:
	// spikes: [0 0 1 1]
	// grad:   [0 1 1 0]
	// spikes: [0 0 1]
	// grad:   [0.02778 1 0.25]
	// surrogate: unknown function "Atan"
}

func ExampleNewDefault() {
	// BrainCog's defaults: AtanGrad has alpha 2, learnable.
	f, err := surrogate.NewDefault("AtanGrad")
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Alpha().Value().Item(), f.Alpha().RequiresGrad())
	// SpikingJelly's Sigmoid has alpha 4, snnTorch's sigmoid slope 25.
	for _, name := range []string{"Sigmoid", "sigmoid"} {
		f, err := surrogate.NewDefault(name)
		if err != nil {
			panic(err)
		}
		fmt.Println(name, f.Alpha().Value().Item(), f.Alpha().RequiresGrad())
	}
	// Output:
	// 2 true
	// Sigmoid 4 false
	// sigmoid 25 false
}

func ExampleNames() {
	// Where two libraries use one name, the bare name is BrainCog's and
	// snnTorch's function carries the prefix snntorch_.
	for _, name := range []string{"heaviside", "snntorch_heaviside", "straight_through_estimator", "snntorch_straight_through_estimator"} {
		k, err := surrogate.Lookup(name)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s: %s, spikes where %v, gradient: %v\n", name, k.Library, k.Rule, k.Deriv != nil)
	}
	fmt.Println(len(surrogate.Names()), "names")
	// Output:
	// heaviside: BrainCog, spikes where x >= 0, gradient: false
	// snntorch_heaviside: snnTorch, spikes where x > 0, gradient: true
	// straight_through_estimator: BrainCog, spikes where x >= 0, gradient: true
	// snntorch_straight_through_estimator: snnTorch, spikes where x > 0, gradient: true
	// 37 names
}

func ExampleLookup() {
	// Lookup returns a copy: changing it changes nothing in the package.
	k, err := surrogate.Lookup("ATan")
	if err != nil {
		panic(err)
	}
	k.DefaultAlpha = 100
	k2, _ := surrogate.Lookup("ATan")
	fmt.Println(k.Library, k.Param, k2.DefaultAlpha)
	// Output:
	// SpikingJelly alpha 2
}

func ExampleNewATan() {
	// SpikingJelly's ATan spikes where x >= 0; its gradient is AtanGrad's:
	// 1/(1 + (pi x)^2) at alpha 2.
	f, err := surrogate.NewATan(2, false)
	if err != nil {
		panic(err)
	}
	show(f, -1, 0, 0.5, 1)
	// Output:
	// spikes: [0 1 1 1]
	// grad:   [0.092 1 0.2884 0.092]
}

func ExampleNewSnnTorchATan() {
	// snnTorch's atan: the same gradient, but spikes where x > 0.
	f, err := surrogate.NewSnnTorchATan(2, false)
	if err != nil {
		panic(err)
	}
	show(f, -1, 0, 0.5, 1)
	// Output:
	// spikes: [0 0 1 1]
	// grad:   [0.092 1 0.2884 0.092]
}

func ExampleNewPiecewiseQuadratic() {
	// alpha = 1: g'(x) = 1 - |x| on |x| <= 1: 0 at -1, 0.5 at -0.5, 1 at
	// 0, 0.75 at 0.25, 0 at 2.
	f, err := surrogate.NewPiecewiseQuadratic(1, false)
	if err != nil {
		panic(err)
	}
	show(f, -1, -0.5, 0, 0.25, 2)
	// Output:
	// spikes: [0 0 1 1 1]
	// grad:   [0 0.5 1 0.75 0]
}

func ExampleNewPiecewiseLeakyReLU() {
	// w = 1, c = 0.01: g'(x) = 1/2 where |x| < 1, 0.01 elsewhere.
	f, err := surrogate.NewPiecewiseLeakyReLU(1, 0.01, false)
	if err != nil {
		panic(err)
	}
	show(f, -2, -0.5, 0, 1)
	// Output:
	// spikes: [0 0 1 1]
	// grad:   [0.01 0.5 0.5 0.01]
}

func ExampleNewS2NN() {
	// alpha = 4, beta = 1: below 0 the sigmoid's slope, 4 s(1-s) with
	// s = sigmoid(-2) = 0.1192 at -0.5 (0.42); from 0 on 1/(x+1).
	f, err := surrogate.NewS2NN(4, 1, false)
	if err != nil {
		panic(err)
	}
	show(f, -0.5, 0, 1, 3)
	// Output:
	// spikes: [0 1 1 1]
	// grad:   [0.42 1 0.5 0.25]
}

func ExampleNewLeakyKReLU() {
	// leak = 0.1 below 0, k = 2 from 0 on.
	f, err := surrogate.NewLeakyKReLU(0.1, 2, false)
	if err != nil {
		panic(err)
	}
	show(f, -1, 0, 1)
	// Output:
	// spikes: [0 1 1]
	// grad:   [0.1 2 2]
}

func ExampleNewSquarewaveFourierSeries() {
	// n = 2, T = 8: one cosine, g'(x) = 0.5 cos(pi x / 4): 0.5 at 0,
	// 0.3536 at 1, -0.5 at 4, 0.5 again at 8.
	f, err := surrogate.NewSquarewaveFourierSeries(2, 8, false)
	if err != nil {
		panic(err)
	}
	show(f, 0, 1, 4, 8)
	// Output:
	// spikes: [1 1 1 1]
	// grad:   [0.5 0.3536 -0.5 0.5]
}

func ExampleNewSpikeRateEscape() {
	// beta = 1, slope = 25: g'(x) = 25 exp(-|x - 1|), centred at 1:
	// 3.383 at -1 and 3, 9.197 at 0, 25 at 1.
	f, err := surrogate.NewSpikeRateEscape(1, 25, false)
	if err != nil {
		panic(err)
	}
	show(f, -1, 0, 1, 3)
	// Output:
	// spikes: [0 0 1 1]
	// grad:   [3.383 9.197 25 3.383]
}

func ExampleNewSparseFastSigmoid() {
	// slope = 25, B = 1: fast_sigmoid's gradient only above 1:
	// 1/(25*2 + 1)^2 = 0.0003845 at 2.
	f, err := surrogate.NewSparseFastSigmoid(25, 1, false)
	if err != nil {
		panic(err)
	}
	show(f, 0.5, 1, 2)
	// Output:
	// spikes: [1 1 1]
	// grad:   [0 0 0.0003845]
}

func ExampleNewTriangular() {
	// threshold = 1: the gradient is 1 below 0 and -1 from 0 on, as
	// snnTorch computes it.
	f, err := surrogate.NewTriangular(1, false)
	if err != nil {
		panic(err)
	}
	show(f, -1, 0, 1)
	// Output:
	// spikes: [0 0 1]
	// grad:   [1 -1 -1]
}

func ExampleNewLeakySpikeOperator() {
	// snnTorch's LSO, slope 0.1: 1 where the neuron spiked, 0.1 elsewhere.
	f, err := surrogate.NewLeakySpikeOperator(0.1, false)
	if err != nil {
		panic(err)
	}
	show(f, -1, 0, 1)
	// Output:
	// spikes: [0 0 1]
	// grad:   [0.1 0.1 1]
}

func ExampleNewCustom() {
	// A surrogate of one's own (snnTorch's custom_surrogate): spikes
	// where x > 0, a box of height alpha/2 on |x| < 1/alpha.
	f, err := surrogate.NewCustom(surrogate.Kernel{
		Name: "box",
		Rule: surrogate.SpikeGT,
		Deriv: func(x, alpha float32) float32 {
			if x < 1/alpha && x > -1/alpha {
				return alpha / 2
			}
			return 0
		},
		Param:     "alpha",
		UsesAlpha: true,
		HasAlpha:  true,
	}, 2, false)
	if err != nil {
		panic(err)
	}
	show(f, -1, -0.25, 0, 0.25)
	// Output:
	// spikes: [0 0 0 1]
	// grad:   [0 1 1 1]
}
