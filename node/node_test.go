package node

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/strategy"
	"github.com/spikego/spikego/tensor"
)

// A node is a strategy.Membrane, so lateral inhibition can act on it.
var (
	_ strategy.Membrane = (*BaseNode)(nil)
	_ strategy.Membrane = Node(nil)
	_ Node              = (*BaseNode)(nil)
	_ Node              = (*IFNode)(nil)
	_ Node              = (*LIFNode)(nil)
	_ Node              = (*LIFSTDPNode)(nil)
	_ Node              = (*PLIFNode)(nil)
)

var allKinds = []string{"IFNode", "LIFNode", "LIFSTDPNode", "PLIFNode"}

func base(t *testing.T, n Node) *BaseNode {
	t.Helper()
	switch v := n.(type) {
	case *IFNode:
		return &v.BaseNode
	case *LIFNode:
		return &v.BaseNode
	case *LIFSTDPNode:
		return &v.BaseNode
	case *PLIFNode:
		return &v.BaseNode
	}
	t.Fatalf("unexpected node type %T", n)
	return nil
}

func newBase(t *testing.T, kind string, opts ...Option) *BaseNode {
	t.Helper()
	n, err := New(kind, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return base(t, n)
}

func tens(t *testing.T, data []float32, shape ...int) *tensor.Tensor {
	t.Helper()
	v, err := tensor.FromSlice(append([]float32(nil), data...), shape...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestNewUnknownKind(t *testing.T) {
	for _, name := range []string{"", "lifnode", "LIF", "BurstLIFNode"} {
		_, err := New(name)
		if err == nil {
			t.Fatalf("New(%q): no error", name)
		}
		for _, k := range allKinds {
			if !strings.Contains(err.Error(), k) {
				t.Errorf("New(%q) error %q does not list %s", name, err, k)
			}
		}
		if _, err := ParseKind(name); err == nil {
			t.Errorf("ParseKind(%q): no error", name)
		}
	}
}

func TestDefaults(t *testing.T) {
	cases := []struct {
		kind      string
		typ       string
		threshold float32
		tau       float32 // 0: none
		surrogate string
		params    []string
	}{
		{"IFNode", "*node.IFNode", 0.5, 0, "AtanGrad", nil},
		{"LIFNode", "*node.LIFNode", 0.5, 2, "QGateGrad", nil},
		{"LIFSTDPNode", "*node.LIFSTDPNode", 1, 2, "AtanGrad", nil},
		{"PLIFNode", "*node.PLIFNode", 1, 2, "AtanGrad", []string{"act_fun.alpha", "w"}},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			nd, err := New(c.kind)
			if err != nil {
				t.Fatal(err)
			}
			if got := typeName(nd); got != c.typ {
				t.Errorf("type %s, want %s", got, c.typ)
			}
			n := base(t, nd)
			if n.Kind().String() != c.kind {
				t.Errorf("Kind %v", n.Kind())
			}
			th := n.Threshold()
			if th.Value().Dims() != 0 || th.Value().Item() != c.threshold || th.RequiresGrad() {
				t.Errorf("threshold %v (requires grad %v), want 0-d %v fixed", th.Value(), th.RequiresGrad(), c.threshold)
			}
			if c.tau != 0 && n.cfg.tau != c.tau {
				t.Errorf("tau %v, want %v", n.cfg.tau, c.tau)
			}
			if n.cfg.dt != 1 || n.cfg.vReset != 0 || n.cfg.memDetach || n.cfg.warmUp {
				t.Errorf("config %+v", n.cfg)
			}
			s := n.Surrogate()
			if name := s.(interface{ Name() string }).Name(); name != c.surrogate {
				t.Errorf("surrogate %s, want %s", name, c.surrogate)
			}
			a := s.Alpha()
			if a == nil || a.Value().Item() != 2 {
				t.Fatalf("alpha %v, want 2", a)
			}
			if learn := c.kind == "PLIFNode"; a.RequiresGrad() != learn {
				t.Errorf("alpha learnable %v, want %v", a.RequiresGrad(), learn)
			}
			var names []string
			for _, p := range n.Params() {
				names = append(names, p.Name)
			}
			if !slices.Equal(names, c.params) {
				t.Errorf("params %v, want %v", names, c.params)
			}
			if n.Mem() != nil || n.Spike() != nil {
				t.Error("fresh node has a membrane")
			}
			if !strings.HasPrefix(n.String(), c.kind+"(threshold=") {
				t.Errorf("String %q", n.String())
			}
		})
	}
}

func typeName(v any) string {
	switch v.(type) {
	case *IFNode:
		return "*node.IFNode"
	case *LIFNode:
		return "*node.LIFNode"
	case *LIFSTDPNode:
		return "*node.LIFSTDPNode"
	case *PLIFNode:
		return "*node.PLIFNode"
	}
	return "?"
}

func TestPLIFInitialW(t *testing.T) {
	for _, tau := range []float32{1.5, 2, 3, 4, 10} {
		n := newBase(t, "PLIFNode", WithTau(tau))
		want := float32(-math.Log(float64(tau) - 1))
		if got := n.w.Value().Item(); got != want {
			t.Errorf("tau %v: w = %v, want -log(tau-1) = %v", tau, got, want)
		}
		// tau = 1 + exp(-w): sigmoid(w) = 1/tau.
		if k := n.dyn().k; math.Abs(float64(k)-1/float64(tau)) > 1e-7 {
			t.Errorf("tau %v: sigmoid(w) = %v, want %v", tau, k, 1/tau)
		}
		if !n.w.RequiresGrad() {
			t.Error("w not learnable")
		}
	}
}

func TestOptionErrors(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	cases := []struct {
		name, kind string
		opts       []Option
		want       string // substring of the error
	}{
		{"NaN threshold", "LIFNode", []Option{WithThreshold(nan)}, "threshold must be finite"},
		{"Inf threshold", "IFNode", []Option{WithThreshold(-inf)}, "threshold must be finite"},
		{"tau 0", "LIFNode", []Option{WithTau(0)}, "tau must not be 0"},
		{"NaN tau", "LIFSTDPNode", []Option{WithTau(nan)}, "tau must be finite"},
		{"PLIF tau 1", "PLIFNode", []Option{WithTau(1)}, "tau > 1"},
		{"PLIF tau 0.5", "PLIFNode", []Option{WithTau(0.5)}, "tau > 1"},
		{"PLIF tau -3", "PLIFNode", []Option{WithTau(-3)}, "tau > 1"},
		{"NaN dt", "IFNode", []Option{WithDt(nan)}, "dt must be finite"},
		{"Inf v_reset", "LIFNode", []Option{WithVReset(inf)}, "v_reset must be finite"},
		{"unknown surrogate", "LIFNode", []Option{WithSurrogate("AtanGradd")}, "unknown function"},
		{"alpha 0", "IFNode", []Option{WithAlpha(0)}, "alpha must be finite and positive"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(c.kind, c.opts...)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
		})
	}
	// Valid settings of the same options.
	for _, kind := range allKinds {
		if _, err := New(kind, WithThreshold(0.3), WithTau(3), WithDt(0.5), WithVReset(0.1), WithSurrogate("SigmoidGrad"), WithAlpha(4)); err != nil {
			t.Errorf("%s: %v", kind, err)
		}
	}
	// LIFSTDPNode's tau is a decay factor: below 1 is its usual setting.
	if _, err := New("LIFSTDPNode", WithTau(0.9)); err != nil {
		t.Error(err)
	}
}

func TestSetThreshold(t *testing.T) {
	const B, N = 2, 3
	x := autograd.Const(tens(t, []float32{0.5, 0.5, 0.5, 0.2, 0.6, 1.0}, B, N))
	cases := []struct {
		name      string
		th        *tensor.Tensor
		wantShape []int
		spikes    []float32 // IFNode, one step
	}{
		{"scalar", tensor.Scalar(0.4), []int{}, []float32{1, 1, 1, 0, 1, 1}},
		{"one-element [1]", tens(t, []float32{0.55}, 1), []int{}, []float32{0, 0, 0, 0, 1, 1}},
		{"per neuron [N]", tens(t, []float32{0.1, 0.5, 0.9}, N), []int{N}, []float32{1, 0, 0, 1, 1, 1}},
		{"per neuron [1,N]", tens(t, []float32{0.1, 0.5, 0.9}, 1, N), []int{1, N}, []float32{1, 0, 0, 1, 1, 1}},
		{"per element [B,N]", tens(t, []float32{0.6, 0.4, 0.6, 0.1, 0.7, 2}, B, N), []int{B, N}, []float32{0, 1, 0, 1, 0, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, learn := range []bool{false, true} {
				n := newBase(t, "IFNode", WithThresholdGrad(learn))
				if err := n.SetThreshold(c.th); err != nil {
					t.Fatal(err)
				}
				th := n.Threshold()
				if !slices.Equal(th.Shape(), c.wantShape) || th.RequiresGrad() != learn {
					t.Fatalf("threshold shape %v learnable %v, want %v %v", th.Shape(), th.RequiresGrad(), c.wantShape, learn)
				}
				s, err := n.Step(x)
				if err != nil {
					t.Fatal(err)
				}
				exactf(t, "Step spikes", s.Value().Data(), c.spikes)
				xs := autograd.Const(tens(t, x.Value().Data(), 1, B, N))
				f, err := n.Forward(xs)
				if err != nil {
					t.Fatal(err)
				}
				exactf(t, "Forward spikes", f.Value().Data(), c.spikes)
				if learn {
					if err := autograd.Backward(autograd.Sum(f), nil); err != nil {
						t.Fatal(err)
					}
					if g := n.Threshold().Grad(); g == nil || !slices.Equal(g.Shape(), c.wantShape) {
						t.Fatalf("threshold grad %v, want shape %v", g, c.wantShape)
					}
				}
			}
		})
	}
	// The threshold is a copy: changing the argument afterwards does not
	// change the node.
	n := newBase(t, "LIFNode")
	arg := tens(t, []float32{0.1, 0.2, 0.3}, 3)
	if err := n.SetThreshold(arg); err != nil {
		t.Fatal(err)
	}
	arg.Data()[0] = 9
	if n.Threshold().Value().Data()[0] != 0.1 {
		t.Error("SetThreshold kept a reference to its argument")
	}
	// Errors.
	if err := n.SetThreshold(nil); err == nil {
		t.Error("nil threshold: no error")
	}
	if err := n.SetThreshold(tens(t, []float32{0.1, float32(math.NaN())}, 2)); err == nil {
		t.Error("NaN threshold: no error")
	}
	if n.Threshold().Value().Data()[0] != 0.1 {
		t.Error("a failed SetThreshold changed the threshold")
	}
}

func TestThresholdDoesNotBroadcast(t *testing.T) {
	const B, N = 2, 3
	for _, th := range []*tensor.Tensor{
		tens(t, []float32{0.1, 0.2, 0.3, 0.4}, N+1),               // wrong neuron count
		tens(t, []float32{0.1, 0.2, 0.3}, B+1, 1),                 // wrong batch size
		tens(t, []float32{0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, 2, 1, N), // would add an axis
	} {
		for _, kind := range allKinds {
			n := newBase(t, kind)
			if err := n.SetThreshold(th); err != nil {
				t.Fatal(err)
			}
			x := autograd.Const(tensor.Full(0.3, B, N))
			if _, err := n.Step(x); err == nil || !strings.Contains(err.Error(), "threshold of shape") {
				t.Errorf("%s Step with threshold %v: error %v", kind, th.Shape(), err)
			}
			if n.Mem() != nil {
				t.Errorf("%s: failed Step changed the membrane", kind)
			}
			xs := autograd.Const(tensor.Full(0.3, 4, B, N))
			if _, err := n.Forward(xs); err == nil || !strings.Contains(err.Error(), "threshold of shape") {
				t.Errorf("%s Forward with threshold %v: error %v", kind, th.Shape(), err)
			}
			if _, err := n.ForwardRepeat(x, 4); err == nil || !strings.Contains(err.Error(), "threshold of shape") {
				t.Errorf("%s ForwardRepeat with threshold %v: error %v", kind, th.Shape(), err)
			}
		}
	}
}

// kindCases are the node configurations the behavioural tests run over.
var kindCases = []struct {
	kind string
	opts []Option
}{
	{"IFNode", nil},
	{"IFNode", []Option{WithDt(0.5), WithThresholdGrad(true)}},
	{"LIFNode", nil},
	{"LIFNode", []Option{WithSurrogate("AtanGrad"), WithTau(3), WithThreshold(0.3), WithThresholdGrad(true)}},
	{"LIFNode", []Option{WithMemDetach(true)}},
	{"LIFSTDPNode", []Option{WithSurrogate("STDPGrad"), WithTau(0.9)}},
	{"PLIFNode", nil},
	{"PLIFNode", []Option{WithTau(4), WithThreshold(0.4), WithThresholdGrad(true)}},
}

func TestForwardRepeatEqualsForward(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const T, B, N = 5, 3, 6
	for _, c := range kindCases {
		t.Run(c.kind, func(t *testing.T) {
			xt := randTensor(r, 0.8, B, N)
			R := randTensor(r, 1, T, B, N)
			rep := tensor.New(T, B, N)
			for s := 0; s < T; s++ {
				copy(rep.Data()[s*B*N:], xt.Data())
			}
			a, b := newBase(t, c.kind, c.opts...), newBase(t, c.kind, c.opts...)
			xa := autograd.NewVar(xt, true)
			sa, err := a.ForwardRepeat(xa, T)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(sa.Shape(), []int{T, B, N}) {
				t.Fatalf("ForwardRepeat output shape %v", sa.Shape())
			}
			xb := autograd.NewVar(rep, true)
			sb, err := b.Forward(xb)
			if err != nil {
				t.Fatal(err)
			}
			exactf(t, "spikes", sa.Value().Data(), sb.Value().Data())
			exactf(t, "final membrane", a.Mem().Value().Data(), b.Mem().Value().Data())
			for _, p := range []struct {
				n *BaseNode
				s *autograd.Var
			}{{a, sa}, {b, sb}} {
				if err := autograd.Backward(autograd.Sum(autograd.Mul(p.s, autograd.Const(R))), nil); err != nil {
					t.Fatal(err)
				}
			}
			// grad x of ForwardRepeat = sum over t of Forward's grad x[t].
			gb := xb.Grad().Data()
			for i, g := range xa.Grad().Data() {
				var want float64
				var mag float64
				for s := 0; s < T; s++ {
					want += float64(gb[s*B*N+i])
					mag += math.Abs(float64(gb[s*B*N+i]))
				}
				if math.Abs(float64(g)-want) > 1e-6*math.Max(mag, 1e-3) {
					t.Errorf("grad x[%d] = %v, want sum over t %v", i, g, want)
				}
			}
			pa, pb := a.Params(), b.Params()
			for i := range pa {
				ga, gbp := pa[i].Var.Grad(), pb[i].Var.Grad()
				if (ga == nil) != (gbp == nil) {
					t.Fatalf("%s grads %v and %v", pa[i].Name, ga, gbp)
				}
				if ga == nil {
					continue
				}
				for j := range ga.Data() {
					if math.Abs(float64(ga.Data()[j]-gbp.Data()[j])) > 1e-5*(1+math.Abs(float64(gbp.Data()[j]))) {
						t.Errorf("%s grad: repeat %v, forward %v", pa[i].Name, ga.Data()[j], gbp.Data()[j])
					}
				}
			}
		})
	}
}

func TestForwardRepeatErrors(t *testing.T) {
	n := newBase(t, "LIFNode")
	if _, err := n.ForwardRepeat(nil, 3); err == nil {
		t.Error("nil input: no error")
	}
	if _, err := n.ForwardRepeat(autograd.Const(tensor.New(2, 3)), 0); err == nil {
		t.Error("T = 0: no error")
	}
	if _, err := n.ForwardRepeat(autograd.Scalar(1), 3); err == nil {
		t.Error("scalar input: no error")
	}
}

func TestForwardStartsFresh(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const T, B, N = 4, 2, 5
	for _, c := range kindCases {
		t.Run(c.kind, func(t *testing.T) {
			x := autograd.Const(randTensor(r, 0.8, T, B, N))
			fresh := newBase(t, c.kind, c.opts...)
			want, err := fresh.Forward(x)
			if err != nil {
				t.Fatal(err)
			}
			used := newBase(t, c.kind, c.opts...)
			// Leave a charged membrane behind, of the same shape.
			for i := 0; i < 3; i++ {
				if _, err := used.Step(autograd.Const(tensor.Full(0.45, B, N))); err != nil {
					t.Fatal(err)
				}
			}
			got, err := used.Forward(x)
			if err != nil {
				t.Fatal(err)
			}
			exactf(t, "Forward after Step", got.Value().Data(), want.Value().Data())
			exactf(t, "membrane", used.Mem().Value().Data(), fresh.Mem().Value().Data())
			// And a second Forward does not continue from the first.
			again, err := used.Forward(x)
			if err != nil {
				t.Fatal(err)
			}
			exactf(t, "second Forward", again.Value().Data(), want.Value().Data())
			// Nor ForwardRepeat from a previous Step.
			x0 := autograd.Const(tens(t, x.Value().Data()[:B*N], B, N))
			wantRep, err := newBase(t, c.kind, c.opts...).ForwardRepeat(x0, T)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := used.Step(autograd.Const(tensor.Full(0.45, B, N))); err != nil {
				t.Fatal(err)
			}
			gotRep, err := used.ForwardRepeat(x0, T)
			if err != nil {
				t.Fatal(err)
			}
			exactf(t, "ForwardRepeat after Step", gotRep.Value().Data(), wantRep.Value().Data())
		})
	}
}

func TestStepShapeChange(t *testing.T) {
	for _, kind := range allKinds {
		for _, shapes := range [][2][]int{
			{{2, 5}, {3, 5}}, // batch size changed
			{{1, 1}, {4, 1}}, // a one-element membrane must not broadcast either
			{{2, 5}, {2, 4}},
		} {
			n := newBase(t, kind)
			if _, err := n.Step(autograd.Const(tensor.Full(0.2, shapes[0]...))); err != nil {
				t.Fatal(err)
			}
			_, err := n.Step(autograd.Const(tensor.Full(0.2, shapes[1]...)))
			if err == nil {
				t.Fatalf("%s: Step %v after %v without Reset: no error", kind, shapes[1], shapes[0])
			}
			if !strings.Contains(err.Error(), "Reset") || !strings.Contains(err.Error(), "does not match membrane") {
				t.Errorf("%s: unclear error %q", kind, err)
			}
			n.Reset()
			if _, err := n.Step(autograd.Const(tensor.Full(0.2, shapes[1]...))); err != nil {
				t.Errorf("%s: Step after Reset: %v", kind, err)
			}
		}
	}
}

func TestWarmUpIsReLU(t *testing.T) {
	x := []float32{-1, -0.25, 0, 0.3, 2, 7}
	relu := []float32{0, 0, 0, 0.3, 2, 7}
	dRelu := []float32{0, 0, 0, 1, 1, 1}
	const T = 3
	for _, kind := range allKinds {
		t.Run(kind, func(t *testing.T) {
			n := newBase(t, kind, WithWarmUp(true))
			// Step.
			xv := autograd.NewVar(tens(t, x, 2, 3), true)
			for i := 0; i < 2; i++ {
				s, err := n.Step(xv)
				if err != nil {
					t.Fatal(err)
				}
				exactf(t, "Step", s.Value().Data(), relu)
			}
			if n.Mem() != nil {
				t.Error("warm-up Step kept a membrane")
			}
			// Forward.
			seq := make([]float32, 0, T*len(x))
			for i := 0; i < T; i++ {
				seq = append(seq, x...)
			}
			xf := autograd.NewVar(tens(t, seq, T, 2, 3), true)
			f, err := n.Forward(xf)
			if err != nil {
				t.Fatal(err)
			}
			if err := autograd.Backward(autograd.Sum(f), nil); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < T; i++ {
				exactf(t, "Forward", f.Value().Data()[i*6:(i+1)*6], relu)
				exactf(t, "Forward grad", xf.Grad().Data()[i*6:(i+1)*6], dRelu)
			}
			// ForwardRepeat: [T,2,3] out, grad summed over T.
			xr := autograd.NewVar(tens(t, x, 2, 3), true)
			fr, err := n.ForwardRepeat(xr, T)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(fr.Shape(), []int{T, 2, 3}) {
				t.Fatalf("ForwardRepeat shape %v", fr.Shape())
			}
			if err := autograd.Backward(autograd.Sum(fr), nil); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < T; i++ {
				exactf(t, "ForwardRepeat", fr.Value().Data()[i*6:(i+1)*6], relu)
			}
			exactf(t, "ForwardRepeat grad", xr.Grad().Data(), []float32{0, 0, 0, T, T, T})
			if n.FiringRate() != 0 {
				t.Errorf("warm-up counted spikes: rate %v", n.FiringRate())
			}
			// Switching warm-up off makes it spike again.
			n.SetWarmUp(false)
			s, err := n.Step(autograd.Const(tens(t, []float32{5, 5, 5, 5, 5, 5}, 2, 3)))
			if err != nil {
				t.Fatal(err)
			}
			exactf(t, "after warm-up", s.Value().Data(), []float32{1, 1, 1, 1, 1, 1})
		})
	}
}

func TestFiringRate(t *testing.T) {
	n := newBase(t, "IFNode") // threshold 0.5, dt 1
	if n.FiringRate() != 0 {
		t.Fatal("rate before any step")
	}
	// Step: inputs 0.6 spike at once, 0.3 at the second step, 0.1 never
	// (0.1, 0.2 < 0.5), -1 never.
	x := autograd.Const(tens(t, []float32{0.6, 0.3, 0.1, -1}, 1, 4))
	for i := 0; i < 2; i++ {
		if _, err := n.Step(x); err != nil {
			t.Fatal(err)
		}
	}
	// Step 1: 1 spike (0.6); step 2: 0.6 again (reset to 0) and 0.6 from
	// 0.3+0.3: 2 spikes. 3 of 8.
	if got := n.FiringRate(); got != 3.0/8 {
		t.Errorf("rate after Step %v, want 3/8", got)
	}
	// Forward adds its own counts: 2 steps of the same input, 3 more of 8.
	seq := tens(t, []float32{0.6, 0.3, 0.1, -1, 0.6, 0.3, 0.1, -1}, 2, 1, 4)
	if _, err := n.Forward(autograd.Const(seq)); err != nil {
		t.Fatal(err)
	}
	if got := n.FiringRate(); got != 6.0/16 {
		t.Errorf("rate after Forward %v, want 6/16", got)
	}
	if _, err := n.ForwardRepeat(autograd.Const(tens(t, []float32{0.6, 0.3, 0.1, -1}, 1, 4)), 2); err != nil {
		t.Fatal(err)
	}
	if got := n.FiringRate(); got != 9.0/24 {
		t.Errorf("rate after ForwardRepeat %v, want 9/24", got)
	}
	n.ResetStats()
	if n.FiringRate() != 0 {
		t.Error("rate after ResetStats")
	}
	// Reset does not clear the statistics (they span batches).
	if _, err := n.Step(x); err != nil {
		t.Fatal(err)
	}
	n.Reset()
	if got := n.FiringRate(); got != 1.0/4 {
		t.Errorf("rate %v after Reset, want 1/4", got)
	}
}

func TestForwardInputErrors(t *testing.T) {
	for _, kind := range allKinds {
		n := newBase(t, kind)
		if _, err := n.Forward(nil); err == nil {
			t.Errorf("%s: Forward(nil): no error", kind)
		}
		if _, err := n.Step(nil); err == nil {
			t.Errorf("%s: Step(nil): no error", kind)
		}
		for _, shape := range [][]int{{5}, {}} {
			_, err := n.Forward(autograd.Const(tensor.New(shape...)))
			if err == nil || !strings.Contains(err.Error(), "[T,B,...]") {
				t.Errorf("%s: Forward of shape %v: error %v", kind, shape, err)
			}
		}
		if _, err := n.Forward(autograd.Const(tensor.New(0, 2, 3))); err == nil {
			t.Errorf("%s: Forward with T = 0: no error", kind)
		}
		// Rank 2 is [T,B]: one neuron per batch element.
		s, err := n.Forward(autograd.Const(tensor.Full(2, 3, 4)))
		if err != nil || !slices.Equal(s.Shape(), []int{3, 4}) {
			t.Errorf("%s: Forward [3,4]: %v, %v", kind, s, err)
		}
	}
}

// lifRef is the LIF membrane, step by step, in float32 as BrainCog: it
// returns the spikes and the membrane after the last reset.
func lifRef(x []float32, tau, th float32) (spikes []float32, mem float32) {
	for _, v := range x {
		mem = mem + (v-mem)/tau
		var s float32
		if mem-th > 0 {
			s = 1
		}
		spikes = append(spikes, s)
		mem = mem * (1 - s)
	}
	return spikes, mem
}

func TestMemAfterForward(t *testing.T) {
	// One neuron per column, T = 6; the last step of column 0 spikes (mem
	// 0 afterwards), the others end charged.
	const T, N = 6, 3
	cols := [N][]float32{
		{0.6, 0.6, 0.6, 0.6, 0.6, 0.6},
		{0.2, -0.3, 0.9, 0.1, 0.4, 0.45},
		{1.2, 0, 0, 0, 0, 0.3},
	}
	x := tensor.New(T, 1, N)
	var wantS, wantM []float32
	for j := 0; j < N; j++ {
		for s := 0; s < T; s++ {
			x.Data()[s*N+j] = cols[j][s]
		}
	}
	wantS = make([]float32, T*N)
	for j := 0; j < N; j++ {
		s, m := lifRef(cols[j], 2, 0.5)
		for i := range s {
			wantS[i*N+j] = s[i]
		}
		wantM = append(wantM, m)
	}
	n := newBase(t, "LIFNode")
	out, err := n.Forward(autograd.Const(x))
	if err != nil {
		t.Fatal(err)
	}
	exactf(t, "spikes", out.Value().Data(), wantS)
	if !slices.Equal(n.Mem().Shape(), []int{1, N}) {
		t.Fatalf("Mem shape %v", n.Mem().Shape())
	}
	exactf(t, "Mem after Forward", n.Mem().Value().Data(), wantM)
	exactf(t, "Spike after Forward", n.Spike().Value().Data(), wantS[(T-1)*N:])
	if n.Mem().RequiresGrad() {
		t.Error("Mem after Forward is on the tape")
	}
	// Continuing with Step from there equals a 7-step reference.
	next := []float32{0.5, 0.5, 0.5}
	s7, err := n.Step(autograd.Const(tens(t, next, 1, N)))
	if err != nil {
		t.Fatal(err)
	}
	for j := 0; j < N; j++ {
		s, m := lifRef(append(slices.Clone(cols[j]), next[j]), 2, 0.5)
		if s7.Value().Data()[j] != s[T] || n.Mem().Value().Data()[j] != m {
			t.Errorf("neuron %d: step 7 spike %v mem %v, want %v %v", j, s7.Value().Data()[j], n.Mem().Value().Data()[j], s[T], m)
		}
	}
}

func TestLateralInhibitionOnNode(t *testing.T) {
	for _, kind := range allKinds {
		t.Run(kind, func(t *testing.T) {
			n := newBase(t, kind, WithThreshold(0.5))
			// Row 0: neuron 1 spikes; row 1: no spike.
			x := autograd.Const(tens(t, []float32{0.3, 2, 0.2, 0.4, 0.1, 0.2, 0.3, 0.1}, 2, 4))
			s, err := n.Step(x)
			if err != nil {
				t.Fatal(err)
			}
			exactf(t, "spikes", s.Value().Data(), []float32{0, 1, 0, 0, 0, 0, 0, 0})
			before := slices.Clone(n.Mem().Value().Data())
			li, err := strategy.NewLateralInhibition(n, 0.25, "constant")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := li.Apply(s, nil); err != nil {
				t.Fatal(err)
			}
			after := n.Mem().Value().Data()
			for i := range before {
				want := before[i]
				if i < 4 && i != 1 {
					want = before[i] - 0.25 // a non-winner of a row with a spike
				}
				if after[i] != want {
					t.Errorf("membrane %d: %v -> %v, want %v", i, before[i], after[i], want)
				}
				if i < 4 && i != 1 && !(after[i] < before[i]) {
					t.Errorf("non-winner %d not inhibited", i)
				}
			}
			// The next step integrates from the inhibited membrane.
			ref := newBase(t, kind, WithThreshold(0.5))
			ref.SetMem(autograd.Const(tens(t, after, 2, 4)))
			want, err := ref.Step(x)
			if err != nil {
				t.Fatal(err)
			}
			got, err := n.Step(x)
			if err != nil {
				t.Fatal(err)
			}
			exactf(t, "next step", got.Value().Data(), want.Value().Data())
			exactf(t, "next membrane", n.Mem().Value().Data(), ref.Mem().Value().Data())
		})
	}
	// Mode "threshold" reads the node's (per-neuron) threshold.
	n := newBase(t, "LIFNode")
	if err := n.SetThreshold(tens(t, []float32{0.1, 0.2, 0.3}, 3)); err != nil {
		t.Fatal(err)
	}
	s, err := n.Step(autograd.Const(tens(t, []float32{0.4, 0.1, 0.1}, 1, 3)))
	if err != nil {
		t.Fatal(err)
	}
	before := slices.Clone(n.Mem().Value().Data())
	li, err := strategy.NewLateralInhibition(n, 2, "threshold")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := li.Apply(s, nil); err != nil {
		t.Fatal(err)
	}
	want := []float32{before[0], before[1] - 2*float32(0.2), before[2] - 2*float32(0.3)}
	exactf(t, "threshold-mode membrane", n.Mem().Value().Data(), want)
}

func exactf(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] && !(got[i] != got[i] && want[i] != want[i]) {
			t.Fatalf("%s[%d] = %v, want %v (all: %v, want %v)", what, i, got[i], want[i], got, want)
		}
	}
}

// A call that fails leaves the node's state as it was.
func TestFailedCallsKeepState(t *testing.T) {
	for _, kind := range allKinds {
		n := newBase(t, kind, WithThreshold(0.5))
		if err := n.SetThreshold(tens(t, []float32{0.5, 0.6, 0.7}, 3)); err != nil {
			t.Fatal(err)
		}
		if _, err := n.Step(autograd.Const(tensor.Full(0.3, 2, 3))); err != nil {
			t.Fatal(err)
		}
		mem := slices.Clone(n.Mem().Value().Data())
		spike := n.Spike()
		rate := n.FiringRate()
		for name, call := range map[string]func() error{
			"Step, wrong batch":     func() error { _, err := n.Step(autograd.Const(tensor.Full(0.3, 4, 3))); return err },
			"Step, misfit":          func() error { _, err := n.Step(autograd.Const(tensor.Full(0.3, 2, 5))); return err },
			"Forward, misfit":       func() error { _, err := n.Forward(autograd.Const(tensor.Full(0.3, 4, 2, 5))); return err },
			"Forward, rank 1":       func() error { _, err := n.Forward(autograd.Const(tensor.Full(0.3, 5))); return err },
			"ForwardRepeat, misfit": func() error { _, err := n.ForwardRepeat(autograd.Const(tensor.Full(0.3, 2, 5)), 3); return err },
		} {
			if err := call(); err == nil {
				t.Fatalf("%s %s: no error", kind, name)
			}
			if n.Mem() == nil || n.Spike() != spike || n.FiringRate() != rate {
				t.Fatalf("%s %s: state changed", kind, name)
			}
			exactf(t, kind+" "+name+" membrane", n.Mem().Value().Data(), mem)
		}
	}
}

// TestSurrogateParameterDefaults checks the surrogate parameter a node
// builds: 2 for BrainCog's functions (as BrainCog's nodes), the library's
// default for SpikingJelly's and snnTorch's, and WithAlpha's value for any.
func TestSurrogateParameterDefaults(t *testing.T) {
	for _, c := range []struct {
		name  string
		opts  []Option
		alpha float32
	}{
		{"SigmoidGrad", nil, 2}, // BrainCog's class default is 1; its nodes pass 2
		{"QGateGrad", nil, 2},
		{"Sigmoid", nil, 4},
		{"fast_sigmoid", nil, 25},
		{"LeakyKReLU", nil, 0},
		{"FakeNumericalGradient", nil, 0.3},
		{"fast_sigmoid", []Option{WithAlpha(3)}, 3},
		{"SigmoidGrad", []Option{WithAlpha(3)}, 3},
		{"Sigmoid", []Option{WithAlpha(2)}, 2},
	} {
		n, err := NewKind(LIF, append([]Option{WithSurrogate(c.name)}, c.opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		if got := n.Surrogate().Alpha().Value().Item(); got != c.alpha {
			t.Errorf("%s %d options: alpha %v, want %v", c.name, len(c.opts), got, c.alpha)
		}
	}
	if _, err := NewKind(LIF, WithSurrogate("QPseudoSpike"), WithAlpha(1)); err == nil {
		t.Error("QPseudoSpike with alpha 1 accepted")
	}
}
