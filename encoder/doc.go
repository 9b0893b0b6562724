// Package encoder turns static inputs into spike trains for spiking neural
// networks, as BrainCog's Encoder, snnTorch's spikegen and SpikingJelly's
// encoders do.
//
// Every encoder takes an input x of shape [B, ...] (any shape works; a
// leading batch dimension is the usual case) and a number of time steps T,
// and returns a new tensor of shape [T, B, ...] whose slice t is the input
// to the network at step t. Spike encoders (Poisson, Latency) return 0 and
// 1 values; Direct repeats the analog input.
//
// Inputs of Poisson and Latency are read as intensities in [0, 1]: values
// are clamped to that range first, and NaN counts as 0 (it never spikes).
//
// It is an error to pass a nil input or T < 1.
package encoder
