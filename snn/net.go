package snn

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/node"
	"github.com/spikego/spikego/tensor"
)

// Net is a spiking network: layers in sequence, run for T time steps. It
// is an nn.Module whose Forward maps a batch to the last layer's outputs
// at every step.
type Net struct {
	seq      *nn.Sequential
	steps    int
	in       []int
	eval     bool
	monitor  *node.Monitor
	hasNodes bool
	// infer lends the layers' pools to Infer; the previous call's values
	// stay valid (for Spikes) until the next.
	infer *autograd.Scope
}

// New returns the network of layers, run for T steps on inputs whose
// samples have shape inputShape (for example [784] or [1, 28, 28]). It is
// an error when T < 1, a layer is nil, or inputShape is empty or not
// positive.
func New(T int, inputShape []int, layers ...nn.Module) (*Net, error) {
	if T < 1 {
		return nil, fmt.Errorf("snn: T must be at least 1, got %d", T)
	}
	if len(inputShape) == 0 {
		return nil, errors.New("snn: empty input shape")
	}
	for _, d := range inputShape {
		if d < 1 {
			return nil, fmt.Errorf("snn: input shape %v is not positive", inputShape)
		}
	}
	for i, l := range layers {
		if l == nil {
			return nil, fmt.Errorf("snn: layer %d is nil", i)
		}
	}
	n := &Net{seq: nn.NewSequential(layers...), steps: T, in: slices.Clone(inputShape), infer: autograd.NewScope()}
	n.monitor = node.NewMonitor(n.seq, false)
	n.hasNodes = len(n.monitor.Names()) > 0
	return n, nil
}

// Steps returns T.
func (n *Net) Steps() int { return n.steps }

// InputShape returns the shape of one input sample.
func (n *Net) InputShape() []int { return slices.Clone(n.in) }

// Layers returns the layers as a Sequential.
func (n *Net) Sequential() *nn.Sequential { return n.seq }

// Children returns the layers, named by their index as in a
// torch.nn.Sequential.
func (n *Net) Children() []nn.NamedModule { return n.seq.Children() }

// Params returns the parameters named as torch.nn.Sequential names them
// ("0.weight", "0.bias", ...).
func (n *Net) Params() []nn.NamedVar { return n.seq.Params() }

// Buffers returns the buffers (BatchNorm statistics, fixed node
// thresholds and surrogate alphas) named likewise.
func (n *Net) Buffers() []nn.NamedTensor { return n.seq.Buffers() }

// SetTraining switches every layer between training and evaluation.
func (n *Net) SetTraining(training bool) {
	n.eval = !training
	n.seq.SetTraining(training)
}

// Training reports whether the network is in training mode (the mode of
// a new Net).
func (n *Net) Training() bool { return !n.eval }

// Forward runs the network on x, either a static batch [B, ...] of inputs
// of the Net's input shape, presented at each of the T steps, or a
// sequence [T', B, ...] of T' steps (T' replaces T for this call). A
// batch whose samples have the right number of elements in another shape
// (an image [1,28,28] for an input shape [784]) is reshaped. It returns the
// last layer's outputs [T, B, ...] (or [B, ...] when no layer depends on
// time, a network without nodes). With a tape, the output lies in memory
// the layers recycle: it stays valid until the next Forward that follows
// a Backward through it (see autograd.Pool); Infer's result is the
// caller's.
func (n *Net) Forward(x *autograd.Var) (*autograd.Var, error) {
	if x == nil {
		return nil, errors.New("snn: nil input")
	}
	shape := x.Value().Shape()
	per := product(n.in)
	T, static, B := n.steps, true, 0
	switch {
	case len(shape) >= 1 && len(shape) != len(n.in)+2 && product(shape[1:]) == per:
		B = shape[0]
	case len(shape) == len(n.in)+2 && product(shape[2:]) == per:
		T, B, static = shape[0], shape[1], false
		if T < 1 {
			return nil, fmt.Errorf("snn: input of shape %v has no time steps", shape)
		}
	default:
		return nil, fmt.Errorf("snn: input of shape %v: want [B %s] or [T B %s]", shape, dims(n.in), dims(n.in))
	}
	if static {
		x = autograd.Reshape(x, append([]int{B}, n.in...)...)
	} else {
		x = autograd.Reshape(x, append([]int{T * B}, n.in...)...)
	}
	y, yStatic, err := n.seq.ForwardTime(x, T, static)
	if err != nil {
		return nil, fmt.Errorf("snn: %w", err)
	}
	if yStatic {
		return y, nil
	}
	ys := y.Value().Shape()
	return autograd.Reshape(y, append([]int{T, ys[0] / T}, ys[1:]...)...), nil
}

// Infer runs the network on x in evaluation mode without recording a
// gradient tape, and restores the previous mode. It returns the output
// as Forward does, in memory of its own. The layers' intermediate values
// reuse the memory of the previous call (an autograd.Scope), so the
// tensors of Spikes are valid until the next call.
func (n *Net) Infer(x *tensor.Tensor) (*tensor.Tensor, error) {
	wasTraining := n.Training()
	n.SetTraining(false)
	defer n.SetTraining(wasTraining)
	n.infer.Release()
	var out *tensor.Tensor
	err := autograd.NoGrad(func() error {
		y, err := n.Forward(n.infer.Const(x))
		if err != nil {
			return err
		}
		out = y.Value().Clone()
		return nil
	}, nn.ParamVars(n)...)
	return out, err
}

// Predict returns the class of each sample of x: the output unit with the
// highest mean over time (firing rate, or mean membrane potential),
// computed as Infer.
func (n *Net) Predict(x *tensor.Tensor) ([]int, error) {
	out, err := n.Infer(x)
	if err != nil {
		return nil, err
	}
	scores, err := Scores(out, n.hasNodes)
	if err != nil {
		return nil, err
	}
	return tensor.ArgMaxRows(scores)
}

// Scores returns the per-class scores of a network output: the mean over
// time of out [T,B,C] when temporal, else out [B,C] itself.
func Scores(out *tensor.Tensor, temporal bool) (*tensor.Tensor, error) {
	if !temporal {
		if out.Dims() != 2 {
			return nil, fmt.Errorf("snn: output of shape %v, want [B C]", out.Shape())
		}
		return out, nil
	}
	if out.Dims() != 3 {
		return nil, fmt.Errorf("snn: output of shape %v, want [T B C]", out.Shape())
	}
	return tensor.MeanAxis(out, 0, false)
}

// Temporal reports whether the output has a time axis: whether the network
// holds a node.
func (n *Net) Temporal() bool { return n.hasNodes }

// Layers returns a label for each node ("lif1", "lif2", ...), in order.
func (n *Net) Layers() []string { return n.monitor.Names() }

// FiringRates returns each node's fraction of neuron-steps that spiked
// since the last ResetStats, in the order of Layers.
func (n *Net) FiringRates() []float64 { return n.monitor.FiringRates() }

// ResetStats restarts the firing-rate counts.
func (n *Net) ResetStats() { n.monitor.Reset() }

// Spikes returns the spikes [T,B,...] of each node in the latest forward
// pass, in the order of Layers. They belong to the network and are
// overwritten by a later pass: copy what must outlive it.
func (n *Net) Spikes() []*tensor.Tensor { return n.monitor.Spikes() }

// String lists the layers, one per line, with their indices.
func (n *Net) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "snn.Net(T=%d, input %v)\n", n.steps, n.in)
	for i, m := range n.seq.Modules {
		fmt.Fprintf(&b, "  (%d) %v\n", i, describe(m))
	}
	return b.String()
}

func describe(m nn.Module) string {
	if s, ok := m.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%T", m)
}

func product(s []int) int {
	p := 1
	for _, d := range s {
		p *= d
	}
	return p
}

func dims(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return strings.Join(parts, " ")
}
