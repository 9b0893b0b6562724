package strategy_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/strategy"
	"github.com/spikego/spikego/tensor"
)

// testNode is a minimal strategy.Membrane.
type testNode struct{ mem, th *autograd.Var }

func (n *testNode) Mem() *autograd.Var       { return n.mem }
func (n *testNode) SetMem(v *autograd.Var)   { n.mem = v }
func (n *testNode) Threshold() *autograd.Var { return n.th }

func tens(t *testing.T, data []float32, shape ...int) *tensor.Tensor {
	t.Helper()
	v, err := tensor.FromSlice(data, shape...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParseModeRoundTrip(t *testing.T) {
	for _, m := range []strategy.Mode{strategy.Constant, strategy.Max, strategy.Threshold} {
		got, err := strategy.ParseMode(m.String())
		if err != nil || got != m {
			t.Errorf("ParseMode(%q) = %v, %v; want %v", m.String(), got, err, m)
		}
	}
	for s, want := range map[string]strategy.Mode{"constant": strategy.Constant, "max": strategy.Max, "threshold": strategy.Threshold} {
		if m, err := strategy.ParseMode(s); err != nil || m != want || m.String() != s {
			t.Errorf("ParseMode(%q) = %v, %v", s, m, err)
		}
	}
	for _, s := range []string{"", "foo", "Constant", "MAX", " max", "Mode(0)"} {
		if _, err := strategy.ParseMode(s); err == nil {
			t.Errorf("ParseMode(%q) succeeded", s)
		}
	}
	if got := strategy.Threshold.String(); got != "threshold" {
		t.Errorf("Threshold.String() = %q", got)
	}
}

func TestNewLateralInhibitionErrors(t *testing.T) {
	node := &testNode{}
	cases := []struct {
		name string
		node strategy.Membrane
		inh  float32
		mode strategy.Mode
		want string // part of the error
	}{
		{"unknown mode", node, 1, "foo", "foo"},
		{"empty mode", node, 1, "", "mode"},
		{"capitalised mode", node, 1, "Threshold", "mode"},
		{"nil node", nil, 1, "constant", "node"},
		{"NaN inh", node, float32(math.NaN()), "constant", "finite"},
		{"+Inf inh", node, float32(math.Inf(1)), "max", "finite"},
		{"-Inf inh", node, float32(math.Inf(-1)), "threshold", "finite"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			li, err := strategy.NewLateralInhibition(c.node, c.inh, c.mode)
			if err == nil || li != nil {
				t.Fatalf("NewLateralInhibition = %v, %v; want an error", li, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
	// Valid ones, including a zero and a negative strength.
	for _, mode := range []strategy.Mode{"constant", "max", "threshold"} {
		for _, inh := range []float32{0, -0.5, 1.5} {
			li, err := strategy.NewLateralInhibition(node, inh, mode)
			if err != nil {
				t.Fatalf("NewLateralInhibition(%v, %q): %v", inh, mode, err)
			}
			if li.Inh() != inh || li.Mode() != mode {
				t.Errorf("Inh, Mode = %v, %v; want %v, %v", li.Inh(), li.Mode(), inh, mode)
			}
		}
	}
}

func TestApplyErrors(t *testing.T) {
	x24 := func() *autograd.Var { return autograd.NewVar(tensor.New(4, 6), true) }
	cases := []struct {
		name string
		mode strategy.Mode
		mem  *tensor.Tensor
		th   *tensor.Tensor
		x    *autograd.Var
		xori *autograd.Var
		want string
	}{
		{"nil x", "constant", nil, nil, nil, nil, "nil"},
		{"x rank 0", "constant", nil, nil, autograd.Scalar(1), nil, "channel"},
		{"x rank 1", "constant", nil, nil, autograd.Const(tensor.New(6)), nil, "channel"},
		{"x without channels", "constant", nil, nil, autograd.Const(tensor.New(4, 0)), nil, "channel"},
		{"max without xori", "max", nil, nil, x24(), nil, "xori"},
		{"max xori rank 1", "max", nil, nil, x24(), autograd.Const(tensor.New(6)), "xori"},
		{"max xori batch mismatch", "max", nil, nil, x24(), autograd.Const(tensor.New(3, 6)), "xori"},
		{"threshold missing", "threshold", nil, nil, x24(), nil, "threshold"},
		{"threshold shape", "threshold", nil, tensor.New(5), x24(), nil, "threshold"},
		{"threshold shape 4-d", "threshold", nil, tensor.New(3, 1, 1), autograd.Const(tensor.New(2, 5, 3, 4)), nil, "threshold"},
		{"mem shape", "constant", tensor.New(4, 5), nil, x24(), nil, "membrane"},
		{"mem shape max", "max", tensor.New(3, 6), nil, x24(), x24(), "membrane"},
		{"mem shape threshold", "threshold", tensor.New(6, 4), tensor.Scalar(1), x24(), nil, "membrane"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			node := &testNode{}
			if c.mem != nil {
				node.mem = autograd.NewVar(c.mem, true)
			}
			if c.th != nil {
				node.th = autograd.NewVar(c.th, true)
			}
			before := node.mem
			li, err := strategy.NewLateralInhibition(node, 0.5, c.mode)
			if err != nil {
				t.Fatal(err)
			}
			out, err := li.Apply(c.x, c.xori)
			if err == nil || out != nil {
				t.Fatalf("Apply = %v, %v; want an error", out, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
			if node.mem != before {
				t.Error("a failed Apply replaced the membrane")
			}
		})
	}
}

// TestNilMemIsZero checks that a node whose membrane is unset (BrainCog's
// initial 0.) is inhibited from zero: new mem = -inh*(max - x).
func TestNilMemIsZero(t *testing.T) {
	for _, mode := range []strategy.Mode{"constant", "max", "threshold"} {
		t.Run(string(mode), func(t *testing.T) {
			node := &testNode{th: autograd.Scalar(1)}
			li, err := strategy.NewLateralInhibition(node, 0.5, mode)
			if err != nil {
				t.Fatal(err)
			}
			// channel max per row: 1 and 0.75
			x := autograd.NewVar(tens(t, []float32{0, 1, 0.5, 0.25, 0.75, 0}, 2, 3), true)
			xori := autograd.Const(tens(t, []float32{0, 1, 0, 1, 0, 0}, 2, 3)) // max 1 in both rows
			if _, err := li.Apply(x, xori); err != nil {
				t.Fatal(err)
			}
			want := []float32{-0.5, 0, -0.25, -0.25, 0, -0.375}
			got := node.Mem().Value().Data()
			if !slices.Equal(got, want) || !slices.Equal(node.Mem().Value().Shape(), []int{2, 3}) {
				t.Fatalf("new mem = %v %v, want %v [2 3]", got, node.Mem().Value().Shape(), want)
			}
			if err := autograd.Backward(node.Mem(), nil); err != nil {
				t.Fatal(err)
			}
			// d new/dx = inh off the argmax, inh - C*inh at it.
			if got, want := x.Grad().Data(), []float32{0.5, -1, 0.5, 0.5, -1, 0.5}; !slices.Equal(got, want) {
				t.Errorf("x grad = %v, want %v", got, want)
			}
		})
	}
}

// TestByHand checks one step of each mode against values worked out by
// hand, with the gradients of new_mem.sum().
func TestByHand(t *testing.T) {
	// One row of four neurons; x has a tie at the maximum (channels 1 and
	// 3), so the max's gradient goes to channel 1 only, as in torch.
	xs := []float32{0, 1, 0.5, 1}
	mem := []float32{1, 2, 3, 4}
	cases := []struct {
		mode    strategy.Mode
		th      *tensor.Tensor
		k       []float32 // the factor of (max - x) per channel
		wantTh  []float32 // threshold grad (nil: none)
		wantThS []int
	}{
		{"constant", nil, []float32{0.5, 0.5, 0.5, 0.5}, nil, nil},
		{"max", nil, []float32{1, 1, 1, 1}, nil, nil},                                     // inh*max(xori) = 0.5*2
		{"threshold", tensor.Scalar(2), []float32{1, 1, 1, 1}, []float32{-0.75}, []int{}}, // -inh*sum(max-x) = -0.5*1.5
		{"threshold", tens(t, []float32{1, 2, 4, 8}, 4), []float32{0.5, 1, 2, 4}, []float32{-0.5, 0, -0.25, 0}, []int{4}},
	}
	for _, c := range cases {
		name := string(c.mode)
		if c.th != nil {
			name = fmt.Sprintf("%s/%v", c.mode, c.th.Shape())
		}
		t.Run(name, func(t *testing.T) {
			node := &testNode{mem: autograd.NewVar(tens(t, slices.Clone(mem), 1, 4), true)}
			if c.th != nil {
				node.th = autograd.NewVar(c.th, true)
			}
			oldMem := node.mem
			li, err := strategy.NewLateralInhibition(node, 0.5, c.mode)
			if err != nil {
				t.Fatal(err)
			}
			x := autograd.NewVar(tens(t, slices.Clone(xs), 1, 4), true)
			xori := autograd.NewVar(tens(t, []float32{0.5, 2, -1, 1}, 1, 4), true)
			out, err := li.Apply(x, xori)
			if err != nil {
				t.Fatal(err)
			}
			if out != x {
				t.Error("Apply did not return x")
			}
			if !slices.Equal(x.Value().Data(), xs) {
				t.Errorf("Apply changed x to %v", x.Value().Data())
			}
			want := make([]float32, 4)
			for i := range want {
				want[i] = mem[i] - c.k[i]*(1-xs[i])
			}
			if got := node.Mem().Value().Data(); !slices.Equal(got, want) {
				t.Errorf("new mem = %v, want %v", got, want)
			}
			if err := autograd.Backward(node.Mem(), nil); err != nil {
				t.Fatal(err)
			}
			if got := oldMem.Grad().Data(); !slices.Equal(got, []float32{1, 1, 1, 1}) {
				t.Errorf("mem grad = %v, want ones", got)
			}
			var sumK float32
			wantX := slices.Clone(c.k)
			for _, k := range c.k {
				sumK += k
			}
			wantX[1] -= sumK
			if got := x.Grad().Data(); !slices.Equal(got, wantX) {
				t.Errorf("x grad = %v, want %v", got, wantX)
			}
			if xori.Grad() != nil {
				t.Errorf("xori got gradient %v", xori.Grad())
			}
			if c.th != nil {
				g := node.th.Grad()
				if g == nil || !slices.Equal(g.Shape(), c.wantThS) || !slices.Equal(g.Data(), c.wantTh) {
					t.Errorf("threshold grad = %v, want %v of shape %v", g, c.wantTh, c.wantThS)
				}
			}
		})
	}
}

// TestFourD checks a 4-d layer with a per-channel threshold: the maximum
// is over channels (axis 1) at each spatial position.
func TestFourD(t *testing.T) {
	// x [1, 2, 1, 2]: channel 0 = [1, 0], channel 1 = [0, 0].
	x := autograd.NewVar(tens(t, []float32{1, 0, 0, 0}, 1, 2, 1, 2), true)
	th := autograd.NewVar(tens(t, []float32{1, 3}, 2, 1, 1), true)
	node := &testNode{mem: autograd.Const(tensor.New(1, 2, 1, 2)), th: th}
	li, err := strategy.NewLateralInhibition(node, 1, "threshold")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := li.Apply(x, nil); err != nil {
		t.Fatal(err)
	}
	// Position 0: max 1, channel 1 is inhibited by 3. Position 1: all 0,
	// nothing is inhibited.
	if got, want := node.Mem().Value().Data(), []float32{0, 0, -3, 0}; !slices.Equal(got, want) {
		t.Errorf("new mem = %v, want %v", got, want)
	}
	if !slices.Equal(node.Mem().Value().Shape(), []int{1, 2, 1, 2}) {
		t.Errorf("new mem shape %v", node.Mem().Value().Shape())
	}
	if err := autograd.Backward(node.Mem(), nil); err != nil {
		t.Fatal(err)
	}
	// grad th[c] = -sum over positions of (max - x) at channel c.
	if got, want := th.Grad().Data(), []float32{0, -1}; !slices.Equal(got, want) {
		t.Errorf("threshold grad = %v, want %v", got, want)
	}
	// x grad: k = [1, 3] per channel; argmax channel 0 at both positions
	// receives k - (1 + 3).
	if got, want := x.Grad().Data(), []float32{-3, -3, 3, 3}; !slices.Equal(got, want) {
		t.Errorf("x grad = %v, want %v", got, want)
	}
}
