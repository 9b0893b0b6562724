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
		return m + float32(x*d.dt)
	case LIF:
		return m + float32(x-m)/d.tau
	case LIFSTDP:
		return float32(m*d.tau) + x
	default: // PLIF
		return m + float32(float32(float32(x-m)*d.k)*d.dt)
	}
}

// chargeBack returns, from the gradient gm of the charged membrane, the
// gradients of the input x and of the previous membrane, and the term
// this element adds to the gradient of k (PLIF only). mPrev and x are the
// forward operands.
func (d *dynamics) chargeBack(gm, mPrev, x float32) (gx, gmPrev, gk float32) {
	switch d.kind {
	case IF:
		return gm * d.dt, gm, 0
	case LIF:
		gd := gm / d.tau
		return gd, gm + (-gd), 0
	case LIFSTDP:
		return gm, gm * d.tau, 0
	default: // PLIF
		ge := gm * d.dt
		gd := ge * d.k
		return gd, gm + (-gd), ge * float32(x-mPrev)
	}
}
