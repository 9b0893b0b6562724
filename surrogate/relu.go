package surrogate

// reluKernel: forward x >= 0; g(x) = alpha relu(x); g'(x) = alpha where
// x > 0; d/dalpha = relu(x).
func reluKernel() Kernel {
	return Kernel{
		Library: "BrainCog",
		Name:    "ReLUGrad",
		Rule:    SpikeGE,
		Primitive: func(x, alpha float32) float32 {
			if x > 0 {
				return alpha * x
			}
			return 0
		},
		Deriv: func(x, alpha float32) float32 {
			return step(x > 0) * alpha
		},
		Grad: reluGrad,
		GradSlice: func(dst, g, x []float32, alpha float32) {
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = reluGrad(g[i], x[i], alpha)
			}
		},
		DAlpha: func(g, x, _ float32) float32 {
			if x < 0 {
				x = 0 // relu(x), with NaN staying NaN as in F.relu
			}
			return g * x
		},
		UsesAlpha:    true,
		Param:        "alpha",
		HasAlpha:     true,
		DefaultAlpha: 2,
	}
}

// reluGrad is BrainCog's backward (g * (x > 0)) * alpha.
func reluGrad(g, x, alpha float32) float32 { return float32(g*step(x > 0)) * alpha }

// ReLUGrad is BrainCog's ReLUGrad, used to test an ANN of the same
// structure: it spikes where x >= 0 and its backward is the derivative of
// alpha relu(x),
//
//	g'(x) = alpha if x > 0, else 0,
//
// and, when alpha requires a gradient, alpha receives sum(upstream *
// relu(x)). Defaults: alpha 2, not learnable.
type ReLUGrad struct{ SurrogateFunctionBase }

// NewReLUGrad returns a ReLUGrad with the given alpha.
func NewReLUGrad(alpha float32, requiresGrad bool) (*ReLUGrad, error) {
	b, err := newBase(reluKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &ReLUGrad{b}, nil
}
