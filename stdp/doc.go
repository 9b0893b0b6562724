// Package stdp provides BrainCog's unsupervised STDP network (Dong, Zhao,
// Li and Zeng, "An Unsupervised Spiking Neural Network Inspired By
// Biologically Plausible Learning Rules and Connections", arXiv
// 2207.02727; BrainCog's examples/Perception_and_Learning/UnsupervisedSTDP/
// codef.py) as reusable layers: STDPConv and STDPLinear, trained without
// labels by a Hebbian, STDP-like rule, the Voting readout that turns them
// into a classifier, and Network, the example's two-phase model.
//
// # How learning works
//
// Each layer drives LIFSTDPNode neurons (package node) with the STDPGrad
// surrogate, whose backward pass multiplies the upstream gradient by the
// output spike, and with the membrane detached at every step. Back-
// propagating the spike count through them therefore gives each weight
// the sum over steps of (winning spike) × (its input): a Hebbian update.
// Winner-take-all over channels (strategy.WTALayer) and lateral
// inhibition (strategy.LateralInhibition, mode threshold in STDPConv,
// max in STDPLinear) make the neurons specialise.
//
// STDPConv, per batch of static images x [B,1,H,W] and T steps:
//
//	y   = conv(x)                          (3×3, padding 1, no bias)
//	n_c = max_{b,h,w} y + 0.0001           (per channel: the threshold)
//	xs  = n / (1 + exp(-(max(y,0) - 4n/10)·(8/n)))
//	each step: mem = mem·tau + xs, s = [mem > n], mem = mem·(1-s),
//	           s = WTA(s), mem -= inh·n·(max_c s - s)
//	counts = Σ_t s
//
// with tau = exp(-1/100). The example's phase 1 then takes the gradient of
// Σ counts / (B·H·W) through STDPGrad, the sigmoid shaping and n (to the
// element that attained the maximum), subtracts per filter its minimum
// and 0.3 × its maximum, flips the sign, takes an SGD step (lr 0.1) and
// renormalises every filter to zero mean and unit (biased) deviation.
//
// STDPLinear, on the convolution's features f [B,F] (spike counts pooled
// 2×2, divided by each sample's largest):
//
//	I   = f·Wᵀ                              (no bias)
//	thr = 3·max_b I                         (once, from the first batch)
//	each step: mem = mem·0.99 + I, s = [mem > thr], mem = mem·(1-s),
//	           s = WTA(s), mem -= inh·max_j(I)·(max_j s - s)
//
// then W += lr·Σ_b counts_b ⊗ f_b (the sign-flipped gradient, no 1/B),
// thr += 0.002·Σ_b I_b·counts_b, lowered as a whole when its maximum
// exceeds 350, and W is clamped to [0,1] and every row scaled to a
// maximum of 0.1.
//
// # Two paths, the same numbers
//
// Every layer is an nn.Module whose Forward runs the T steps on the
// autograd tape (node.Step, WTALayer.Forward, LateralInhibition.Apply):
// BrainCog's graph, whose memory grows with T. Run is the fast path: the
// input current is computed once (the input is static), the T steps are
// fused kernels that keep only the membranes, allocate nothing per step
// and do the winner-take-all and inhibition work only at the steps where
// a neuron spiked (spikes are 0/1, and with winner-take-all few), and the
// spike counts are accumulated as they
// come: a running sum over steps of spike-by-input outer products, which
// for a static input is counts ⊗ input, added for the neurons that spiked
// only. Backward then gives the weight gradient autograd would. Both
// paths draw the same WTA random numbers (counter-based, see
// strategy.WTALayer), so their spikes agree bit for bit; the tests check
// that, and check both against BrainCog's code on PyTorch
// (tools/golden/gen_stdp_golden.py).
//
// The fused kernels treat every position of every sample (STDPConv) and
// every sample (STDPLinear) as an independent system, since WTA and
// inhibition act across channels (neurons) only; they run in parallel
// with tensor.ParallelFor and, on amd64 with AVX2, in assembly that gives
// the same bits as the Go loops.
//
// # Where codef.py is ambiguous, and what this package does
//
//   - Phase 2 re-simulates the convolution at T2 = 200 steps although its
//     output is detached and its weight no longer learns: Network.Features
//     does the same (the features are counts over T2 steps, with the
//     per-batch threshold and fresh WTA draws), as the example.
//   - STDPConv.normgrad computes its "max" as grad.min(1).max(2).max(3),
//     the maximum over the window of the minimum over input channels,
//     probably meant as max(1). NormGrad follows the code; with one input
//     channel, as in the example, both are the filter's maximum.
//   - STDPLinear.normgrad(force=False) computes offset × mean spikes and
//     never uses it: the update is plain gradient ascent on the spike
//     count, without 1/B, so the step and the threshold growth scale with
//     the batch size. NormGrad only flips the sign; Network keeps the
//     example's batch (1024 in spikego stdp) as the reference.
//   - Neurons that never fired get label 0 in assign_labels (torch.max of
//     an all-zero row), which dilutes label 0's mean rate. Voting does the
//     same by default; Voting.ExcludeSilent (NetworkConfig.ExcludeSilent)
//     leaves them without a label.
//   - The linear thresholds are set once, from the first batch of phase 2
//     (STDPLinear.ThresholdSet); checkpoints keep them.
//   - BrainCog calls WTA and inhibition only when some neuron of the whole
//     batch spiked; both are no-ops otherwise, so Forward always calls
//     them, and the fused kernels skip silent steps per position.
//   - Normliaze divides by each sample's largest pooled count, 0/0 = NaN
//     for a sample without a convolution spike; Features leaves such a
//     sample at zero.
//   - The WTA draws come from a counter-based generator seeded per layer,
//     not from torch's global generator; ties of the 24-bit draws keep
//     both spikes, as in BrainCog.
//   - The test set is read in order in batches of the training batch size,
//     and every batch sets the convolution's thresholds from its own
//     maximum, as the example's test loop does.
//   - codef.py loads MNIST (its FashionMNIST lines are commented out); its
//     README reports 87.0% on Fashion-MNIST, which spikego stdp uses.
//   - The example loops over 1000 phase-2 epochs and keeps the best test
//     accuracy; spikego stdp runs a given number of epochs and reports
//     every one.
//
// # BrainCog names
//
//	BrainCog (codef.py)          spikego
//	STDPConv                     STDPConv
//	STDPLinear                   STDPLinear
//	STDPMaxPool, Normliaze,      Network.Features
//	STDPFlatten
//	voting                       Voting
//	Conv_Net                     Network
//	normgrad / normweight        NormGrad / NormWeight
//	updatethresh                 STDPLinear.UpdateThreshold
//	getthresh                    (inside Run and Forward)
//	WTALayer (layer.py)          strategy.WTALayer
package stdp
