package strategy_test

import (
	"math"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/internal/golden"
	"github.com/spikego/spikego/strategy"
	"github.com/spikego/spikego/tensor"
)

type goldenTensor struct {
	Shape []int         `json:"shape"`
	Data  golden.Floats `json:"data"`
}

func (g goldenTensor) tensor(t *testing.T) *tensor.Tensor {
	t.Helper()
	return fromSlice(t, g.Data.Slice(), g.Shape)
}

// TestWTAGolden checks WTAMask and WTALayer (with replayed draws)
// against BrainCog's WTALayer on PyTorch (tools/golden/gen_stdp_golden.py):
// spikes with ties among the draws, all-zero draws, silent positions,
// analog inputs, k = 1, 2, 3.
func TestWTAGolden(t *testing.T) {
	var g struct {
		WTA map[string]goldenTensor `json:"wta"`
	}
	if err := golden.Load("testdata/wta_golden.json", &g); err != nil {
		t.Fatal(err)
	}
	u := g.WTA["u"].tensor(t)
	for _, c := range []struct {
		x, want string
		k       int
	}{
		{"x", "out_k1", 1}, {"x", "out_k2", 2}, {"x", "out_k3", 3},
		{"xa", "outa_k1", 1}, {"xa", "outa_k2", 2},
	} {
		x := g.WTA[c.x].tensor(t)
		want := g.WTA[c.want].Data.Slice()
		mask, err := strategy.WTAMask(x, u, c.k)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := tensor.Mul(x, mask)
		if d := golden.Compare(got.Data(), want, 0, 0); d != "" {
			t.Errorf("WTAMask %s k=%d: %s", c.x, c.k, d)
		}
		w, err := strategy.NewWTALayer(c.k, 0)
		if err != nil {
			t.Fatal(err)
		}
		w.Replay([][]float32{u.Data()})
		xv := autograd.NewVar(x, true)
		y, err := w.Forward(xv)
		if err != nil {
			t.Fatal(err)
		}
		if d := golden.Compare(y.Value().Data(), want, 0, 0); d != "" {
			t.Errorf("Forward %s k=%d: %s", c.x, c.k, d)
		}
		// The gradient is the mask.
		if err := autograd.Backward(autograd.Sum(y), nil); err != nil {
			t.Fatal(err)
		}
		if d := golden.Compare(xv.Grad().Data(), mask.Data(), 0, 0); d != "" {
			t.Errorf("gradient %s k=%d: %s", c.x, c.k, d)
		}
		if _, err := w.Forward(xv); err == nil {
			t.Errorf("k=%d: Forward beyond the replayed draws gave no error", c.k)
		}
	}
}

// TestWTALayerDraws checks the generator: the same seed and call give the
// same winners, another seed or call other ones, and among tied spikes
// every channel wins equally often.
func TestWTALayerDraws(t *testing.T) {
	const N, C = 30000, 3
	x := tensor.Ones(N, C)
	wins := func(seed uint64, calls uint64) ([]float32, [C]int) {
		w, err := strategy.NewWTALayer(1, seed)
		if err != nil {
			t.Fatal(err)
		}
		w.SetCalls(calls)
		y, err := w.Forward(autograd.Const(x))
		if err != nil {
			t.Fatal(err)
		}
		if w.Calls() != calls+1 {
			t.Fatalf("Calls = %d after one Forward from %d", w.Calls(), calls)
		}
		var n [C]int
		for i, v := range y.Value().Data() {
			if v != 0 {
				n[i%C]++
			}
		}
		return y.Value().Data(), n
	}
	a, na := wins(1, 0)
	b, _ := wins(1, 0)
	c, _ := wins(2, 0)
	d, _ := wins(1, 1)
	same := func(p, q []float32) bool {
		for i := range p {
			if p[i] != q[i] {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Error("same seed and call gave different winners")
	}
	if same(a, c) || same(a, d) {
		t.Error("another seed or call gave the same winners")
	}
	total := 0
	for _, n := range na {
		total += n
		// Binomial(30000, 1/3): sd 82; allow 5 sd.
		if math.Abs(float64(n)-N/3.0) > 410 {
			t.Errorf("wins per channel %v, want about %d each", na, N/3)
		}
	}
	if total < N || total > N+5 {
		t.Errorf("%d winners for %d positions (ties are rare)", total, N)
	}
}

// TestWTADrawsRange checks that the draws lie in [0, 1) on the 2^-24 grid.
func TestWTADrawsRange(t *testing.T) {
	w, _ := strategy.NewWTALayer(1, 42)
	d := w.Draws(7)
	var sum float64
	for i := 0; i < 100000; i++ {
		u := d.At(i)
		if u < 0 || u >= 1 || float32(int(u*(1<<24)))/(1<<24) != u {
			t.Fatalf("draw %d = %v", i, u)
		}
		sum += float64(u)
	}
	if m := sum / 100000; math.Abs(m-0.5) > 0.005 {
		t.Errorf("mean draw %v, want 0.5", m)
	}
}

func TestWTAErrors(t *testing.T) {
	if _, err := strategy.NewWTALayer(0, 0); err == nil {
		t.Error("k = 0 accepted")
	}
	w, _ := strategy.NewWTALayer(1, 0)
	if _, err := w.Forward(autograd.Const(tensor.New(4))); err == nil {
		t.Error("input without a channel axis accepted")
	}
	if _, err := strategy.WTAMask(tensor.New(2, 3), tensor.New(3, 2), 1); err == nil {
		t.Error("draws of another shape accepted")
	}
}
