// Package benchrun is the side-by-side benchmark behind "spikego bench":
// it trains and tests the reference models (mlp, cnn) with spikego and
// with the PyTorch peer in bench/peer, several times each, and reports
// their speed, memory and accuracy in one table.
//
// # Fairness
//
// Every measurement runs in a process of its own, so that the peak
// resident set size (ru_maxrss, read by the parent when the process ends)
// is the whole program's, as a user would see it: for spikego the spikego
// binary itself (run again with a hidden worker flag, see WorkerMain), for
// the peer the Python interpreter with torch. Both train on the same data
// (Fashion-MNIST from dataset.DefaultDir when installed, else the sample
// embedded in package dataset, written to a temporary directory for the
// peer), the same number of training images, the full test split, with
// the reference settings of BENCHMARK-MODELS.md. The runs are interleaved
// (spikego, peer PASSIVE, peer default, then again), so that a change of
// the machine's load falls on all of them alike.
//
// # What is timed
//
// Both programs report the duration of every training step and of every
// test batch, and the throughputs are computed here from those durations
// by one function (WindowRates) for both: a training step is the batch's
// slicing and conversion to float32, the forward pass over T, the loss,
// the backward pass and the optimizer's update (spikego also checks the
// gradients and weights for NaN and infinities in the step); a test batch
// is the conversion, the forward pass without a tape, and the prediction.
// Warm-up is excluded the same way for both: the first Protocol.Warmup
// training steps and the first Protocol.InferWarmup test batches are left
// out, the full-size batches that follow are grouped into consecutive
// windows of Protocol.Window (Protocol.InferWindow) batches, and a run's
// figure is the median of its window throughputs, as BENCHMARK-MODELS.md
// defines them. The whole-run average, warm-up included (spikego's
// train_samples_per_s in metrics.jsonl), is reported beside it.
//
// Over the runs of one program and setting, the report gives the median
// and the range (minimum to maximum) of each figure. The ratios compare
// spikego's median with the better of the peer's two settings: with
// OMP_WAIT_POLICY=PASSIVE ("PASSIVE") and without it ("default"), each
// with the same number of torch threads.
//
// Where Python, torch or the peer script cannot be found, the report
// holds spikego's figures only and says why.
package benchrun
