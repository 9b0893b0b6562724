package optim_test

import (
	"math"
	"strings"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/optim"
	"github.com/spikego/spikego/tensor"
)

var (
	_ optim.Optimizer = (*optim.SGD)(nil)
	_ optim.Optimizer = (*optim.Adam)(nil)
	_ optim.Scheduler = (*optim.StepLR)(nil)
	_ optim.Scheduler = (*optim.CosineAnnealingLR)(nil)
)

// goldenOptimRun is one optimizer trajectory recorded from PyTorch by
// testdata/gen.py: want[t] holds p1, p2 and p3 (flattened, concatenated)
// after step t+1.
type goldenOptimRun struct {
	name, algo                     string
	lr, momentum, dampening        float32
	weightDecay, beta1, beta2, eps float32
	nesterov, amsgrad              bool
	want                           [][]float32
}

// goldenSchedule is a learning-rate sequence recorded from PyTorch by
// testdata/gen.py: want[e] is get_last_lr() at epoch e. n and x are
// step_size and gamma (StepLR) or T_max and eta_min (CosineAnnealingLR).
type goldenSchedule struct {
	name, kind string
	base       float32
	n          int
	x          float32
	want       []float64
}

func mustTensor(data []float32, shape ...int) *tensor.Tensor {
	t, err := tensor.FromSlice(data, shape...)
	if err != nil {
		panic(err)
	}
	return t
}

// goldenParams mirrors init() of testdata/gen.py.
func goldenParams() []*autograd.Var {
	p1 := make([]float32, 19)
	for i := range p1 {
		p1[i] = float32((5*i)%17-8) / 16
	}
	p2 := make([]float32, 6)
	for i := range p2 {
		p2[i] = float32((3*i+1)%7-3) / 8
	}
	p3 := []float32{1, 2, 3, 4}
	return []*autograd.Var{
		autograd.NewVar(mustTensor(p1), true),
		autograd.NewVar(mustTensor(p2, 2, 3), true),
		autograd.NewVar(mustTensor(p3), true),
	}
}

// setGoldenGrads mirrors grads(t) of testdata/gen.py.
func setGoldenGrads(ps []*autograd.Var, t int) {
	g1 := make([]float32, 19)
	for i := range g1 {
		g1[i] = float32((7*i+13*t)%23-11) / 8
	}
	ps[0].SetGrad(mustTensor(g1))
	if t == 4 {
		ps[1].SetGrad(nil)
	} else {
		g2 := make([]float32, 6)
		for i := range g2 {
			g2[i] = float32((5*i+3*t)%11-5) / 4
		}
		ps[1].SetGrad(mustTensor(g2, 2, 3))
	}
}

func newGoldenOptimizer(t *testing.T, r goldenOptimRun, ps []*autograd.Var) optim.Optimizer {
	t.Helper()
	var (
		o   optim.Optimizer
		err error
	)
	adam := optim.AdamOptions{LR: r.lr, Beta1: r.beta1, Beta2: r.beta2, Eps: r.eps, WeightDecay: r.weightDecay, AMSGrad: r.amsgrad}
	switch r.algo {
	case "sgd":
		o, err = optim.NewSGD(ps, optim.SGDOptions{LR: r.lr, Momentum: r.momentum, Dampening: r.dampening, WeightDecay: r.weightDecay, Nesterov: r.nesterov})
	case "adam":
		o, err = optim.NewAdam(ps, adam)
	case "adamw":
		o, err = optim.NewAdamW(ps, adam)
	default:
		t.Fatalf("unknown algorithm %q", r.algo)
	}
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// ulps returns the distance between a and b in float32 units in the last
// place.
func ulps(a, b float32) int64 {
	ord := func(x float32) int64 {
		u := int64(math.Float32bits(x))
		if u&(1<<31) != 0 {
			return -(u &^ (1 << 31))
		}
		return u
	}
	d := ord(a) - ord(b)
	if d < 0 {
		d = -d
	}
	return d
}

func TestGoldenPyTorch(t *testing.T) {
	var worstRel, worstAbs float64
	var worstULP int64
	for _, r := range goldenOptimRuns {
		t.Run(r.name, func(t *testing.T) {
			ps := goldenParams()
			o := newGoldenOptimizer(t, r, ps)
			var maxRel, maxAbs float64
			var maxULP int64
			for step, want := range r.want {
				o.ZeroGrad()
				setGoldenGrads(ps, step+1)
				if err := o.Step(); err != nil {
					t.Fatal(err)
				}
				var got []float32
				for _, p := range ps {
					got = append(got, p.Value().Data()...)
				}
				if len(got) != len(want) {
					t.Fatalf("step %d: %d values, want %d", step+1, len(got), len(want))
				}
				for i := range got {
					abs := math.Abs(float64(got[i]) - float64(want[i]))
					rel := abs / max(math.Abs(float64(want[i])), 1e-3)
					if rel > 1e-6 {
						t.Errorf("step %d element %d: got %.9g, PyTorch %.9g (rel err %.3g)", step+1, i, got[i], want[i], rel)
					}
					// The kernels mirror PyTorch's operation by operation and
					// agree bit for bit on amd64; allow a little slack for a
					// platform whose math.Pow rounds differently.
					if u := ulps(got[i], want[i]); u > 2 {
						t.Errorf("step %d element %d: got %.9g, PyTorch %.9g (%d ulps apart)", step+1, i, got[i], want[i], u)
					}
					maxRel, maxAbs = max(maxRel, rel), max(maxAbs, abs)
					maxULP = max(maxULP, ulps(got[i], want[i]))
				}
			}
			t.Logf("max abs err %.3g, max rel err %.3g, max ulps %d", maxAbs, maxRel, maxULP)
			worstRel, worstAbs, worstULP = max(worstRel, maxRel), max(worstAbs, maxAbs), max(worstULP, maxULP)
		})
	}
	t.Logf("all optimizer runs: max abs err %.3g, max rel err %.3g, max ulps %d", worstAbs, worstRel, worstULP)
}

type lrHolder struct{ lr float32 }

func (h *lrHolder) Step() error      { return nil }
func (h *lrHolder) ZeroGrad()        {}
func (h *lrHolder) LR() float32      { return h.lr }
func (h *lrHolder) SetLR(lr float32) { h.lr = lr }

func TestGoldenSchedules(t *testing.T) {
	var worst float64
	for _, g := range goldenSchedules {
		t.Run(g.name, func(t *testing.T) {
			o := &lrHolder{lr: g.base}
			var (
				s   optim.Scheduler
				err error
			)
			if g.kind == "step" {
				s, err = optim.NewStepLR(o, g.n, g.x)
			} else {
				s, err = optim.NewCosineAnnealingLR(o, g.n, g.x)
			}
			if err != nil {
				t.Fatal(err)
			}
			var maxRel float64
			for e, want := range g.want {
				if e > 0 {
					s.Step()
				}
				got := s.LR()
				if o.lr != got {
					t.Errorf("epoch %d: optimizer LR %v, scheduler LR %v", e, o.lr, got)
				}
				rel := math.Abs(float64(got)-want) / max(math.Abs(want), 1e-12)
				if math.Abs(float64(got)-want) > 1e-12 && rel > 1e-6 {
					t.Errorf("epoch %d: LR %.9g, PyTorch %.17g", e, got, want)
				}
				if want != 0 {
					maxRel = max(maxRel, rel)
				}
			}
			t.Logf("max rel err %.3g", maxRel)
			worst = max(worst, maxRel)
		})
	}
	t.Logf("all schedules: max rel err %.3g", worst)
}

func TestNilGradUntouched(t *testing.T) {
	for _, r := range goldenOptimRuns {
		ps := goldenParams()
		o := newGoldenOptimizer(t, r, ps)
		before := [][]float32{}
		for _, p := range ps {
			before = append(before, append([]float32(nil), p.Value().Data()...))
		}
		// No gradients at all: nothing moves.
		if err := o.Step(); err != nil {
			t.Fatal(err)
		}
		for i, p := range ps {
			for j, v := range p.Value().Data() {
				if v != before[i][j] {
					t.Fatalf("%s: param %d element %d changed without a gradient", r.name, i, j)
				}
			}
		}
	}
}

func TestZeroGrad(t *testing.T) {
	ps := goldenParams()
	setGoldenGrads(ps, 1)
	o, err := optim.NewSGD(ps, optim.SGDOptions{LR: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	o.ZeroGrad()
	for i, p := range ps {
		if p.Grad() != nil {
			t.Errorf("param %d: grad %v after ZeroGrad", i, p.Grad())
		}
	}
}

// TestParallelMatchesSerial checks that a parameter large enough to be
// updated on several goroutines gets the same values as the same elements
// split into small parameters.
func TestParallelMatchesSerial(t *testing.T) {
	const n, chunk = 1 << 16, 1000
	makeData := func(step int) (p, g []float32) {
		p, g = make([]float32, n), make([]float32, n)
		for i := range p {
			p[i] = float32((i*37)%101-50) / 64
			g[i] = float32((i*13+step*7)%97-48) / 32
		}
		return p, g
	}
	for _, r := range goldenOptimRuns {
		p0, _ := makeData(0)
		big := []*autograd.Var{autograd.NewVar(mustTensor(append([]float32(nil), p0...)), true)}
		var small []*autograd.Var
		for lo := 0; lo < n; lo += chunk {
			hi := min(lo+chunk, n)
			small = append(small, autograd.NewVar(mustTensor(append([]float32(nil), p0[lo:hi]...)), true))
		}
		ob, os := newGoldenOptimizer(t, r, big), newGoldenOptimizer(t, r, small)
		for step := 1; step <= 3; step++ {
			_, g := makeData(step)
			big[0].SetGrad(mustTensor(g))
			for k, v := range small {
				lo := k * chunk
				v.SetGrad(mustTensor(g[lo : lo+v.Value().Len()]))
			}
			if err := ob.Step(); err != nil {
				t.Fatal(err)
			}
			if err := os.Step(); err != nil {
				t.Fatal(err)
			}
		}
		bd := big[0].Value().Data()
		for k, v := range small {
			for j, x := range v.Value().Data() {
				if bd[k*chunk+j] != x {
					t.Fatalf("%s: element %d: parallel %v, serial %v", r.name, k*chunk+j, bd[k*chunk+j], x)
				}
			}
		}
	}
}

func TestStepAllocatesNothing(t *testing.T) {
	for _, r := range goldenOptimRuns {
		ps := goldenParams()
		o := newGoldenOptimizer(t, r, ps)
		setGoldenGrads(ps, 1)
		if err := o.Step(); err != nil {
			t.Fatal(err)
		}
		if a := testing.AllocsPerRun(50, func() {
			if err := o.Step(); err != nil {
				t.Fatal(err)
			}
		}); a != 0 {
			t.Errorf("%s: %v allocations per Step", r.name, a)
		}
	}
}

func TestSetLR(t *testing.T) {
	p := autograd.NewVar(mustTensor([]float32{1}), true)
	o, err := optim.NewSGD([]*autograd.Var{p}, optim.SGDOptions{LR: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	p.SetGrad(mustTensor([]float32{1}))
	o.SetLR(0.25)
	if o.LR() != 0.25 {
		t.Fatalf("LR %v after SetLR(0.25)", o.LR())
	}
	if err := o.Step(); err != nil {
		t.Fatal(err)
	}
	if got := p.Value().Data()[0]; got != 0.75 {
		t.Fatalf("param %v, want 0.75", got)
	}
	o.SetLR(-1)
	if err := o.Step(); err == nil {
		t.Fatal("Step with a negative learning rate: no error")
	}
	if got := p.Value().Data()[0]; got != 0.75 {
		t.Fatalf("failed Step changed the param to %v", got)
	}
}

func TestDefaults(t *testing.T) {
	if d := optim.DefaultAdam(); d != (optim.AdamOptions{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}) {
		t.Errorf("DefaultAdam() = %+v", d)
	}
	if d := optim.DefaultAdamW(); d != (optim.AdamOptions{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01}) {
		t.Errorf("DefaultAdamW() = %+v", d)
	}
}

func TestErrors(t *testing.T) {
	p := autograd.NewVar(mustTensor([]float32{1, 2}), true)
	ps := []*autograd.Var{p}
	nan := float32(math.NaN())
	withAdam := func(f func(*optim.AdamOptions)) optim.AdamOptions {
		o := optim.DefaultAdam()
		f(&o)
		return o
	}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"sgd empty", second(optim.NewSGD(nil, optim.SGDOptions{LR: 0.1})), "empty parameter list"},
		{"sgd nil param", second(optim.NewSGD([]*autograd.Var{p, nil}, optim.SGDOptions{LR: 0.1})), "parameter 1 is nil"},
		{"sgd repeated", second(optim.NewSGD([]*autograd.Var{p, p}, optim.SGDOptions{LR: 0.1})), "more than once"},
		{"sgd negative lr", second(optim.NewSGD(ps, optim.SGDOptions{LR: -0.1})), "learning rate"},
		{"sgd NaN lr", second(optim.NewSGD(ps, optim.SGDOptions{LR: nan})), "learning rate"},
		{"sgd negative momentum", second(optim.NewSGD(ps, optim.SGDOptions{LR: 0.1, Momentum: -0.5})), "momentum"},
		{"sgd negative weight decay", second(optim.NewSGD(ps, optim.SGDOptions{LR: 0.1, WeightDecay: -1})), "weight decay"},
		{"sgd nesterov without momentum", second(optim.NewSGD(ps, optim.SGDOptions{LR: 0.1, Nesterov: true})), "Nesterov"},
		{"sgd nesterov with dampening", second(optim.NewSGD(ps, optim.SGDOptions{LR: 0.1, Nesterov: true, Momentum: 0.9, Dampening: 0.1})), "Nesterov"},
		{"adam empty", second(optim.NewAdam(nil, optim.DefaultAdam())), "empty parameter list"},
		{"adam nil param", second(optim.NewAdam([]*autograd.Var{nil}, optim.DefaultAdam())), "parameter 0 is nil"},
		{"adam negative lr", second(optim.NewAdam(ps, withAdam(func(o *optim.AdamOptions) { o.LR = -1e-3 }))), "learning rate"},
		{"adam negative eps", second(optim.NewAdam(ps, withAdam(func(o *optim.AdamOptions) { o.Eps = -1e-8 }))), "epsilon"},
		{"adam beta1 = 1", second(optim.NewAdam(ps, withAdam(func(o *optim.AdamOptions) { o.Beta1 = 1 }))), "beta1"},
		{"adam beta1 < 0", second(optim.NewAdam(ps, withAdam(func(o *optim.AdamOptions) { o.Beta1 = -0.1 }))), "beta1"},
		{"adam beta2 = 1", second(optim.NewAdam(ps, withAdam(func(o *optim.AdamOptions) { o.Beta2 = 1 }))), "beta2"},
		{"adam beta2 NaN", second(optim.NewAdam(ps, withAdam(func(o *optim.AdamOptions) { o.Beta2 = nan }))), "beta2"},
		{"adam negative weight decay", second(optim.NewAdam(ps, withAdam(func(o *optim.AdamOptions) { o.WeightDecay = -1 }))), "weight decay"},
		{"adamw beta1 > 1", second(optim.NewAdamW(ps, withAdam(func(o *optim.AdamOptions) { o.Beta1 = 1.5 }))), "beta1"},
		{"adamw nil param", second(optim.NewAdamW([]*autograd.Var{nil}, optim.DefaultAdamW())), "parameter 0 is nil"},
		{"steplr nil", second(optim.NewStepLR(nil, 1, 0.1)), "nil optimizer"},
		{"steplr step size", second(optim.NewStepLR(&lrHolder{0.1}, 0, 0.1)), "step size"},
		{"steplr gamma", second(optim.NewStepLR(&lrHolder{0.1}, 1, -0.1)), "gamma"},
		{"cosine nil", second(optim.NewCosineAnnealingLR(nil, 10, 0)), "nil optimizer"},
		{"cosine tmax", second(optim.NewCosineAnnealingLR(&lrHolder{0.1}, 0, 0)), "T_max"},
		{"cosine eta_min", second(optim.NewCosineAnnealingLR(&lrHolder{0.1}, 10, nan)), "eta_min"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestGradShapeMismatch(t *testing.T) {
	a := autograd.NewVar(mustTensor([]float32{1, 2}), true)
	b := autograd.NewVar(mustTensor([]float32{3, 4}), true)
	for _, mk := range []func([]*autograd.Var) (optim.Optimizer, error){
		func(ps []*autograd.Var) (optim.Optimizer, error) {
			return optim.NewSGD(ps, optim.SGDOptions{LR: 0.1, Momentum: 0.9})
		},
		func(ps []*autograd.Var) (optim.Optimizer, error) { return optim.NewAdam(ps, optim.DefaultAdam()) },
		func(ps []*autograd.Var) (optim.Optimizer, error) { return optim.NewAdamW(ps, optim.DefaultAdamW()) },
	} {
		o, err := mk([]*autograd.Var{a, b})
		if err != nil {
			t.Fatal(err)
		}
		a.SetGrad(mustTensor([]float32{1, 1}))
		b.SetGrad(mustTensor([]float32{1, 1, 1}))
		err = o.Step()
		if err == nil || !strings.Contains(err.Error(), "parameter 1") {
			t.Errorf("error %v, want one naming parameter 1", err)
		}
		// The step is all or nothing: a (checked first) is untouched too.
		if d := a.Value().Data(); d[0] != 1 || d[1] != 2 {
			t.Errorf("failed Step changed parameter 0 to %v", d)
		}
	}
}
