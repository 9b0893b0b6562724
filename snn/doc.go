// Package snn builds spiking networks from layers and neuron nodes, runs
// them over time steps, and answers for them: what they predict, what
// their neurons did.
//
// A Net is a torch.nn.Sequential-like chain of nn.Modules (nn.Linear,
// nn.Conv2d, nn.BatchNorm2d, nn.MaxPool2d, nn.Flatten, nn.Dropout, the
// neuron nodes of package node, or any other Module) run for T time steps,
// in the style of SpikingJelly's multi-step mode:
//
//	net, err := snn.New(4, []int{1, 28, 28},
//		conv, bn, lif1, pool,
//		nn.NewFlatten(), fc, lif2)
//	out, err := net.Forward(x) // x [B,1,28,28] -> out [T,B,10]
//
// The input is static, [B, ...] (the same image at every step: direct
// coding), or a sequence [T, B, ...] (already spike-coded). Stateless layers
// run on all T steps at once, folded into the batch ([T·B, ...]), and nodes
// run their T steps in one fused operation; the layers before the first
// node, which see a static input, run once instead of T times (see
// nn.Temporal). The output is [T, B, ...], the outputs of the last layer at
// every step: spikes, or membrane potentials for a non-spiking output
// node; losses on it are in package nn.
//
// The state_dict names are those of the equivalent torch.nn.Sequential
// ("0.weight", "1.threshold", ...), with BrainCog's node entries, so
// checkpoints (package checkpoint) cross to and from PyTorch.
//
// Inference is one call, Predict or Infer, which switches to evaluation
// mode without a gradient tape and restores the previous mode. Every Net
// records the firing rates and the latest spikes of its nodes (a
// node.Monitor); NewMonitor watches any module the same way.
package snn
