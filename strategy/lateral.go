package strategy

import (
	"errors"
	"fmt"
	"math"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// Membrane is what LateralInhibition needs of a neuron node: its membrane
// potential, a way to replace it, and its firing threshold (a 0-d Var or
// one value per channel, broadcastable against the membrane).
type Membrane interface {
	Mem() *autograd.Var
	SetMem(*autograd.Var)
	Threshold() *autograd.Var
}

// Mode selects how strongly LateralInhibition inhibits. Its values are
// BrainCog's names, so NewLateralInhibition(node, inh, "threshold") reads
// as in BrainCog.
type Mode string

// The inhibition modes, named as in BrainCog.
const (
	// Constant inhibits by inh.
	Constant Mode = "constant"
	// Max inhibits by inh times the largest pre-synaptic input (xori)
	// over channels, detached from the tape.
	Max Mode = "max"
	// Threshold inhibits by inh times the node's threshold.
	Threshold Mode = "threshold"
)

// String returns BrainCog's name of the mode.
func (m Mode) String() string { return string(m) }

// ParseMode returns the Mode with BrainCog's name ("constant", "max" or
// "threshold"), or an error for any other.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case Constant, Max, Threshold:
		return m, nil
	}
	return "", fmt.Errorf("strategy: unknown lateral inhibition mode %q (want constant, max or threshold)", s)
}

// LateralInhibition is BrainCog's LateralInhibition: neurons that spike
// inhibit the others of the same layer through their membrane potential.
// See the package documentation for the formulas.
type LateralInhibition struct {
	node Membrane
	inh  float32
	mode Mode
}

// NewLateralInhibition returns lateral inhibition of strength inh acting
// on node's membrane, in mode Constant, Max or Threshold ("constant",
// "max" or "threshold"). A nil node, an unknown mode or a non-finite inh
// is an error.
func NewLateralInhibition(node Membrane, inh float32, mode Mode) (*LateralInhibition, error) {
	if node == nil {
		return nil, errors.New("strategy: lateral inhibition needs a node")
	}
	if math.IsNaN(float64(inh)) || math.IsInf(float64(inh), 0) {
		return nil, fmt.Errorf("strategy: lateral inhibition strength must be finite, got %v", inh)
	}
	m, err := ParseMode(string(mode))
	if err != nil {
		return nil, err
	}
	return &LateralInhibition{node: node, inh: inh, mode: m}, nil
}

// Inh returns the inhibition strength.
func (l *LateralInhibition) Inh() float32 { return l.inh }

// Mode returns the inhibition mode.
func (l *LateralInhibition) Mode() Mode { return l.mode }

// Apply inhibits the node's membrane according to the spikes x ([N,C] or
// [N,C,H,W], channels on axis 1) and returns x unchanged, as BrainCog's
// forward does. xori, the layer's input before spiking, is needed in mode
// "max" only and may be nil otherwise. The new membrane is on the tape, so
// gradients reach the old membrane, x and the threshold.
func (l *LateralInhibition) Apply(x, xori *autograd.Var) (*autograd.Var, error) {
	if x == nil {
		return nil, errors.New("strategy: lateral inhibition of nil spikes")
	}
	xs := x.Value().Shape()
	if len(xs) < 2 {
		return nil, fmt.Errorf("strategy: lateral inhibition needs spikes with a channel axis 1, got shape %v", xs)
	}
	if xs[1] == 0 {
		return nil, fmt.Errorf("strategy: lateral inhibition of spikes with no channels, shape %v", xs)
	}
	// d = max_c(x) - x, the shortfall of each neuron behind the winner.
	d := autograd.Sub(autograd.Max(x, 1, true), x)
	var inhibition *autograd.Var
	switch l.mode {
	case Constant:
		inhibition = autograd.MulScalar(d, l.inh)
	case Max:
		if xori == nil {
			return nil, errors.New("strategy: lateral inhibition mode max needs xori")
		}
		os := xori.Value().Shape()
		if len(os) < 2 || os[1] == 0 {
			return nil, fmt.Errorf("strategy: xori of shape %v has no channel axis 1", os)
		}
		scale := autograd.Detach(autograd.Max(xori, 1, true))
		if _, err := tensor.BroadcastShape(scale.Value().Shape(), d.Value().Shape()); err != nil {
			return nil, fmt.Errorf("strategy: xori of shape %v does not fit spikes of shape %v: %w", os, xs, err)
		}
		inhibition = autograd.Mul(autograd.MulScalar(scale, l.inh), d)
	case Threshold:
		th := l.node.Threshold()
		if th == nil {
			return nil, errors.New("strategy: lateral inhibition mode threshold: node has no threshold")
		}
		if _, err := tensor.BroadcastShape(th.Value().Shape(), xs); err != nil {
			return nil, fmt.Errorf("strategy: threshold of shape %v does not fit spikes of shape %v: %w", th.Value().Shape(), xs, err)
		}
		inhibition = autograd.Mul(autograd.MulScalar(th, l.inh), d)
	}
	mem := l.node.Mem()
	if mem == nil {
		mem = autograd.Scalar(0)
	}
	if _, err := tensor.BroadcastShape(mem.Value().Shape(), inhibition.Value().Shape()); err != nil {
		return nil, fmt.Errorf("strategy: membrane of shape %v does not fit spikes of shape %v: %w", mem.Value().Shape(), xs, err)
	}
	l.node.SetMem(autograd.Sub(mem, inhibition))
	return x, nil
}
