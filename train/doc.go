// Package train runs the training and evaluation of spiking networks by
// backpropagation through time: the epoch loop over a dataset, the
// metrics of each epoch (written as JSON lines), atomic checkpoints in the
// safetensors format, resuming, and evaluation of a checkpoint.
//
// Run reports progress through a callback and never prints; the spikego
// command renders it.
package train
