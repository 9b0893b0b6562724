package models_test

import (
	"fmt"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/models"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/tensor"
)

// ExampleNew builds the reference CNN, lists its parameters and buffers by
// their state_dict names, and runs a batch of two blank images through it.
func ExampleNew() {
	m, err := models.New("cnn", models.Config{Seed: 1})
	if err != nil {
		panic(err)
	}
	for _, e := range nn.StateDict(m) {
		fmt.Println(e.Name, e.Tensor.Shape())
	}
	out, err := m.Forward(autograd.Const(tensor.New(2, 1, 28, 28)))
	if err != nil {
		panic(err)
	}
	fmt.Println("rates", out.Shape(), "layers", m.Layers(), "T", m.Steps())
	// Output:
	// 0.weight [32 1 3 3]
	// 0.bias [32]
	// 1.weight [32]
	// 1.bias [32]
	// 4.weight [32 32 3 3]
	// 4.bias [32]
	// 5.weight [32]
	// 5.bias [32]
	// 9.weight [10 1568]
	// 9.bias [10]
	// 1.running_mean [32]
	// 1.running_var [32]
	// 1.num_batches_tracked []
	// 5.running_mean [32]
	// 5.running_var [32]
	// 5.num_batches_tracked []
	// rates [2 10] layers [lif1 lif2 lif3] T 4
}
