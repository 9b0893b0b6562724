package stdp_test

import (
	"fmt"

	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/stdp"
	"github.com/spikego/spikego/tensor"
)

// An STDP linear layer learning without labels: run, take the Hebbian
// gradient, step, grow the thresholds, renormalise.
func ExampleSTDPLinear() {
	cfg := stdp.DefaultLinearConfig(4, 3)
	cfg.Inh = 25
	l, err := stdp.NewSTDPLinear(cfg, nn.NewRand(3))
	if err != nil {
		fmt.Println(err)
		return
	}
	x, _ := tensor.FromSlice([]float32{
		1, 0, 0, 1,
		0, 1, 1, 0,
	}, 2, 4)
	spikes, _ := l.Run(x, 50) // 50 steps of the static input
	for b := 0; b < spikes.Len(); b++ {
		fmt.Printf("sample %d: %v spikes\n", b, spikes.Total(b))
	}
	_ = l.Backward() // weight gradient: Σ counts ⊗ input
	_ = l.NormGrad() // flip the sign: SGD ascends the spike count
	// ... an optimizer step here (optim.NewSGD with nn.ParamVars(l))
	_ = l.UpdateThreshold(0.002)
	_ = l.NormWeight()
	// Output:
	// sample 0: 12 spikes
	// sample 1: 8 spikes
}

// The voting readout: give every neuron the label it fires most for,
// then classify by the mean spike count of each label's neurons.
func ExampleVoting() {
	v, _ := stdp.NewVoting(4, 2)
	counts, _ := tensor.FromSlice([]float32{
		5, 0, 1, 0, // label 0
		0, 4, 0, 0, // label 1
		3, 1, 0, 0, // label 0
	}, 3, 4)
	s, _ := stdp.SpikesFromDense(counts)
	_ = v.Add(s, []int{0, 1, 0})
	fmt.Println("labels:", v.Assign()) // neuron 3 never fired: label 0
	pred := make([]int, 3)
	_ = v.Predict(s, pred)
	fmt.Println("predictions:", pred)
	// Output:
	// labels: [0 1 0 0]
	// predictions: [0 1 0]
}
