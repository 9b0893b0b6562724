package node

// Kind names a neuron model.
type Kind int

// The neuron models, with BrainCog's class names.
const (
	// IF is BrainCog's IFNode: mem = mem + x*dt.
	IF Kind = iota
	// LIF is BrainCog's LIFNode: mem = mem + (x - mem)/tau.
	LIF
	// LIFSTDP is BrainCog's LIFSTDPNode: mem = mem*tau + x.
	LIFSTDP
	// PLIF is BrainCog's PLIFNode: mem = mem + ((x - mem)*sigmoid(w))*dt,
	// with w learnable.
	PLIF
)

// String returns BrainCog's class name of the kind.
func (k Kind) String() string {
	switch k {
	case IF:
		return "IFNode"
	case LIF:
		return "LIFNode"
	case LIFSTDP:
		return "LIFSTDPNode"
	case PLIF:
		return "PLIFNode"
	}
	return "Kind(?)"
}

// dynamics is the charge equation of one neuron model with its constants,
// computed in float32 in BrainCog's order of operations; the explicit
// float32 conversions forbid fused multiply-adds, so the fused multi-step
// kernel and the single-step autograd path round identically.
type dynamics struct {
	kind Kind
	tau  float32
	dt   float32
	k    float32 // PLIF: sigmoid(w)
}

// charge returns the membrane after integrating input x from membrane m.
func (d *dynamics) charge(m, x float32) float32 {
	switch d.kind {
	case IF:
		return chargeIF(m, x, d.dt)
	case LIF:
		return chargeLIF(m, x, d.tau)
	case LIFSTDP:
		return chargeLIFSTDP(m, x, d.tau)
	default: // PLIF
		return chargePLIF(m, x, d.k, d.dt)
	}
}

// chargeBack returns, from the gradient gm of the charged membrane, the
// gradients of the input x and of the previous membrane, and the term
// this element adds to the gradient of k (PLIF only). mPrev and x are the
// forward operands.
func (d *dynamics) chargeBack(gm, mPrev, x float32) (gx, gmPrev, gk float32) {
	switch d.kind {
	case IF:
		gx, gmPrev = backIF(gm, d.dt)
		return gx, gmPrev, 0
	case LIF:
		gx, gmPrev = backLIF(gm, d.tau)
		return gx, gmPrev, 0
	case LIFSTDP:
		gx, gmPrev = backLIFSTDP(gm, d.tau)
		return gx, gmPrev, 0
	default: // PLIF
		gx, gmPrev, ge := backPLIF(gm, d.k, d.dt)
		return gx, gmPrev, gradK(ge, mPrev, x)
	}
}

// The charge equations, one function per kind, shared by charge and the
// fused slice loops of kernels.go (which the compiler inlines them into).

func chargeIF(m, x, dt float32) float32 { return m + float32(x*dt) }

func chargeLIF(m, x, tau float32) float32 { return m + float32(x-m)/tau }

// chargeLIFInv is chargeLIF with the division by tau done as a
// multiplication by inv = 1/tau; it equals chargeLIF bit for bit when inv
// is exact (see exactInv).
func chargeLIFInv(m, x, inv float32) float32 { return m + float32(float32(x-m)*inv) }

func chargeLIFSTDP(m, x, tau float32) float32 { return float32(m*tau) + x }

func chargePLIF(m, x, k, dt float32) float32 {
	return m + float32(float32(float32(x-m)*k)*dt)
}

// Their backward passes: from the gradient gm of the charged membrane,
// the gradients of the input and of the previous membrane.

func backIF(gm, dt float32) (gx, gmPrev float32) { return gm * dt, gm }

func backLIF(gm, tau float32) (gx, gmPrev float32) {
	gd := gm / tau
	return gd, gm + (-gd)
}

// backLIFInv is backLIF with inv = 1/tau exact (see exactInv).
func backLIFInv(gm, inv float32) (gx, gmPrev float32) {
	gd := float32(gm * inv)
	return gd, gm + (-gd)
}

func backLIFSTDP(gm, tau float32) (gx, gmPrev float32) { return gm, gm * tau }

// backPLIF also returns ge = gm*dt, the factor of the gradient of k.
func backPLIF(gm, k, dt float32) (gx, gmPrev, ge float32) {
	ge = gm * dt
	gd := float32(ge * k)
	return gd, gm + (-gd), ge
}

// gradK is the term one element adds to the gradient of PLIF's k.
func gradK(ge, mPrev, x float32) float32 { return ge * float32(x-mPrev) }

// exactInv returns 1/v and whether x/v == x*(1/v) for every float32 x,
// NaNs, infinities, zeros and subnormals included. That holds exactly
// when 1/v is exact in float32 (v a power of two with a representable
// reciprocal): both operations then round the same real number. The
// float64 product of two float32 values is exact, so it tells.
func exactInv(v float32) (float32, bool) {
	inv := 1 / v
	return inv, float64(inv)*float64(v) == 1
}
