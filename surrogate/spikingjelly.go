package surrogate

import (
	"fmt"
	"math"
)

// SpikingJelly's surrogates (spikingjelly.activation_based.surrogate). All
// of them spike where x >= 0 (SpikingJelly's heaviside). SpikingJelly's
// parameters are Python floats: every constant derived from them (1/alpha,
// alpha/2, pi/2*alpha, ...) is computed in float64 and rounded to float32
// once, as PyTorch does when it multiplies a float32 tensor by a Python
// number. None of them gives its parameter a gradient.

// exp32 is e^v rounded once to float32. PyTorch's float32 exp (SLEEF's
// vectorised expf) differs from it by at most one unit in the last place.
func exp32(v float32) float32 { return float32(math.Exp(float64(v))) }

// piecewiseQuadraticKernel: forward x >= 0; g'(x) = alpha - alpha^2 |x|
// where |x| <= 1/alpha, else 0.
func piecewiseQuadraticKernel() Kernel {
	return Kernel{
		Library: "SpikingJelly",
		Name:    "PiecewiseQuadratic",
		Rule:    SpikeGE,
		Primitive: func(x, alpha float32) float32 {
			w := 1 / alpha
			switch {
			case x > w:
				return 1
			case x < -w:
				return 0
			}
			return float32(float32(-alpha*alpha/2)*float32(abs32(x)*x)) + float32(alpha*x) + 0.5
		},
		Deriv: func(x, alpha float32) float32 { return piecewiseQuadraticAt(alpha).grad(1, x) },
		Grad:  func(g, x, alpha float32) float32 { return piecewiseQuadraticAt(alpha).grad(g, x) },
		GradSlice: func(dst, g, x []float32, alpha float32) {
			c := piecewiseQuadraticAt(alpha)
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = c.grad(g[i], x[i])
			}
		},
		Param:        "alpha",
		UsesAlpha:    true,
		HasAlpha:     true,
		DefaultAlpha: 1,
	}
}

type piecewiseQuadraticConst struct{ w, m, a float32 }

func piecewiseQuadraticAt(alpha float32) piecewiseQuadraticConst {
	a := float64(alpha)
	return piecewiseQuadraticConst{w: float32(1 / a), m: float32(-(a * a)), a: alpha}
}

// grad is (g * (-(alpha^2)|x| + alpha)).masked_fill_(|x| > 1/alpha, 0).
func (c piecewiseQuadraticConst) grad(g, x float32) float32 {
	ax := abs32(x)
	return zeroIf(ax > c.w, g*(float32(c.m*ax)+c.a))
}

// PiecewiseQuadratic is SpikingJelly's PiecewiseQuadratic: it spikes where
// x >= 0 and its backward is the triangle
//
//	g'(x) = alpha - alpha^2 |x| where |x| <= 1/alpha, else 0,
//
// the derivative of the piecewise quadratic of BrainCog's QGateGrad (which
// spikes where x > 0). Default alpha 1.
type PiecewiseQuadratic struct{ SurrogateFunctionBase }

// NewPiecewiseQuadratic returns a PiecewiseQuadratic with the given alpha.
func NewPiecewiseQuadratic(alpha float32, requiresGrad bool) (*PiecewiseQuadratic, error) {
	b, err := newBase(piecewiseQuadraticKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &PiecewiseQuadratic{b}, nil
}

// piecewiseExpKernel: forward x >= 0; g'(x) = alpha/2 exp(-alpha |x|).
func piecewiseExpKernel() Kernel {
	return Kernel{
		Library: "SpikingJelly",
		Name:    "PiecewiseExp",
		Rule:    SpikeGE,
		Primitive: func(x, alpha float32) float32 {
			if x < 0 {
				return exp32(alpha*x) / 2
			}
			return 1 - exp32(-alpha*x)/2
		},
		Deriv: func(x, alpha float32) float32 { return piecewiseExpAt(alpha).grad(1, x) },
		Grad:  func(g, x, alpha float32) float32 { return piecewiseExpAt(alpha).grad(g, x) },
		GradSlice: func(dst, g, x []float32, alpha float32) {
			c := piecewiseExpAt(alpha)
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = c.grad(g[i], x[i])
			}
		},
		Param:        "alpha",
		UsesAlpha:    true,
		HasAlpha:     true,
		DefaultAlpha: 1,
	}
}

type piecewiseExpConst struct{ na, h float32 }

func piecewiseExpAt(alpha float32) piecewiseExpConst {
	return piecewiseExpConst{na: -alpha, h: float32(float64(alpha) / 2)}
}

// grad is alpha/2 * exp(-alpha*|x|) * g.
func (c piecewiseExpConst) grad(g, x float32) float32 {
	e := exp32(abs32(x) * c.na)
	return float32(e*c.h) * g
}

// PiecewiseExp is SpikingJelly's PiecewiseExp: it spikes where x >= 0 and
// its backward is
//
//	g'(x) = alpha/2 exp(-alpha |x|),
//
// the derivative of exp(alpha x)/2 (x < 0), 1 - exp(-alpha x)/2 (x >= 0).
// Default alpha 1.
type PiecewiseExp struct{ SurrogateFunctionBase }

// NewPiecewiseExp returns a PiecewiseExp with the given alpha.
func NewPiecewiseExp(alpha float32, requiresGrad bool) (*PiecewiseExp, error) {
	b, err := newBase(piecewiseExpKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &PiecewiseExp{b}, nil
}

// sjSigmoidKernel: forward x >= 0; g'(x) = alpha s (1-s), s =
// sigmoid(alpha x), computed as ((g (1-s)) s) alpha.
func sjSigmoidKernel() Kernel {
	return Kernel{
		Library:   "SpikingJelly",
		Name:      "Sigmoid",
		Rule:      SpikeGE,
		Primitive: func(x, alpha float32) float32 { return sigmoid32(x * alpha) },
		Deriv:     func(x, alpha float32) float32 { return sjSigmoidGrad(1, x, alpha) },
		Grad:      sjSigmoidGrad,
		GradSlice: func(dst, g, x []float32, alpha float32) {
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = sjSigmoidGrad(g[i], x[i], alpha)
			}
		},
		Param:        "alpha",
		UsesAlpha:    true,
		HasAlpha:     true,
		DefaultAlpha: 4,
	}
}

func sjSigmoidGrad(g, x, alpha float32) float32 {
	s := sigmoid32(x * alpha)
	return float32(float32(g*(1-s))*s) * alpha
}

// Sigmoid is SpikingJelly's Sigmoid: it spikes where x >= 0 and its
// backward is the derivative of sigmoid(alpha x),
//
//	g'(x) = alpha sigmoid(alpha x) (1 - sigmoid(alpha x)).
//
// Default alpha 4. It is BrainCog's SigmoidGrad with another default and
// order of operations; snnTorch's sigmoid is SnnTorchSigmoid.
type Sigmoid struct{ SurrogateFunctionBase }

// NewSigmoid returns SpikingJelly's Sigmoid with the given alpha.
func NewSigmoid(alpha float32, requiresGrad bool) (*Sigmoid, error) {
	b, err := newBase(sjSigmoidKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &Sigmoid{b}, nil
}

// softSignKernel: forward x >= 0; g'(x) = 1 / (2 alpha (1/alpha + |x|)^2).
func softSignKernel() Kernel {
	return Kernel{
		Library: "SpikingJelly",
		Name:    "SoftSign",
		Rule:    SpikeGE,
		Primitive: func(x, alpha float32) float32 {
			v := x * alpha
			return (v/(1+abs32(v)) + 1) / 2
		},
		Deriv: func(x, alpha float32) float32 { return softSignAt(alpha).grad(1, x) },
		Grad:  func(g, x, alpha float32) float32 { return softSignAt(alpha).grad(g, x) },
		GradSlice: func(dst, g, x []float32, alpha float32) {
			c := softSignAt(alpha)
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = c.grad(g[i], x[i])
			}
		},
		Param:        "alpha",
		UsesAlpha:    true,
		HasAlpha:     true,
		DefaultAlpha: 2,
	}
}

type softSignConst struct{ inv, twoA float32 }

func softSignAt(alpha float32) softSignConst {
	a := float64(alpha)
	return softSignConst{inv: float32(1 / a), twoA: float32(2 * a)}
}

// grad is g / (2 alpha (1/alpha + |x|)^2).
func (c softSignConst) grad(g, x float32) float32 {
	u := abs32(x) + c.inv
	return g / float32(float32(u*u)*c.twoA)
}

// SoftSign is SpikingJelly's SoftSign: it spikes where x >= 0 and its
// backward is the derivative of (softsign(alpha x) + 1)/2,
//
//	g'(x) = alpha / (2 (1 + |alpha x|)^2) = 1 / (2 alpha (1/alpha + |x|)^2).
//
// Default alpha 2.
type SoftSign struct{ SurrogateFunctionBase }

// NewSoftSign returns a SoftSign with the given alpha.
func NewSoftSign(alpha float32, requiresGrad bool) (*SoftSign, error) {
	b, err := newBase(softSignKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &SoftSign{b}, nil
}

// superSpikeKernel: forward x >= 0; g'(x) = alpha / (1 + |x|)^2.
func superSpikeKernel() Kernel {
	return Kernel{
		Library: "SpikingJelly",
		Name:    "SuperSpike",
		Rule:    SpikeGE,
		Primitive: func(x, alpha float32) float32 {
			return alpha * x / (1 + abs32(x))
		},
		Deriv: func(x, alpha float32) float32 { return superSpikeGrad(1, x, alpha) },
		Grad:  superSpikeGrad,
		GradSlice: func(dst, g, x []float32, alpha float32) {
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = superSpikeGrad(g[i], x[i], alpha)
			}
		},
		Param:        "alpha",
		UsesAlpha:    true,
		HasAlpha:     true,
		DefaultAlpha: 1,
	}
}

// superSpikeGrad is alpha * g / (|x| + 1)^2.
func superSpikeGrad(g, x, alpha float32) float32 {
	u := abs32(x) + 1
	return alpha * g / float32(u*u)
}

// SuperSpike is SpikingJelly's SuperSpike (Zenke and Ganguli 2018): it
// spikes where x >= 0 and its backward is
//
//	g'(x) = alpha / (1 + |x|)^2,
//
// the derivative of alpha x / (1 + |x|) (SpikingJelly declares no
// primitive). Default alpha 1. (At SpikingJelly's commit 3bc12b75 the
// class applied ATan's gradient by mistake; its own autograd function, and
// the class since, compute the formula above.)
type SuperSpike struct{ SurrogateFunctionBase }

// NewSuperSpike returns a SuperSpike with the given alpha.
func NewSuperSpike(alpha float32, requiresGrad bool) (*SuperSpike, error) {
	b, err := newBase(superSpikeKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &SuperSpike{b}, nil
}

// sjATanKernel: forward x >= 0; g'(x) = alpha/2 / (1 + (pi/2 alpha x)^2).
func sjATanKernel() Kernel {
	return Kernel{
		Library:   "SpikingJelly",
		Name:      "ATan",
		Rule:      SpikeGE,
		Primitive: atanPrimitive,
		Deriv:     func(x, alpha float32) float32 { return pyAtanAt(alpha).grad(1, x) },
		Grad:      func(g, x, alpha float32) float32 { return pyAtanAt(alpha).grad(g, x) },
		GradSlice: pyAtanGradSlice,
		Param:     "alpha",
		UsesAlpha: true,
		HasAlpha:  true,
		// SpikingJelly's default; its alpha is a Python float, never learnable.
		DefaultAlpha: 2,
	}
}

// atanPrimitive is atan(pi/2 alpha x)/pi + 1/2.
func atanPrimitive(x, alpha float32) float32 {
	return float32(math.Atan(float64(pyAtanAt(alpha).c*x)))/pi32 + 0.5
}

// pyAtanConst holds the constants of SpikingJelly's and snnTorch's atan
// backward, alpha/2 / (1 + (pi/2*alpha*x)^2) * g, at one alpha: c =
// pi/2*alpha and h = alpha/2, each computed in float64 and rounded once.
type pyAtanConst struct{ c, h float32 }

func pyAtanAt(alpha float32) pyAtanConst {
	a := float64(alpha)
	return pyAtanConst{c: float32(math.Pi / 2 * a), h: float32(a / 2)}
}

// grad is (reciprocal(1 + u^2) * alpha/2) * g with u = pi/2*alpha*x: a
// Python number divided by a tensor is the tensor's reciprocal times the
// number in PyTorch.
func (c pyAtanConst) grad(g, x float32) float32 {
	u := c.c * x
	r := 1 / (float32(u*u) + 1)
	return float32(r*c.h) * g
}

func pyAtanGradSlice(dst, g, x []float32, alpha float32) {
	c := pyAtanAt(alpha)
	g, x = g[:len(dst)], x[:len(dst)]
	for i := range dst {
		dst[i] = c.grad(g[i], x[i])
	}
}

// ATan is SpikingJelly's ATan: it spikes where x >= 0 and its backward is
// the derivative of atan(pi/2 alpha x)/pi + 1/2,
//
//	g'(x) = alpha / (2 (1 + (pi/2 alpha x)^2)).
//
// Default alpha 2, and alpha receives no gradient. BrainCog's AtanGrad has
// the same g' but spikes where x > 0 and learns alpha; snnTorch's atan is
// SnnTorchATan.
type ATan struct{ SurrogateFunctionBase }

// NewATan returns SpikingJelly's ATan with the given alpha.
func NewATan(alpha float32, requiresGrad bool) (*ATan, error) {
	b, err := newBase(sjATanKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &ATan{b}, nil
}

// logAbsKernel: forward x >= 0; g(x) = NonzeroSign(x) log(|alpha x| + 1);
// g'(x) = 1 / (1/alpha + |x|).
func logAbsKernel() Kernel {
	return Kernel{
		Library: "SpikingJelly",
		Name:    "NonzeroSignLogAbs",
		Rule:    SpikeGE,
		Primitive: func(x, alpha float32) float32 {
			v := float32(math.Log1p(float64(abs32(alpha * x))))
			if x < 0 {
				return -v
			}
			return v
		},
		Deriv: func(x, alpha float32) float32 { return 1 / (abs32(x) + logAbsAt(alpha)) },
		Grad:  func(g, x, alpha float32) float32 { return g / (abs32(x) + logAbsAt(alpha)) },
		GradSlice: func(dst, g, x []float32, alpha float32) {
			c := logAbsAt(alpha)
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = g[i] / (abs32(x[i]) + c)
			}
		},
		Param:        "alpha",
		UsesAlpha:    true,
		HasAlpha:     true,
		DefaultAlpha: 1,
	}
}

// logAbsAt is 1/alpha, computed in float64 and rounded once.
func logAbsAt(alpha float32) float32 { return float32(1 / float64(alpha)) }

// NonzeroSignLogAbs is SpikingJelly's NonzeroSignLogAbs: it spikes where
// x >= 0 and its backward is the derivative of NonzeroSign(x)
// log(|alpha x| + 1) (NonzeroSign(x) = 1 for x >= 0, -1 for x < 0),
//
//	g'(x) = alpha / (1 + |alpha x|) = 1 / (1/alpha + |x|),
//
// computed as g / (1/alpha + |x|). Default alpha 1. This is also the
// function that BrainCog's GateGrad doc string describes (see GateGrad).
type NonzeroSignLogAbs struct{ SurrogateFunctionBase }

// NewNonzeroSignLogAbs returns a NonzeroSignLogAbs with the given alpha.
func NewNonzeroSignLogAbs(alpha float32, requiresGrad bool) (*NonzeroSignLogAbs, error) {
	b, err := newBase(logAbsKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &NonzeroSignLogAbs{b}, nil
}

// erfKernel: forward x >= 0; g'(x) = alpha/sqrt(pi) exp(-(alpha x)^2).
func erfKernel() Kernel {
	return Kernel{
		Library: "SpikingJelly",
		Name:    "Erf",
		Rule:    SpikeGE,
		Primitive: func(x, alpha float32) float32 {
			return float32(math.Erfc(float64(-alpha*x))) / 2
		},
		Deriv: func(x, alpha float32) float32 { return erfAt(alpha).grad(1, x) },
		Grad:  func(g, x, alpha float32) float32 { return erfAt(alpha).grad(g, x) },
		GradSlice: func(dst, g, x []float32, alpha float32) {
			c := erfAt(alpha)
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = c.grad(g[i], x[i])
			}
		},
		Param:        "alpha",
		UsesAlpha:    true,
		HasAlpha:     true,
		DefaultAlpha: 2,
	}
}

type erfConst struct{ a, k float32 }

func erfAt(alpha float32) erfConst {
	return erfConst{a: alpha, k: float32(float64(alpha) / math.Sqrt(math.Pi))}
}

// grad is g * exp(-(x*alpha)^2) * (alpha/sqrt(pi)).
func (c erfConst) grad(g, x float32) float32 {
	v := x * c.a
	e := exp32(-float32(v * v))
	return float32(g*e) * c.k
}

// Erf is SpikingJelly's Erf: it spikes where x >= 0 and its backward is the
// derivative of erfc(-alpha x)/2, the Gaussian
//
//	g'(x) = alpha/sqrt(pi) exp(-alpha^2 x^2).
//
// Default alpha 2.
type Erf struct{ SurrogateFunctionBase }

// NewErf returns an Erf with the given alpha.
func NewErf(alpha float32, requiresGrad bool) (*Erf, error) {
	b, err := newBase(erfKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &Erf{b}, nil
}

// Defaults of SpikingJelly's second parameters.
const (
	plreluDefaultC     = 0.01
	squarewaveDefaultN = 2
	s2nnDefaultBeta    = 1
	leakyKReLUDefaultK = 1
)

// piecewiseLeakyReLUKernel: forward x >= 0; g'(x) = 1/(2w) where |x| < w,
// else c. New's parameter is w.
func piecewiseLeakyReLUKernel(c float32) Kernel {
	return Kernel{
		Library: "SpikingJelly",
		Name:    "PiecewiseLeakyReLU",
		Rule:    SpikeGE,
		Primitive: func(x, w float32) float32 {
			switch {
			case x < -w:
				return c*x + c*w
			case x > w:
				return c*x + (1 - c*w)
			}
			return x/(2*w) + 0.5
		},
		Deriv: func(x, w float32) float32 { return piecewiseLeakyReLUAt(w, c).deriv(x) },
		Grad:  func(g, x, w float32) float32 { return g * piecewiseLeakyReLUAt(w, c).deriv(x) },
		GradSlice: func(dst, g, x []float32, w float32) {
			k := piecewiseLeakyReLUAt(w, c)
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = g[i] * k.deriv(x[i])
			}
		},
		Param:        "w",
		UsesAlpha:    true,
		HasAlpha:     true,
		DefaultAlpha: 1,
	}
}

type piecewiseLeakyReLUConst struct{ w, in, c float32 }

func piecewiseLeakyReLUAt(w, c float32) piecewiseLeakyReLUConst {
	return piecewiseLeakyReLUConst{w: w, in: float32(1 / (2 * float64(w))), c: c}
}

// deriv is 1/(2w) where |x| < w and c elsewhere (NaN included), as
// x.masked_fill(|x| < w, 1/(2w)).masked_fill(!(|x| < w), c).
func (k piecewiseLeakyReLUConst) deriv(x float32) float32 {
	if abs32(x) < k.w {
		return k.in
	}
	return k.c
}

// PiecewiseLeakyReLU is SpikingJelly's PiecewiseLeakyReLU: it spikes where
// x >= 0 and its backward is
//
//	g'(x) = 1/(2w) where |x| < w, else c,
//
// the derivative of a ramp from 0 to 1 across [-w, w] continued with slope
// c outside. Defaults w = 1, c = 0.01. New sets w (which must be finite
// and positive) and keeps c = 0.01; NewPiecewiseLeakyReLU sets both.
type PiecewiseLeakyReLU struct {
	SurrogateFunctionBase
	c float32
}

// NewPiecewiseLeakyReLU returns a PiecewiseLeakyReLU with half-width w
// (finite, positive; the function's Alpha) and outer slope c (finite).
func NewPiecewiseLeakyReLU(w, c float32, requiresGrad bool) (*PiecewiseLeakyReLU, error) {
	b, err := newBaseWith(piecewiseLeakyReLUKernel(c), w, "c", c, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &PiecewiseLeakyReLU{b, c}, nil
}

// C returns the slope outside the ramp.
func (f *PiecewiseLeakyReLU) C() float32 { return f.c }

// squarewaveKernel: forward x >= 0; g'(x) = 4/T sum_{i=1}^{n-1}
// cos((2i-1) 2pi/T x). New's parameter is T (T_period).
func squarewaveKernel(n int) Kernel {
	return Kernel{
		Library: "SpikingJelly",
		Name:    "SquarewaveFourierSeries",
		Rule:    SpikeGE,
		Primitive: func(x, period float32) float32 {
			w := math.Pi * 2 / float64(period)
			var s float64
			for i := 1; i < n; i++ {
				c := float64(2*i - 1)
				s += math.Sin(c*w*float64(x)) / c
			}
			return float32(0.5 + 2/math.Pi*s)
		},
		Deriv: func(x, period float32) float32 { return squarewaveAt(n, period).grad(1, x) },
		Grad:  func(g, x, period float32) float32 { return squarewaveAt(n, period).grad(g, x) },
		GradSlice: func(dst, g, x []float32, period float32) {
			c := squarewaveAt(n, period)
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = c.grad(g[i], x[i])
			}
		},
		Param:        "T_period",
		UsesAlpha:    true,
		HasAlpha:     true,
		DefaultAlpha: 8,
	}
}

type squarewaveConst struct {
	n    int
	w    float64 // 2pi/T
	four float32 // 4/T
}

func squarewaveAt(n int, period float32) squarewaveConst {
	t := float64(period)
	return squarewaveConst{n: n, w: math.Pi * 2 / t, four: float32(4 / t)}
}

// grad is (sum_i cos(float32((2i-1)w) x) * 4/T) * g, the sum in float32
// from 0 in the order of i.
func (c squarewaveConst) grad(g, x float32) float32 {
	var s float32
	for i := 1; i < c.n; i++ {
		k := float32(float64(2*i-1) * c.w)
		s += float32(math.Cos(float64(k * x)))
	}
	return float32(s*c.four) * g
}

// SquarewaveFourierSeries is SpikingJelly's SquarewaveFourierSeries: it
// spikes where x >= 0 and its backward is the derivative of the square
// wave's Fourier series truncated to n-1 terms,
//
//	g(x)  = 1/2 + 2/pi sum_{i=1}^{n-1} sin((2i-1) w x) / (2i-1),  w = 2pi/T,
//	g'(x) = 4/T sum_{i=1}^{n-1} cos((2i-1) w x),
//
// which is periodic (its spikes of gradient recur every T) and not
// monotone. Defaults n = 2, T = 8. New sets T (T_period, finite and
// positive) and keeps n = 2; NewSquarewaveFourierSeries sets both.
type SquarewaveFourierSeries struct {
	SurrogateFunctionBase
	n int
}

// NewSquarewaveFourierSeries returns a SquarewaveFourierSeries with n
// (n >= 1; n - 1 terms, so n = 1 gives a zero gradient) and period T
// (finite, positive; the function's Alpha).
func NewSquarewaveFourierSeries(n int, period float32, requiresGrad bool) (*SquarewaveFourierSeries, error) {
	k := squarewaveKernel(n)
	if n < 1 {
		return nil, fmt.Errorf("surrogate: %s: n must be at least 1, got %d", k.Name, n)
	}
	b, err := newBase(k, period, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &SquarewaveFourierSeries{b, n}, nil
}

// N returns the number n of the series (n - 1 terms).
func (f *SquarewaveFourierSeries) N() int { return f.n }

// s2nnKernel: forward x >= 0; g'(x) = alpha s (1-s) with s =
// sigmoid(alpha x) for x < 0, beta / (x + 1) for x >= 0.
func s2nnKernel(beta float32) Kernel {
	return Kernel{
		Library: "SpikingJelly",
		Name:    "S2NN",
		Rule:    SpikeGE,
		Primitive: func(x, alpha float32) float32 {
			if x < 0 {
				return sigmoid32(x * alpha)
			}
			return beta*float32(math.Log1p(float64(x))) + 0.5
		},
		Deriv: func(x, alpha float32) float32 { return s2nnDeriv(x, alpha, beta) },
		Grad:  func(g, x, alpha float32) float32 { return s2nnDeriv(x, alpha, beta) * g },
		GradSlice: func(dst, g, x []float32, alpha float32) {
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = s2nnDeriv(x[i], alpha, beta) * g[i]
			}
		},
		Param:        "alpha",
		UsesAlpha:    true,
		HasAlpha:     true,
		DefaultAlpha: 4,
	}
}

// s2nnDeriv is torch.where(x < 0, alpha*s*(1-s), beta/(x+1)), s =
// sigmoid(alpha*x); beta/(x+1) is reciprocal(x+1)*beta in PyTorch.
func s2nnDeriv(x, alpha, beta float32) float32 {
	if x < 0 {
		s := sigmoid32(x * alpha)
		return float32(alpha*s) * (1 - s)
	}
	return (1 / (x + 1)) * beta
}

// S2NN is SpikingJelly's S2NN (Suetake et al. 2023): it spikes where
// x >= 0 and its backward is
//
//	g'(x) = alpha sigmoid(alpha x) (1 - sigmoid(alpha x))  for x < 0,
//	        beta / (x + 1)                                 for x >= 0,
//
// the derivative of sigmoid(alpha x) (x < 0), beta ln(x + 1) + 1/2
// (x >= 0) (SpikingJelly's primitive adds 1e-5 inside the logarithm).
// Defaults alpha 4, beta 1. New sets alpha and keeps beta = 1; NewS2NN
// sets both.
type S2NN struct {
	SurrogateFunctionBase
	beta float32
}

// NewS2NN returns an S2NN with alpha (finite, positive; the function's
// Alpha) and beta (finite).
func NewS2NN(alpha, beta float32, requiresGrad bool) (*S2NN, error) {
	b, err := newBaseWith(s2nnKernel(beta), alpha, "beta", beta, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &S2NN{b, beta}, nil
}

// Beta returns beta, the scale of the gradient for x >= 0.
func (f *S2NN) Beta() float32 { return f.beta }

// qPseudoSpikeKernel: forward x >= 0; g'(x) = (1 + 2/(alpha-1) |x|)^-alpha.
func qPseudoSpikeKernel() Kernel {
	return Kernel{
		Library: "SpikingJelly",
		Name:    "QPseudoSpike",
		Rule:    SpikeGE,
		Primitive: func(x, alpha float32) float32 {
			k := 2 / (float64(alpha) - 1)
			v := 0.5 * math.Pow(1+k*math.Abs(float64(x)), 1-float64(alpha))
			if x < 0 {
				return float32(v)
			}
			return float32(1 - v)
		},
		Deriv: func(x, alpha float32) float32 { return qPseudoSpikeAt(alpha).grad(1, x) },
		Grad:  func(g, x, alpha float32) float32 { return qPseudoSpikeAt(alpha).grad(g, x) },
		GradSlice: func(dst, g, x []float32, alpha float32) {
			c := qPseudoSpikeAt(alpha)
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = c.grad(g[i], x[i])
			}
		},
		Param:        "alpha",
		UsesAlpha:    true,
		HasAlpha:     true,
		Domain:       DomainAboveOne,
		DefaultAlpha: 2,
	}
}

type qPseudoSpikeConst struct {
	k float32 // 2/(alpha-1)
	e float64 // -alpha
}

func qPseudoSpikeAt(alpha float32) qPseudoSpikeConst {
	a := float64(alpha)
	return qPseudoSpikeConst{k: float32(2 / (a - 1)), e: -a}
}

// grad is (1 + 2/(alpha-1)*|x|).pow(-alpha) * g.
func (c qPseudoSpikeConst) grad(g, x float32) float32 {
	b := float32(c.k*abs32(x)) + 1
	return powScalar(b, c.e) * g
}

// powScalar is PyTorch's pow of a float32 tensor by a Python number e:
// b*b for 2, 1/(b*b) for -2 and so on as PyTorch special-cases them, and
// otherwise the power in float64 rounded once (PyTorch's vectorised powf
// differs from it by at most one unit in the last place).
func powScalar(b float32, e float64) float32 {
	switch e {
	case 2:
		return b * b
	case 3:
		return float32(b*b) * b
	case -2:
		return 1 / float32(b*b)
	case -1:
		return 1 / b
	case 0.5:
		return float32(math.Sqrt(float64(b)))
	case -0.5:
		return 1 / float32(math.Sqrt(float64(b)))
	}
	return float32(math.Pow(float64(b), e))
}

// QPseudoSpike is SpikingJelly's QPseudoSpike (Sun et al. 2022, the
// q-PseudoSpike): it spikes where x >= 0 and its backward is
//
//	g'(x) = (1 + 2/(alpha-1) |x|)^(-alpha),
//
// whose tail thickens as alpha approaches 1. alpha must be above 1;
// default 2.
type QPseudoSpike struct{ SurrogateFunctionBase }

// NewQPseudoSpike returns a QPseudoSpike with the given alpha (> 1).
func NewQPseudoSpike(alpha float32, requiresGrad bool) (*QPseudoSpike, error) {
	b, err := newBase(qPseudoSpikeKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &QPseudoSpike{b}, nil
}

// leakyKReLUKernel: forward x >= 0; g'(x) = k for x >= 0, leak for x < 0.
// New's parameter is leak.
func leakyKReLUKernel(k float32) Kernel {
	return Kernel{
		Library: "SpikingJelly",
		Name:    "LeakyKReLU",
		Rule:    SpikeGE,
		Primitive: func(x, leak float32) float32 {
			if x >= 0 {
				return k * x
			}
			return leak * x
		},
		Deriv: func(x, leak float32) float32 { return leakyKReLUDeriv(x, leak, k) },
		Grad:  func(g, x, leak float32) float32 { return g * leakyKReLUDeriv(x, leak, k) },
		GradSlice: func(dst, g, x []float32, leak float32) {
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = g[i] * leakyKReLUDeriv(x[i], leak, k)
			}
		},
		Param:        "leak",
		UsesAlpha:    true,
		HasAlpha:     true,
		Domain:       DomainFinite,
		DefaultAlpha: 0,
	}
}

// leakyKReLUDeriv is m*k + (1-m)*leak with m = (x >= 0).
func leakyKReLUDeriv(x, leak, k float32) float32 {
	m := step(x >= 0)
	return float32(m*k) + float32((1-m)*leak)
}

// LeakyKReLU is SpikingJelly's LeakyKReLU: it spikes where x >= 0 and its
// backward is
//
//	g'(x) = k for x >= 0, leak for x < 0,
//
// the derivative of k x (x >= 0), leak x (x < 0). Defaults leak 0, k 1.
// New sets leak (finite) and keeps k = 1; NewLeakyKReLU sets both.
type LeakyKReLU struct {
	SurrogateFunctionBase
	k float32
}

// NewLeakyKReLU returns a LeakyKReLU with slopes leak (x < 0; the
// function's Alpha) and k (x >= 0), both finite.
func NewLeakyKReLU(leak, k float32, requiresGrad bool) (*LeakyKReLU, error) {
	b, err := newBaseWith(leakyKReLUKernel(k), leak, "k", k, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &LeakyKReLU{b, k}, nil
}

// K returns k, the gradient for x >= 0.
func (f *LeakyKReLU) K() float32 { return f.k }

// fakeNumericalGradientKernel: forward x >= 0; g'(x) = min(NonzeroSign(x)/x,
// alpha).
func fakeNumericalGradientKernel() Kernel {
	return Kernel{
		Library: "SpikingJelly",
		Name:    "FakeNumericalGradient",
		Rule:    SpikeGE,
		Primitive: func(x, alpha float32) float32 {
			ax := abs32(x)
			if ax <= 1/alpha {
				return alpha * x
			}
			v := 1 + float32(math.Log(float64(alpha*ax)))
			if x < 0 {
				return -v
			}
			return v
		},
		Deriv: fakeNumericalGradientDeriv,
		Grad: func(g, x, alpha float32) float32 {
			return g * fakeNumericalGradientDeriv(x, alpha)
		},
		GradSlice: func(dst, g, x []float32, alpha float32) {
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = g[i] * fakeNumericalGradientDeriv(x[i], alpha)
			}
		},
		Param:        "alpha",
		UsesAlpha:    true,
		HasAlpha:     true,
		DefaultAlpha: 0.3,
	}
}

// fakeNumericalGradientDeriv is clamp_max(((x >= 0)*2 - 1) / x, alpha),
// NaN staying NaN.
func fakeNumericalGradientDeriv(x, alpha float32) float32 {
	v := (2*step(x >= 0) - 1) / x
	if v > alpha {
		return alpha
	}
	return v
}

// FakeNumericalGradient is SpikingJelly's FakeNumericalGradient (Wang et
// al. 2023): it spikes where x >= 0 and its backward is the slope of the
// secant from the origin to the spike, capped at alpha,
//
//	g'(x) = min(NonzeroSign(x) / x, alpha) = min(1/|x|, alpha),
//
// with NonzeroSign(x) = 1 for x >= 0 (so at x = -0 it is 1/-0 = -Inf, as
// in SpikingJelly). Default alpha 0.3. The primitive is spikego's (alpha x
// inside |x| <= 1/alpha, sign(x)(1 + ln(alpha |x|)) outside); SpikingJelly
// declares none.
type FakeNumericalGradient struct{ SurrogateFunctionBase }

// NewFakeNumericalGradient returns a FakeNumericalGradient with the given
// alpha.
func NewFakeNumericalGradient(alpha float32, requiresGrad bool) (*FakeNumericalGradient, error) {
	b, err := newBase(fakeNumericalGradientKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &FakeNumericalGradient{b}, nil
}

// logTailedReLUKernel: forward x >= 0; g'(x) = alpha for x <= 0, 1 for
// 0 < x <= 1, 1/x for x > 1.
func logTailedReLUKernel() Kernel {
	return Kernel{
		Library: "SpikingJelly",
		Name:    "LogTailedReLU",
		Rule:    SpikeGE,
		Primitive: func(x, alpha float32) float32 {
			switch {
			case x > 1:
				return float32(math.Log(float64(x))) + 1
			case x > 0:
				return x
			}
			return alpha * x
		},
		Deriv: logTailedReLUDeriv,
		Grad: func(g, x, alpha float32) float32 {
			return g * logTailedReLUDeriv(x, alpha)
		},
		GradSlice: func(dst, g, x []float32, alpha float32) {
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = g[i] * logTailedReLUDeriv(x[i], alpha)
			}
		},
		Param:        "alpha",
		UsesAlpha:    true,
		HasAlpha:     true,
		Domain:       DomainFinite,
		DefaultAlpha: 0,
	}
}

// logTailedReLUDeriv is 1/x for x > 1, alpha for x <= 0 and 1 elsewhere
// (NaN included).
func logTailedReLUDeriv(x, alpha float32) float32 {
	switch {
	case x > 1:
		return 1 / x
	case x <= 0:
		return alpha
	}
	return 1
}

// LogTailedReLU is SpikingJelly's LogTailedReLU (Cai et al. 2017): it
// spikes where x >= 0 and its backward is the derivative of a leaky ReLU
// whose tail above 1 is logarithmic,
//
//	g(x)  = alpha x (x <= 0), x (0 < x <= 1), ln(x) + 1 (x > 1),
//	g'(x) = alpha, 1, 1/x.
//
// alpha is the leak, finite and possibly 0 (the default) or negative.
type LogTailedReLU struct{ SurrogateFunctionBase }

// NewLogTailedReLU returns a LogTailedReLU with the given leak alpha.
func NewLogTailedReLU(alpha float32, requiresGrad bool) (*LogTailedReLU, error) {
	b, err := newBase(logTailedReLUKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &LogTailedReLU{b}, nil
}

// deterministicPassKernel: forward x >= 0; backward passes g unchanged.
func deterministicPassKernel() Kernel {
	return Kernel{
		Library:   "SpikingJelly",
		Name:      "DeterministicPass",
		Rule:      SpikeGE,
		Primitive: func(x, _ float32) float32 { return x },
		Deriv:     func(_, _ float32) float32 { return 1 },
		GradSlice: passGradSlice,
	}
}

// DeterministicPass is SpikingJelly's DeterministicPass: it spikes where
// x >= 0 and its backward passes the upstream gradient unchanged (the
// same function as BrainCog's straight_through_estimator). It has no
// parameter (SpikingJelly's 3bc12b75 carried an unused alpha, since
// removed).
type DeterministicPass struct{ SurrogateFunctionBase }

// NewDeterministicPass returns a DeterministicPass.
func NewDeterministicPass() *DeterministicPass {
	return &DeterministicPass{SurrogateFunctionBase{kernel: newKernel(deterministicPassKernel())}}
}

// rectKernel: forward x >= 0; g'(x) = alpha where |x| < 1/(2 alpha).
func rectKernel() Kernel {
	return Kernel{
		Library: "SpikingJelly",
		Name:    "Rect",
		Rule:    SpikeGE,
		Primitive: func(x, alpha float32) float32 {
			return min(max(alpha*x+0.5, 0), 1)
		},
		Deriv: func(x, alpha float32) float32 { return rectAt(alpha).grad(1, x) },
		Grad:  func(g, x, alpha float32) float32 { return rectAt(alpha).grad(g, x) },
		GradSlice: func(dst, g, x []float32, alpha float32) {
			c := rectAt(alpha)
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = c.grad(g[i], x[i])
			}
		},
		Param:        "alpha",
		UsesAlpha:    true,
		HasAlpha:     true,
		DefaultAlpha: 1,
	}
}

type rectConst struct{ w, a float32 }

func rectAt(alpha float32) rectConst {
	return rectConst{w: float32(0.5 / float64(alpha)), a: alpha}
}

// grad is alpha * (|x| < 0.5/alpha) * g.
func (c rectConst) grad(g, x float32) float32 {
	return float32(c.a*step(abs32(x) < c.w)) * g
}

// Rect is SpikingJelly's Rect: it spikes where x >= 0 and its backward is
// the rectangle
//
//	g'(x) = alpha where |x| < 1/(2 alpha), else 0,
//
// the derivative of clamp(alpha x + 1/2, 0, 1). Default alpha 1.
type Rect struct{ SurrogateFunctionBase }

// NewRect returns a Rect with the given alpha.
func NewRect(alpha float32, requiresGrad bool) (*Rect, error) {
	b, err := newBase(rectKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &Rect{b}, nil
}
