package optim_test

import (
	"fmt"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/optim"
	"github.com/spikego/spikego/tensor"
)

// Clip the gradients between the backward pass and the optimizer step, as
// torch.nn.utils.clip_grad_norm_ does (PyTorch prints the same numbers).
func ExampleClipGradNorm() {
	w := autograd.NewVar(tensor.New(2), true)
	b := autograd.NewVar(tensor.New(1), true)
	// loss = 3*w0 + 4*w1 + 12*b: gradients (3, 4) and (12), total 2-norm 13.
	c, _ := tensor.FromSlice([]float32{3, 4}, 2)
	loss := autograd.Add(autograd.Sum(autograd.Mul(w, autograd.Const(c))), autograd.Sum(autograd.MulScalar(b, 12)))
	if err := autograd.Backward(loss, nil); err != nil {
		panic(err)
	}

	total, err := optim.ClipGradNorm([]*autograd.Var{w, b}, 6.5, 2)
	if err != nil {
		panic(err)
	}
	fmt.Println("total norm", total)
	fmt.Printf("clipped %.6f %.6f\n", w.Grad().Data(), b.Grad().Data())

	if err := optim.ClipGradValue([]*autograd.Var{w, b}, 2); err != nil {
		panic(err)
	}
	fmt.Printf("then clamped to 2: %.6f %.6f\n", w.Grad().Data(), b.Grad().Data())
	// Output:
	// total norm 13
	// clipped [1.500000 2.000000] [6.000000]
	// then clamped to 2: [1.500000 2.000000] [2.000000]
}
