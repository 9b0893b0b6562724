package snn_test

import (
	"fmt"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/node"
	"github.com/spikego/spikego/snn"
	"github.com/spikego/spikego/tensor"
)

// Example builds a two-layer spiking network, runs a batch of two images
// for 4 steps, and reads what it predicts and how often its neurons fired.
func Example() {
	rng := nn.NewRand(1)
	fc1, err := nn.NewLinear(784, 100, true, rng)
	if err != nil {
		panic(err)
	}
	fc2, err := nn.NewLinear(100, 10, true, rng)
	if err != nil {
		panic(err)
	}
	lif1, err := node.New("LIFNode")
	if err != nil {
		panic(err)
	}
	lif2, err := node.New("LIFNode", node.WithSurrogate("AtanGrad"))
	if err != nil {
		panic(err)
	}
	net, err := snn.New(4, []int{784}, fc1, lif1, fc2, lif2)
	if err != nil {
		panic(err)
	}
	x := tensor.Full(0.5, 2, 784) // two grey images
	out, err := net.Forward(autograd.Const(x))
	if err != nil {
		panic(err)
	}
	fmt.Println("output", out.Shape())
	pred, _ := net.Predict(x)
	fmt.Println("predictions", len(pred), "layers", net.Layers(), "rates", len(net.FiringRates()))
	fmt.Print(net)
	// Output:
	// output [4 2 10]
	// predictions 2 layers [lif1 lif2] rates 2
	// snn.Net(T=4, input [784])
	//   (0) Linear(in_features=784, out_features=100, bias=true)
	//   (1) LIFNode(threshold=0.5, tau=2, act=QGateGrad)
	//   (2) Linear(in_features=100, out_features=10, bias=true)
	//   (3) LIFNode(threshold=0.5, tau=2, act=AtanGrad)
}
