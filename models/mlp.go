package models

import (
	"fmt"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/node"
)

// MLP is the reference model "mlp": 784 -> Linear -> 800 LIF -> Linear ->
// 10 LIF, T = 8 steps of the same input, output the mean firing rate of
// the 10 output neurons. As a torch.nn.Sequential its layers are
// 0: Linear(784, 800), 1: LIFNode, 2: Linear(800, 10), 3: LIFNode.
type MLP struct {
	spiking
	T        int
	FC1, FC2 *nn.Linear
	LIF1     *node.BaseNode
	LIF2     *node.BaseNode
}

// NewMLP builds the MLP with PyTorch's default initialisation from
// cfg.Seed.
func NewMLP(cfg Config) (*MLP, error) {
	if cfg.T == 0 {
		cfg.T = 8
	}
	if cfg.T < 1 {
		return nil, fmt.Errorf("models: mlp needs T >= 1, got %d", cfg.T)
	}
	rng := nn.NewRand(cfg.Seed)
	m := &MLP{T: cfg.T}
	m.FC1 = nn.NewLinear(784, 800, true, rng)
	m.FC2 = nn.NewLinear(800, 10, true, rng)
	var err error
	if m.LIF1, err = m.add("lif1", cfg); err != nil {
		return nil, err
	}
	if m.LIF2, err = m.add("lif2", cfg); err != nil {
		return nil, err
	}
	return m, nil
}

// Steps returns T.
func (m *MLP) Steps() int { return m.T }

// InputShape returns [784].
func (m *MLP) InputShape() []int { return []int{784} }

// Forward maps x [B,784] (or [B,1,28,28]) to firing rates [B,10].
func (m *MLP) Forward(x *autograd.Var) (*autograd.Var, error) {
	shape := x.Shape()
	if len(shape) < 1 {
		return nil, fmt.Errorf("models: mlp input of shape %v", shape)
	}
	B := shape[0]
	x, err := reshape(x, B, 784)
	if err != nil {
		return nil, err
	}
	// fc1(x) is the same at every step: compute it once.
	h, err := m.FC1.Forward(x)
	if err != nil {
		return nil, err
	}
	s1, err := m.LIF1.ForwardRepeat(h, m.T) // [T,B,800]
	if err != nil {
		return nil, err
	}
	flat, err := reshape(s1, m.T*B, 800)
	if err != nil {
		return nil, err
	}
	z, err := m.FC2.Forward(flat) // [T*B,10]
	if err != nil {
		return nil, err
	}
	z, err = reshape(z, m.T, B, 10)
	if err != nil {
		return nil, err
	}
	s2, err := m.LIF2.Forward(z)
	if err != nil {
		return nil, err
	}
	m.spikes = append(m.spikes[:0], s1.Value(), s2.Value())
	return meanOverTime(s2), nil
}

func (m *MLP) index() map[*node.BaseNode]int {
	return map[*node.BaseNode]int{m.LIF1: 1, m.LIF2: 3}
}

// Params returns the parameters named as torch.nn.Sequential would:
// "0.weight", "0.bias", "2.weight", "2.bias" (and learnable node
// parameters such as "1.w" for PLIF nodes).
func (m *MLP) Params() []nn.NamedVar {
	var ps []nn.NamedVar
	for _, p := range m.FC1.Params() {
		ps = append(ps, nn.NamedVar{Name: "0." + p.Name, Var: p.Var})
	}
	for _, p := range m.FC2.Params() {
		ps = append(ps, nn.NamedVar{Name: "2." + p.Name, Var: p.Var})
	}
	return sortParams(append(ps, m.nodeParams(m.index())...))
}

// Buffers returns nothing: the MLP has no buffers.
func (m *MLP) Buffers() []nn.NamedTensor { return nil }

// SetTraining has no effect on the MLP's layers (none behaves differently
// in evaluation).
func (m *MLP) SetTraining(bool) {}
