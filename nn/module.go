package nn

import (
	"fmt"
	"strconv"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// Module is a layer or a network: a differentiable function of its input
// with named parameters and, for some layers, named buffers (state that is
// saved in checkpoints but not trained, such as BatchNorm's running
// statistics).
type Module interface {
	// Forward applies the module to x. Shape errors are returned, with
	// the shapes in the message.
	Forward(x *autograd.Var) (*autograd.Var, error)
	// Params returns the trainable parameters, named as PyTorch's
	// state_dict names them ("weight", "bias"; "0.weight" inside a
	// Sequential), in a fixed order.
	Params() []NamedVar
	// Buffers returns the non-trainable state, named likewise
	// ("running_mean", "running_var", "num_batches_tracked").
	Buffers() []NamedTensor
	// SetTraining switches between training mode (true: batch
	// statistics, dropout active) and evaluation mode.
	SetTraining(training bool)
}

// NamedVar is a parameter with its state_dict name.
type NamedVar struct {
	Name string
	Var  *autograd.Var
}

// NamedTensor is a buffer with its state_dict name.
type NamedTensor struct {
	Name   string
	Tensor *tensor.Tensor
}

// ParamVars returns the Vars of m's parameters, the list an optimizer
// takes.
func ParamVars(m Module) []*autograd.Var {
	ps := m.Params()
	vs := make([]*autograd.Var, len(ps))
	for i, p := range ps {
		vs[i] = p.Var
	}
	return vs
}

// StateDict returns every parameter value and buffer of m by name, the
// counterpart of PyTorch's state_dict (tensors are shared, not copied).
func StateDict(m Module) []NamedTensor {
	var out []NamedTensor
	for _, p := range m.Params() {
		out = append(out, NamedTensor{p.Name, p.Var.Value()})
	}
	return append(out, m.Buffers()...)
}

// LoadStateDict copies the tensors of sd into m's parameters and buffers
// of the same name. Every entry of m must be present with the same shape,
// and sd must hold nothing else; all of this is checked before anything
// is copied, so on error m is unchanged.
func LoadStateDict(m Module, sd map[string]*tensor.Tensor) error {
	own := StateDict(m)
	for _, e := range own {
		src, ok := sd[e.Name]
		if !ok {
			return fmt.Errorf("nn: state dict lacks %q", e.Name)
		}
		if !src.SameShape(e.Tensor) {
			return fmt.Errorf("nn: %q has shape %v, module wants %v", e.Name, src.Shape(), e.Tensor.Shape())
		}
	}
	if len(own) != len(sd) {
		return fmt.Errorf("nn: state dict has %d entries, module has %d", len(sd), len(own))
	}
	for _, e := range own {
		if err := e.Tensor.CopyFrom(sd[e.Name]); err != nil {
			return fmt.Errorf("nn: %q: %w", e.Name, err)
		}
	}
	return nil
}

// Sequential chains modules: the output of each is the input of the next.
// Parameter and buffer names are prefixed with the module's index, as in
// torch.nn.Sequential.
type Sequential struct {
	Modules []Module
}

// NewSequential returns the chain of mods.
func NewSequential(mods ...Module) *Sequential { return &Sequential{Modules: mods} }

// Forward runs the modules in order.
func (s *Sequential) Forward(x *autograd.Var) (*autograd.Var, error) {
	var err error
	for i, m := range s.Modules {
		if x, err = m.Forward(x); err != nil {
			return nil, fmt.Errorf("nn: sequential module %d: %w", i, err)
		}
	}
	return x, nil
}

// Params returns the modules' parameters named "<index>.<name>".
func (s *Sequential) Params() []NamedVar {
	var out []NamedVar
	for i, m := range s.Modules {
		for _, p := range m.Params() {
			out = append(out, NamedVar{strconv.Itoa(i) + "." + p.Name, p.Var})
		}
	}
	return out
}

// Buffers returns the modules' buffers named "<index>.<name>".
func (s *Sequential) Buffers() []NamedTensor {
	var out []NamedTensor
	for i, m := range s.Modules {
		for _, b := range m.Buffers() {
			out = append(out, NamedTensor{strconv.Itoa(i) + "." + b.Name, b.Tensor})
		}
	}
	return out
}

// SetTraining sets the mode of every module.
func (s *Sequential) SetTraining(training bool) {
	for _, m := range s.Modules {
		m.SetTraining(training)
	}
}
