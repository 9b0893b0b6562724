// Package train runs the training and evaluation of spiking networks by
// backpropagation through time: the epoch loop over a dataset, the
// metrics of each epoch, checkpoints, resuming, and evaluation of a
// checkpoint.
//
// # Never losing work
//
// A run with an output directory locks it (two runs cannot share one) and
// keeps everything it needs to continue in one file, checkpoint.safetensors
// (package checkpoint): the model's state_dict, the optimizer's state, and
// in its metadata the settings, the identity of the data (size and
// CRC-32C), the position reached (epoch, batch and the running sums of a
// partial epoch) and the metrics of every completed epoch. The file is
// replaced atomically (temporary file, fsync, rename, directory fsync)
// after every epoch, every Config.SaveEvery inside an epoch, and when the
// run is interrupted; metrics.jsonl is then rewritten from it, so it never
// lists an epoch the checkpoint does not hold. A run killed at any moment
// resumes (Config.Resume) from the last save and ends with exactly the bits
// of an uninterrupted run; resuming with settings or data that would change
// the numbers is refused, naming each difference. A directory that holds
// a run is refused unless the run is resumed or discarded on purpose
// (Config.Overwrite).
//
// # Never trusting a number
//
// After every step the loss, the gradients, the weights and the buffers
// (BatchNorm's running statistics) are checked: a NaN or an infinity stops
// the run with a *DivergedError that names the epoch, the batch, the tensor
// and the learning rate, and nothing more is saved. Loading refuses a
// checkpoint with non-finite values, and a model whose step would not fit
// in the machine's memory is refused before anything is allocated.
//
// Run reports progress through a callback and never prints; the spikego
// command renders it.
package train
