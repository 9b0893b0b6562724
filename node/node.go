package node

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/internal/suggest"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/surrogate"
	"github.com/spikego/spikego/tensor"
)

// Node is a layer of spiking neurons. It runs one time step at a time
// (Step, state carried between calls until Reset) or a whole sequence at
// once (Forward, [T,B,...] in and out, from a fresh state); both give the
// same spikes, membranes and gradients. A Node is an nn.Module (and an
// nn.Temporal), so it goes into nn.Sequential and snn.New beside other
// layers, and a strategy.Membrane, so lateral inhibition can act on it.
type Node interface {
	// A Node is a module: Forward runs T steps on x [T,B,...] from a
	// fresh state and returns the spikes [T,B,...] (afterwards Mem holds
	// the membrane after the last step); Params and Buffers hold
	// BrainCog's state_dict entries.
	nn.Temporal
	// Step integrates input x for one time step and returns the spikes.
	Step(x *autograd.Var) (*autograd.Var, error)
	// Reset returns the neurons to their resting state.
	Reset()
	// Mem returns the membrane potential (nil after Reset, before any
	// step).
	Mem() *autograd.Var
	// SetMem replaces the membrane potential.
	SetMem(*autograd.Var)
	// Threshold returns the firing threshold.
	Threshold() *autograd.Var
	// SetThreshold sets the threshold to a scalar or to one value per
	// neuron (broadcast over the batch).
	SetThreshold(t *tensor.Tensor) error
}

// Param is a learnable parameter of a node with its name: an
// nn.NamedVar, since every node is an nn.Module.
type Param = nn.NamedVar

// kindNames maps BrainCog's class names to kinds.
var kindNames = map[string]Kind{"IFNode": IF, "LIFNode": LIF, "LIFSTDPNode": LIFSTDP, "PLIFNode": PLIF}

// ParseKind returns the Kind with BrainCog's class name.
func ParseKind(name string) (Kind, error) {
	k, ok := kindNames[name]
	if !ok {
		return 0, fmt.Errorf("node: %s", suggest.Unknown("node kind", name, []string{"IFNode", "LIFNode", "LIFSTDPNode", "PLIFNode"}))
	}
	return k, nil
}

// defaults returns BrainCog's constructor defaults for a kind.
func defaults(k Kind) config {
	c := config{dt: 1, alpha: 2}
	switch k {
	case IF:
		c.threshold, c.surrogate = 0.5, "AtanGrad"
	case LIF:
		c.threshold, c.tau, c.surrogate = 0.5, 2, "QGateGrad"
	case LIFSTDP:
		c.threshold, c.tau, c.surrogate = 1, 2, "AtanGrad"
	case PLIF:
		c.threshold, c.tau, c.surrogate = 1, 2, "AtanGrad"
	}
	return c
}

// New returns a node of the named kind ("IFNode", "LIFNode",
// "LIFSTDPNode" or "PLIFNode") with BrainCog's defaults, changed by opts.
// The surrogate is built with alpha 2 (a SpikingJelly or snnTorch
// surrogate with its library's default, see WithSurrogate) and, as
// BrainCog builds it, with no alpha gradient, except for PLIFNode, whose
// surrogate alpha BrainCog makes learnable.
func New(kind string, opts ...Option) (Node, error) {
	k, err := ParseKind(kind)
	if err != nil {
		return nil, err
	}
	b, err := NewKind(k, opts...)
	if err != nil {
		return nil, err
	}
	switch k {
	case IF:
		return &IFNode{*b}, nil
	case LIF:
		return &LIFNode{*b}, nil
	case LIFSTDP:
		return &LIFSTDPNode{*b}, nil
	}
	return &PLIFNode{*b}, nil
}

// NewKind is New with a Kind.
func NewKind(k Kind, opts ...Option) (*BaseNode, error) {
	c := defaults(k)
	for _, o := range opts {
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	if k == PLIF && c.tau <= 1 {
		return nil, fmt.Errorf("node: PLIFNode needs tau > 1 (w = -log(tau-1)), got %v", c.tau)
	}
	alpha := c.alpha
	if sk, err := surrogate.Lookup(c.surrogate); err == nil && !c.alphaSet && sk.Library != "BrainCog" {
		alpha = sk.DefaultAlpha
	}
	act, err := surrogate.New(c.surrogate, alpha, k == PLIF)
	if err != nil {
		return nil, fmt.Errorf("node: %v: %w", k, err)
	}
	kd, ok := act.(interface{ Kernel() *surrogate.Kernel })
	if !ok {
		return nil, fmt.Errorf("node: surrogate %s exposes no kernel", c.surrogate)
	}
	n := &BaseNode{
		kind:   k,
		cfg:    c,
		act:    act,
		kernel: kd.Kernel(),
		th:     autograd.NewVar(tensor.Scalar(c.threshold), c.thresholdGrad),
		bufs:   new(autograd.Pool),
	}
	if k == PLIF {
		w := float32(-math.Log(float64(c.tau) - 1))
		n.w = autograd.NewVar(tensor.Scalar(w), true)
	}
	return n, nil
}

// BaseNode is the neuron layer of every kind: the charge equation of its
// Kind, then BrainCog's common spike and reset,
//
//	spike = act(mem - threshold)
//	mem   = mem * (1 - spike)     (spike detached: no gradient through the reset)
//
// where act is the surrogate spike function.
type BaseNode struct {
	kind   Kind
	cfg    config
	act    surrogate.Function
	kernel *surrogate.Kernel
	th     *autograd.Var
	w      *autograd.Var // PLIF's learnable w; tau = 1 + exp(-w)
	mem    *autograd.Var
	spike  *autograd.Var
	// spikes and seen count the spikes emitted and the neuron-steps run
	// since the last ResetStats.
	spikes, seen float64
	// observers are the monitors watching the node; memWatchers counts
	// those that record membranes.
	observers   []*Monitor
	memWatchers int
	// bufs recycles the buffers of the multi-step passes between
	// training steps.
	bufs *autograd.Pool
}

// Kind returns the neuron model.
func (n *BaseNode) Kind() Kind { return n.kind }

// String describes the node with its settings.
func (n *BaseNode) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v(threshold=%v", n.kind, n.cfg.threshold)
	if n.kind != IF {
		fmt.Fprintf(&b, ", tau=%v", n.cfg.tau)
	}
	fmt.Fprintf(&b, ", act=%s)", n.cfg.surrogate)
	return b.String()
}

// NonSpiking reports whether the node outputs its membrane potential
// instead of spikes (WithNonSpiking).
func (n *BaseNode) NonSpiking() bool { return n.cfg.nonSpiking }

// Surrogate returns the node's surrogate spike function.
func (n *BaseNode) Surrogate() surrogate.Function { return n.act }

// Params returns the node's learnable parameters: PLIFNode's "w" and the
// surrogate's "act_fun.alpha" (when learnable) and "threshold" (when
// learnable), named as in BrainCog's state_dict. The fixed ones are
// Buffers.
func (n *BaseNode) Params() []Param {
	var ps []Param
	if n.th.RequiresGrad() {
		ps = append(ps, Param{Name: "threshold", Var: n.th})
	}
	if a := n.act.Alpha(); a != nil && a.RequiresGrad() {
		ps = append(ps, Param{Name: "act_fun.alpha", Var: a})
	}
	if n.w != nil {
		ps = append(ps, Param{Name: "w", Var: n.w})
	}
	return ps
}

// Mem returns the membrane potential.
func (n *BaseNode) Mem() *autograd.Var { return n.mem }

// SetMem replaces the membrane potential.
func (n *BaseNode) SetMem(m *autograd.Var) { n.mem = m }

// Spike returns the spikes of the last step.
func (n *BaseNode) Spike() *autograd.Var { return n.spike }

// Threshold returns the threshold Var.
func (n *BaseNode) Threshold() *autograd.Var { return n.th }

// SetThreshold sets the threshold to a copy of t: a scalar (any
// one-element tensor) or one value per neuron, broadcast over the batch.
// It keeps whether the threshold is learnable. A non-finite value is an
// error.
func (n *BaseNode) SetThreshold(t *tensor.Tensor) error {
	if t == nil {
		return errors.New("node: nil threshold")
	}
	for _, v := range t.Data() {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("node: threshold must be finite, got %v", v)
		}
	}
	c := t.Clone()
	if c.Len() == 1 {
		c = tensor.Scalar(c.Data()[0])
	}
	n.th = autograd.NewVar(c, n.th.RequiresGrad())
	return nil
}

// SetWarmUp switches warm-up on or off: while on, the node acts as a ReLU
// activation and keeps no state (BrainCog's set_n_warm_up).
func (n *BaseNode) SetWarmUp(on bool) { n.cfg.warmUp = on }

// Reset returns the membrane to v_reset (held as nil until the next step)
// and forgets the last spikes, as BrainCog's n_reset.
func (n *BaseNode) Reset() {
	n.mem, n.spike = nil, nil
}

// FiringRate returns the fraction of neuron-steps that spiked since the
// last ResetStats (0 when none ran).
func (n *BaseNode) FiringRate() float64 {
	if n.seen == 0 {
		return 0
	}
	return n.spikes / n.seen
}

// ResetStats restarts the firing-rate count.
func (n *BaseNode) ResetStats() { n.spikes, n.seen = 0, 0 }

func (n *BaseNode) count(s *tensor.Tensor) {
	var c float64
	for _, v := range s.Data() {
		if v != 0 {
			c++
		}
	}
	n.spikes += c
	n.seen += float64(s.Len())
}

// dyn returns the node's charge equation with its current constants.
func (n *BaseNode) dyn() dynamics {
	d := dynamics{kind: n.kind, tau: n.cfg.tau, dt: n.cfg.dt}
	if n.w != nil {
		d.k = tensor.SigmoidScalar(n.w.Value().Item())
	}
	return d
}

// Step integrates x for one time step, spikes, resets, and returns the
// spikes, with every operation on the tape as in BrainCog's single-step
// forward.
func (n *BaseNode) Step(x *autograd.Var) (*autograd.Var, error) {
	if x == nil {
		return nil, errors.New("node: Step of nil input")
	}
	if n.cfg.warmUp {
		return autograd.ReLU(x), nil
	}
	// Check everything before touching the state, so that a failed Step
	// leaves the node as it was. Only the resting membrane (a 0-d v_reset)
	// may broadcast against the input: a membrane of any other shape,
	// even a one-element one, must match it.
	mem := n.mem
	if mem == nil {
		mem = autograd.Scalar(n.cfg.vReset)
	} else if !x.Value().SameShape(mem.Value()) && mem.Value().Dims() != 0 {
		return nil, fmt.Errorf("node: %v: input of shape %v does not match membrane of shape %v (Reset between batches)", n.kind, x.Shape(), mem.Shape())
	}
	if err := n.checkThreshold(x.Value().Shape()); err != nil {
		return nil, err
	}
	if n.cfg.memDetach {
		mem = autograd.Detach(mem)
	}
	mem = n.charge(mem, x)
	if n.cfg.nonSpiking {
		n.mem = mem
		n.spike = autograd.Const(tensor.New(x.Value().Shape()...))
		n.seen += float64(x.Value().Len())
		return mem, nil
	}
	s := n.act.Apply(autograd.Sub(mem, n.th))
	keep := tensor.Map(s.Value(), func(v float32) float32 { return 1 - v })
	n.mem = autograd.Mul(mem, autograd.Const(keep))
	n.spike = s
	n.count(s.Value())
	return s, nil
}

// checkThreshold verifies that the threshold broadcasts against one
// step's input shape.
func (n *BaseNode) checkThreshold(step []int) error {
	ts := n.th.Value().Shape()
	out, err := tensor.BroadcastShape(ts, step)
	if err != nil || !slices.Equal(out, step) {
		return fmt.Errorf("node: threshold of shape %v does not fit input of shape %v", ts, step)
	}
	return nil
}

// IFNode is BrainCog's IFNode, integrate-and-fire: mem = mem + x*dt.
// Defaults: threshold 0.5, dt 1, surrogate AtanGrad (alpha 2, fixed).
type IFNode struct{ BaseNode }

// LIFNode is BrainCog's LIFNode, leaky integrate-and-fire:
// mem = mem + (x - mem)/tau. Defaults: threshold 0.5, tau 2, surrogate
// QGateGrad (alpha 2, fixed).
type LIFNode struct{ BaseNode }

// LIFSTDPNode is BrainCog's LIFSTDPNode, the node of its unsupervised STDP
// examples: mem = mem*tau + x, where tau acts as a decay factor. Defaults:
// threshold 1, tau 2, surrogate AtanGrad (alpha 2, fixed); the STDP
// examples build it with STDPGrad (WithSurrogate("STDPGrad")).
type LIFSTDPNode struct{ BaseNode }

// PLIFNode is BrainCog's PLIFNode, parametric LIF (Fang et al. 2021): mem
// = mem + ((x - mem)*sigmoid(w))*dt with w learnable, initialised to
// -log(tau - 1). Defaults: threshold 1, tau 2, surrogate AtanGrad with
// alpha 2 learnable (as BrainCog builds it for this node).
type PLIFNode struct{ BaseNode }
