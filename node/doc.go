// Package node provides BrainCog's spiking neuron nodes
// (braincog/base/node/node.py): IFNode, LIFNode, LIFSTDPNode and PLIFNode.
//
// # What a node is
//
// A node is a layer of spiking neurons without weights: it holds one
// membrane potential per neuron (and per batch element), integrates the
// input current it receives at each time step, emits a spike (1) where
// the membrane exceeds the firing threshold, and resets the neurons that
// spiked. The spike is not differentiable; in the backward pass a
// surrogate gradient (package surrogate) stands in for its derivative.
// Nodes sit between the layers of a network (Linear or Conv2d, then a
// node), which the network runs for T time steps.
//
// # Equations
//
// Each kind first charges the membrane with input x, in float32 and in
// BrainCog's order of operations:
//
//	IFNode       mem = mem + x*dt
//	LIFNode      mem = mem + (x - mem)/tau
//	LIFSTDPNode  mem = mem*tau + x            (tau acts as a decay factor)
//	PLIFNode     mem = mem + ((x - mem)*sigmoid(w))*dt,  w learnable, w0 = -log(tau - 1)
//
// then all kinds spike and reset alike:
//
//	spike = act(mem - threshold)    (act: the surrogate; forward is a step function)
//	mem   = mem * (1 - spike)       (spike detached: no gradient through the reset)
//
// The membrane starts at v_reset (0 by default). With WithMemDetach the
// membrane is cut from the graph at the start of every step (BrainCog's
// mem_detach), so gradients do not flow from one step to the previous one
// through it. The threshold is a scalar or one value per neuron
// (SetThreshold, broadcast over the batch), learnable with
// WithThresholdGrad (BrainCog's requires_thres_grad).
//
// # Single-step and multi-step
//
// Step integrates one time step of input [B,...] and carries the membrane
// to the next call until Reset, with every operation on the autograd tape,
// as BrainCog's node is called once per step. Between two unrelated
// inputs, call Reset (BrainCog's n_reset); Step refuses an input whose
// shape differs from the membrane's rather than broadcasting one batch's
// state into the next.
//
// Forward takes the whole sequence [T,B,...] and returns the spikes
// [T,B,...]. It always starts from a fresh state (it resets the node
// first), and it is a single autograd operation whose forward and
// backward passes through time are fused loops over the neurons, saving
// only the charged membranes and the spikes: much less memory and tape
// than T calls of Step, with the same spikes, membranes and gradients of
// x (bit for bit; parameter gradients are sums in another order). After
// Forward, Mem and Spike hold the last step's membrane and spikes,
// detached from the tape. ForwardRepeat(x, T) is Forward on x [B,...]
// repeated at every step (direct coding of a static input) without
// materialising the repetition; the gradient of x is the sum over steps.
//
// On amd64 CPUs with AVX2, the per-step loops of the fused passes (charge
// and fire with the spike rules x > 0 and x >= 0, the surrogate's input,
// and the backward pass of the charge equation, for every kind, except
// when PLIF's w needs a gradient) run in
// assembly (kernels_amd64.s), eight neurons at a time, with the
// operations of the Go loops in their order and nothing fused: the same
// bits as the pure-Go loops used elsewhere and with the purego build
// tag.
//
// Forward splits the neurons between goroutines. Everything per neuron is
// independent of the split; the gradients of the shared parameters (a
// scalar threshold, alpha, PLIF's w), sums over all neurons and steps, are
// summed in float64 per tile of 1024 neurons (tile i holds neurons
// [1024·i, 1024·(i+1))) and the tiles' sums added in tile order, so they
// have the same bits on any number of cores.
//
// # BrainCog classes and defaults
//
//	BrainCog class  Go type (Kind)          defaults
//	IFNode          *IFNode (IF)            threshold 0.5, dt 1, AtanGrad (alpha 2, fixed)
//	LIFNode         *LIFNode (LIF)          threshold 0.5, tau 2, QGateGrad (alpha 2, fixed)
//	LIFSTDPNode     *LIFSTDPNode (LIFSTDP)  threshold 1, tau 2, AtanGrad (alpha 2, fixed)
//	PLIFNode        *PLIFNode (PLIF)        threshold 1, tau 2 (w = 0), AtanGrad (alpha 2, learnable)
//
// All kinds: v_reset 0, dt 1, threshold not learnable, no mem_detach.
// New builds a node by BrainCog's class name, NewKind by Kind; options
// change the defaults (WithThreshold, WithTau, WithDt, WithVReset,
// WithSurrogate with any name of surrogate.Names (a SpikingJelly or
// snnTorch surrogate gets its library's default parameter, a BrainCog one
// alpha 2), WithAlpha,
// WithMemDetach, WithThresholdGrad, WithWarmUp). PLIFNode needs tau > 1.
// BrainCog's STDP examples build LIFSTDPNode with STDPGrad and a tau
// below 1.
//
// Every kind is checked against PyTorch: tools/golden/gen_node_golden.py
// restates BrainCog's node formulas in PyTorch and records spikes, final
// membranes and gradients (node/testdata/golden.json); the tests require
// spikes and membranes to match bit for bit, along both Step and Forward.
//
// # Divergences from BrainCog
//
// (a) Learnable alpha of PLIFNode. BrainCog builds PLIFNode's surrogate
// with act_fun(alpha=2., requires_grad=True), so the surrogate's alpha is
// a learnable parameter of PLIFNode (act_fun.alpha in its state_dict, and
// AtanGrad gives it a gradient), whereas IFNode, LIFNode and LIFSTDPNode
// build theirs with requires_grad=False (alpha 2 fixed). spikego
// reproduces this asymmetry: Params of a PLIFNode lists "act_fun.alpha"
// and "w". With a surrogate that defines no alpha gradient (QGateGrad,
// for example) alpha stays learnable but never receives a gradient.
//
// (b) Warm-up. BrainCog's BaseNode.set_n_warm_up(flag) only stores
// self.warm_up; BaseNode.forward never reads it (BaseNode.__init__ does
// not even define it), and IFNode, LIFNode, LIFSTDPNode and PLIFNode do
// not override forward, so in BrainCog warm-up has no effect on these
// nodes: they keep integrating, spiking and carrying their membrane. Only
// BaseMCNode (which returns its inputs unchanged) and HTDGLIFNode (which
// returns relu(inputs)) honour the flag. In spikego, WithWarmUp and
// SetWarmUp make every node a ReLU activation, as HTDGLIFNode does: Step,
// Forward and ForwardRepeat return relu(x), keep no membrane and count no
// spikes.
//
// (c) Fresh state per Forward. BrainCog's layer-by-layer mode continues
// from whatever membrane the node holds and relies on the model calling
// n_reset; spikego's Forward and ForwardRepeat always start from v_reset,
// so a forgotten Reset cannot leak one batch's state into the next. Their
// final Mem is detached: a Step after Forward continues from its value
// but sends no gradient back into the Forward.
//
// (d) v_reset. As in BrainCog, v_reset (WithVReset) is only the membrane
// a node starts from after Reset; a spike resets the membrane by
// multiplying it by 1 - spike, that is to 0, not to v_reset.
//
// (e) Thresholds. BrainCog's set_n_threshold replaces the threshold by a
// new, non-learnable Parameter; SetThreshold replaces it by a new Var that
// keeps whether the threshold is learnable (fetch Params again
// afterwards), and accepts one value per neuron. BrainCog's sigmoid_thres
// (threshold passed through a sigmoid, used by IFNode and PLIFNode) is not
// supported, nor are requires_fp, requires_mem, n_groups and
// layer_by_layer (Forward plays the role of the latter).
package node
