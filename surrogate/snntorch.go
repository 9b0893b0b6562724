package surrogate

import "math"

// snnTorch's surrogates (snntorch.surrogate). All of them spike where
// x > 0 (snnTorch's documents say U >= U_thr; its code compares with >).
// snnTorch's parameters are Python numbers, multiplied into float32
// tensors as float32. None of them gives its parameter a gradient.

// snnATanKernel: forward x > 0; g'(x) = alpha/2 / (1 + (pi/2 alpha x)^2),
// computed as SpikingJelly's ATan computes it.
func snnATanKernel() Kernel {
	return Kernel{
		Library:      "snnTorch",
		Name:         "atan",
		Rule:         SpikeGT,
		Primitive:    atanPrimitive,
		Deriv:        func(x, alpha float32) float32 { return pyAtanAt(alpha).grad(1, x) },
		Grad:         func(g, x, alpha float32) float32 { return pyAtanAt(alpha).grad(g, x) },
		GradSlice:    pyAtanGradSlice,
		Param:        "alpha",
		UsesAlpha:    true,
		HasAlpha:     true,
		DefaultAlpha: 2,
	}
}

// SnnTorchATan is snnTorch's atan (class ATan): it spikes where x > 0 and
// its backward is the derivative of atan(pi/2 alpha x)/pi + 1/2,
//
//	g'(x) = alpha / (2 (1 + (pi/2 alpha x)^2)),
//
// with the same float32 operations as SpikingJelly's ATan (which spikes
// where x >= 0). Default alpha 2.
type SnnTorchATan struct{ SurrogateFunctionBase }

// NewSnnTorchATan returns snnTorch's atan with the given alpha.
func NewSnnTorchATan(alpha float32, requiresGrad bool) (*SnnTorchATan, error) {
	b, err := newBase(snnATanKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &SnnTorchATan{b}, nil
}

// fastSigmoidKernel: forward x > 0; g'(x) = 1 / (slope |x| + 1)^2.
func fastSigmoidKernel() Kernel {
	return Kernel{
		Library: "snnTorch",
		Name:    "fast_sigmoid",
		Rule:    SpikeGT,
		Primitive: func(x, slope float32) float32 {
			return x / (slope*abs32(x) + 1)
		},
		Deriv: func(x, slope float32) float32 { return fastSigmoidGrad(1, x, slope) },
		Grad:  fastSigmoidGrad,
		GradSlice: func(dst, g, x []float32, slope float32) {
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = fastSigmoidGrad(g[i], x[i], slope)
			}
		},
		Param:        "slope",
		UsesAlpha:    true,
		HasAlpha:     true,
		DefaultAlpha: 25,
	}
}

// fastSigmoidGrad is g / (slope*|x| + 1)^2.
func fastSigmoidGrad(g, x, slope float32) float32 {
	u := float32(slope*abs32(x)) + 1
	return g / float32(u*u)
}

// FastSigmoid is snnTorch's fast_sigmoid (Zenke and Ganguli 2018's
// SuperSpike gradient): it spikes where x > 0 and its backward is
//
//	g'(x) = 1 / (slope |x| + 1)^2,
//
// the derivative of x / (1 + slope |x|). Default slope 25.
type FastSigmoid struct{ SurrogateFunctionBase }

// NewFastSigmoid returns a FastSigmoid with the given slope.
func NewFastSigmoid(slope float32, requiresGrad bool) (*FastSigmoid, error) {
	b, err := newBase(fastSigmoidKernel(), slope, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &FastSigmoid{b}, nil
}

// snnSigmoidKernel: forward x > 0; g'(x) = slope s (1 - s), s =
// sigmoid(slope x), computed as ((g slope) s) (1 - s).
func snnSigmoidKernel() Kernel {
	return Kernel{
		Library:   "snnTorch",
		Name:      "sigmoid",
		Rule:      SpikeGT,
		Primitive: func(x, slope float32) float32 { return sigmoid32(slope * x) },
		Deriv:     func(x, slope float32) float32 { return snnSigmoidGrad(1, x, slope) },
		Grad:      snnSigmoidGrad,
		GradSlice: func(dst, g, x []float32, slope float32) {
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = snnSigmoidGrad(g[i], x[i], slope)
			}
		},
		Param:        "slope",
		UsesAlpha:    true,
		HasAlpha:     true,
		DefaultAlpha: 25,
	}
}

// snnSigmoidGrad is g * slope * s * (1 - s) with s = sigmoid(slope*x).
func snnSigmoidGrad(g, x, slope float32) float32 {
	s := sigmoid32(slope * x)
	return float32(float32(g*slope)*s) * (1 - s)
}

// SnnTorchSigmoid is snnTorch's sigmoid: it spikes where x > 0 and its
// backward is the derivative of sigmoid(slope x),
//
//	g'(x) = slope sigmoid(slope x) (1 - sigmoid(slope x)).
//
// Default slope 25. snnTorch up to 0.9.4 (and the commit 634fc22 the
// golden values were checked against) computed it as
// slope e^(-slope x) / (e^(-slope x) + 1)^2, whose exponential overflows
// float32 for slope x < -88.7 and makes the gradient NaN (snnTorch issue
// #427, fixed by pull request #433 with the form above, which spikego
// follows; the two agree where the old form is finite).
type SnnTorchSigmoid struct{ SurrogateFunctionBase }

// NewSnnTorchSigmoid returns snnTorch's sigmoid with the given slope.
func NewSnnTorchSigmoid(slope float32, requiresGrad bool) (*SnnTorchSigmoid, error) {
	b, err := newBase(snnSigmoidKernel(), slope, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &SnnTorchSigmoid{b}, nil
}

// triangularKernel: forward x > 0; g'(x) = threshold for x < 0, -threshold
// for x >= 0.
func triangularKernel() Kernel {
	return Kernel{
		Library: "snnTorch",
		Name:    "triangular",
		Rule:    SpikeGT,
		Primitive: func(x, threshold float32) float32 {
			return -threshold * abs32(x)
		},
		Deriv: func(x, threshold float32) float32 { return triangularGrad(1, x, threshold) },
		Grad:  triangularGrad,
		GradSlice: func(dst, g, x []float32, threshold float32) {
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = triangularGrad(g[i], x[i], threshold)
			}
		},
		Param:        "threshold",
		UsesAlpha:    true,
		HasAlpha:     true,
		DefaultAlpha: 1,
	}
}

// triangularGrad is g*threshold, negated where x >= 0.
func triangularGrad(g, x, threshold float32) float32 {
	v := g * threshold
	if x >= 0 {
		return -v
	}
	return v
}

// Triangular is snnTorch's triangular: it spikes where x > 0 and its
// backward is, as snnTorch documents and computes it,
//
//	g'(x) = threshold for x < 0, -threshold for x >= 0,
//
// the slope of the triangle -threshold |x| (so the gradient is negative
// above 0, and the primitive is not a smoothed step). Default threshold 1.
type Triangular struct{ SurrogateFunctionBase }

// NewTriangular returns a Triangular with the given threshold.
func NewTriangular(threshold float32, requiresGrad bool) (*Triangular, error) {
	b, err := newBase(triangularKernel(), threshold, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &Triangular{b}, nil
}

// Defaults of snnTorch's second parameters.
const (
	spikeRateEscapeDefaultBeta = 1
	sfsDefaultB                = 1
)

// spikeRateEscapeKernel: forward x > 0; g'(x) = slope exp(-beta |x - 1|).
// New's parameter is slope.
func spikeRateEscapeKernel(beta float32) Kernel {
	return Kernel{
		Library: "snnTorch",
		Name:    "spike_rate_escape",
		Rule:    SpikeGT,
		Primitive: func(x, slope float32) float32 {
			d := float64(x) - 1
			if beta == 0 {
				return float32(float64(slope) * d)
			}
			b, s := float64(beta), float64(slope)
			if d < 0 {
				return float32(s / b * math.Exp(b*d))
			}
			return float32(s / b * (2 - math.Exp(-b*d)))
		},
		Deriv: func(x, slope float32) float32 { return spikeRateEscapeAt(beta, slope).grad(1, x) },
		Grad:  func(g, x, slope float32) float32 { return spikeRateEscapeAt(beta, slope).grad(g, x) },
		GradSlice: func(dst, g, x []float32, slope float32) {
			c := spikeRateEscapeAt(beta, slope)
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = c.grad(g[i], x[i])
			}
		},
		Param:        "slope",
		UsesAlpha:    true,
		HasAlpha:     true,
		DefaultAlpha: 25,
	}
}

type spikeRateEscapeConst struct{ nb, slope float32 }

func spikeRateEscapeAt(beta, slope float32) spikeRateEscapeConst {
	return spikeRateEscapeConst{nb: -beta, slope: slope}
}

// grad is g * slope * exp(-beta * |x - 1|).
func (c spikeRateEscapeConst) grad(g, x float32) float32 {
	e := exp32(abs32(x-1) * c.nb)
	return float32(g*c.slope) * e
}

// SpikeRateEscape is snnTorch's spike_rate_escape (the escape rate of
// Gerstner and Kistler 2002): it spikes where x > 0 and its backward is
//
//	g'(x) = slope exp(-beta |x - 1|),
//
// centred at x = 1, not at the spike. Defaults beta 1, slope 25. New sets
// slope (finite, positive) and keeps beta = 1; NewSpikeRateEscape sets
// both, in snnTorch's order.
type SpikeRateEscape struct {
	SurrogateFunctionBase
	beta float32
}

// NewSpikeRateEscape returns a SpikeRateEscape with beta (finite) and
// slope (finite, positive; the function's Alpha).
func NewSpikeRateEscape(beta, slope float32, requiresGrad bool) (*SpikeRateEscape, error) {
	b, err := newBaseWith(spikeRateEscapeKernel(beta), slope, "beta", beta, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &SpikeRateEscape{b, beta}, nil
}

// Beta returns beta, the rate of the exponential.
func (f *SpikeRateEscape) Beta() float32 { return f.beta }

// sparseFastSigmoidKernel: forward x > 0; g'(x) = 1 / (slope |x| + 1)^2
// where x > B, else 0. New's parameter is slope.
func sparseFastSigmoidKernel(bound float32) Kernel {
	return Kernel{
		Library: "snnTorch",
		Name:    "SFS",
		Rule:    SpikeGT,
		Primitive: func(x, slope float32) float32 {
			if !(x > bound) {
				return 0
			}
			f := func(v float32) float32 { return v / (slope*abs32(v) + 1) }
			return f(x) - f(bound)
		},
		Deriv: func(x, slope float32) float32 { return sparseFastSigmoidGrad(1, x, slope, bound) },
		Grad: func(g, x, slope float32) float32 {
			return sparseFastSigmoidGrad(g, x, slope, bound)
		},
		GradSlice: func(dst, g, x []float32, slope float32) {
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = sparseFastSigmoidGrad(g[i], x[i], slope, bound)
			}
		},
		Param:        "slope",
		UsesAlpha:    true,
		HasAlpha:     true,
		DefaultAlpha: 25,
	}
}

// sparseFastSigmoidGrad is g / (slope*|x| + 1)^2 * (x > B).
func sparseFastSigmoidGrad(g, x, slope, bound float32) float32 {
	return fastSigmoidGrad(g, x, slope) * step(x > bound)
}

// SparseFastSigmoid is snnTorch's SFS, the sparse fast sigmoid of
// Perez-Nieves and Goodman (2021): it spikes where x > 0 and its backward
// is fast_sigmoid's clipped below B,
//
//	g'(x) = 1 / (slope |x| + 1)^2 where x > B, else 0.
//
// Defaults slope 25, B 1. New sets slope (finite, positive) and keeps
// B = 1; NewSparseFastSigmoid sets both, in snnTorch's order.
type SparseFastSigmoid struct {
	SurrogateFunctionBase
	b float32
}

// NewSparseFastSigmoid returns a SparseFastSigmoid with slope (finite,
// positive; the function's Alpha) and bound B (finite).
func NewSparseFastSigmoid(slope, bound float32, requiresGrad bool) (*SparseFastSigmoid, error) {
	b, err := newBaseWith(sparseFastSigmoidKernel(bound), slope, "B", bound, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &SparseFastSigmoid{b, bound}, nil
}

// B returns the bound below which the gradient is 0.
func (f *SparseFastSigmoid) B() float32 { return f.b }

// leakySpikeOperatorKernel: forward x > 0; g'(x) = 1 where x > 0, slope
// elsewhere.
func leakySpikeOperatorKernel() Kernel {
	return Kernel{
		Library: "snnTorch",
		Name:    "LSO",
		Rule:    SpikeGT,
		Primitive: func(x, slope float32) float32 {
			if x > 0 {
				return x
			}
			return slope * x
		},
		Deriv: func(x, slope float32) float32 { return leakySpikeOperatorGrad(1, x, slope) },
		Grad:  leakySpikeOperatorGrad,
		GradSlice: func(dst, g, x []float32, slope float32) {
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = leakySpikeOperatorGrad(g[i], x[i], slope)
			}
		},
		Param:        "slope",
		UsesAlpha:    true,
		HasAlpha:     true,
		Domain:       DomainFinite,
		DefaultAlpha: 0.1,
	}
}

// leakySpikeOperatorGrad is g*out + (1-out)*slope*g with out = (x > 0).
func leakySpikeOperatorGrad(g, x, slope float32) float32 {
	o := step(x > 0)
	return float32(g*o) + float32(float32((1-o)*slope)*g)
}

// LeakySpikeOperator is snnTorch's LSO, the leaky spike operator: it
// spikes where x > 0 and its backward is that of a leaky ReLU,
//
//	g'(x) = 1 where x > 0, slope elsewhere.
//
// Default slope 0.1 (finite; 0 and negative slopes are allowed). At
// snnTorch's commit 634fc22 LSO() wrapped the wrong autograd function and
// raised a TypeError, and LeakySpikeOperator.backward returned one value
// too few (snnTorch issues #347 and #430, pull requests #374 and #418);
// spikego computes what LeakySpikeOperator.backward computes.
type LeakySpikeOperator struct{ SurrogateFunctionBase }

// NewLeakySpikeOperator returns snnTorch's LSO with the given slope.
func NewLeakySpikeOperator(slope float32, requiresGrad bool) (*LeakySpikeOperator, error) {
	b, err := newBase(leakySpikeOperatorKernel(), slope, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &LeakySpikeOperator{b}, nil
}

// snnHeavisideKernel: forward x > 0; backward g times the spike.
func snnHeavisideKernel() Kernel {
	return Kernel{
		Library:   "snnTorch",
		Name:      "snntorch_heaviside",
		Rule:      SpikeGT,
		Deriv:     func(x, _ float32) float32 { return heavisideGT(x) },
		Grad:      func(g, x, _ float32) float32 { return g * heavisideGT(x) },
		GradSlice: stdpGradSlice,
	}
}

// SnnTorchHeaviside is snnTorch's heaviside, registered as
// "snntorch_heaviside" ("heaviside" is BrainCog's and SpikingJelly's step,
// which has no gradient and spikes at x >= 0): it spikes where x > 0 and
// its backward passes the upstream gradient where the neuron spiked,
// g * spike (the same function as BrainCog's STDPGrad). It has no
// parameter.
type SnnTorchHeaviside struct{ SurrogateFunctionBase }

// NewSnnTorchHeaviside returns snnTorch's heaviside.
func NewSnnTorchHeaviside() *SnnTorchHeaviside {
	return &SnnTorchHeaviside{SurrogateFunctionBase{kernel: newKernel(snnHeavisideKernel())}}
}

// snnSTEKernel: forward x > 0; backward passes g unchanged.
func snnSTEKernel() Kernel {
	return Kernel{
		Library:   "snnTorch",
		Name:      "snntorch_straight_through_estimator",
		Rule:      SpikeGT,
		Primitive: func(x, _ float32) float32 { return x },
		Deriv:     func(_, _ float32) float32 { return 1 },
		GradSlice: passGradSlice,
	}
}

// SnnTorchStraightThroughEstimator is snnTorch's
// straight_through_estimator, registered as
// "snntorch_straight_through_estimator" (the bare name is BrainCog's,
// which spikes at x >= 0): it spikes where x > 0 and its backward passes
// the upstream gradient unchanged. It has no parameter.
type SnnTorchStraightThroughEstimator struct{ SurrogateFunctionBase }

// NewSnnTorchStraightThroughEstimator returns snnTorch's straight-through
// estimator.
func NewSnnTorchStraightThroughEstimator() *SnnTorchStraightThroughEstimator {
	return &SnnTorchStraightThroughEstimator{SurrogateFunctionBase{kernel: newKernel(snnSTEKernel())}}
}
