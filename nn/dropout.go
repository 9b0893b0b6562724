package nn

import (
	"fmt"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// Dropout is inverted dropout, the counterpart of torch.nn.Dropout. In
// training mode (the mode of a new Dropout, as in PyTorch) each element
// of the input is zeroed with probability p and the survivors are scaled
// by 1/(1-p), so the expected value of every element is unchanged; in
// evaluation mode Forward returns its input as is. The mask is drawn from
// the Rand given to NewDropout, so runs with the same seed repeat.
//
// A Dropout is not safe for concurrent use: its Rand is not.
type Dropout struct {
	p        float32
	rng      *Rand
	training bool
}

// NewDropout returns a Dropout layer in training mode that drops elements
// with probability p, drawing its masks from rng. It is an error when p is
// not in [0, 1), or when rng is nil and p > 0.
func NewDropout(p float32, rng *Rand) (*Dropout, error) {
	if !(p >= 0 && p < 1) {
		return nil, fmt.Errorf("nn: dropout probability %v is outside [0, 1)", p)
	}
	if rng == nil && p > 0 {
		return nil, fmt.Errorf("nn: dropout with p=%v needs a *Rand, got nil", p)
	}
	return &Dropout{p: p, rng: rng, training: true}, nil
}

// P returns the drop probability.
func (d *Dropout) P() float32 { return d.p }

// Training reports whether d is in training mode.
func (d *Dropout) Training() bool { return d.training }

// Forward applies dropout to x in training mode and returns x unchanged in
// evaluation mode or when p is 0. Any shape is accepted.
func (d *Dropout) Forward(x *autograd.Var) (*autograd.Var, error) {
	if x == nil {
		return nil, fmt.Errorf("nn: Dropout(p=%v): nil input", d.p)
	}
	if !d.training || d.p == 0 {
		return x, nil
	}
	y, err := autograd.Apply(&dropoutFunc{p: d.p, rng: d.rng}, x)
	if err != nil {
		return nil, fmt.Errorf("nn: Dropout(p=%v): %w", d.p, err)
	}
	return y, nil
}

// Rand returns the generator of the masks (nil when p is 0 and none was
// given).
func (d *Dropout) Rand() *Rand { return d.rng }

// Params returns nil: Dropout has no parameters.
func (d *Dropout) Params() []NamedVar { return nil }

// Buffers returns nil: Dropout has no buffers.
func (d *Dropout) Buffers() []NamedTensor { return nil }

// SetTraining switches between training (dropout active) and evaluation
// (identity).
func (d *Dropout) SetTraining(training bool) { d.training = training }

// String describes the layer as PyTorch prints it.
func (d *Dropout) String() string { return fmt.Sprintf("Dropout(p=%v)", d.p) }

// dropoutFunc multiplies its input by a fresh mask of 0 and 1/(1-p). The
// mask is kept for Backward only when the input needs a gradient.
type dropoutFunc struct {
	p   float32
	rng *Rand
}

func (f *dropoutFunc) Forward(ctx *autograd.Context, inputs ...*tensor.Tensor) (*tensor.Tensor, error) {
	x := inputs[0]
	scale := 1 / (1 - f.p)
	p := float64(f.p)
	y := tensor.New(x.Shape()...)
	xd, yd := x.Data(), y.Data()
	var md []float32
	if ctx.AnyNeedsGrad() {
		mask := tensor.New(x.Shape()...)
		md = mask.Data()
		ctx.SaveForBackward(mask)
	}
	for i, v := range xd {
		if f.rng.Float64() < p {
			continue // dropped: y and mask stay 0
		}
		yd[i] = v * scale
		if md != nil {
			md[i] = scale
		}
	}
	return y, nil
}

// FreshGrads marks Backward as returning fresh, unshared gradients
// (see autograd.FreshGrads).
func (*dropoutFunc) FreshGrads() {}

func (f *dropoutFunc) Backward(ctx *autograd.Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
	gx, err := tensor.Mul(g, ctx.Saved()[0])
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{gx}, nil
}
