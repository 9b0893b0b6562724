package surrogate

// Kernel is the one declaration of a surrogate spike function: its spike
// rule, its primitive and the derivatives used in the backward pass. The
// element-wise autograd operation and the fused node kernels all draw on
// it, and the package's generic test checks every Deriv against finite
// differences of Primitive.
//
// All functions compute in float32, operation by operation, in the order
// BrainCog's PyTorch code does, so that results agree to the last bits.
type Kernel struct {
	// Name is BrainCog's Python name of the surrogate.
	Name string
	// Spike is the forward pass: the spike emitted at input x.
	Spike func(x float32) float32
	// Primitive is the smooth function g whose derivative Deriv is; nil
	// where the surrogate has none (the gradient is not a derivative of
	// any function of x alone, as for STDPGrad).
	Primitive func(x, alpha float32) float32
	// Deriv is the surrogate gradient: dSpike/dx is replaced by
	// Deriv(x, alpha) in the backward pass. nil means the gradient with
	// respect to x is zero.
	Deriv func(x, alpha float32) float32
	// Grad, when not nil, is the backward pass of one element: the
	// gradient reaching x from the upstream gradient g. It equals
	// g*Deriv(x, alpha) up to rounding and exists where BrainCog's
	// expression orders the operations differently (or selects rather
	// than multiplies), so that results agree bit for bit. nil means
	// g*Deriv(x, alpha).
	Grad func(g, x, alpha float32) float32
	// DAlpha, when not nil, is the per-element term of the gradient of
	// alpha, dL/dalpha = sum_i DAlpha(g_i, x_i, alpha) with g the upstream
	// gradient. nil means alpha receives no gradient, whatever its
	// requires-grad.
	DAlpha func(g, x, alpha float32) float32
	// UsesAlpha reports whether alpha shapes the function at all.
	UsesAlpha bool
	// HasAlpha reports whether BrainCog's class carries an alpha
	// parameter (some carry one they never use).
	HasAlpha bool
	// DefaultAlpha and DefaultLearnable are BrainCog's constructor
	// defaults.
	DefaultAlpha     float32
	DefaultLearnable bool
}

// GradAt returns the gradient reaching x from the upstream gradient g:
// Grad(g, x, alpha) where declared, g*Deriv(x, alpha) otherwise, and 0
// where the function has no gradient.
func (k *Kernel) GradAt(g, x, alpha float32) float32 {
	switch {
	case k.Grad != nil:
		return k.Grad(g, x, alpha)
	case k.Deriv != nil:
		return g * k.Deriv(x, alpha)
	}
	return 0
}

// step returns 1 where cond holds and 0 elsewhere.
func step(cond bool) float32 {
	if cond {
		return 1
	}
	return 0
}

// heavisideGE is BrainCog's heaviside: 1 where x >= 0 (so 1 at ±0, 0 for
// NaN).
func heavisideGE(x float32) float32 { return step(x >= 0) }

// heavisideGT is x.gt(0): 1 where x > 0 (0 at ±0 and NaN).
func heavisideGT(x float32) float32 { return step(x > 0) }

// abs32 is |x| without a detour through float64.
func abs32(x float32) float32 {
	if x < 0 || (x == 0 && 1/x < 0) {
		return -x
	}
	return x
}
