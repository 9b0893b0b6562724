package snn

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/node"
	"github.com/spikego/spikego/tensor"
)

func mustNode(t *testing.T, kind string, opts ...node.Option) nn.Module {
	t.Helper()
	n, err := node.New(kind, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// convNet is conv -> BN -> LIF -> pool -> flatten -> linear -> LIF.
func convNet(t *testing.T, T int) *Net {
	t.Helper()
	rng := nn.NewRand(7)
	conv, _ := nn.NewConv2d(1, 4, 3, 1, 1, true, rng)
	bn, _ := nn.NewBatchNorm2d(4)
	pool, _ := nn.NewMaxPool2d(2, 2)
	fc, err := nn.NewLinear(36, 3, true, rng)
	if err != nil {
		t.Fatal(err)
	}
	net, err := New(T, []int{1, 6, 6}, conv, bn, mustNode(t, "LIFNode", node.WithThreshold(0.3)), pool,
		nn.NewFlatten(), fc, mustNode(t, "LIFNode", node.WithSurrogate("AtanGrad")))
	if err != nil {
		t.Fatal(err)
	}
	return net
}

func randBatch(seed uint64, shape ...int) *tensor.Tensor {
	r := rand.New(rand.NewPCG(seed, 1))
	x := tensor.New(shape...)
	for i := range x.Data() {
		x.Data()[i] = float32(r.Float64())
	}
	return x
}

// TestStaticEqualsSequence runs the same images once as a static batch
// (the layers before the first node computed once) and once as a
// sequence repeating them T times (every layer at every step, as BrainCog
// runs it): spikes, parameter gradients and BatchNorm statistics agree.
func TestStaticEqualsSequence(t *testing.T) {
	const T, B = 3, 5
	x := randBatch(1, B, 1, 6, 6)
	seq := tensor.New(T, B, 1, 6, 6)
	for s := 0; s < T; s++ {
		copy(seq.Data()[s*x.Len():], x.Data())
	}
	R := randBatch(2, T, B, 3)
	run := func(in *tensor.Tensor) (*Net, *autograd.Var) {
		net := convNet(t, T)
		y, err := net.Forward(autograd.Const(in))
		if err != nil {
			t.Fatal(err)
		}
		if err := autograd.Backward(autograd.Sum(autograd.Mul(y, autograd.Const(R))), nil); err != nil {
			t.Fatal(err)
		}
		return net, y
	}
	a, ya := run(x)
	b, yb := run(seq)
	if !slices.Equal(ya.Shape(), []int{T, B, 3}) || !slices.Equal(yb.Shape(), []int{T, B, 3}) {
		t.Fatalf("outputs %v and %v, want [%d %d 3]", ya.Shape(), yb.Shape(), T, B)
	}
	for i, v := range ya.Value().Data() {
		if v != yb.Value().Data()[i] {
			t.Fatalf("output %d: static %v, sequence %v", i, v, yb.Value().Data()[i])
		}
	}
	pa, pb := a.Params(), b.Params()
	for i := range pa {
		ga, gb := pa[i].Var.Grad().Data(), pb[i].Var.Grad().Data()
		for j := range ga {
			if d := math.Abs(float64(ga[j] - gb[j])); d > 1e-5*math.Max(1, math.Abs(float64(gb[j]))) {
				t.Fatalf("grad %s[%d]: static %v, sequence %v", pa[i].Name, j, ga[j], gb[j])
			}
		}
	}
	ba, bb := a.Buffers(), b.Buffers()
	for i := range ba {
		for j, v := range ba[i].Tensor.Data() {
			if d := math.Abs(float64(v - bb[i].Tensor.Data()[j])); d > 1e-6 {
				t.Fatalf("%s[%d]: static %v, sequence %v", ba[i].Name, j, v, bb[i].Tensor.Data()[j])
			}
		}
	}
}

func TestNames(t *testing.T) {
	net := convNet(t, 2)
	var names []string
	for _, e := range nn.StateDict(net) {
		names = append(names, e.Name)
	}
	want := []string{"0.weight", "0.bias", "1.weight", "1.bias", "5.weight", "5.bias",
		"1.running_mean", "1.running_var", "1.num_batches_tracked", "2.threshold", "2.act_fun.alpha", "6.threshold", "6.act_fun.alpha"}
	if len(names) != len(want) {
		t.Fatalf("state_dict %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("state_dict %v, want %v", names, want)
		}
	}
	if l := net.Layers(); !slices.Equal(l, []string{"lif1", "lif2"}) {
		t.Errorf("Layers %v", l)
	}
}

// TestInferRestoresMode checks that Infer uses evaluation mode (BatchNorm's
// running statistics, untouched), records no tape and restores the mode.
func TestInferRestoresMode(t *testing.T) {
	net := convNet(t, 2)
	x := randBatch(3, 4, 1, 6, 6)
	before := append([]float32(nil), net.Buffers()[0].Tensor.Data()...)
	out, err := net.Infer(x)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out.Shape(), []int{2, 4, 3}) {
		t.Fatalf("output %v", out.Shape())
	}
	for i, v := range net.Buffers()[0].Tensor.Data() {
		if v != before[i] {
			t.Fatal("Infer moved the running statistics: it did not run in evaluation mode")
		}
	}
	if !net.Training() {
		t.Error("Infer left the network in evaluation mode")
	}
	net.SetTraining(false)
	net.Infer(x)
	if net.Training() {
		t.Error("Infer switched an evaluating network to training")
	}
	pred, err := net.Predict(x)
	if err != nil || len(pred) != 4 {
		t.Fatalf("Predict: %v, %v", pred, err)
	}
	for _, p := range pred {
		if p < 0 || p >= 3 {
			t.Errorf("prediction %d out of range", p)
		}
	}
}

func TestForwardErrors(t *testing.T) {
	net := convNet(t, 2)
	for _, shape := range [][]int{{4, 1, 5, 5}, {4, 35}, {2, 3, 1, 6, 5}} {
		if _, err := net.Forward(autograd.Const(tensor.New(shape...))); err == nil {
			t.Errorf("input %v accepted", shape)
		}
	}
	if _, err := New(0, []int{3}); err == nil {
		t.Error("T = 0 accepted")
	}
	if _, err := New(2, nil); err == nil {
		t.Error("empty input shape accepted")
	}
	if _, err := New(2, []int{3}, nil); err == nil {
		t.Error("nil layer accepted")
	}
}

// TestInferOutputIsCallers checks that the outputs of Infer stay the
// caller's although the passes reuse each other's memory: an output is
// unchanged by later passes (and a training step between them), and
// Spikes gives the latest pass's spikes.
func TestInferOutputIsCallers(t *testing.T) {
	rng := nn.NewRand(7)
	conv, _ := nn.NewConv2d(1, 4, 3, 1, 1, true, rng)
	fc, err := nn.NewLinear(144, 8, true, rng)
	if err != nil {
		t.Fatal(err)
	}
	net, err := New(3, []int{1, 6, 6}, conv, mustNode(t, "LIFNode", node.WithThreshold(0.1)),
		nn.NewFlatten(), fc, mustNode(t, "IFNode", node.WithThreshold(0.05)))
	if err != nil {
		t.Fatal(err)
	}
	x1, x2 := randBatch(3, 16, 1, 6, 6), randBatch(4, 16, 1, 6, 6)
	o1, err := net.Infer(x1)
	if err != nil {
		t.Fatal(err)
	}
	want1 := o1.Clone()

	// A training step between the passes.
	y, err := net.Forward(autograd.Const(x2))
	if err != nil {
		t.Fatal(err)
	}
	if err := autograd.Backward(autograd.Sum(y), nil); err != nil {
		t.Fatal(err)
	}

	o2, err := net.Infer(x2)
	if err != nil {
		t.Fatal(err)
	}
	want2 := o2.Clone()
	for range 4 {
		if _, err := net.Infer(x1); err != nil {
			t.Fatal(err)
		}
	}
	o3, err := net.Infer(x2)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(want1.Data(), want2.Data()) {
		t.Fatal("the two batches give the same output: the test cannot tell them apart")
	}
	if !slices.Equal(o1.Data(), want1.Data()) || !slices.Equal(o2.Data(), want2.Data()) {
		t.Fatal("a later pass changed the output of an earlier Infer")
	}
	if !slices.Equal(o3.Data(), want2.Data()) {
		t.Fatal("the same batch inferred again gives another output")
	}
	sp := net.Spikes()
	if !slices.Equal(sp[len(sp)-1].Data(), o3.Data()) {
		t.Fatal("Spikes does not hold the latest pass's output spikes")
	}
}
