package autograd_test

import (
	"errors"
	"slices"
	"testing"

	ag "github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// probe is y = a*b (+ c when the optional third input is given). It counts
// its calls and records NeedsInputGrad, and its Backward returns every
// gradient, wanted or not, so that the tape's filtering is tested too.
type probe struct {
	forwards, backwards int
	needs               []bool
	sawNil              []bool
	computed            []bool // which input gradients Backward computed
}

func (p *probe) Forward(ctx *ag.Context, in ...*tensor.Tensor) (*tensor.Tensor, error) {
	p.forwards++
	p.sawNil = make([]bool, len(in))
	for i, x := range in {
		p.sawNil[i] = x == nil
	}
	ctx.SaveForBackward(in[0], in[1])
	y, err := tensor.Mul(in[0], in[1])
	if err != nil {
		return nil, err
	}
	if len(in) > 2 && in[2] != nil {
		return tensor.Add(y, in[2])
	}
	return y, nil
}

func (p *probe) Backward(ctx *ag.Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
	p.backwards++
	n := 3
	p.needs = make([]bool, n)
	p.computed = make([]bool, n)
	for i := range p.needs {
		p.needs[i] = ctx.NeedsInputGrad(i)
	}
	a, b := ctx.Saved()[0], ctx.Saved()[1]
	gs := make([]*tensor.Tensor, n)
	if ctx.NeedsInputGrad(0) {
		gs[0] = must(tensor.Mul(g, b))
		p.computed[0] = true
	}
	if ctx.NeedsInputGrad(1) {
		gs[1] = must(tensor.Mul(g, a))
		p.computed[1] = true
	}
	if ctx.NeedsInputGrad(2) {
		gs[2] = g
		p.computed[2] = true
	}
	return gs, nil
}

func TestApplyNeedsInputGrad(t *testing.T) {
	a := ag.NewVar(tt([]float32{1, 2}), true)
	b := ag.Const(tt([]float32{3, 4}))
	c := ag.NewVar(tt([]float32{10, 20}), true)
	p := &probe{}
	y, err := ag.Apply(p, a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	checkExact(t, "forward", y.Value(), []float32{13, 28}, 2)
	if !y.RequiresGrad() || y.IsLeaf() {
		t.Errorf("output: RequiresGrad=%v IsLeaf=%v", y.RequiresGrad(), y.IsLeaf())
	}
	if err := ag.Backward(y, nil); err != nil {
		t.Fatal(err)
	}
	if p.backwards != 1 {
		t.Errorf("Backward called %d times, want 1", p.backwards)
	}
	if want := []bool{true, false, true}; !slices.Equal(p.needs, want) {
		t.Errorf("NeedsInputGrad = %v, want %v", p.needs, want)
	}
	if p.computed[1] {
		t.Errorf("gradient of the constant input was computed")
	}
	checkExact(t, "a.Grad", a.Grad(), []float32{3, 4}, 2)
	checkExact(t, "c.Grad", c.Grad(), []float32{1, 1}, 2)
	if b.Grad() != nil {
		t.Errorf("constant got grad %v", b.Grad())
	}
}

func TestApplyNothingRequiresGrad(t *testing.T) {
	p := &probe{}
	a, b := ag.Const(tt([]float32{1, 2})), ag.NewVar(tt([]float32{3, 4}), false)
	y, err := ag.Apply(p, a, b)
	if err != nil {
		t.Fatal(err)
	}
	if y.RequiresGrad() || !y.IsLeaf() {
		t.Errorf("output of constants: RequiresGrad=%v IsLeaf=%v", y.RequiresGrad(), y.IsLeaf())
	}
	// Using it next to a Var that requires grad never reaches p.Backward.
	x := ag.NewVar(tt([]float32{1, 1}), true)
	z := ag.Sum(ag.Mul(x, y))
	if err := ag.Backward(z, nil); err != nil {
		t.Fatal(err)
	}
	if p.backwards != 0 {
		t.Errorf("Backward of an unrecorded Function called %d times", p.backwards)
	}
	checkExact(t, "x.Grad", x.Grad(), []float32{3, 8}, 2)

	// A branch of the graph that requires no grad is not visited either.
	p2 := &probe{}
	k, _ := ag.Apply(p2, ag.Const(tt([]float32{2})), ag.Const(tt([]float32{5})))
	x.ZeroGrad()
	if err := ag.Backward(ag.Add(ag.Mul(x, x), k), nil); err != nil {
		t.Fatal(err)
	}
	if p2.backwards != 0 {
		t.Errorf("constant branch Backward called %d times", p2.backwards)
	}
}

func TestApplyOptionalNilInput(t *testing.T) {
	a := ag.NewVar(tt([]float32{1, 2}), true)
	b := ag.NewVar(tt([]float32{3, 4}), true)
	p := &probe{}
	y, err := ag.Apply(p, a, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{false, false, true}; !slices.Equal(p.sawNil, want) {
		t.Errorf("Forward saw nil inputs %v, want %v", p.sawNil, want)
	}
	checkExact(t, "forward", y.Value(), []float32{3, 8}, 2)
	if err := ag.Backward(y, tt([]float32{1, 2})); err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, true, false}; !slices.Equal(p.needs, want) {
		t.Errorf("NeedsInputGrad = %v, want %v", p.needs, want)
	}
	checkExact(t, "a.Grad", a.Grad(), []float32{3, 8}, 2)
	checkExact(t, "b.Grad", b.Grad(), []float32{1, 4}, 2)

	// Only nil and constant inputs: nothing is recorded.
	y, err = ag.Apply(&probe{}, ag.Const(tt([]float32{1})), ag.Const(tt([]float32{2})), nil)
	if err != nil || y.RequiresGrad() {
		t.Errorf("Apply on constants and nil: %v, %v", y, err)
	}
}

// fn adapts closures to Function for error-path tests.
type fn struct {
	fwd func(ctx *ag.Context, in ...*tensor.Tensor) (*tensor.Tensor, error)
	bwd func(ctx *ag.Context, g *tensor.Tensor) ([]*tensor.Tensor, error)
}

func (f fn) Forward(ctx *ag.Context, in ...*tensor.Tensor) (*tensor.Tensor, error) {
	return f.fwd(ctx, in...)
}

func (f fn) Backward(ctx *ag.Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
	return f.bwd(ctx, g)
}

func identity(ctx *ag.Context, in ...*tensor.Tensor) (*tensor.Tensor, error) {
	return in[0].Clone(), nil
}

func TestApplyErrors(t *testing.T) {
	x := ag.NewVar(tt([]float32{1, 2}), true)
	sentinel := errors.New("forward failed")

	_, err := ag.Apply(fn{fwd: func(*ag.Context, ...*tensor.Tensor) (*tensor.Tensor, error) { return nil, sentinel }}, x)
	if !errors.Is(err, sentinel) {
		t.Errorf("Forward error: got %v", err)
	}
	_, err = ag.Apply(fn{fwd: func(*ag.Context, ...*tensor.Tensor) (*tensor.Tensor, error) { return nil, nil }}, x)
	if err == nil {
		t.Errorf("Forward returning nil: no error")
	}

	bsentinel := errors.New("backward failed")
	y, err := ag.Apply(fn{fwd: identity, bwd: func(*ag.Context, *tensor.Tensor) ([]*tensor.Tensor, error) {
		return nil, bsentinel
	}}, x)
	if err != nil {
		t.Fatal(err)
	}
	if err := ag.Backward(ag.Sum(y), nil); !errors.Is(err, bsentinel) {
		t.Errorf("Backward error: got %v", err)
	}

	y, _ = ag.Apply(fn{fwd: identity, bwd: func(*ag.Context, *tensor.Tensor) ([]*tensor.Tensor, error) {
		return []*tensor.Tensor{tensor.New(3)}, nil
	}}, x)
	checkErrContains(t, ag.Backward(y, nil), "[3]", "[2]")

	// Fewer gradients than inputs, or nil ones, mean zero.
	x.ZeroGrad()
	w := ag.NewVar(tt([]float32{5, 5}), true)
	y, _ = ag.Apply(fn{fwd: identity, bwd: func(ctx *ag.Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
		return []*tensor.Tensor{g}, nil
	}}, x, w)
	if err := ag.Backward(y, nil); err != nil {
		t.Fatal(err)
	}
	checkExact(t, "x.Grad", x.Grad(), []float32{1, 1}, 2)
	if w.Grad() != nil {
		t.Errorf("input without a returned grad got %v", w.Grad())
	}

	// Context.Value carries state from Forward to Backward.
	x.ZeroGrad()
	y, _ = ag.Apply(fn{
		fwd: func(ctx *ag.Context, in ...*tensor.Tensor) (*tensor.Tensor, error) {
			ctx.Value = float32(7)
			if !ctx.AnyNeedsGrad() {
				t.Errorf("AnyNeedsGrad false for an input requiring grad")
			}
			return tensor.MulScalar(in[0], 7), nil
		},
		bwd: func(ctx *ag.Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
			return []*tensor.Tensor{tensor.MulScalar(g, ctx.Value.(float32))}, nil
		},
	}, x)
	if err := ag.Backward(y, nil); err != nil {
		t.Fatal(err)
	}
	checkExact(t, "Context.Value", x.Grad(), []float32{7, 7}, 2)
}
