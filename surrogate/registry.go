package surrogate

import (
	"fmt"
	"slices"
	"strings"
)

// kernels lists every surrogate by BrainCog's Python name. It is never
// modified after initialisation.
var kernels = map[string]*Kernel{
	sigmoidKernel.Name:    &sigmoidKernel,
	atanKernel.Name:       &atanKernel,
	gateKernel.Name:       &gateKernel,
	qgateKernel.Name:      &qgateKernel,
	reluKernel.Name:       &reluKernel,
	stdpKernel.Name:       &stdpKernel,
	eiKernel.Name:         &eiKernel,
	backEIGateKernel.Name: &backEIGateKernel,
	roundKernel.Name:      &roundKernel,
	steKernel.Name:        &steKernel,
	heavisideKernel.Name:  &heavisideKernel,
	logAbsKernel.Name:     &logAbsKernel,
}

// init builds every kernel's Spike from its Rule.
func init() {
	for _, k := range kernels {
		k.complete()
	}
}

// Names returns the names New accepts, sorted.
func Names() []string {
	names := make([]string, 0, len(kernels))
	for n := range kernels {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Lookup returns the declaration of the named surrogate.
func Lookup(name string) (*Kernel, error) {
	k, ok := kernels[name]
	if !ok {
		return nil, fmt.Errorf("surrogate: unknown function %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return k, nil
}

// New returns the surrogate with BrainCog's Python name (for example
// "AtanGrad", "QGateGrad", "straight_through_estimator"), with the given
// alpha and whether alpha is learnable. alpha is ignored, and need not be
// valid, where BrainCog ignores it (STDPGrad, EIGrad, BackEIGateGrad keep
// it unused; RoundGrad, straight_through_estimator and heaviside have
// none). An unknown name, or a NaN, infinite or non-positive alpha for a
// function that uses it, is an error.
func New(name string, alpha float32, requiresGrad bool) (Function, error) {
	k, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	switch k {
	case &steKernel:
		return NewStraightThroughEstimator(), nil
	case &heavisideKernel:
		return NewHeaviside(), nil
	case &roundKernel:
		return NewRoundGrad(), nil
	}
	b, err := newBase(k, alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	switch k {
	case &sigmoidKernel:
		return &SigmoidGrad{b}, nil
	case &atanKernel:
		return &AtanGrad{b}, nil
	case &gateKernel:
		return &GateGrad{b}, nil
	case &qgateKernel:
		return &QGateGrad{b}, nil
	case &reluKernel:
		return &ReLUGrad{b}, nil
	case &stdpKernel:
		return &STDPGrad{b}, nil
	case &eiKernel:
		return &EIGrad{b}, nil
	case &backEIGateKernel:
		return &BackEIGateGrad{b}, nil
	case &logAbsKernel:
		return &NonzeroSignLogAbs{b}, nil
	}
	return nil, fmt.Errorf("surrogate: %s has no constructor", name)
}

// NewDefault returns the named surrogate with BrainCog's constructor
// defaults: alpha 1 (not learnable) for SigmoidGrad, alpha 2 learnable for
// AtanGrad, alpha 2 not learnable for the others.
func NewDefault(name string) (Function, error) {
	k, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	return New(name, k.DefaultAlpha, k.DefaultLearnable)
}
