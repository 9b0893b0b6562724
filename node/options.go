package node

import (
	"fmt"
	"math"
)

// config holds a node's settings; Options change it.
type config struct {
	threshold     float32
	thresholdSet  bool
	tau           float32
	tauSet        bool
	dt            float32
	vReset        float32
	surrogate     string
	alpha         float32
	alphaSet      bool
	memDetach     bool
	thresholdGrad bool
	warmUp        bool
	nonSpiking    bool
}

// Option changes one setting of a node built by New.
type Option func(*config) error

func finite(name string, v float32) error {
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		return fmt.Errorf("node: %s must be finite, got %v", name, v)
	}
	return nil
}

// WithThreshold sets the firing threshold (BrainCog's threshold).
func WithThreshold(th float32) Option {
	return func(c *config) error {
		c.threshold, c.thresholdSet = th, true
		return finite("threshold", th)
	}
}

// WithTau sets the membrane time constant tau (for LIFSTDPNode, the decay
// factor the membrane is multiplied by at each step).
func WithTau(tau float32) Option {
	return func(c *config) error {
		c.tau, c.tauSet = tau, true
		if err := finite("tau", tau); err != nil {
			return err
		}
		if tau == 0 {
			return fmt.Errorf("node: tau must not be 0")
		}
		return nil
	}
}

// WithDt sets the time step dt (IFNode and PLIFNode scale their input by
// it); default 1.
func WithDt(dt float32) Option {
	return func(c *config) error {
		c.dt = dt
		return finite("dt", dt)
	}
}

// WithVReset sets the resting potential v_reset that the membrane starts
// from after Reset (default 0). As in BrainCog, a spike resets the
// membrane to 0 by multiplying it by 1 - spike, not to v_reset.
func WithVReset(v float32) Option {
	return func(c *config) error {
		c.vReset = v
		return finite("v_reset", v)
	}
}

// WithSurrogate sets the surrogate spike function by name (any of
// surrogate.Names). A BrainCog function is built with alpha 2, as
// BrainCog's nodes build it; a SpikingJelly or snnTorch function with its
// library's default parameter (SpikingJelly's Sigmoid alpha 4, snnTorch's
// fast_sigmoid slope 25, ...), as those libraries' users build it.
// WithAlpha overrides either.
func WithSurrogate(name string) Option {
	return func(c *config) error {
		c.surrogate = name
		return nil
	}
}

// WithAlpha sets the surrogate's parameter (surrogate.Kernel.Param:
// alpha, slope, ...; default 2 for BrainCog's functions, as BrainCog's
// nodes, and the library's default for the others).
func WithAlpha(alpha float32) Option {
	return func(c *config) error {
		c.alpha, c.alphaSet = alpha, true
		return nil
	}
}

// WithMemDetach cuts the membrane potential's history from the graph at
// every step (BrainCog's mem_detach): gradients do not flow from one time
// step to the previous one through the membrane.
func WithMemDetach(detach bool) Option {
	return func(c *config) error {
		c.memDetach = detach
		return nil
	}
}

// WithThresholdGrad makes the threshold learnable (BrainCog's
// requires_thres_grad).
func WithThresholdGrad(learn bool) Option {
	return func(c *config) error {
		c.thresholdGrad = learn
		return nil
	}
}

// WithWarmUp makes the node act as a ReLU activation instead of spiking
// (BrainCog's set_n_warm_up), for training strategies that warm a network
// up as an ANN first. SetWarmUp changes it later.
func WithWarmUp(on bool) Option {
	return func(c *config) error {
		c.warmUp = on
		return nil
	}
}

// WithNonSpiking makes a node that never fires: it integrates its input
// with its kind's charge equation and outputs its membrane potential at
// every step instead of spikes (no threshold, no reset), as SpikingJelly's
// NonSpikingLIFNode. Use it as the output layer of a network trained with
// a loss on the membrane potential.
func WithNonSpiking(on bool) Option {
	return func(c *config) error {
		c.nonSpiking = on
		return nil
	}
}
