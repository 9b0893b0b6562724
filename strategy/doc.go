// Package strategy provides BrainCog's learning strategies that act on
// neuron state (braincog.base.strategy), starting with LateralInhibition:
// neurons of a layer that fire push down the membrane potential of the
// other neurons of the same layer, so that a few winners take the input.
//
// LateralInhibition works on any neuron node through the small Membrane
// interface declared here (package node's nodes satisfy it), not on node
// types.
//
// # Modes
//
// With x the layer's spikes (channel axis 1 of [N,C] or [N,C,H,W]) and
// m = max over channels of x (keeping the axis), the membrane becomes
//
//	constant:   mem - inh * (m - x)
//	max:        mem - inh * max_c(xori) * (m - x)   (max_c(xori) detached)
//	threshold:  mem - inh * threshold * (m - x)     (threshold scalar or per channel)
//
// so every neuron is inhibited by inh (times a scale) unless it spiked as
// strongly as the strongest neuron at its position. Gradients flow into
// the previous membrane, into x (through m to the first channel attaining
// the maximum, as torch.max does), and into the threshold.
//
// # Divergences from BrainCog
//
// BrainCog silently does nothing for an unknown mode, and fails deep in
// PyTorch when mode "max" is called without xori. Here both are errors:
// an unknown mode at construction, a missing xori when Apply is called, as
// are shapes that do not broadcast. A node whose membrane is still unset
// (nil, BrainCog's initial 0.) is treated as a zero membrane.
package strategy
