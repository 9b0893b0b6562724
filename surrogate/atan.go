package surrogate

import "math"

const pi32 = float32(math.Pi)

// atanKernel: forward x > 0; g(x) = atan(pi/2 alpha x)/pi + 1/2;
// g'(x) = alpha/2 / (1 + (pi/2 alpha x)^2);
// d/dalpha (as BrainCog computes it) = x/2 / (1 + (pi/2 alpha x)^2).
func atanKernel() Kernel {
	return Kernel{
		Library: "BrainCog",
		Name:    "AtanGrad",
		Rule:    SpikeGT,
		Primitive: func(x, alpha float32) float32 {
			return float32(math.Atan(float64(float32(alpha*pi32/2)*x)))/float32(math.Pi) + 0.5
		},
		Deriv: func(x, alpha float32) float32 {
			return atanAt(alpha).deriv(x)
		},
		Grad: func(g, x, alpha float32) float32 {
			return atanAt(alpha).grad(g, x)
		},
		GradSlice: atanGradSlice,
		DAlpha: func(g, x, alpha float32) float32 {
			return x / 2 * atanAt(alpha).sharedC(g, x)
		},
		UsesAlpha:        true,
		Param:            "alpha",
		HasAlpha:         true,
		DefaultAlpha:     2,
		DefaultLearnable: true,
	}
}

// atanConst holds the constants of AtanGrad's backward at one alpha, each
// rounded as in BrainCog's expression: half = alpha/2 and c = alpha*pi/2.
type atanConst struct{ half, c float32 }

func atanAt(alpha float32) atanConst {
	return atanConst{half: alpha / 2, c: float32(alpha*pi32) / 2}
}

// sharedC is BrainCog's shared_c = g / (1 + (alpha*pi/2*x)^2).
func (a atanConst) sharedC(g, x float32) float32 {
	u := a.c * x
	return g / (1 + float32(u*u))
}

// deriv is alpha/2 / (1 + (alpha*pi/2*x)^2), rounded step by step as
// BrainCog's expression is.
func (a atanConst) deriv(x float32) float32 { return a.half * a.sharedC(1, x) }

// grad is BrainCog's backward alpha/2 * shared_c.
func (a atanConst) grad(g, x float32) float32 { return a.half * a.sharedC(g, x) }

// atanGradSlice is the Kernel's GradSlice.
func atanGradSlice(dst, g, x []float32, alpha float32) {
	atanGradWith(haveAVX2, dst, g, x, alpha)
}

// atanGradWith is atanGradSlice with the AVX2 kernel on the whole vectors
// of 8 elements when asm is set, the same bits.
func atanGradWith(asm bool, dst, g, x []float32, alpha float32) {
	a := atanAt(alpha)
	g, x = g[:len(dst)], x[:len(dst)]
	if asm {
		if v := len(dst) &^ 7; v > 0 {
			atanGradAVX2(&dst[0], &g[0], &x[0], v, &a)
			dst, g, x = dst[v:], g[v:], x[v:]
		}
	}
	for i := range dst {
		dst[i] = a.grad(g[i], x[i])
	}
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
	b, err := newBase(atanKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &AtanGrad{b}, nil
}
