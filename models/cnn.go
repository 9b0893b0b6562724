package models

import (
	"fmt"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/node"
)

// CNN is the reference model "cnn": two blocks conv3x3 -> BatchNorm2d ->
// LIF -> MaxPool2, then Linear(32*7*7 -> 10) -> LIF, T = 4 steps of the
// same input, output the mean firing rate of the 10 output neurons.
// BatchNorm runs separately at every time step, with its own batch
// statistics, as in BrainCog. As a torch.nn.Sequential its layers are
// 0: Conv2d(1,32), 1: BatchNorm2d(32), 2: LIFNode, 3: MaxPool2d,
// 4: Conv2d(32,32), 5: BatchNorm2d(32), 6: LIFNode, 7: MaxPool2d,
// 8: Flatten, 9: Linear(1568,10), 10: LIFNode.
type CNN struct {
	spiking
	T            int
	Conv1, Conv2 *nn.Conv2d
	BN1, BN2     *nn.BatchNorm2d
	Pool         *nn.MaxPool2d
	FC           *nn.Linear
	LIF1         *node.BaseNode
	LIF2         *node.BaseNode
	LIF3         *node.BaseNode
}

// NewCNN builds the CNN with PyTorch's default initialisation from
// cfg.Seed.
func NewCNN(cfg Config) (*CNN, error) {
	if cfg.T == 0 {
		cfg.T = 4
	}
	if cfg.T < 1 {
		return nil, fmt.Errorf("models: cnn needs T >= 1, got %d", cfg.T)
	}
	rng := nn.NewRand(cfg.Seed)
	m := &CNN{T: cfg.T}
	var err error
	if m.Conv1, err = nn.NewConv2d(1, 32, 3, 1, 1, true, rng); err != nil {
		return nil, err
	}
	if m.Conv2, err = nn.NewConv2d(32, 32, 3, 1, 1, true, rng); err != nil {
		return nil, err
	}
	m.FC = nn.NewLinear(32*7*7, 10, true, rng)
	if m.BN1, err = nn.NewBatchNorm2d(32); err != nil {
		return nil, err
	}
	// BN1 sees the same input at every step: normalise it once, updating
	// the running statistics T times as T calls would.
	if err = m.BN1.SetRepeat(m.T); err != nil {
		return nil, err
	}
	if m.BN2, err = nn.NewBatchNorm2d(32); err != nil {
		return nil, err
	}
	if err = m.BN2.SetTimeSteps(m.T); err != nil {
		return nil, err
	}
	if m.Pool, err = nn.NewMaxPool2d(2, 2); err != nil {
		return nil, err
	}
	for _, l := range []struct {
		name string
		dst  **node.BaseNode
	}{{"lif1", &m.LIF1}, {"lif2", &m.LIF2}, {"lif3", &m.LIF3}} {
		if *l.dst, err = m.add(l.name, cfg); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Steps returns T.
func (m *CNN) Steps() int { return m.T }

// InputShape returns [1,28,28].
func (m *CNN) InputShape() []int { return []int{1, 28, 28} }

// Forward maps x [B,1,28,28] (or [B,784]) to firing rates [B,10].
func (m *CNN) Forward(x *autograd.Var) (*autograd.Var, error) {
	shape := x.Shape()
	if len(shape) < 1 {
		return nil, fmt.Errorf("models: cnn input of shape %v", shape)
	}
	B, T := shape[0], m.T
	x, err := reshape(x, B, 1, 28, 28)
	if err != nil {
		return nil, err
	}
	// conv1(x), and so BN1(conv1(x)), is the same at every step: compute
	// it once (BN1 counts it T times in its running statistics) and let
	// LIF1 integrate it at each of the T steps; the gradient is the sum
	// over the steps, as T separate computations would give.
	c1, err := m.Conv1.Forward(x)
	if err != nil {
		return nil, err
	}
	b1, err := m.BN1.Forward(c1)
	if err != nil {
		return nil, err
	}
	st, err := m.LIF1.ForwardRepeat(b1, T) // [T,B,32,28,28]
	if err != nil {
		return nil, err
	}
	s1, err := reshape(st, T*B, 32, 28, 28)
	if err != nil {
		return nil, err
	}
	p1, err := m.Pool.Forward(s1) // [T*B,32,14,14]
	if err != nil {
		return nil, err
	}
	c2, err := m.Conv2.Forward(p1)
	if err != nil {
		return nil, err
	}
	b2, err := m.BN2.Forward(c2)
	if err != nil {
		return nil, err
	}
	s2, err := m.spike(m.LIF2, b2, T, B, 32, 14, 14)
	if err != nil {
		return nil, err
	}
	p2, err := m.Pool.Forward(s2) // [T*B,32,7,7]
	if err != nil {
		return nil, err
	}
	flat, err := reshape(p2, T*B, 32*7*7)
	if err != nil {
		return nil, err
	}
	z, err := m.FC.Forward(flat)
	if err != nil {
		return nil, err
	}
	z, err = reshape(z, T, B, 10)
	if err != nil {
		return nil, err
	}
	s3, err := m.LIF3.Forward(z)
	if err != nil {
		return nil, err
	}
	m.spikes = append(m.spikes[:0], s1.Value(), s2.Value(), s3.Value())
	return meanOverTime(s3), nil
}

// spike runs a node over x [T*B,C,H,W] viewed as [T,B,C,H,W] and returns
// the spikes as [T*B,C,H,W].
func (m *CNN) spike(n *node.BaseNode, x *autograd.Var, T, B, C, H, W int) (*autograd.Var, error) {
	v, err := reshape(x, T, B, C, H, W)
	if err != nil {
		return nil, err
	}
	s, err := n.Forward(v)
	if err != nil {
		return nil, err
	}
	return reshape(s, T*B, C, H, W)
}

func (m *CNN) index() map[*node.BaseNode]int {
	return map[*node.BaseNode]int{m.LIF1: 2, m.LIF2: 6, m.LIF3: 10}
}

// Params returns the parameters with torch.nn.Sequential names ("0.weight",
// "1.weight", "1.bias", "4.weight", ..., "9.bias").
func (m *CNN) Params() []nn.NamedVar {
	var ps []nn.NamedVar
	add := func(i int, mod nn.Module) {
		for _, p := range mod.Params() {
			ps = append(ps, nn.NamedVar{Name: fmt.Sprintf("%d.%s", i, p.Name), Var: p.Var})
		}
	}
	add(0, m.Conv1)
	add(1, m.BN1)
	add(4, m.Conv2)
	add(5, m.BN2)
	add(9, m.FC)
	return sortParams(append(ps, m.nodeParams(m.index())...))
}

// Buffers returns the BatchNorm running statistics ("1.running_mean",
// "1.running_var", "1.num_batches_tracked", "5.running_mean", ...).
func (m *CNN) Buffers() []nn.NamedTensor {
	var out []nn.NamedTensor
	for _, l := range []struct {
		i  int
		bn *nn.BatchNorm2d
	}{{1, m.BN1}, {5, m.BN2}} {
		for _, b := range l.bn.Buffers() {
			out = append(out, nn.NamedTensor{Name: fmt.Sprintf("%d.%s", l.i, b.Name), Tensor: b.Tensor})
		}
	}
	return out
}

// SetTraining switches the BatchNorm layers between batch statistics
// (training) and running statistics (evaluation).
func (m *CNN) SetTraining(training bool) {
	m.BN1.SetTraining(training)
	m.BN2.SetTraining(training)
}
