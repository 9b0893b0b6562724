package nn_test

import (
	"fmt"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/tensor"
)

func ExampleLinear() {
	l, err := nn.NewLinear(3, 2, true, nn.NewRand(1))
	if err != nil {
		panic(err)
	}
	// Set the parameters by hand for a predictable result.
	copy(l.Weight.Value().Data(), []float32{1, 0, -1, 0.5, 0.5, 0.5})
	copy(l.Bias.Value().Data(), []float32{0, 1})

	// A multi-step input [T=2, B=1, in=3] needs no reshape.
	x, _ := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 1, 3)
	y, err := l.Forward(autograd.Const(x))
	if err != nil {
		panic(err)
	}
	fmt.Println(y.Shape(), y.Value().Data())
	for _, p := range l.Params() {
		fmt.Println(p.Name, p.Var.Shape())
	}
	// Output:
	// [2 1 2] [-2 4 -2 8.5]
	// weight [2 3]
	// bias [2]
}

func ExampleCrossEntropy() {
	logits, _ := tensor.FromSlice([]float32{1, 2, 3, 1, 1, 1}, 2, 3)
	x := autograd.NewVar(logits, true)
	loss, err := nn.CrossEntropy(x, []int{2, 0})
	if err != nil {
		panic(err)
	}
	if err := autograd.Backward(loss, nil); err != nil {
		panic(err)
	}
	fmt.Printf("loss %.4f\n", loss.Value().Item())
	fmt.Printf("grad %.4f\n", x.Grad().Data())
	fmt.Println("correct", nn.CountCorrect(logits, []int{2, 0}))
	// Output:
	// loss 0.7531
	// grad [0.0450 0.1224 -0.1674 -0.3333 0.1667 0.1667]
	// correct 2
}

func ExampleMSE() {
	pred, _ := tensor.FromSlice([]float32{0.8, 0.1, 0.3, 0.4}, 2, 2)
	target, _ := nn.OneHot([]int{0, 1}, 2)
	loss, err := nn.MSE(autograd.NewVar(pred, true), autograd.Const(target))
	if err != nil {
		panic(err)
	}
	// ((0.2)² + (0.1)² + (0.3)² + (0.6)²)/4
	fmt.Printf("%.3f\n", loss.Value().Item())
	// Output:
	// 0.125
}

func ExampleSequential() {
	rng := nn.NewRand(42)
	drop, err := nn.NewDropout(0.2, rng)
	if err != nil {
		panic(err)
	}
	fc1, err := nn.NewLinear(4, 8, true, rng)
	if err != nil {
		panic(err)
	}
	fc2, err := nn.NewLinear(8, 3, false, rng)
	if err != nil {
		panic(err)
	}
	model := nn.NewSequential(nn.NewFlatten(), fc1, drop, fc2)
	for _, p := range model.Params() {
		fmt.Println(p.Name, p.Var.Shape())
	}

	model.SetTraining(false) // evaluation: dropout is the identity
	x := autograd.Const(tensor.New(5, 2, 2))
	y, err := model.Forward(x)
	if err != nil {
		panic(err)
	}
	fmt.Println("output", y.Shape())

	// Checkpoints use PyTorch's state_dict names.
	sd := map[string]*tensor.Tensor{}
	for _, e := range nn.StateDict(model) {
		sd[e.Name] = e.Tensor
	}
	fmt.Println(nn.LoadStateDict(model, sd))
	// Output:
	// 1.weight [8 4]
	// 1.bias [8]
	// 3.weight [3 8]
	// output [5 3]
	// <nil>
}

func ExampleDropout() {
	d, err := nn.NewDropout(0.5, nn.NewRand(7))
	if err != nil {
		panic(err)
	}
	x := autograd.Const(tensor.Ones(8))
	y, _ := d.Forward(x) // training: elements are 0 or 1/(1-p) = 2
	for _, v := range y.Value().Data() {
		if v != 0 && v != 2 {
			fmt.Println("unexpected", v)
		}
	}
	d.SetTraining(false)
	y, _ = d.Forward(x)
	fmt.Println(y == x) // evaluation: the input itself
	// Output:
	// true
}

func ExampleFlatten() {
	x := autograd.Const(tensor.New(4, 3, 5, 5)) // [N, C, H, W]
	y, err := nn.NewFlatten().Forward(x)
	if err != nil {
		panic(err)
	}
	fmt.Println(y.Shape())
	// Output:
	// [4 75]
}

// A layer fed by spikes takes the event-driven path by itself; its
// results have the bits of the dense path.
func ExampleSparseMode() {
	l, err := nn.NewLinear(6, 2, true, nn.NewRand(1))
	if err != nil {
		panic(err)
	}
	copy(l.Weight.Value().Data(), []float32{1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6})
	copy(l.Bias.Value().Data(), []float32{0.5, -0.5})
	// Two rows of spikes: y = b + the weight columns of the ones.
	x, _ := tensor.FromSlice([]float32{0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0}, 2, 6)
	for _, mode := range []nn.SparseMode{nn.SparseAuto, nn.SparseOff} {
		l.Sparse = mode
		y, err := l.Forward(autograd.Const(x))
		if err != nil {
			panic(err)
		}
		fmt.Println(mode, y.Value().Data())
	}
	// Output:
	// auto [7.5 -7.5 1.5 -1.5]
	// off [7.5 -7.5 1.5 -1.5]
}
