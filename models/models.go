package models

import (
	"fmt"

	"github.com/spikego/spikego/arch"
	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/node"
	"github.com/spikego/spikego/snn"
	"github.com/spikego/spikego/tensor"
)

// Model is a spiking network trained by backpropagation through time: an
// nn.Module whose Forward maps images [B, ...] to the outputs of its last
// layer at every time step [T, B, classes], with the firing rates and
// spikes of its nodes on record. *snn.Net implements it.
type Model interface {
	nn.Module
	// Steps returns the number of time steps T.
	Steps() int
	// InputShape returns the shape of one input sample.
	InputShape() []int
	// Layers returns the spiking layers' names, in order.
	Layers() []string
	// FiringRates returns each spiking layer's fraction of neuron-steps
	// that spiked since ResetStats, in the order of Layers.
	FiringRates() []float64
	// ResetStats restarts the firing-rate counts.
	ResetStats()
	// Spikes returns the spikes [T,B,...] of each spiking layer in the
	// last Forward, in the order of Layers (for raster plots).
	Spikes() []*tensor.Tensor
}

var _ Model = (*snn.Net)(nil)

// Config chooses a model's neurons and time steps; zero values take the
// reference definition's settings.
type Config struct {
	// T is the number of time steps (MLP: 8, CNN: 4).
	T int
	// Node is the node kind by BrainCog's name (default "LIFNode").
	Node string
	// NodeOptions are applied to every spiking layer (for example
	// node.WithSurrogate("AtanGrad")).
	NodeOptions []node.Option
	// Seed seeds the weight initialisation.
	Seed uint64
}

// Names lists the models New builds.
func Names() []string { return []string{"cnn", "mlp"} }

// New builds the named model ("mlp" or "cnn") as an *snn.Net.
func New(name string, cfg Config) (*snn.Net, error) {
	switch name {
	case "mlp":
		return NewMLP(cfg)
	case "cnn":
		return NewCNN(cfg)
	}
	return nil, fmt.Errorf("models: unknown model %q (known: %v)", name, Names())
}

// DefaultSteps returns the reference definition's T for the named model.
func DefaultSteps(name string) int {
	if name == "cnn" {
		return 4
	}
	return 8
}

// Specs of the reference models in the grammar of package arch; "node"
// is the kind Config.Node chooses.
const (
	// MLPSpec is the reference model "mlp".
	MLPSpec = "linear(800) node linear(10) node"
	// CNNSpec is the reference model "cnn".
	CNNSpec = "conv(32,3,pad=1) bn node maxpool(2) conv(32,3,pad=1) bn node maxpool(2) flatten linear(10) node"
)

// Spec returns the arch spec of the named reference model, or "" if there
// is none.
func Spec(name string) string {
	switch name {
	case "mlp":
		return MLPSpec
	case "cnn":
		return CNNSpec
	}
	return ""
}

// Build builds a network from an arch spec for Fashion-MNIST images
// ([1,28,28]) with cfg's T, node kind, node options and seed (T defaults
// to 8).
func Build(spec string, cfg Config) (*snn.Net, error) {
	if cfg.T == 0 {
		cfg.T = 8
	}
	return arch.BuildString(spec, arch.Options{T: cfg.T, InputShape: []int{1, 28, 28}, Seed: cfg.Seed, Node: cfg.Node, NodeOptions: cfg.NodeOptions})
}

// NewMLP builds the reference model "mlp" with PyTorch's default
// initialisation from cfg.Seed: 784 -> Linear -> 800 LIF -> Linear -> 10
// LIF, T = 8 steps of the same input. As a torch.nn.Sequential its layers
// are 0: Linear(784, 800), 1: LIFNode, 2: Linear(800, 10), 3: LIFNode.
func NewMLP(cfg Config) (*snn.Net, error) {
	if cfg.T == 0 {
		cfg.T = 8
	}
	if cfg.T < 1 {
		return nil, fmt.Errorf("models: mlp needs T >= 1, got %d", cfg.T)
	}
	return Build(MLPSpec, cfg)
}

// NewCNN builds the reference model "cnn" with PyTorch's default
// initialisation from cfg.Seed: two blocks conv3x3 -> BatchNorm2d -> LIF ->
// MaxPool2, then Linear(32*7*7 -> 10) -> LIF, T = 4 steps of the same
// input. BatchNorm runs separately at every time step, with its own batch
// statistics, as in BrainCog. As a torch.nn.Sequential its layers are 0:
// Conv2d(1,32), 1: BatchNorm2d(32), 2: LIFNode, 3: MaxPool2d, 4:
// Conv2d(32,32), 5: BatchNorm2d(32), 6: LIFNode, 7: MaxPool2d, 8: Flatten,
// 9: Linear(1568,10), 10: LIFNode.
func NewCNN(cfg Config) (*snn.Net, error) {
	if cfg.T == 0 {
		cfg.T = 4
	}
	if cfg.T < 1 {
		return nil, fmt.Errorf("models: cnn needs T >= 1, got %d", cfg.T)
	}
	return Build(CNNSpec, cfg)
}

// Rates returns the firing rates [B, C] of a model's output [T, B, C]:
// its mean over time, the scores the reference models are trained on.
func Rates(out *autograd.Var) *autograd.Var { return autograd.MeanAxis(out, 0, false) }
