package surrogate

// gateKernel: forward x > 0; backward 1 where |x| < 1/alpha, else 0 (the
// derivative of the clipped ramp g(x) = clamp(alpha x / 2 ... ), see
// gatePrimitive).
func gateKernel() Kernel {
	return Kernel{
		Library:   "BrainCog",
		Name:      "GateGrad",
		Rule:      SpikeGT,
		Primitive: gatePrimitive,
		Deriv: func(x, alpha float32) float32 {
			return gateDeriv(x, 1/alpha)
		},
		GradSlice:    gateGradSlice,
		UsesAlpha:    true,
		Param:        "alpha",
		HasAlpha:     true,
		DefaultAlpha: 2,
	}
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
// reproduced here. The doc string's function is SpikingJelly's
// NonzeroSignLogAbs (which spikes where x >= 0, default alpha 1).
// Defaults: alpha 2, not learnable; alpha never receives a gradient.
type GateGrad struct{ SurrogateFunctionBase }

// NewGateGrad returns a GateGrad with the given alpha.
func NewGateGrad(alpha float32, requiresGrad bool) (*GateGrad, error) {
	b, err := newBase(gateKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &GateGrad{b}, nil
}
