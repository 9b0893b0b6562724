package surrogate

import (
	"fmt"
	"slices"

	"github.com/spikego/spikego/internal/suggest"
)

// entry is one registered surrogate: its declaration (with the library's
// defaults for a second parameter) and the Go type New returns for it.
type entry struct {
	kernel Kernel
	wrap   func(SurrogateFunctionBase) Function
}

// registry returns every registered surrogate, freshly declared: the
// package keeps no registry in a variable, so nothing a caller does can
// change what New, Lookup and Names see.
func registry() []entry {
	return []entry{
		// BrainCog (braincog.base.strategy.surrogate).
		{sigmoidKernel(), func(b SurrogateFunctionBase) Function { return &SigmoidGrad{b} }},
		{atanKernel(), func(b SurrogateFunctionBase) Function { return &AtanGrad{b} }},
		{gateKernel(), func(b SurrogateFunctionBase) Function { return &GateGrad{b} }},
		{qgateKernel(), func(b SurrogateFunctionBase) Function { return &QGateGrad{b} }},
		{reluKernel(), func(b SurrogateFunctionBase) Function { return &ReLUGrad{b} }},
		{stdpKernel(), func(b SurrogateFunctionBase) Function { return &STDPGrad{b} }},
		{eiKernel(), func(b SurrogateFunctionBase) Function { return &EIGrad{b} }},
		{backEIGateKernel(), func(b SurrogateFunctionBase) Function { return &BackEIGateGrad{b} }},
		{roundKernel(), func(b SurrogateFunctionBase) Function { return &RoundGrad{b} }},
		{steKernel(), func(b SurrogateFunctionBase) Function { return &StraightThroughEstimator{b} }},
		{heavisideKernel(), func(b SurrogateFunctionBase) Function { return &Heaviside{b} }},

		// SpikingJelly (spikingjelly.activation_based.surrogate).
		{piecewiseQuadraticKernel(), func(b SurrogateFunctionBase) Function { return &PiecewiseQuadratic{b} }},
		{piecewiseExpKernel(), func(b SurrogateFunctionBase) Function { return &PiecewiseExp{b} }},
		{sjSigmoidKernel(), func(b SurrogateFunctionBase) Function { return &Sigmoid{b} }},
		{softSignKernel(), func(b SurrogateFunctionBase) Function { return &SoftSign{b} }},
		{superSpikeKernel(), func(b SurrogateFunctionBase) Function { return &SuperSpike{b} }},
		{sjATanKernel(), func(b SurrogateFunctionBase) Function { return &ATan{b} }},
		{logAbsKernel(), func(b SurrogateFunctionBase) Function { return &NonzeroSignLogAbs{b} }},
		{erfKernel(), func(b SurrogateFunctionBase) Function { return &Erf{b} }},
		{piecewiseLeakyReLUKernel(plreluDefaultC), func(b SurrogateFunctionBase) Function {
			return &PiecewiseLeakyReLU{b, plreluDefaultC}
		}},
		{squarewaveKernel(squarewaveDefaultN), func(b SurrogateFunctionBase) Function {
			return &SquarewaveFourierSeries{b, squarewaveDefaultN}
		}},
		{s2nnKernel(s2nnDefaultBeta), func(b SurrogateFunctionBase) Function { return &S2NN{b, s2nnDefaultBeta} }},
		{qPseudoSpikeKernel(), func(b SurrogateFunctionBase) Function { return &QPseudoSpike{b} }},
		{leakyKReLUKernel(leakyKReLUDefaultK), func(b SurrogateFunctionBase) Function {
			return &LeakyKReLU{b, leakyKReLUDefaultK}
		}},
		{fakeNumericalGradientKernel(), func(b SurrogateFunctionBase) Function { return &FakeNumericalGradient{b} }},
		{logTailedReLUKernel(), func(b SurrogateFunctionBase) Function { return &LogTailedReLU{b} }},
		{deterministicPassKernel(), func(b SurrogateFunctionBase) Function { return &DeterministicPass{b} }},
		{rectKernel(), func(b SurrogateFunctionBase) Function { return &Rect{b} }},

		// snnTorch (snntorch.surrogate).
		{snnATanKernel(), func(b SurrogateFunctionBase) Function { return &SnnTorchATan{b} }},
		{fastSigmoidKernel(), func(b SurrogateFunctionBase) Function { return &FastSigmoid{b} }},
		{snnSigmoidKernel(), func(b SurrogateFunctionBase) Function { return &SnnTorchSigmoid{b} }},
		{triangularKernel(), func(b SurrogateFunctionBase) Function { return &Triangular{b} }},
		{spikeRateEscapeKernel(spikeRateEscapeDefaultBeta), func(b SurrogateFunctionBase) Function {
			return &SpikeRateEscape{b, spikeRateEscapeDefaultBeta}
		}},
		{sparseFastSigmoidKernel(sfsDefaultB), func(b SurrogateFunctionBase) Function {
			return &SparseFastSigmoid{b, sfsDefaultB}
		}},
		{leakySpikeOperatorKernel(), func(b SurrogateFunctionBase) Function { return &LeakySpikeOperator{b} }},
		{snnHeavisideKernel(), func(b SurrogateFunctionBase) Function { return &SnnTorchHeaviside{b} }},
		{snnSTEKernel(), func(b SurrogateFunctionBase) Function { return &SnnTorchStraightThroughEstimator{b} }},
	}
}

// lookup returns the registry's entry of the named surrogate.
func lookup(name string) (entry, error) {
	for _, e := range registry() {
		if e.kernel.Name == name {
			return e, nil
		}
	}
	return entry{}, fmt.Errorf("surrogate: %s", suggest.Unknown("function", name, Names()))
}

// Names returns the names New accepts, sorted: every surrogate of
// BrainCog, SpikingJelly and snnTorch by its library's name, except that
// snnTorch's heaviside and straight_through_estimator, whose names
// BrainCog's functions already have, are "snntorch_heaviside" and
// "snntorch_straight_through_estimator". "heaviside" is both BrainCog's and
// SpikingJelly's (the same function).
func Names() []string {
	var names []string
	for _, e := range registry() {
		names = append(names, e.kernel.Name)
	}
	slices.Sort(names)
	return names
}

// Lookup returns a copy of the declaration of the named surrogate (with
// the library's default for a second parameter). Changing it changes
// nothing in the package.
func Lookup(name string) (*Kernel, error) {
	e, err := lookup(name)
	if err != nil {
		return nil, err
	}
	return newKernel(e.kernel), nil
}

// New returns the named surrogate (see Names) with the given parameter
// and whether it is learnable. The parameter is the one Kernel.Param
// names: BrainCog's and SpikingJelly's alpha, snnTorch's slope
// (fast_sigmoid, sigmoid, spike_rate_escape, SFS, LSO), threshold
// (triangular) or alpha (atan), and for SpikingJelly's functions of two
// parameters w (PiecewiseLeakyReLU), alpha (S2NN), leak (LeakyKReLU) or
// T_period (SquarewaveFourierSeries); the second parameter then keeps its
// library default (the typed constructors set both). The parameter is
// ignored, and need not be valid, where the function ignores it
// (STDPGrad, EIGrad, BackEIGateGrad keep it unused; RoundGrad, heaviside,
// the straight-through estimators and DeterministicPass have none). An
// unknown name, or a parameter outside the function's Domain, is an
// error.
func New(name string, alpha float32, requiresGrad bool) (Function, error) {
	e, err := lookup(name)
	if err != nil {
		return nil, err
	}
	b, err := newBase(e.kernel, alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return e.wrap(b), nil
}

// NewDefault returns the named surrogate with its library's constructor
// defaults (Kernel.DefaultAlpha and DefaultLearnable): for BrainCog alpha
// 1 (not learnable) for SigmoidGrad, alpha 2 learnable for AtanGrad and
// alpha 2 not learnable for the others; for SpikingJelly and snnTorch the
// defaults of their constructors, never learnable (see the package
// documentation).
func NewDefault(name string) (Function, error) {
	e, err := lookup(name)
	if err != nil {
		return nil, err
	}
	return New(name, e.kernel.DefaultAlpha, e.kernel.DefaultLearnable)
}

// Custom is a surrogate of one's own, declared as a Kernel: snnTorch's
// custom_surrogate, whose backward a user writes. See NewCustom.
type Custom struct{ SurrogateFunctionBase }

// NewCustom returns the surrogate that k declares, with parameter alpha
// (learnable if requiresGrad, where k declares DAlpha). k must give its
// spike rule once (Rule, or Spike with Rule SpikeCustom) and a name; alpha
// must be in k.Domain where k.UsesAlpha. The function is not registered:
// New and the neuron nodes know only the registry's names.
func NewCustom(k Kernel, alpha float32, requiresGrad bool) (*Custom, error) {
	if k.Name == "" {
		return nil, fmt.Errorf("surrogate: NewCustom: the kernel has no name")
	}
	if err := k.complete(); err != nil {
		return nil, err
	}
	b, err := newBase(k, alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &Custom{b}, nil
}
