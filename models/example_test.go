package models_test

import (
	"fmt"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/models"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/tensor"
)

// ExampleNew builds the reference CNN, lists its parameters and buffers by
// their state_dict names (BrainCog's: the nodes' fixed threshold and
// surrogate alpha included), and runs a batch of two blank images through
// it: the output holds the 10 output neurons' spikes at each of the 4
// steps.
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
	fmt.Println("output", out.Shape(), "rates", models.Rates(out).Shape(), "layers", m.Layers(), "T", m.Steps())
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
	// 2.threshold []
	// 2.act_fun.alpha []
	// 5.running_mean [32]
	// 5.running_var [32]
	// 5.num_batches_tracked []
	// 6.threshold []
	// 6.act_fun.alpha []
	// 10.threshold []
	// 10.act_fun.alpha []
	// output [4 2 10] rates [2 10] layers [lif1 lif2 lif3] T 4
}
