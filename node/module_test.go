package node

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/tensor"
)

// TestNodeStateDict checks BrainCog's state_dict entries: fixed threshold
// and alpha as buffers, learnable ones as parameters, and that loading sets
// them.
func TestNodeStateDict(t *testing.T) {
	for _, tc := range []struct {
		kind    string
		opts    []Option
		params  []string
		buffers []string
	}{
		{"LIFNode", nil, nil, []string{"threshold", "act_fun.alpha"}},
		{"IFNode", []Option{WithThresholdGrad(true)}, []string{"threshold"}, []string{"act_fun.alpha"}},
		{"PLIFNode", nil, []string{"act_fun.alpha", "w"}, []string{"threshold"}},
		{"LIFNode", []Option{WithSurrogate("heaviside")}, nil, []string{"threshold"}},
	} {
		n, err := New(tc.kind, tc.opts...)
		if err != nil {
			t.Fatal(err)
		}
		m := n
		var ps, bs []string
		for _, p := range m.Params() {
			ps = append(ps, p.Name)
		}
		for _, b := range m.Buffers() {
			bs = append(bs, b.Name)
		}
		if !slices.Equal(ps, tc.params) || !slices.Equal(bs, tc.buffers) {
			t.Errorf("%s %d options: params %v buffers %v, want %v %v", tc.kind, len(tc.opts), ps, bs, tc.params, tc.buffers)
		}
	}
	// Loading a state_dict sets the threshold and alpha the node uses.
	n, _ := New("LIFNode")
	sd := map[string]*tensor.Tensor{"threshold": tensor.Scalar(0.25), "act_fun.alpha": tensor.Scalar(4)}
	if err := nn.LoadStateDict(n, sd); err != nil {
		t.Fatal(err)
	}
	x, _ := tensor.FromSlice([]float32{0.3, 0.3, 0.6}, 1, 1, 3) // LIF: mem = x/2
	s, err := n.Forward(autograd.Const(x))
	if err != nil {
		t.Fatal(err)
	}
	// mem = x/2 = (0.15, 0.15, 0.3): only the last crosses 0.25.
	if got := s.Value().Data(); !slices.Equal(got, []float32{0, 0, 1}) {
		t.Errorf("spikes with threshold 0.25: %v, want [0 0 1]", got)
	}
	if a := n.(*LIFNode).Surrogate().Alpha().Value().Item(); a != 4 {
		t.Errorf("alpha after loading: %v", a)
	}
}

// TestForwardTime checks the nn.Temporal form against Forward and
// ForwardRepeat: the same spikes and input gradients, in [T·B, ...] form.
func TestForwardTime(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const T, B = 4, 3
	x := randTensor(r, 1, B, 5)
	seq := tensor.New(T, B, 5)
	for s := 0; s < T; s++ {
		copy(seq.Data()[s*B*5:], x.Data())
	}
	R := randTensor(r, 1, T*B, 5)
	run := func(static bool) ([]float32, []float32) {
		n, _ := NewKind(LIF, WithSurrogate("AtanGrad"), WithThreshold(0.3))
		in := x
		if !static {
			in = mustFrom(seq.Data(), []int{T * B, 5})
		}
		v := autograd.NewVar(in, true)
		y, yStatic, err := n.ForwardTime(v, T, static)
		if err != nil {
			t.Fatal(err)
		}
		if yStatic || !slices.Equal(y.Shape(), []int{T * B, 5}) {
			t.Fatalf("static %v: output %v static %v", static, y.Shape(), yStatic)
		}
		if err := autograd.Backward(autograd.Sum(autograd.Mul(y, autograd.Const(R))), nil); err != nil {
			t.Fatal(err)
		}
		g := v.Grad().Data()
		if !static { // sum the steps' gradients, as the static form does
			sum := make([]float32, B*5)
			for s := 0; s < T; s++ {
				for i := range sum {
					sum[i] += g[s*B*5+i]
				}
			}
			g = sum
		}
		return y.Value().Data(), g
	}
	ys, gs := run(true)
	yt, gt := run(false)
	for i := range ys {
		if ys[i] != yt[i] {
			t.Fatalf("spike %d: static %v, temporal %v", i, ys[i], yt[i])
		}
	}
	for i := range gs {
		if d := math.Abs(float64(gs[i] - gt[i])); d > 1e-6 {
			t.Fatalf("grad %d: static %v, temporal %v", i, gs[i], gt[i])
		}
	}
	n, _ := NewKind(LIF)
	if _, _, err := n.ForwardTime(autograd.Const(tensor.New(7, 2)), 3, false); err == nil {
		t.Error("7 rows accepted as 3 time steps")
	}
}

// TestNonSpiking checks a non-spiking node against its charge equation
// worked by hand, Step against Forward, and its gradients against finite
// differences.
func TestNonSpiking(t *testing.T) {
	// LIF, tau 2, from 0: mem = mem + (x - mem)/2.
	n, err := NewKind(LIF, WithNonSpiking(true))
	if err != nil {
		t.Fatal(err)
	}
	x, _ := tensor.FromSlice([]float32{4, 2, 0}, 3, 1, 1)
	y, err := n.Forward(autograd.Const(x))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := y.Value().Data(), []float32{2, 2, 1}; !slices.Equal(got, want) {
		t.Errorf("LIF membranes %v, want %v", got, want)
	}
	for _, kind := range []Kind{IF, LIF, LIFSTDP, PLIF} {
		for _, detach := range []bool{false, true} {
			r := rand.New(rand.NewPCG(uint64(kind), 9))
			const T = 5
			xt := randTensor(r, 1, T, 2, 3)
			R := randTensor(r, 1, T, 2, 3)
			opts := []Option{WithNonSpiking(true), WithMemDetach(detach), WithTau(0.9)}
			if kind == PLIF || kind == LIF {
				opts[2] = WithTau(3)
			}
			a, _ := NewKind(kind, opts...)
			xa := autograd.NewVar(xt.Clone(), true)
			ya, err := a.Forward(xa)
			if err != nil {
				t.Fatal(err)
			}
			autograd.Backward(autograd.Sum(autograd.Mul(ya, autograd.Const(R))), nil)

			b, _ := NewKind(kind, opts...)
			xb := autograd.NewVar(xt.Clone(), true)
			yb, loss := stepAll(t, b, xb, R)
			autograd.Backward(loss, nil)
			if !slices.Equal(ya.Value().Data(), yb.Data()) {
				t.Errorf("%v detach %v: Forward %v, Step %v", kind, detach, ya.Value().Data()[:6], yb.Data()[:6])
			}
			for i, g := range xa.Grad().Data() {
				if d := math.Abs(float64(g - xb.Grad().Data()[i])); d > 1e-5 {
					t.Fatalf("%v detach %v: grad x[%d] fused %v, tape %v", kind, detach, i, g, xb.Grad().Data()[i])
				}
			}
			if kind == PLIF {
				ga, gb := a.w.Grad().Item(), b.w.Grad().Item()
				if d := math.Abs(float64(ga - gb)); d > 1e-4*math.Max(1, math.Abs(float64(gb))) {
					t.Errorf("detach %v: grad w fused %v, tape %v", detach, ga, gb)
				}
			}
		}
	}
}

// TestMonitor records a network of two nodes and checks spikes, rates and
// membranes against the nodes' own outputs.
func TestMonitor(t *testing.T) {
	a, _ := New("LIFNode", WithThreshold(0.2))
	b, _ := New("IFNode")
	seq := nn.NewSequential(nn.NewFlatten(), a, b)
	mo := NewMonitor(seq, true)
	defer mo.Close()
	if got := mo.Names(); !slices.Equal(got, []string{"lif1", "if2"}) {
		t.Fatalf("names %v", got)
	}
	if got := mo.Paths(); !slices.Equal(got, []string{"1", "2"}) {
		t.Fatalf("paths %v", got)
	}
	x, _ := tensor.FromSlice([]float32{1, 0, 0.3, 1, 1, 1}, 3, 1, 2) // [T,B,N]
	s1, _ := a.Forward(autograd.Const(x))
	s2, _ := b.Forward(s1)
	sp := mo.Spikes()
	if sp[0] != s1.Value() || sp[1] != s2.Value() {
		t.Fatal("Spikes are not the nodes' outputs")
	}
	// LIF tau 2, threshold 0.2: t0 mem (0.5, 0) -> spike 1,0; reset (0, 0);
	// t1 (0.15, 0.5) -> 0,1; reset (0.15, 0); t2 (0.575, 0.5) -> 1,1.
	if want := []float32{1, 0, 0, 1, 1, 1}; !slices.Equal(s1.Value().Data(), want) {
		t.Fatalf("lif spikes %v, want %v", s1.Value().Data(), want)
	}
	if want := []float32{0, 0, 0.15, 0, 0, 0}; !slices.Equal(mo.Mems()[0].Data(), want) {
		t.Errorf("lif membranes %v, want %v", mo.Mems()[0].Data(), want)
	}
	if r := mo.FiringRates(); r[0] != 4.0/6 {
		t.Errorf("firing rates %v", r)
	}
	mo.Reset()
	if r := mo.FiringRates(); r[0] != 0 || r[1] != 0 {
		t.Errorf("after Reset %v", r)
	}
	mo.Close()
	if len(a.(*LIFNode).observers) != 0 || a.(*LIFNode).memWatchers != 0 {
		t.Error("Close left the monitor attached")
	}
}
