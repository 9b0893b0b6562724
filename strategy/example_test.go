package strategy_test

import (
	"fmt"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/strategy"
	"github.com/spikego/spikego/tensor"
)

// layer is a minimal neuron node: a membrane potential and a threshold.
type layer struct{ mem, threshold *autograd.Var }

func (l *layer) Mem() *autograd.Var       { return l.mem }
func (l *layer) SetMem(v *autograd.Var)   { l.mem = v }
func (l *layer) Threshold() *autograd.Var { return l.threshold }

func vec(v ...float32) *autograd.Var {
	t, err := tensor.FromSlice(v, 1, len(v)) // one sample, len(v) channels
	if err != nil {
		panic(err)
	}
	return autograd.Const(t)
}

// In a layer of four neurons, neuron 1 spiked: the other three have their
// membrane potential lowered by inh = 0.25.
func ExampleLateralInhibition() {
	node := &layer{mem: vec(0.5, 0.5, 0.5, 0.5)}
	li, err := strategy.NewLateralInhibition(node, 0.25, "constant")
	if err != nil {
		panic(err)
	}
	spikes := vec(0, 1, 0, 0)
	if _, err := li.Apply(spikes, nil); err != nil {
		panic(err)
	}
	fmt.Println(node.Mem().Value().Data())
	// Output:
	// [0.25 0.5 0.25 0.25]
}

// In mode "threshold" the inhibition is inh times the threshold: here
// 0.25 * 2 = 0.5 for every neuron that did not spike.
func ExampleLateralInhibition_threshold() {
	node := &layer{
		mem:       vec(1, 1, 1, 1),
		threshold: autograd.Scalar(2),
	}
	li, err := strategy.NewLateralInhibition(node, 0.25, "threshold")
	if err != nil {
		panic(err)
	}
	if _, err := li.Apply(vec(0, 0, 1, 0), nil); err != nil {
		panic(err)
	}
	fmt.Println(node.Mem().Value().Data())
	// Output:
	// [0.5 0.5 1 0.5]
}

// In mode "max" the inhibition is inh times the largest input of the
// layer before spiking (xori): 0.25 * 2 = 0.5.
func ExampleLateralInhibition_max() {
	node := &layer{mem: vec(1, 1, 1, 1)}
	li, err := strategy.NewLateralInhibition(node, 0.25, "max")
	if err != nil {
		panic(err)
	}
	xori := vec(0.5, 2, 1, 0)
	if _, err := li.Apply(vec(0, 1, 0, 0), xori); err != nil {
		panic(err)
	}
	fmt.Println(node.Mem().Value().Data())
	// Output:
	// [0.5 1 0.5 0.5]
}

// Winner-take-all: at each position, one of the channels that spiked is
// kept, drawn at random.
func ExampleWTALayer() {
	w, _ := strategy.NewWTALayer(1, 7) // one winner, seed 7
	x, _ := tensor.FromSlice([]float32{
		1, 1, 1, // three channels spike at this position
		0, 1, 0, // one does here
	}, 2, 3)
	y, _ := w.Forward(autograd.Const(x))
	var kept float32
	for _, v := range y.Value().Data() {
		kept += v
	}
	fmt.Println("spikes kept:", kept)
	// Output:
	// spikes kept: 2
}
