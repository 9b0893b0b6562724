package node

import (
	"math"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/internal/golden"
	"github.com/spikego/spikego/tensor"
)

// nodeGolden is one case of testdata/golden.json, written by
// tools/golden/gen_node_golden.py from a PyTorch re-statement of
// BrainCog's node.py.
type nodeGolden struct {
	Label             string        `json:"label"`
	Kind              string        `json:"kind"`
	T                 int           `json:"T"`
	B                 int           `json:"B"`
	N                 int           `json:"N"`
	ThresholdShape    []int         `json:"threshold_shape"`
	Threshold         golden.Floats `json:"threshold"`
	Tau               *golden.F32   `json:"tau"`
	Dt                golden.F32    `json:"dt"`
	Surrogate         string        `json:"surrogate"`
	Alpha             golden.F32    `json:"alpha"`
	AlphaRequiresGrad bool          `json:"alpha_requires_grad"`
	MemDetach         bool          `json:"mem_detach"`
	RequiresThresGrad bool          `json:"requires_thres_grad"`
	W                 *golden.F32   `json:"w"`
	SigmoidW          *golden.F32   `json:"sigmoid_w"`
	X                 golden.Floats `json:"x"`
	R                 golden.Floats `json:"R"`
	Spikes            golden.Floats `json:"spikes"`
	Mem               golden.Floats `json:"mem"`
	GradX             golden.Floats `json:"grad_x"`
	GradThreshold     golden.Floats `json:"grad_threshold"`
	GradW             golden.Floats `json:"grad_w"`
	GradAlpha         golden.Floats `json:"grad_alpha"`
}

func loadNodeGolden(t *testing.T) []nodeGolden {
	t.Helper()
	var file struct {
		Cases []nodeGolden `json:"cases"`
	}
	if err := golden.Load("testdata/golden.json", &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) < 10 {
		t.Fatalf("only %d golden cases", len(file.Cases))
	}
	return file.Cases
}

// build returns the Go node of a golden case, configured only through the
// public options and SetThreshold.
func (c *nodeGolden) build(t *testing.T) *BaseNode {
	t.Helper()
	k, err := ParseKind(c.Kind)
	if err != nil {
		t.Fatal(err)
	}
	opts := []Option{
		WithSurrogate(c.Surrogate),
		WithDt(float32(c.Dt)),
		WithMemDetach(c.MemDetach),
		WithThresholdGrad(c.RequiresThresGrad),
	}
	if c.Tau != nil {
		opts = append(opts, WithTau(float32(*c.Tau)))
	}
	th := c.Threshold.Slice()
	if len(c.ThresholdShape) == 0 {
		opts = append(opts, WithThreshold(th[0]))
	}
	n, err := NewKind(k, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ThresholdShape) > 0 {
		tt, err := tensor.FromSlice(th, c.ThresholdShape...)
		if err != nil {
			t.Fatal(err)
		}
		if err := n.SetThreshold(tt); err != nil {
			t.Fatal(err)
		}
	}
	// The configuration BrainCog builds: alpha 2, learnable only for
	// PLIFNode; w = -log(tau-1) and its sigmoid as torch computes them.
	if a := alphaValue(n.act); a != float32(c.Alpha) {
		t.Fatalf("alpha %v, golden %v", a, float32(c.Alpha))
	}
	if al := n.act.Alpha(); al == nil || al.RequiresGrad() != c.AlphaRequiresGrad {
		t.Fatalf("alpha learnable mismatch: golden %v", c.AlphaRequiresGrad)
	}
	if c.W != nil {
		if n.w == nil || n.w.Value().Item() != float32(*c.W) {
			t.Fatalf("w = %v, golden %v", n.w, float32(*c.W))
		}
		if k := n.dyn().k; k != float32(*c.SigmoidW) {
			t.Fatalf("sigmoid(w) = %v (%#08x), golden %v (%#08x)", k, math.Float32bits(k), float32(*c.SigmoidW), math.Float32bits(float32(*c.SigmoidW)))
		}
	}
	return n
}

// goldenResult is what one path (multi-step or single-step) produced.
type goldenResult struct {
	spikes, mem, gx  []float32
	gth, gw, galpha  []float32
	thGradPresent    bool
	wGradPresent     bool
	alphaGradPresent bool
	label            string
}

func gradOf(v *autograd.Var) []float32 {
	if v == nil || v.Grad() == nil {
		return nil
	}
	return v.Grad().Data()
}

func (c *nodeGolden) runMulti(t *testing.T) goldenResult {
	t.Helper()
	n := c.build(t)
	xt, err := tensor.FromSlice(c.X.Slice(), c.T, c.B, c.N)
	if err != nil {
		t.Fatal(err)
	}
	R, _ := tensor.FromSlice(c.R.Slice(), c.T, c.B, c.N)
	x := autograd.NewVar(xt, true)
	s, err := n.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	if err := autograd.Backward(autograd.Sum(autograd.Mul(s, autograd.Const(R))), nil); err != nil {
		t.Fatal(err)
	}
	return c.collect("multi-step", n, s.Value().Data(), x.Grad().Data())
}

// runSingle calls Step T times on T separate leaves x[t], as BrainCog's
// node is called on x[t] once per step, with loss sum_t sum(s_t*R_t).
func (c *nodeGolden) runSingle(t *testing.T) goldenResult {
	t.Helper()
	n := c.build(t)
	per := c.B * c.N
	xd, rd := c.X.Slice(), c.R.Slice()
	xs := make([]*autograd.Var, c.T)
	spikes := make([]float32, 0, c.T*per)
	var loss *autograd.Var
	for s := 0; s < c.T; s++ {
		xs[s] = autograd.NewVar(mustFrom(xd[s*per:(s+1)*per], []int{c.B, c.N}), true)
		spk, err := n.Step(xs[s])
		if err != nil {
			t.Fatal(err)
		}
		spikes = append(spikes, spk.Value().Data()...)
		term := autograd.Sum(autograd.Mul(spk, autograd.Const(mustFrom(rd[s*per:(s+1)*per], []int{c.B, c.N}))))
		if loss == nil {
			loss = term
		} else {
			loss = autograd.Add(loss, term)
		}
	}
	if err := autograd.Backward(loss, nil); err != nil {
		t.Fatal(err)
	}
	gx := make([]float32, 0, c.T*per)
	for s := range xs {
		g := gradOf(xs[s])
		if g == nil {
			g = make([]float32, per) // no path from x[s] to the loss
		}
		gx = append(gx, g...)
	}
	return c.collect("single-step", n, spikes, gx)
}

func (c *nodeGolden) collect(label string, n *BaseNode, spikes, gx []float32) goldenResult {
	r := goldenResult{label: label, spikes: spikes, gx: gx}
	r.mem = n.Mem().Value().Data()
	if g := gradOf(n.th); g != nil {
		r.gth, r.thGradPresent = g, true
	}
	if g := gradOf(n.w); g != nil {
		r.gw, r.wGradPresent = g, true
	}
	if g := gradOf(n.act.Alpha()); g != nil {
		r.galpha, r.alphaGradPresent = g, true
	}
	return r
}

// termScales returns, per learnable parameter, the sum of the magnitudes
// of the terms its gradient adds up (threshold: the surrogate gradients of
// every element and step, per threshold element; w: the terms of dL/dw;
// alpha: the DAlpha terms). It replays the forward pass with the golden
// spikes and sums |terms| in float64; the result sets the tolerance scale
// of a reduction whose order differs from torch's.
func (c *nodeGolden) termScales(n *BaseNode) (th []float64, w, alpha float64) {
	T, P := c.T, c.B*c.N
	d := n.dyn()
	xd, rd, sd := c.X.Slice(), c.R.Slice(), c.Spikes.Slice()
	thv := n.th.Value()
	thAt := func(i int) float32 {
		if thv.Len() == 1 {
			return thv.Data()[0]
		}
		return thv.Data()[i%c.N]
	}
	th = make([]float64, thv.Len())
	a := alphaValue(n.act)
	pre := make([]float32, T*P)
	for i := 0; i < P; i++ {
		m := n.cfg.vReset
		for s := 0; s < T; s++ {
			m = d.charge(m, xd[s*P+i])
			pre[s*P+i] = m
			m *= 1 - sd[s*P+i]
		}
	}
	for i := 0; i < P; i++ {
		var gmNext float32
		for s := T - 1; s >= 0; s-- {
			idx := s*P + i
			u := pre[idx] - thAt(i)
			gu := n.kernel.GradAt(rd[idx], u, a)
			if len(th) == 1 {
				th[0] += math.Abs(float64(gu))
			} else {
				th[i%c.N] += math.Abs(float64(gu))
			}
			if n.kernel.DAlpha != nil {
				alpha += math.Abs(float64(n.kernel.DAlpha(rd[idx], u, a)))
			}
			gm := gu + gmNext*(1-sd[idx])
			mPrev := n.cfg.vReset
			if s > 0 {
				mPrev = pre[idx-P] * (1 - sd[idx-P])
			}
			_, gmPrev, gk := d.chargeBack(gm, mPrev, xd[idx])
			w += math.Abs(float64(gk) * float64(d.k*(1-d.k)))
			if n.cfg.memDetach {
				gmPrev = 0
			}
			gmNext = gmPrev
		}
	}
	return th, w, alpha
}

// Tolerances of the golden comparison:
//   - spikes and the final membrane: bit-exact (plain float32 arithmetic in
//     BrainCog's order);
//   - grad x: each element is a chain of at most T products and sums
//     through time, done in the same order as torch's autograd; allowed
//     |got - want| <= goldenGradXTol * max(|want|, max_i |want_i|/1000);
//   - parameter gradients (threshold, w, alpha): reductions over B*N
//     elements and T steps whose order differs from torch's; allowed
//     |got - want| <= goldenParamTol * (sum of |terms|) (see termScales).
const (
	goldenGradXTol   = 1e-6
	goldenParamTol   = 1e-5
	goldenGradXFloor = 1e-3
)

// TestGolden runs every golden case through both the fused multi-step
// Forward and T calls of Step and compares spikes, final membrane and
// gradients with PyTorch's.
func TestGolden(t *testing.T) {
	type worst struct {
		gxRel, thRel, wRel, alphaRel float64
		paramValRel                  float64 // worst |got-want|/|want| over all parameter grads
		gxExactAll                   bool
	}
	w := worst{gxExactAll: true}
	for _, c := range loadNodeGolden(t) {
		t.Run(c.Label, func(t *testing.T) {
			n := c.build(t)
			thScale, wScale, alphaScale := c.termScales(n)
			wantX := c.GradX.Slice()
			var maxX float64
			for _, v := range wantX {
				maxX = math.Max(maxX, math.Abs(float64(v)))
			}
			for _, r := range []goldenResult{c.runMulti(t), c.runSingle(t)} {
				if msg := golden.Compare(r.spikes, c.Spikes.Slice(), 0, 0); msg != "" {
					t.Errorf("%s spikes: %s", r.label, msg)
				}
				if msg := golden.Compare(r.mem, c.Mem.Slice(), 0, 0); msg != "" {
					t.Errorf("%s final membrane: %s", r.label, msg)
				}
				if len(r.mem) != c.B*c.N {
					t.Errorf("%s final membrane has %d values, want %d", r.label, len(r.mem), c.B*c.N)
				}
				// grad x
				if msg := golden.Compare(r.gx, wantX, goldenGradXTol, goldenGradXFloor*maxX); msg != "" {
					t.Errorf("%s grad x: %s", r.label, msg)
				}
				for i, v := range wantX {
					if r.gx[i] != v {
						w.gxExactAll = false
					}
					if v != 0 || r.gx[i] != 0 {
						w.gxRel = math.Max(w.gxRel, math.Abs(float64(r.gx[i]-v))/math.Max(math.Abs(float64(v)), goldenGradXFloor*maxX))
					}
				}
				// threshold
				if (c.GradThreshold != nil) != r.thGradPresent {
					t.Errorf("%s grad threshold present %v, golden %v", r.label, r.thGradPresent, c.GradThreshold != nil)
				} else if c.GradThreshold != nil {
					e, ev := checkParam(t, r.label+" grad threshold", r.gth, c.GradThreshold.Slice(), thScale)
					w.thRel, w.paramValRel = math.Max(w.thRel, e), math.Max(w.paramValRel, ev)
				}
				// w
				if (c.GradW != nil) != r.wGradPresent {
					t.Errorf("%s grad w present %v, golden %v", r.label, r.wGradPresent, c.GradW != nil)
				} else if c.GradW != nil {
					e, ev := checkParam(t, r.label+" grad w", r.gw, c.GradW.Slice(), []float64{wScale})
					w.wRel, w.paramValRel = math.Max(w.wRel, e), math.Max(w.paramValRel, ev)
				}
				// alpha
				if (c.GradAlpha != nil) != r.alphaGradPresent {
					t.Errorf("%s grad alpha present %v, golden %v", r.label, r.alphaGradPresent, c.GradAlpha != nil)
				} else if c.GradAlpha != nil {
					e, ev := checkParam(t, r.label+" grad alpha", r.galpha, c.GradAlpha.Slice(), []float64{alphaScale})
					w.alphaRel, w.paramValRel = math.Max(w.alphaRel, e), math.Max(w.paramValRel, ev)
				}
			}
		})
	}
	t.Logf("worst grad x error %.3g (relative, floor %g*max|grad x|), all bit-exact: %v", w.gxRel, goldenGradXFloor, w.gxExactAll)
	t.Logf("worst parameter grad errors relative to the sum of |terms|: threshold %.3g, w %.3g, alpha %.3g (relative to the value: %.3g)", w.thRel, w.wRel, w.alphaRel, w.paramValRel)
}

// checkParam compares a parameter gradient with tolerance goldenParamTol
// times the sum of its terms' magnitudes and returns the worst error
// relative to that sum and the worst relative to the golden value.
func checkParam(t *testing.T, what string, got, want []float32, scale []float64) (worst, worstVal float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, golden %d", what, len(got), len(want))
		return 0, 0
	}
	for i := range want {
		s := scale[0]
		if len(scale) == len(want) {
			s = scale[i]
		}
		if s == 0 {
			s = math.SmallestNonzeroFloat32
		}
		e := math.Abs(float64(got[i])-float64(want[i])) / s
		worst = math.Max(worst, e)
		if want[i] != 0 {
			worstVal = math.Max(worstVal, math.Abs(float64(got[i])-float64(want[i]))/math.Abs(float64(want[i])))
		}
		if e > goldenParamTol {
			t.Errorf("%s[%d] = %v, golden %v (error %.3g of the term sum %.4g)", what, i, got[i], want[i], e, s)
		}
	}
	return worst, worstVal
}
