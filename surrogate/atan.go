package surrogate

import "math"

const pi32 = float32(math.Pi)

// atanKernel: forward x > 0; g(x) = atan(pi/2 alpha x)/pi + 1/2;
// g'(x) = alpha/2 / (1 + (pi/2 alpha x)^2);
// d/dalpha (as BrainCog computes it) = x/2 / (1 + (pi/2 alpha x)^2).
var atanKernel = Kernel{
	Name:  "AtanGrad",
	Spike: heavisideGT,
	Primitive: func(x, alpha float32) float32 {
		return float32(math.Atan(float64(float32(alpha*pi32/2)*x)))/float32(math.Pi) + 0.5
	},
	Deriv: func(x, alpha float32) float32 {
		return alpha / 2 * atanShared(x, alpha)
	},
	Grad: func(g, x, alpha float32) float32 {
		return alpha / 2 * atanSharedC(g, x, alpha)
	},
	DAlpha: func(g, x, alpha float32) float32 {
		return x / 2 * atanSharedC(g, x, alpha)
	},
	UsesAlpha:        true,
	HasAlpha:         true,
	DefaultAlpha:     2,
	DefaultLearnable: true,
}

// atanSharedC is BrainCog's shared_c = g / (1 + (alpha*pi/2*x)^2).
func atanSharedC(g, x, alpha float32) float32 {
	u := float32(alpha*pi32) / 2 * x
	return g / (1 + float32(u*u))
}

// atanShared is 1 / (1 + (alpha*pi/2*x)^2) in float32, rounded step by
// step as BrainCog's expression is.
func atanShared(x, alpha float32) float32 {
	u := float32(alpha*pi32) / 2 * x
	return 1 / (1 + float32(u*u))
}

// AtanGrad is BrainCog's AtanGrad: it spikes where x > 0 and its backward
// is the derivative of atan(pi/2 alpha x)/pi + 1/2,
//
//	g'(x) = alpha / (2 (1 + (pi/2 alpha x)^2)).
//
// Defaults: alpha 2, learnable. When alpha requires a gradient it receives
// sum(upstream * x / (2 (1 + (pi/2 alpha x)^2))), exactly BrainCog's
// expression. (The true derivative of g' with respect to alpha differs; it
// is BrainCog's choice that is reproduced.)
type AtanGrad struct{ SurrogateFunctionBase }

// NewAtanGrad returns an AtanGrad with the given alpha.
func NewAtanGrad(alpha float32, requiresGrad bool) (*AtanGrad, error) {
	b, err := newBase(&atanKernel, alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &AtanGrad{b}, nil
}
