package nn

import (
	"fmt"

	"github.com/spikego/spikego/autograd"
)

// Flatten merges the dimensions StartDim..EndDim (inclusive; negative
// values count from the end) of its input into one, the counterpart of
// torch.nn.Flatten. NewFlatten gives PyTorch's defaults, StartDim 1 and
// EndDim -1, which turn [N, ...] into [N, prod(...)]. The result shares
// the input's storage.
type Flatten struct {
	StartDim, EndDim int
}

// NewFlatten returns a Flatten with StartDim 1 and EndDim -1.
func NewFlatten() *Flatten { return &Flatten{StartDim: 1, EndDim: -1} }

// Forward returns x with dimensions StartDim..EndDim merged. It is an
// error when either dimension is out of range for x or StartDim comes
// after EndDim.
func (f *Flatten) Forward(x *autograd.Var) (*autograd.Var, error) {
	if x == nil {
		return nil, fmt.Errorf("nn: %v: nil input", f)
	}
	shape := x.Shape()
	nd := len(shape)
	start, end := f.StartDim, f.EndDim
	if start < 0 {
		start += nd
	}
	if end < 0 {
		end += nd
	}
	if start < 0 || start >= nd || end < 0 || end >= nd || start > end {
		return nil, fmt.Errorf("nn: %v: dimensions out of range for input shape %v", f, shape)
	}
	merged := 1
	for _, d := range shape[start : end+1] {
		merged *= d
	}
	out := append(append(shape[:start:start], merged), shape[end+1:]...)
	return autograd.Reshape(x, out...), nil
}

// Params returns nil: Flatten has no parameters.
func (f *Flatten) Params() []NamedVar { return nil }

// Buffers returns nil: Flatten has no buffers.
func (f *Flatten) Buffers() []NamedTensor { return nil }

// SetTraining does nothing: Flatten behaves the same in both modes.
func (f *Flatten) SetTraining(bool) {}

// String describes the layer as PyTorch prints it.
func (f *Flatten) String() string {
	return fmt.Sprintf("Flatten(start_dim=%d, end_dim=%d)", f.StartDim, f.EndDim)
}
