// Package arch defines spiking networks in one line of text, for the
// command line (spikego train --arch SPEC) and for checkpoints, which
// record the line so that a model can be rebuilt from its file.
//
// # Grammar
//
// A spec is a sequence of layers, separated by spaces, commas or "->":
//
//	spec  = layer { [ "," | "->" ] layer }
//	layer = name [ "(" [ arg { "," arg } ] ")" ]
//	arg   = value | key "=" value
//	value = number | word
//
// Names and keys are case-insensitive. Positional arguments come first,
// in the order listed:
//
//	linear(out, bias=true)                          nn.Linear; in features inferred
//	conv(out, kernel, stride=1, pad=0, bias=true)   nn.Conv2d; in channels inferred (also conv2d)
//	bn                                              BatchNorm2d after a conv, BatchNorm1d after a linear (also batchnorm)
//	maxpool(kernel, stride=kernel)                  nn.MaxPool2d
//	avgpool(kernel, stride=kernel, pad=0)           nn.AvgPool2d
//	flatten                                         nn.Flatten
//	dropout(p)                                      nn.Dropout
//	node(opts)                                      a neuron node of the default kind (LIFNode unless the builder says otherwise)
//	LIFNode(opts) IFNode(opts) PLIFNode(opts) LIFSTDPNode(opts)
//	lif(opts) if(opts) plif(opts) lifstdp(opts)     the same, short
//
// where a node's opts are keys only: threshold, tau, dt, v_reset, alpha
// (numbers), surrogate (a name of package surrogate), detach (mem_detach),
// learn_threshold, nonspiking (true or false).
//
// Examples, the two reference models:
//
//	mlp  linear(800) node linear(10) node
//	cnn  conv(32,3,pad=1) bn node maxpool(2) conv(32,3,pad=1) bn node maxpool(2) flatten linear(10) node
//
// and a network of one's own:
//
//	conv(16,5,pad=2) bn plif(tau=3) avgpool(2) flatten dropout(0.2) linear(10) lif(surrogate=AtanGrad)
//
// Shapes are inferred from the input ([1,28,28] for Fashion-MNIST); a
// network that starts with a linear layer takes the input flattened. Every
// layer is one entry of a torch.nn.Sequential, so its parameters are named
// by its position ("0.weight", "2.threshold", ...).
//
// Errors say what is wrong and where, by column, with a caret under the
// spot:
//
//	arch: column 12: conv needs 2 arguments (out, kernel), got 1
//	  conv(32) bn lif
//	  ^
package arch
