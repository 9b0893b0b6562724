package surrogate

import "math"

// sigmoidKernel: forward x >= 0; g(x) = sigmoid(alpha x);
// g'(x) = alpha * s * (1 - s) with s = sigmoid(alpha x).
func sigmoidKernel() Kernel {
	return Kernel{
		Library: "BrainCog",
		Name:    "SigmoidGrad",
		Rule:    SpikeGE,
		Primitive: func(x, alpha float32) float32 {
			return sigmoid32(alpha * x)
		},
		Deriv: func(x, alpha float32) float32 {
			s := sigmoid32(alpha * x)
			return float32(s*(1-s)) * alpha
		},
		Grad:         sigmoidGrad,
		GradSlice:    sigmoidGradSlice,
		UsesAlpha:    true,
		Param:        "alpha",
		HasAlpha:     true,
		DefaultAlpha: 1,
	}
}

// sigmoidGrad is BrainCog's backward g * s * (1 - s) * alpha with
// s = sigmoid(alpha x).
func sigmoidGrad(g, x, alpha float32) float32 {
	s := sigmoid32(alpha * x)
	return float32(float32(g*s)*(1-s)) * alpha
}

// sigmoidGradSlice is the Kernel's GradSlice.
func sigmoidGradSlice(dst, g, x []float32, alpha float32) {
	g, x = g[:len(dst)], x[:len(dst)]
	for i := range dst {
		dst[i] = sigmoidGrad(g[i], x[i], alpha)
	}
}

// SigmoidGrad is BrainCog's SigmoidGrad: it spikes where x >= 0 and its
// backward is the derivative of sigmoid(alpha x),
//
//	g'(x) = alpha * sigmoid(alpha x) * (1 - sigmoid(alpha x)).
//
// Defaults: alpha 1, not learnable. alpha never receives a gradient (as in
// BrainCog, whose backward returns None for it).
type SigmoidGrad struct{ SurrogateFunctionBase }

// NewSigmoidGrad returns a SigmoidGrad with the given alpha.
func NewSigmoidGrad(alpha float32, requiresGrad bool) (*SigmoidGrad, error) {
	b, err := newBase(sigmoidKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &SigmoidGrad{b}, nil
}

// sigmoid32 is 1/(1+exp(-v)) rounded as PyTorch's float32 kernel rounds
// it: the exponential in float64 rounded once to float32, then the float32
// sum and quotient.
func sigmoid32(v float32) float32 {
	e := float32(math.Exp(float64(-v)))
	return 1 / (1 + e)
}
