package stdp

import (
	"fmt"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/internal/golden"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/optim"
	"github.com/spikego/spikego/tensor"
)

// The golden values come from BrainCog's formulas re-stated in PyTorch
// (tools/golden/gen_stdp_golden.py), checked bit for bit against
// BrainCog's own codef.py, layer.py, node.py and LateralInhibition.py
// with its --braincog option.

type gTensor struct {
	Shape []int         `json:"shape"`
	Data  golden.Floats `json:"data"`
}

func (g gTensor) tensor(t *testing.T) *tensor.Tensor {
	t.Helper()
	if len(g.Shape) == 0 {
		return tensor.Scalar(float32(g.Data[0]))
	}
	v, err := tensor.FromSlice(g.Data.Slice(), g.Shape...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (g gTensor) f() []float32 { return g.Data.Slice() }

type goldenFile struct {
	ConvParams struct {
		B, H, W, C, T int
		Inh, Offset   float32
		LR            float32 `json:"lr"`
	} `json:"conv_params"`
	LinearParams struct {
		B, N, T        int
		In             int `json:"In"`
		Inh, Tau, Plus float32
		LR             float32 `json:"lr"`
	} `json:"linear_params"`
	Conv       map[string]gTensor `json:"conv"`
	Linear     map[string]gTensor `json:"linear"`
	LinearWeak map[string]gTensor `json:"linear_weak"`
	Voting     map[string]gTensor `json:"voting"`
}

func loadGolden(t *testing.T) *goldenFile {
	t.Helper()
	var g goldenFile
	if err := golden.Load("testdata/golden.json", &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

// draws splits a [T, ...] tensor of WTA draws into one slice per call.
func draws(t *testing.T, g gTensor) [][]float32 {
	d := g.f()
	T := g.Shape[0]
	per := len(d) / T
	out := make([][]float32, T)
	for i := range out {
		out[i] = d[i*per : (i+1)*per]
	}
	return out
}

func check(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	var scale float64
	for _, v := range want {
		scale = max(scale, float64(max(v, -v)))
	}
	if d := golden.Compare(got, want, tol, scale); d != "" {
		t.Errorf("%s: %s", what, d)
	}
}

func newGoldenConv(t *testing.T, g *goldenFile) *STDPConv {
	p := g.ConvParams
	cfg := DefaultConvConfig(1, p.C)
	cfg.Inh, cfg.Offset, cfg.Steps = p.Inh, p.Offset, p.T
	c, err := NewSTDPConv(cfg, nn.NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	copy(c.Weight().Value().Data(), g.Conv["w"].f())
	c.WTA().Replay(draws(t, g.Conv["draws"]))
	return c
}

// TestConvGolden checks STDPConv against BrainCog's STDPConv and the
// example's phase-1 step on PyTorch: the per-channel threshold (batch
// maximum + 1e-4), the spike counts over T steps (WTA then lateral
// inhibition in threshold mode), the weight gradient of the scaled count
// through STDPGrad, normgrad(force=True), the SGD step and normweight,
// along both the fused path (Run, Backward) and the autograd path
// (Forward).
func TestConvGolden(t *testing.T) {
	g := loadGolden(t)
	p := g.ConvParams
	x := g.Conv["x"].tensor(t)
	scale := g.Conv["scale"].f()[0]
	for _, path := range []string{"fused", "autograd", "fused purego"} {
		t.Run(path, func(t *testing.T) {
			if path == "fused purego" {
				defer func(v bool) { useAsm = v }(useAsm)
				useAsm = false
			}
			c := newGoldenConv(t, g)
			var counts []float32
			if path == "autograd" {
				y, err := c.Forward(autograd.Const(x))
				if err != nil {
					t.Fatal(err)
				}
				counts = y.Value().Data()
				if err := autograd.Backward(autograd.Sum(y), tensor.Scalar(scale)); err != nil {
					t.Fatal(err)
				}
			} else {
				y, err := c.Run(x, p.T)
				if err != nil {
					t.Fatal(err)
				}
				counts = y.Data()
				if err := c.Backward(scale); err != nil {
					t.Fatal(err)
				}
			}
			check(t, "threshold", c.Threshold(), g.Conv["threshold"].f(), 1e-6)
			check(t, "counts", counts, g.Conv["counts"].f(), 0)
			check(t, "gradient", c.Weight().Grad().Data(), g.Conv["grad"].f(), 2e-5)
		})
	}
	// The update steps, each from the golden input of the step.
	c := newGoldenConv(t, g)
	w := c.Weight()
	w.SetGrad(g.Conv["grad"].tensor(t))
	if err := c.NormGrad(true); err != nil {
		t.Fatal(err)
	}
	check(t, "normgrad", w.Grad().Data(), g.Conv["normgrad"].f(), 1e-6)
	w.SetGrad(g.Conv["normgrad"].tensor(t))
	opt, _ := optim.NewSGD([]*autograd.Var{w}, optim.SGDOptions{LR: p.LR})
	if err := opt.Step(); err != nil {
		t.Fatal(err)
	}
	check(t, "SGD step", w.Value().Data(), g.Conv["stepped"].f(), 1e-6)
	copy(w.Value().Data(), g.Conv["stepped"].f())
	if err := c.NormWeight(false); err != nil {
		t.Fatal(err)
	}
	check(t, "normweight", w.Value().Data(), g.Conv["normweight"].f(), 1e-6)
	copy(w.Value().Data(), g.Conv["w0"].f())
	if err := c.NormWeight(false); err != nil {
		t.Fatal(err)
	}
	check(t, "initial normweight", w.Value().Data(), g.Conv["w"].f(), 1e-6)
}

// TestLinearGolden checks STDPLinear against BrainCog's STDPLinear and the
// example's phase-2 step on PyTorch: the thresholds set from the first
// batch (3 × the largest current), the spike counts (WTA over the
// neurons, lateral inhibition in max mode with the pre-node current), the
// weight gradient through STDPGrad, the sign flip and SGD step, the
// threshold growth (and its cap at 350 in the "weak" case, whose
// thresholds overshoot), normweight (clamp, max-normalisation), and the
// counts of a second batch with the learned thresholds, along both the
// fused path and the autograd path.
func TestLinearGolden(t *testing.T) {
	g := loadGolden(t)
	p := g.LinearParams
	for _, cs := range []struct {
		name      string
		m         map[string]gTensor
		inh, plus float32
	}{
		{"strong", g.Linear, p.Inh, p.Plus},
		{"weak", g.LinearWeak, g.LinearWeak["inh"].f()[0], g.LinearWeak["plus"].f()[0]},
	} {
		m := cs.m
		for _, path := range []string{"fused", "autograd", "fused purego"} {
			t.Run(fmt.Sprintf("%s %s", cs.name, path), func(t *testing.T) {
				if path == "fused purego" {
					defer func(v bool) { useAsm = v }(useAsm)
					useAsm = false
				}
				cfg := DefaultLinearConfig(p.In, p.N)
				cfg.Inh, cfg.Tau, cfg.Steps = cs.inh, p.Tau, p.T
				l, err := NewSTDPLinear(cfg, nn.NewRand(1))
				if err != nil {
					t.Fatal(err)
				}
				w := l.Weight()
				copy(w.Value().Data(), m["w0"].f())
				if err := l.NormWeight(); err != nil {
					t.Fatal(err)
				}
				check(t, "initial normweight", w.Value().Data(), m["w"].f(), 1e-6)
				copy(w.Value().Data(), m["w"].f())
				run := func(x gTensor, d gTensor) []float32 {
					l.WTA().Replay(draws(t, d))
					l.WTA().SetCalls(0)
					if path == "autograd" {
						y, err := l.Forward(autograd.Const(x.tensor(t)))
						if err != nil {
							t.Fatal(err)
						}
						if err := autograd.Backward(autograd.Sum(y), nil); err != nil {
							t.Fatal(err)
						}
						return y.Value().Data()
					}
					sp, err := l.Run(x.tensor(t), p.T)
					if err != nil {
						t.Fatal(err)
					}
					if err := l.Backward(); err != nil {
						t.Fatal(err)
					}
					dense, err := sp.Dense(p.N)
					if err != nil {
						t.Fatal(err)
					}
					return dense.Data()
				}
				counts := run(m["x1"], m["draws1"])
				check(t, "threshold0", l.Threshold(), m["threshold0"].f(), 1e-6)
				check(t, "counts1", counts, m["counts1"].f(), 0)
				check(t, "gradient", w.Grad().Data(), m["grad"].f(), 1e-6)
				if path == "autograd" {
					return // the updates do not depend on the path
				}
				if err := l.NormGrad(); err != nil {
					t.Fatal(err)
				}
				opt, _ := optim.NewSGD([]*autograd.Var{w}, optim.SGDOptions{LR: p.LR})
				if err := opt.Step(); err != nil {
					t.Fatal(err)
				}
				check(t, "SGD step", w.Value().Data(), m["stepped"].f(), 1e-6)
				if err := l.UpdateThreshold(cs.plus); err != nil {
					t.Fatal(err)
				}
				check(t, "threshold1", l.Threshold(), m["threshold1"].f(), 1e-6)
				copy(w.Value().Data(), m["stepped"].f())
				if err := l.NormWeight(); err != nil {
					t.Fatal(err)
				}
				check(t, "normweight", w.Value().Data(), m["normweight"].f(), 1e-6)
				copy(w.Value().Data(), m["normweight"].f())
				copy(l.Threshold(), m["threshold1"].f())
				w.ZeroGrad()
				check(t, "counts2", run(m["x2"], m["draws2"]), m["counts2"].f(), 0)
			})
		}
	}
}

// TestVotingGolden checks Voting against the example's voting over two
// epochs: label assignment with the decaying rate memory (a label absent
// from the second epoch keeps its rates), a neuron that never spikes
// (label 0), a silent sample and ties (first label).
func TestVotingGolden(t *testing.T) {
	g := loadGolden(t)
	m := g.Voting
	v, err := NewVoting(7, 3)
	if err != nil {
		t.Fatal(err)
	}
	for epoch := 1; epoch <= 2; epoch++ {
		e := func(k string) gTensor { return m[fmt.Sprintf("%s%d", k, epoch)] }
		st := e("spikes")
		dense, _ := tensor.FromSlice(st.f(), st.Shape[0], st.Shape[2])
		s, err := SpikesFromDense(dense)
		if err != nil {
			t.Fatal(err)
		}
		var labels []int
		for _, y := range e("labels").f() {
			labels = append(labels, int(y))
		}
		if err := v.Add(s, labels); err != nil {
			t.Fatal(err)
		}
		assign := v.Assign()
		check(t, fmt.Sprintf("epoch %d labels", epoch), ints(assign), e("assign").f(), 0)
		check(t, fmt.Sprintf("epoch %d rates", epoch), v.Rates(), e("rates").f(), 0)
		pred := make([]int, s.Len())
		if err := v.Predict(s, pred); err != nil {
			t.Fatal(err)
		}
		check(t, fmt.Sprintf("epoch %d predictions", epoch), ints(pred), e("pred").f(), 0)
	}
}

func ints(v []int) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// TestConvNormGradNoForce checks NormGrad(false) (not used by the
// example) against values worked by hand: grad - Offset·(mean spike count
// of the channel over batch and positions), negated.
func TestConvNormGradNoForce(t *testing.T) {
	cfg := DefaultConvConfig(1, 2)
	cfg.Offset = 0.5
	c, err := NewSTDPConv(cfg, nn.NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	// counts [B=2, C=2, 1, 2]: channel 0 holds 1, 3, 0, 4 (mean 2),
	// channel 1 holds 0, 0, 2, 2 (mean 1).
	c.counts, _ = tensor.FromSlice([]float32{1, 3, 0, 0, 0, 4, 2, 2}, 2, 2, 1, 2)
	g := tensor.New(2, 1, 3, 3)
	want := make([]float32, 18)
	for i := range g.Data() {
		if i < 9 {
			g.Data()[i], want[i] = 1.5, -(1.5 - 0.5*2) // -0.5
		} else {
			g.Data()[i], want[i] = -2, -(-2 - 0.5*1) // 2.5
		}
	}
	c.Weight().SetGrad(g)
	if err := c.NormGrad(false); err != nil {
		t.Fatal(err)
	}
	check(t, "normgrad(false)", c.Weight().Grad().Data(), want, 0)
}
