package surrogate

import "math"

// gateKernel: forward x > 0; backward 1 where |x| < 1/alpha, else 0 (the
// derivative of the clipped ramp g(x) = clamp(alpha x / 2 ... ), see
// gatePrimitive).
var gateKernel = Kernel{
	Name:      "GateGrad",
	Rule:      SpikeGT,
	Primitive: gatePrimitive,
	Deriv: func(x, alpha float32) float32 {
		return gateDeriv(x, 1/alpha)
	},
	GradSlice:    gateGradSlice,
	UsesAlpha:    true,
	HasAlpha:     true,
	DefaultAlpha: 2,
}

// gateDeriv is the gate 1 where |x| < w (w = 1/alpha), else 0.
func gateDeriv(x, w float32) float32 { return step(abs32(x) < w) }

// gateGradSlice is the Kernel's GradSlice: g * Deriv(x, alpha).
func gateGradSlice(dst, g, x []float32, alpha float32) {
	w := 1 / alpha
	g, x = g[:len(dst)], x[:len(dst)]
	for i := range dst {
		dst[i] = g[i] * gateDeriv(x[i], w)
	}
}

// gatePrimitive is the function whose derivative is the gate: 0 below
// -1/alpha, x + 1/alpha across the gate, 2/alpha above it. (BrainCog's
// backward is a unit-height window; its integral is this ramp.)
func gatePrimitive(x, alpha float32) float32 {
	w := 1 / alpha
	switch {
	case x <= -w:
		return 0
	case x >= w:
		return 2 * w
	}
	return x + w
}

// GateGrad is BrainCog's GateGrad as its code computes it: it spikes where
// x > 0 and passes the upstream gradient unchanged where |x| < 1/alpha,
// blocking it elsewhere:
//
//	g'(x) = 1 if |x| < 1/alpha, else 0.
//
// BrainCog's doc string gives a different function, NonzeroSign(x)
// log(|alpha x| + 1) with g'(x) = alpha / (1 + |alpha x|); the code is
// reproduced here, and the doc string's function is NonzeroSignLogAbs.
// Defaults: alpha 2, not learnable; alpha never receives a gradient.
type GateGrad struct{ SurrogateFunctionBase }

// NewGateGrad returns a GateGrad with the given alpha.
func NewGateGrad(alpha float32, requiresGrad bool) (*GateGrad, error) {
	b, err := newBase(&gateKernel, alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &GateGrad{b}, nil
}

// logAbsKernel: forward x > 0; g(x) = NonzeroSign(x) log(|alpha x| + 1);
// g'(x) = alpha / (1 + |alpha x|).
var logAbsKernel = Kernel{
	Name: "NonzeroSignLogAbs",
	Rule: SpikeGT,
	Primitive: func(x, alpha float32) float32 {
		v := float32(math.Log1p(float64(abs32(alpha * x))))
		if x < 0 || (x == 0 && math.Signbit(float64(x))) {
			return -v
		}
		return v
	},
	Deriv: func(x, alpha float32) float32 {
		return alpha / (1 + abs32(alpha*x))
	},
	UsesAlpha:    true,
	HasAlpha:     true,
	DefaultAlpha: 2,
}

// NonzeroSignLogAbs is the surrogate that BrainCog's GateGrad doc string
// describes (BrainCog's code computes a window instead, see GateGrad): it
// spikes where x > 0 and its backward is the derivative of
// NonzeroSign(x) log(|alpha x| + 1),
//
//	g'(x) = alpha / (1 + |alpha x|).
//
// Defaults: alpha 2, not learnable; alpha never receives a gradient. It is
// not a BrainCog class; the name is SpikingJelly's for the same function.
type NonzeroSignLogAbs struct{ SurrogateFunctionBase }

// NewNonzeroSignLogAbs returns a NonzeroSignLogAbs with the given alpha.
func NewNonzeroSignLogAbs(alpha float32, requiresGrad bool) (*NonzeroSignLogAbs, error) {
	b, err := newBase(&logAbsKernel, alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &NonzeroSignLogAbs{b}, nil
}
