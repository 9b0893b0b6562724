package surrogate

import (
	"fmt"
	"math"
)

// Kernel is the one declaration of a surrogate spike function: its spike
// rule, its primitive and the derivatives used in the backward pass. The
// element-wise autograd operation and the fused node kernels all draw on
// it, and the package's generic test checks every Deriv against finite
// differences of Primitive.
//
// All functions compute in float32, operation by operation, in the order
// the library's PyTorch code does, so that results agree to the last bits.
//
// A Kernel is a value: Lookup and a Function's Kernel method hand out
// copies, so that changing one changes nothing else.
type Kernel struct {
	// Name is the function's name in its library (BrainCog's Python
	// name, SpikingJelly's class name, snnTorch's function name), or the
	// registry's name where two libraries use the same one (see Names).
	Name string
	// Library is the library whose function this is: "BrainCog",
	// "SpikingJelly" or "snnTorch" ("" for a function of one's own, see
	// NewCustom).
	Library string
	// Rule is the spike rule. Where it is not SpikeCustom, it is the one
	// declaration of the forward pass: Spike is built from it, and fused
	// kernels may apply the comparison inline.
	Rule SpikeRule
	// Spike is the forward pass: the spike emitted at input x. It is
	// declared only for a SpikeCustom rule and built from Rule otherwise.
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
	// g*Deriv(x, alpha) up to rounding and exists where the library's
	// expression orders the operations differently (or selects rather
	// than multiplies), so that results agree bit for bit. nil means
	// g*Deriv(x, alpha).
	Grad func(g, x, alpha float32) float32
	// GradSlice, when not nil, is the backward pass of a whole slice:
	// dst[i] = GradAt(g[i], x[i], alpha) for every i, bit for bit (a test
	// checks it), in one call rather than one call per element. g and x
	// are at least as long as dst; dst may be g or x itself. GradInto uses
	// it where declared.
	GradSlice func(dst, g, x []float32, alpha float32)
	// DAlpha, when not nil, is the per-element term of the gradient of
	// alpha, dL/dalpha = sum_i DAlpha(g_i, x_i, alpha) with g the upstream
	// gradient. nil means alpha receives no gradient, whatever its
	// requires-grad.
	DAlpha func(g, x, alpha float32) float32
	// Param names the parameter that New sets and that Function.Alpha
	// holds, as the library calls it: "alpha" (BrainCog, SpikingJelly and
	// snnTorch's atan), "slope" or "threshold" (snnTorch), "w", "leak" or
	// "T_period" (SpikingJelly's functions of two parameters); "" where
	// the function has none. The functions above take it as their alpha
	// argument.
	Param string
	// UsesAlpha reports whether the parameter shapes the function at all.
	UsesAlpha bool
	// HasAlpha reports whether the library's function carries the
	// parameter (some BrainCog classes carry an alpha they never use).
	HasAlpha bool
	// Domain is the set of valid values of the parameter, which New and
	// the constructors check where UsesAlpha.
	Domain ParamDomain
	// DefaultAlpha and DefaultLearnable are the library's constructor
	// defaults.
	DefaultAlpha     float32
	DefaultLearnable bool

	// built records that Spike was built from Rule (so that a completed
	// copy can be completed again).
	built bool
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

// GradInto sets dst[i] = GradAt(g[i], x[i], alpha) for every i of dst,
// with GradSlice where declared. g and x must be at least as long as
// dst; dst may be g or x itself.
func (k *Kernel) GradInto(dst, g, x []float32, alpha float32) {
	g, x = g[:len(dst)], x[:len(dst)]
	switch {
	case k.GradSlice != nil:
		k.GradSlice(dst, g, x, alpha)
	case k.Grad != nil:
		for i := range dst {
			dst[i] = k.Grad(g[i], x[i], alpha)
		}
	case k.Deriv != nil:
		for i := range dst {
			dst[i] = g[i] * k.Deriv(x[i], alpha)
		}
	default:
		clear(dst)
	}
}

// SpikeRule is the spike rule of a Kernel: the comparisons most
// surrogates share, which fused kernels can apply inline, or SpikeCustom
// for a rule given only as the function Kernel.Spike.
type SpikeRule int

const (
	// SpikeCustom: the rule is the declared Kernel.Spike function.
	SpikeCustom SpikeRule = iota
	// SpikeGT is x.gt(0), snnTorch's rule: 1 where x > 0, else 0 (0 at ±0
	// and NaN).
	SpikeGT
	// SpikeGE is BrainCog's and SpikingJelly's heaviside: 1 where x >= 0,
	// else 0 (1 at ±0, 0 for NaN).
	SpikeGE
	// SpikeSign is torch.sign: 1 where x > 0, -1 where x < 0, +0 for ±0
	// and NaN.
	SpikeSign
)

// String names the rule.
func (r SpikeRule) String() string {
	switch r {
	case SpikeCustom:
		return "custom"
	case SpikeGT:
		return "x > 0"
	case SpikeGE:
		return "x >= 0"
	case SpikeSign:
		return "sign(x)"
	}
	return fmt.Sprintf("SpikeRule(%d)", int(r))
}

// fn returns the spike function of a rule other than SpikeCustom.
func (r SpikeRule) fn() func(x float32) float32 {
	switch r {
	case SpikeGT:
		return heavisideGT
	case SpikeGE:
		return heavisideGE
	case SpikeSign:
		return sign32
	}
	return nil
}

// complete builds Spike from Rule, and reports a declaration that gives
// the rule twice or not at all.
func (k *Kernel) complete() error {
	switch {
	case k.Rule == SpikeCustom && k.Spike == nil:
		return fmt.Errorf("surrogate: %s declares neither Rule nor Spike", k.Name)
	case k.Rule != SpikeCustom && k.Spike != nil && !k.built:
		return fmt.Errorf("surrogate: %s declares both Rule and Spike", k.Name)
	case k.Rule != SpikeCustom:
		if k.Spike = k.Rule.fn(); k.Spike == nil {
			return fmt.Errorf("surrogate: %s: unknown %v", k.Name, k.Rule)
		}
		k.built = true
	}
	return nil
}

// ParamDomain is the set of values a surrogate's parameter may take.
type ParamDomain int

const (
	// DomainPositive is the finite values above 0: shape parameters such
	// as alpha, slope, width or period.
	DomainPositive ParamDomain = iota
	// DomainFinite is every finite value: slopes of leaks (SpikingJelly's
	// LogTailedReLU and LeakyKReLU, snnTorch's LSO), which may be 0.
	DomainFinite
	// DomainAboveOne is the finite values above 1 (QPseudoSpike's alpha,
	// whose gradient divides by alpha - 1).
	DomainAboveOne
)

// String describes the domain.
func (d ParamDomain) String() string {
	switch d {
	case DomainPositive:
		return "finite and positive"
	case DomainFinite:
		return "finite"
	case DomainAboveOne:
		return "finite and above 1"
	}
	return fmt.Sprintf("ParamDomain(%d)", int(d))
}

// Contains reports whether v lies in the domain.
func (d ParamDomain) Contains(v float32) bool {
	f := float64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return false
	}
	switch d {
	case DomainPositive:
		return v > 0
	case DomainFinite:
		return true
	case DomainAboveOne:
		return v > 1
	}
	return false
}

// check returns an error naming the function and the parameter if v is
// not in d.
func (d ParamDomain) check(fn, param string, v float32) error {
	if d.Contains(v) {
		return nil
	}
	return fmt.Errorf("surrogate: %s: %s must be %v, got %v", fn, param, d, v)
}

// b2u returns 1 where cond holds and 0 elsewhere; the compiler makes it a
// flag set, not a branch.
func b2u(cond bool) uint32 {
	var u uint32
	if cond {
		u = 1
	}
	return u
}

// step returns 1 where cond holds and 0 elsewhere, without a branch.
func step(cond bool) float32 { return float32(b2u(cond)) }

// zeroIf returns +0 where cond holds and v elsewhere, without a branch.
func zeroIf(cond bool, v float32) float32 {
	return math.Float32frombits(math.Float32bits(v) & (b2u(cond) - 1))
}

// sign32 is torch.sign: 1, -1, or +0 for ±0 and NaN.
func sign32(x float32) float32 {
	return float32(int32(b2u(x > 0)) - int32(b2u(x < 0)))
}

// heavisideGE is BrainCog's heaviside: 1 where x >= 0 (so 1 at ±0, 0 for
// NaN).
func heavisideGE(x float32) float32 { return step(x >= 0) }

// heavisideGT is x.gt(0): 1 where x > 0 (0 at ±0 and NaN).
func heavisideGT(x float32) float32 { return step(x > 0) }

// abs32 is |x| without a detour through float64 and without a branch:
// IEEE 754's abs, the sign bit cleared (of a NaN too, as fabs and
// torch.abs do).
func abs32(x float32) float32 {
	return math.Float32frombits(math.Float32bits(x) &^ (1 << 31))
}
