package nn

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spikego/spikego/autograd"
)

// Temporal is implemented by modules whose computation depends on the time
// structure of a spiking network's input: neuron nodes, which carry a
// membrane from step to step, and BatchNorm, which BrainCog applies
// separately at every step.
//
// A network runs T time steps of a batch of B samples at once. Between its
// layers a tensor is either temporal, [T·B, ...] (the batch of step 0,
// then that of step 1, ...), or static, [B, ...]: the same value at every
// step, as the input image of direct coding and whatever layers compute
// from it alone. Layers that are not Temporal compute the same function of
// every sample, so they run once on either form; a static tensor stays
// static until the first node, which integrates it at each of the T steps
// and makes it temporal. Layers before the first node thus run once instead
// of T times, with the gradient the sum over the steps.
type Temporal interface {
	Module
	// ForwardTime applies the module to x holding T time steps:
	// [T·B, ...], or [B, ...] when static. It returns the output and
	// whether it is static.
	ForwardTime(x *autograd.Var, T int, static bool) (y *autograd.Var, yStatic bool, err error)
}

// ForwardTime applies m to T time steps of x (see Temporal): through its
// ForwardTime if m is Temporal, else through Forward, once.
func ForwardTime(m Module, x *autograd.Var, T int, static bool) (*autograd.Var, bool, error) {
	if t, ok := m.(Temporal); ok {
		return t.ForwardTime(x, T, static)
	}
	y, err := m.Forward(x)
	return y, static, err
}

// NamedModule is a module with its name inside its parent.
type NamedModule struct {
	Name   string
	Module Module
}

// Container is implemented by modules built of other modules, so that
// their parts can be found (for monitors, and to set modes). Children
// returns the direct children with the names that prefix their state_dict
// entries.
type Container interface {
	Children() []NamedModule
}

// ErrSkip, returned by the function given to Walk, skips the children of
// the module just visited.
var ErrSkip = errors.New("nn: skip children")

// Walk calls fn for m and every module inside it, parents before
// children, with the module's path ("" for m, then "0", "0.1", ...: the
// prefix of its state_dict names). It stops at the first error fn
// returns, other than ErrSkip.
func Walk(m Module, fn func(path string, m Module) error) error {
	return walk("", m, fn)
}

func walk(path string, m Module, fn func(string, Module) error) error {
	err := fn(path, m)
	if errors.Is(err, ErrSkip) {
		return nil
	}
	if err != nil {
		return err
	}
	c, ok := m.(Container)
	if !ok {
		return nil
	}
	for _, ch := range c.Children() {
		p := ch.Name
		if path != "" {
			p = path + "." + ch.Name
		}
		if err := walk(p, ch.Module, fn); err != nil {
			return err
		}
	}
	return nil
}

// Children returns the modules with their indices as names.
func (s *Sequential) Children() []NamedModule {
	out := make([]NamedModule, len(s.Modules))
	for i, m := range s.Modules {
		out[i] = NamedModule{strconv.Itoa(i), m}
	}
	return out
}

// ForwardTime runs the modules in order over T time steps (see Temporal).
func (s *Sequential) ForwardTime(x *autograd.Var, T int, static bool) (*autograd.Var, bool, error) {
	var err error
	for i, m := range s.Modules {
		if x, static, err = ForwardTime(m, x, T, static); err != nil {
			return nil, false, fmt.Errorf("nn: sequential module %d: %w", i, err)
		}
	}
	return x, static, nil
}
