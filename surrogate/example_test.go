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
	// alpha = 2: g'(x) = 2 / (1 + |2x|): 2/3 at -1, 2 at 0, 1 at 0.5,
	// 0.5 at 1.5.
	f, err := surrogate.NewNonzeroSignLogAbs(2, false)
	if err != nil {
		panic(err)
	}
	show(f, -1, 0, 0.5, 1.5)
	// Output:
	// spikes: [0 0 1 1]
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

	_, err = surrogate.New("Atan", 2, false)
	fmt.Println(err)
	// Output:
	// spikes: [0 0 1 1]
	// grad:   [0 1 1 0]
	// surrogate: unknown function "Atan" (known: AtanGrad, BackEIGateGrad, EIGrad, GateGrad, NonzeroSignLogAbs, QGateGrad, ReLUGrad, RoundGrad, STDPGrad, SigmoidGrad, heaviside, straight_through_estimator)
}

func ExampleNewDefault() {
	// BrainCog's defaults: AtanGrad has alpha 2, learnable.
	f, err := surrogate.NewDefault("AtanGrad")
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Alpha().Value().Item(), f.Alpha().RequiresGrad())
	// Output:
	// 2 true
}
