// Package viz draws figures of spikego's functions and of training runs
// with gonum.org/v1/plot and writes them as PNG images.
//
// SurrogateFigure draws the surrogate spike functions of package
// surrogate, one panel each: the forward spike S(x), with its jumps drawn
// as such (a filled dot marks the value taken at the jump, an open dot the
// limit that is not taken), the primitive g(x) where the function has
// one, and the surrogate gradient g'(x) that the backward pass uses in
// place of dS/dx.
//
// LearningCurves draws the loss and the accuracies of a training run per
// epoch, from plain EpochPoint values; TrainingCurves adds the training
// loss and accuracy of each window of batches (WindowPoint), so that a
// run of one epoch shows its course. SpikeRaster draws spike rasters
// (time step against neuron, a mark per spike) of layers, from plain
// RasterPanel values; layers of more than RasterMaxNeurons neurons are
// subsampled uniformly, the neurons of an output layer may be named by
// class and one of them (the prediction) highlighted.
//
// The package keeps no state of its own: every call builds its figure
// from its arguments alone, so calls may run concurrently.
package viz
