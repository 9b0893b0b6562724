package surrogate

// qgateKernel: forward x > 0; g'(x) = alpha - alpha^2 |x| where
// |x| <= 1/alpha, else 0.
var qgateKernel = Kernel{
	Name:  "QGateGrad",
	Spike: heavisideGT,
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
		if abs32(x) > 1/alpha {
			return 0
		}
		return float32(float32(-alpha*alpha)*abs32(x)) + alpha
	},
	UsesAlpha:    true,
	HasAlpha:     true,
	DefaultAlpha: 2,
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
	b, err := newBase(&qgateKernel, alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &QGateGrad{b}, nil
}
