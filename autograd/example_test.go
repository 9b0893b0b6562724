package autograd_test

import (
	"fmt"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

func ExampleBackward() {
	// y = sum(w*x + b); dy/dw = x, dy/db = number of elements.
	xt, _ := tensor.FromSlice([]float32{1, 2, 3}, 3)
	wt, _ := tensor.FromSlice([]float32{0.5, -1, 2}, 3)
	x := autograd.Const(xt)
	w := autograd.NewVar(wt, true)
	b := autograd.NewVar(tensor.Scalar(0.25), true)

	y := autograd.Sum(autograd.Add(autograd.Mul(w, x), b))
	if err := autograd.Backward(y, nil); err != nil {
		panic(err)
	}
	fmt.Println(y.Value().Item())
	fmt.Println(w.Grad())
	fmt.Println(b.Grad())
	fmt.Println(x.Grad() == nil)
	// Output:
	// 5.25
	// Tensor[3][1 2 3]
	// Tensor[][3]
	// true
}

// cube is a custom differentiable operation: y = x³, dy/dx = 3x².
type cube struct{}

func (cube) Forward(ctx *autograd.Context, in ...*tensor.Tensor) (*tensor.Tensor, error) {
	ctx.SaveForBackward(in[0])
	return tensor.Map(in[0], func(x float32) float32 { return x * x * x }), nil
}

func (cube) Backward(ctx *autograd.Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
	if !ctx.NeedsInputGrad(0) {
		return []*tensor.Tensor{nil}, nil
	}
	x := ctx.Saved()[0]
	d := tensor.Map(x, func(x float32) float32 { return 3 * x * x })
	gx, err := tensor.Mul(g, d)
	return []*tensor.Tensor{gx}, err
}

func ExampleApply() {
	xt, _ := tensor.FromSlice([]float32{1, 2, -3}, 3)
	x := autograd.NewVar(xt, true)
	y, err := autograd.Apply(cube{}, x)
	if err != nil {
		panic(err)
	}
	if err := autograd.Backward(autograd.Sum(y), nil); err != nil {
		panic(err)
	}
	fmt.Println(y.Value())
	fmt.Println(x.Grad())
	// Output:
	// Tensor[3][1 8 -27]
	// Tensor[3][3 12 27]
}

func ExampleNoGrad() {
	wt, _ := tensor.FromSlice([]float32{2, 3}, 2)
	w := autograd.NewVar(wt, true) // a model parameter
	xt, _ := tensor.FromSlice([]float32{1, 1}, 2)
	x := autograd.Const(xt)

	var out *autograd.Var
	_ = autograd.NoGrad(func() error {
		out = autograd.Sum(autograd.Mul(w, x)) // inference: nothing recorded
		return nil
	}, w)
	fmt.Println(out.Value().Item(), out.RequiresGrad())
	fmt.Println(w.RequiresGrad()) // restored
	// Output:
	// 5 false
	// true
}
