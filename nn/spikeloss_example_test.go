package nn_test

import (
	"fmt"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/tensor"
)

// A loss chosen by name, as a --loss flag would, with snnTorch's call
// syntax for its parameters.
func ExampleNewSpikeLoss() {
	loss, err := nn.NewSpikeLoss("mse_count_loss(correct_rate=0.8, incorrect_rate=0.2)")
	if err != nil {
		panic(err)
	}
	// Output spikes [T=5, B=1, C=2]: class 0 fires 4 times, class 1 once.
	spk, _ := tensor.FromSlice([]float32{
		1, 0,
		1, 1,
		1, 0,
		0, 0,
		1, 0,
	}, 5, 1, 2)
	out := autograd.NewVar(spk, true)
	v, err := loss.Loss(out, []int{0})
	if err != nil {
		panic(err)
	}
	if err := autograd.Backward(v, nil); err != nil {
		panic(err)
	}
	// Target counts int(5*0.8) = 4 and int(5*0.2) = 1 are met exactly.
	fmt.Println(loss, loss.Input(), v.Value().Item())

	_, err = nn.NewSpikeLoss("mse_count_loss(correct_rat=0.8)")
	fmt.Println(err)
	// Output:
	// mse_count_loss(correct_rate=0.8, incorrect_rate=0.2) spikes 0
	// nn: loss "mse_count_loss(correct_rat=0.8)": unknown parameter of mse_count_loss "correct_rat" (did you mean "correct_rate"?; known: correct_rate, incorrect_rate, population_code, num_classes)
}

// The cross-entropy of every step's spikes (snnTorch's ce_rate_loss) next
// to the cross-entropy of the firing rates (spikego's default).
func ExampleCERateLoss() {
	spk, _ := tensor.FromSlice([]float32{
		1, 0, // t = 0
		1, 1, // t = 1
	}, 2, 1, 2)
	perStep, _ := nn.CERateLoss(autograd.Const(spk), []int{0})
	ofRates, _ := nn.CrossEntropyRate(autograd.Const(spk), []int{0})
	fmt.Printf("ce_rate_loss %.4f, cross_entropy_rate %.4f\n", perStep.Value().Item(), ofRates.Value().Item())
	// Output:
	// ce_rate_loss 0.5032, cross_entropy_rate 0.4741
}

// The loss of snnTorch's tutorial 5 on the membrane potential of a
// non-spiking output layer: the cross-entropy of every step, summed.
func ExampleCEPerStepMembraneLoss() {
	mem, _ := tensor.FromSlice([]float32{
		0.2, -0.1, 0.4, // t = 0, sample 0
		-0.3, 0.5, 0.1, // t = 0, sample 1
		0.9, -0.2, 0.6, // t = 1, sample 0
		-0.5, 1.2, 0.0, // t = 1, sample 1
	}, 2, 2, 3)
	out := autograd.NewVar(mem, true)
	v, err := nn.CEPerStepMembraneLoss(out, []int{0, 1})
	if err != nil {
		panic(err)
	}
	if err := autograd.Backward(v, nil); err != nil {
		panic(err)
	}
	fmt.Printf("loss %.4f, gradient shape %v\n", v.Value().Item(), out.Grad().Shape())
	// Output:
	// loss 1.4806, gradient shape [2 2 3]
}
