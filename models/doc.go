// Package models holds ready-made spiking networks, starting with the two
// reference models that spikego is measured by against BrainCog, snnTorch
// and SpikingJelly (docs/BENCHMARK.md): MLP and CNN.
//
// A model takes a batch of static images, presents it at each of T time
// steps (direct coding), and returns the output layer's firing rates
// averaged over the steps, [B, classes], which the cross-entropy loss uses
// directly as logits.
//
// The models compute exactly what the reference definitions compute (the
// first layer's output is the same at every step, so it is computed once
// and its gradient summed over the steps, instead of T times), and their
// parameters and buffers carry the state_dict names of the equivalent
// torch.nn.Sequential, so checkpoints map one to one onto the PyTorch peer
// in bench/peer.
package models
