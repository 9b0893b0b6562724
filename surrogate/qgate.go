package surrogate

// qgateKernel: forward x > 0; g'(x) = alpha - alpha^2 |x| where
// |x| <= 1/alpha, else 0.
func qgateKernel() Kernel {
	return Kernel{
		Library: "BrainCog",
		Name:    "QGateGrad",
		Rule:    SpikeGT,
		Primitive: func(x, alpha float32) float32 {
			w := 1 / alpha
			switch {
			case x < -w:
				return 0
			case x > w:
				return 1
			}
			return float32(float32(-0.5*alpha*alpha)*float32(abs32(x)*x)) + float32(alpha*x) + 0.5
		},
		Deriv: func(x, alpha float32) float32 {
			return qgateAt(alpha).deriv(x)
		},
		GradSlice:    qgateGradSlice,
		UsesAlpha:    true,
		Param:        "alpha",
		HasAlpha:     true,
		DefaultAlpha: 2,
	}
}

// qgateConst holds the constants of QGateGrad's derivative at one alpha.
type qgateConst struct{ alpha, w, a2 float32 }

func qgateAt(alpha float32) qgateConst {
	return qgateConst{alpha: alpha, w: 1 / alpha, a2: float32(-alpha * alpha)}
}

// deriv is g'(x): alpha - alpha^2 |x| where |x| <= 1/alpha, +0 outside
// (NaN for NaN).
func (c qgateConst) deriv(x float32) float32 {
	a := abs32(x)
	return zeroIf(a > c.w, float32(c.a2*a)+c.alpha)
}

// qgateGradSlice is the Kernel's GradSlice: g * Deriv(x, alpha).
func qgateGradSlice(dst, g, x []float32, alpha float32) {
	qgateGradWith(haveAVX2, dst, g, x, alpha)
}

// qgateGradWith is qgateGradSlice with the AVX2 kernel on the whole
// vectors of 8 elements when asm is set, the same bits.
func qgateGradWith(asm bool, dst, g, x []float32, alpha float32) {
	c := qgateAt(alpha)
	g, x = g[:len(dst)], x[:len(dst)]
	if asm {
		if v := len(dst) &^ 7; v > 0 {
			qgateGradAVX2(&dst[0], &g[0], &x[0], v, &c)
			dst, g, x = dst[v:], g[v:], x[v:]
		}
	}
	for i := range dst {
		dst[i] = g[i] * c.deriv(x[i])
	}
}

// QGateGrad is BrainCog's QGateGrad (the piecewise quadratic surrogate):
// it spikes where x > 0 and its backward is the derivative of
//
//	g(x) = 0                                  for x < -1/alpha
//	       -alpha^2 |x| x / 2 + alpha x + 1/2  for |x| <= 1/alpha
//	       1                                  for x > 1/alpha,
//
// that is g'(x) = alpha - alpha^2 |x| on |x| <= 1/alpha and 0 outside
// (exactly 0 at |x| = 1/alpha, where both pieces meet). A NaN input gives a
// NaN gradient, as in BrainCog. Defaults: alpha 2, not learnable; alpha
// never receives a gradient.
type QGateGrad struct{ SurrogateFunctionBase }

// NewQGateGrad returns a QGateGrad with the given alpha.
func NewQGateGrad(alpha float32, requiresGrad bool) (*QGateGrad, error) {
	b, err := newBase(qgateKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &QGateGrad{b}, nil
}
