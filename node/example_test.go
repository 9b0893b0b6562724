package node_test

import (
	"fmt"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/node"
	"github.com/spikego/spikego/tensor"
)

// A LIFNode (tau 2, threshold 0.5) driven by a constant input 0.6, one
// step at a time. By hand: mem = mem + (0.6 - mem)/2 gives 0.3 (no spike),
// 0.45 (no spike), 0.525 (> 0.5: spike, reset to 0), then 0.3 again.
func ExampleNew() {
	n, err := node.New("LIFNode")
	if err != nil {
		panic(err)
	}
	x := autograd.Const(tensor.Full(0.6, 1, 1)) // batch 1, one neuron
	for t := 1; t <= 4; t++ {
		s, err := n.Step(x)
		if err != nil {
			panic(err)
		}
		fmt.Printf("step %d: spike %v, membrane after reset %.4g\n", t, s.Value().Item(), n.Mem().Value().Item())
	}
	// Output:
	// step 1: spike 0, membrane after reset 0.3
	// step 2: spike 0, membrane after reset 0.45
	// step 3: spike 1, membrane after reset 0
	// step 4: spike 0, membrane after reset 0.3
}

// Forward runs a whole sequence [T,B,N] at once, from a fresh state, as
// one fused autograd operation; ForwardRepeat does the same for an input
// that is equal at every step, without repeating it in memory. With tau 2
// and threshold 0.5, input 0.3 charges towards 0.3 and never fires, 0.6
// fires every third step (0.3, 0.45, 0.525), 1.2 fires at every step
// (0.6 > 0.5, then reset to 0).
func ExampleBaseNode_Forward() {
	n, err := node.NewKind(node.LIF) // tau 2, threshold 0.5
	if err != nil {
		panic(err)
	}
	const T = 4
	in := []float32{0.3, 0.6, 1.2} // three neurons, constant inputs
	seq := make([]float32, 0, T*len(in))
	for t := 0; t < T; t++ {
		seq = append(seq, in...)
	}
	xs, err := tensor.FromSlice(seq, T, 1, len(in))
	if err != nil {
		panic(err)
	}
	s, err := n.Forward(autograd.Const(xs))
	if err != nil {
		panic(err)
	}
	for t := 0; t < T; t++ {
		fmt.Println("spikes at step", t+1, s.Value().Data()[t*len(in):(t+1)*len(in)])
	}
	fmt.Printf("membrane after the last step %.4g\n", n.Mem().Value().Data())

	x0, err := tensor.FromSlice(in, 1, len(in))
	if err != nil {
		panic(err)
	}
	r, err := n.ForwardRepeat(autograd.Const(x0), T)
	if err != nil {
		panic(err)
	}
	fmt.Println("ForwardRepeat gives the same spikes:", fmt.Sprint(r.Value().Data()) == fmt.Sprint(s.Value().Data()))
	// Output:
	// spikes at step 1 [0 0 1]
	// spikes at step 2 [0 0 1]
	// spikes at step 3 [0 1 1]
	// spikes at step 4 [0 0 1]
	// membrane after the last step [0.2812 0.3 0]
	// ForwardRepeat gives the same spikes: true
}
