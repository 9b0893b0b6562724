package optim_test

import (
	"fmt"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/optim"
	"github.com/spikego/spikego/tensor"
)

// Minimise (w - 3)^2 with gradient descent and momentum (PyTorch prints the
// same values).
func ExampleNewSGD() {
	w := autograd.NewVar(tensor.Scalar(0), true)
	opt, err := optim.NewSGD([]*autograd.Var{w}, optim.SGDOptions{LR: 0.1, Momentum: 0.5})
	if err != nil {
		panic(err)
	}
	for step := 1; step <= 30; step++ {
		opt.ZeroGrad()
		loss := autograd.Square(autograd.AddScalar(w, -3))
		if err := autograd.Backward(loss, nil); err != nil {
			panic(err)
		}
		if err := opt.Step(); err != nil {
			panic(err)
		}
		if step%10 == 0 {
			fmt.Printf("step %d: w = %.4f\n", step, w.Value().Item())
		}
	}
	// Output:
	// step 10: w = 3.0976
	// step 20: w = 2.9992
	// step 30: w = 2.9999
}

// Fit y = 2x + 1 with Adam and a cosine learning-rate schedule.
func ExampleNewAdam() {
	x, _ := tensor.FromSlice([]float32{-1, 0, 1, 2}, 4, 1)
	y, _ := tensor.FromSlice([]float32{-1, 1, 3, 5}, 4, 1)
	w := autograd.NewVar(tensor.New(1, 1), true)
	b := autograd.NewVar(tensor.New(1), true)

	opts := optim.DefaultAdam()
	opts.LR = 0.1
	opt, err := optim.NewAdam([]*autograd.Var{w, b}, opts)
	if err != nil {
		panic(err)
	}
	sched, err := optim.NewCosineAnnealingLR(opt, 300, 0.001)
	if err != nil {
		panic(err)
	}
	for epoch := 0; epoch < 300; epoch++ {
		opt.ZeroGrad()
		pred := autograd.Add(autograd.MatMul(autograd.Const(x), w), b)
		loss := autograd.Mean(autograd.Square(autograd.Sub(pred, autograd.Const(y))))
		if err := autograd.Backward(loss, nil); err != nil {
			panic(err)
		}
		if err := opt.Step(); err != nil {
			panic(err)
		}
		sched.Step()
	}
	fmt.Printf("w = %.3f, b = %.3f, final lr = %g\n", w.Value().Item(), b.Value().Item(), opt.LR())
	// Output:
	// w = 2.000, b = 1.000, final lr = 0.001
}

func ExampleNewStepLR() {
	w := autograd.NewVar(tensor.Scalar(1), true)
	opt, _ := optim.NewSGD([]*autograd.Var{w}, optim.SGDOptions{LR: 0.1})
	sched, _ := optim.NewStepLR(opt, 2, 0.5)
	for epoch := 0; epoch < 6; epoch++ {
		fmt.Printf("epoch %d: lr %g\n", epoch, opt.LR())
		sched.Step()
	}
	// Output:
	// epoch 0: lr 0.1
	// epoch 1: lr 0.1
	// epoch 2: lr 0.05
	// epoch 3: lr 0.05
	// epoch 4: lr 0.025
	// epoch 5: lr 0.025
}
