package models

import (
	"fmt"
	"sort"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/node"
	"github.com/spikego/spikego/tensor"
)

// Model is a spiking network trained by backpropagation through time: an
// nn.Module whose Forward maps images [B, ...] to firing rates [B,
// classes], with the firing rates of its spiking layers on record.
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

// New builds the named model ("mlp" or "cnn").
func New(name string, cfg Config) (Model, error) {
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

// spiking is the part of a model that holds its nodes.
type spiking struct {
	names  []string
	nodes  []*node.BaseNode
	spikes []*tensor.Tensor
}

func (s *spiking) add(name string, cfg Config) (*node.BaseNode, error) {
	kindName := cfg.Node
	if kindName == "" {
		kindName = "LIFNode"
	}
	k, err := node.ParseKind(kindName)
	if err != nil {
		return nil, err
	}
	n, err := node.NewKind(k, cfg.NodeOptions...)
	if err != nil {
		return nil, fmt.Errorf("models: layer %s: %w", name, err)
	}
	s.names = append(s.names, name)
	s.nodes = append(s.nodes, n)
	return n, nil
}

func (s *spiking) Layers() []string { return append([]string(nil), s.names...) }

func (s *spiking) FiringRates() []float64 {
	r := make([]float64, len(s.nodes))
	for i, n := range s.nodes {
		r[i] = n.FiringRate()
	}
	return r
}

func (s *spiking) ResetStats() {
	for _, n := range s.nodes {
		n.ResetStats()
	}
}

func (s *spiking) Spikes() []*tensor.Tensor { return s.spikes }

// nodeParams returns the learnable node parameters (PLIF's w, a learnable
// threshold or alpha) named "<index>.<name>" by the node's position in the
// Sequential.
func (s *spiking) nodeParams(index map[*node.BaseNode]int) []nn.NamedVar {
	var out []nn.NamedVar
	for _, n := range s.nodes {
		for _, p := range n.Params() {
			out = append(out, nn.NamedVar{Name: fmt.Sprintf("%d.%s", index[n], p.Name), Var: p.Var})
		}
	}
	return out
}

// sortParams orders parameters by their Sequential index, as PyTorch's
// state_dict lists them.
func sortParams(ps []nn.NamedVar) []nn.NamedVar {
	sort.SliceStable(ps, func(i, j int) bool { return seqIndex(ps[i].Name) < seqIndex(ps[j].Name) })
	return ps
}

func seqIndex(name string) int {
	v := 0
	for _, c := range name {
		if c < '0' || c > '9' {
			break
		}
		v = v*10 + int(c-'0')
	}
	return v
}

// meanOverTime returns the mean of s [T,B,C] over the time axis: [B,C].
func meanOverTime(s *autograd.Var) *autograd.Var {
	return autograd.MeanAxis(s, 0, false)
}

func reshape(v *autograd.Var, shape ...int) (*autograd.Var, error) {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if n != v.Value().Len() {
		return nil, fmt.Errorf("models: cannot reshape %v to %v", v.Shape(), shape)
	}
	return autograd.Reshape(v, shape...), nil
}
