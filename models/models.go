package models

import (
	"fmt"

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

// newNode returns a node of cfg's kind with its options.
func newNode(cfg Config) (nn.Module, error) {
	kind := cfg.Node
	if kind == "" {
		kind = "LIFNode"
	}
	n, err := node.New(kind, cfg.NodeOptions...)
	if err != nil {
		return nil, fmt.Errorf("models: %w", err)
	}
	return n.(nn.Module), nil
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
	rng := nn.NewRand(cfg.Seed)
	lif1, err := newNode(cfg)
	if err != nil {
		return nil, err
	}
	lif2, err := newNode(cfg)
	if err != nil {
		return nil, err
	}
	return snn.New(cfg.T, []int{784},
		nn.NewLinear(784, 800, true, rng), lif1,
		nn.NewLinear(800, 10, true, rng), lif2)
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
	rng := nn.NewRand(cfg.Seed)
	conv1, err := nn.NewConv2d(1, 32, 3, 1, 1, true, rng)
	if err != nil {
		return nil, err
	}
	conv2, err := nn.NewConv2d(32, 32, 3, 1, 1, true, rng)
	if err != nil {
		return nil, err
	}
	fc := nn.NewLinear(32*7*7, 10, true, rng)
	var layers []nn.Module
	for _, l := range []func() (nn.Module, error){
		func() (nn.Module, error) { return conv1, nil },
		func() (nn.Module, error) { return nn.NewBatchNorm2d(32) },
		func() (nn.Module, error) { return newNode(cfg) },
		func() (nn.Module, error) { return nn.NewMaxPool2d(2, 2) },
		func() (nn.Module, error) { return conv2, nil },
		func() (nn.Module, error) { return nn.NewBatchNorm2d(32) },
		func() (nn.Module, error) { return newNode(cfg) },
		func() (nn.Module, error) { return nn.NewMaxPool2d(2, 2) },
		func() (nn.Module, error) { return nn.NewFlatten(), nil },
		func() (nn.Module, error) { return fc, nil },
		func() (nn.Module, error) { return newNode(cfg) },
	} {
		m, err := l()
		if err != nil {
			return nil, err
		}
		layers = append(layers, m)
	}
	return snn.New(cfg.T, []int{1, 28, 28}, layers...)
}

// Rates returns the firing rates [B, C] of a model's output [T, B, C]:
// its mean over time, the scores the reference models are trained on.
func Rates(out *autograd.Var) *autograd.Var { return autograd.MeanAxis(out, 0, false) }
