package nn

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// naiveLinear computes x·Wᵀ + b row by row in float64.
func naiveLinear(x, w, b *tensor.Tensor) []float64 {
	out, in := w.Dim(0), w.Dim(1)
	rows := x.Len() / in
	y := make([]float64, rows*out)
	for r := 0; r < rows; r++ {
		for o := 0; o < out; o++ {
			var s float64
			if b != nil {
				s = float64(b.Data()[o])
			}
			for k := 0; k < in; k++ {
				s += float64(x.Data()[r*in+k]) * float64(w.Data()[o*in+k])
			}
			y[r*out+o] = s
		}
	}
	return y
}

func closeTo(got []float32, want []float64, tol float64) error {
	if len(got) != len(want) {
		return fmt.Errorf("len %d, want %d", len(got), len(want))
	}
	for i, v := range got {
		if !(math.Abs(float64(v)-want[i]) <= tol*(1+math.Abs(want[i]))) {
			return fmt.Errorf("[%d] = %v, want %v", i, v, want[i])
		}
	}
	return nil
}

func TestLinearForwardMatchesNaive(t *testing.T) {
	rng := NewRand(7)
	for _, tc := range []struct {
		rows, in, out int
		bias          bool
	}{
		{1, 1, 1, true},
		{5, 7, 3, true},     // rows not a multiple of 4
		{8, 3, 5, false},    // no bias
		{9, 300, 270, true}, // several GEMM panels in k and n
		{64, 128, 64, true}, // large enough to run in parallel
	} {
		l := mustLinear(t, tc.in, tc.out, tc.bias, rng)
		x := randUniform(rng, -2, 2, tc.rows, tc.in)
		y, err := l.Forward(autograd.Const(x))
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		if !slices.Equal(y.Shape(), []int{tc.rows, tc.out}) {
			t.Errorf("%+v: shape %v", tc, y.Shape())
		}
		var b *tensor.Tensor
		if l.Bias != nil {
			b = l.Bias.Value()
		}
		if err := closeTo(y.Value().Data(), naiveLinear(x, l.Weight.Value(), b), 1e-5); err != nil {
			t.Errorf("%+v: %v", tc, err)
		}
	}
}

// linearOf returns f for checkGrad applying a Linear whose parameters are
// in[1] and (when present) in[2] to in[0].
func linearOf(in, out int) func(v []*autograd.Var) *autograd.Var {
	return func(v []*autograd.Var) *autograd.Var {
		l := &Linear{Weight: v[1], in: in, out: out}
		if len(v) > 2 {
			l.Bias = v[2]
		}
		y, err := l.Forward(v[0])
		if err != nil {
			panic(err)
		}
		return y
	}
}

func TestLinearGrad(t *testing.T) {
	rng := NewRand(3)
	t.Run("2d", func(t *testing.T) {
		checkGrad(t, linearOf(4, 3), randUniform(rng, -1, 1, 5, 4), randUniform(rng, -1, 1, 3, 4), randUniform(rng, -1, 1, 3))
	})
	t.Run("3d [T,B,in]", func(t *testing.T) {
		checkGrad(t, linearOf(4, 3), randUniform(rng, -1, 1, 2, 3, 4), randUniform(rng, -1, 1, 3, 4), randUniform(rng, -1, 1, 3))
	})
	t.Run("1d", func(t *testing.T) {
		checkGrad(t, linearOf(4, 2), randUniform(rng, -1, 1, 4), randUniform(rng, -1, 1, 2, 4), randUniform(rng, -1, 1, 2))
	})
	t.Run("no bias", func(t *testing.T) {
		checkGrad(t, linearOf(3, 4), randUniform(rng, -1, 1, 6, 3), randUniform(rng, -1, 1, 4, 3))
	})
}

func TestLinear3DInput(t *testing.T) {
	rng := NewRand(11)
	l := mustLinear(t, 6, 4, true, rng)
	x := randUniform(rng, -1, 1, 3, 2, 6) // [T, B, in]
	y, err := l.Forward(autograd.Const(x))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(y.Shape(), []int{3, 2, 4}) {
		t.Fatalf("shape %v, want [3 2 4]", y.Shape())
	}
	// Same values as the flattened [T*B, in] input.
	x2, _ := x.Reshape(6, 6)
	y2, err := l.Forward(autograd.Const(x2))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(y.Value().Data(), y2.Value().Data()) {
		t.Errorf("[T,B,in] and [T*B,in] inputs give different outputs")
	}
}

func TestLinearNoBias(t *testing.T) {
	rng := NewRand(5)
	l := mustLinear(t, 3, 2, false, rng)
	if l.Bias != nil {
		t.Fatal("bias present")
	}
	ps := l.Params()
	if len(ps) != 1 || ps[0].Name != "weight" || ps[0].Var != l.Weight {
		t.Errorf("Params = %v, want only weight", ps)
	}
	x := randUniform(rng, -1, 1, 4, 3)
	y, err := l.Forward(autograd.Const(x))
	if err != nil {
		t.Fatal(err)
	}
	if err := closeTo(y.Value().Data(), naiveLinear(x, l.Weight.Value(), nil), 1e-6); err != nil {
		t.Error(err)
	}
	if got := l.String(); got != "Linear(in_features=3, out_features=2, bias=false)" {
		t.Errorf("String = %q", got)
	}
}

// spyFunc wraps a Function and records the gradients its Backward returns.
type spyFunc struct {
	autograd.Function
	grads []*tensor.Tensor
}

func (s *spyFunc) Backward(ctx *autograd.Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
	gs, err := s.Function.Backward(ctx, g)
	s.grads = gs
	return gs, err
}

func TestLinearSkipsInputGradient(t *testing.T) {
	rng := NewRand(9)
	l := mustLinear(t, 5, 3, true, rng)
	x := autograd.Const(randUniform(rng, -1, 1, 4, 5))
	spy := &spyFunc{Function: linearFunc{}}
	y, err := autograd.Apply(spy, x, l.Weight, l.Bias)
	if err != nil {
		t.Fatal(err)
	}
	if err := autograd.Backward(y, nil); err != nil {
		t.Fatal(err)
	}
	if len(spy.grads) != 3 {
		t.Fatalf("Backward returned %d gradients, want 3", len(spy.grads))
	}
	if spy.grads[0] != nil {
		t.Error("the input gradient was computed although the input does not require one")
	}
	if spy.grads[1] == nil || spy.grads[2] == nil {
		t.Error("weight or bias gradient missing")
	}
	if x.Grad() != nil {
		t.Error("constant input has a gradient")
	}

	// Frozen parameters: only the input gradient is computed.
	spy = &spyFunc{Function: linearFunc{}}
	xv := autograd.NewVar(randUniform(rng, -1, 1, 4, 5), true)
	y, err = autograd.Apply(spy, xv, autograd.Detach(l.Weight), autograd.Detach(l.Bias))
	if err != nil {
		t.Fatal(err)
	}
	if err := autograd.Backward(y, nil); err != nil {
		t.Fatal(err)
	}
	if spy.grads[0] == nil || spy.grads[1] != nil || spy.grads[2] != nil {
		t.Errorf("frozen parameters: gradients computed: x %v, W %v, b %v", spy.grads[0] != nil, spy.grads[1] != nil, spy.grads[2] != nil)
	}
}

func TestLinearBackwardValues(t *testing.T) {
	// With upstream gradient of ones: gx = 1·W (column sums of W in every
	// row), gW[o,k] = sum over rows of x[r,k], gb[o] = rows.
	l := &Linear{
		Weight: autograd.NewVar(fromData([]float32{1, 2, 3, 4, 5, 6}, 2, 3), true),
		Bias:   autograd.NewVar(fromData([]float32{0.5, -0.5}, 2), true),
		in:     3, out: 2,
	}
	x := autograd.NewVar(fromData([]float32{1, 0, -1, 2, 1, 0}, 2, 3), true)
	y, err := l.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	// y = [[1-3+0.5, 4-6-0.5], [2+2+0.5, 8+5-0.5]]
	if want := []float32{-1.5, -2.5, 4.5, 12.5}; !slices.Equal(y.Value().Data(), want) {
		t.Errorf("y = %v, want %v", y.Value().Data(), want)
	}
	if err := autograd.Backward(y, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		got  *tensor.Tensor
		want []float32
	}{
		{"gx", x.Grad(), []float32{5, 7, 9, 5, 7, 9}},
		{"gW", l.Weight.Grad(), []float32{3, 1, -1, 3, 1, -1}},
		{"gb", l.Bias.Grad(), []float32{2, 2}},
	} {
		if c.got == nil || !slices.Equal(c.got.Data(), c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestColumnSums(t *testing.T) {
	// Wide and tall enough to be split across goroutines, with a partial
	// last block.
	rng := NewRand(2)
	const rows, cols = 700, 53
	g := randUniform(rng, -1, 1, rows, cols)
	got := make([]float32, cols)
	columnSums(got, g.Data(), rows, cols)
	want := make([]float64, cols)
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			want[c] += float64(g.Data()[r*cols+c])
		}
	}
	if err := closeTo(got, want, 1e-6); err != nil {
		t.Error(err)
	}
}

func TestLinearInit(t *testing.T) {
	const in, out = 50, 40
	l := mustLinear(t, in, out, true, NewRand(42))
	if !slices.Equal(l.Weight.Shape(), []int{out, in}) || !slices.Equal(l.Bias.Shape(), []int{out}) {
		t.Fatalf("shapes %v, %v", l.Weight.Shape(), l.Bias.Shape())
	}
	if !l.Weight.RequiresGrad() || !l.Bias.RequiresGrad() {
		t.Error("parameters do not require grad")
	}
	if l.InFeatures() != in || l.OutFeatures() != out {
		t.Errorf("features %d, %d", l.InFeatures(), l.OutFeatures())
	}
	bound := 1 / math.Sqrt(in)
	for _, p := range l.Params() {
		var lo, hi, sum float64
		for _, v := range p.Var.Value().Data() {
			lo, hi = min(lo, float64(v)), max(hi, float64(v))
			sum += float64(v)
		}
		if lo < -bound || hi >= bound {
			t.Errorf("%s in [%g, %g], outside ±%g", p.Name, lo, hi, bound)
		}
		n := float64(p.Var.Value().Len())
		if p.Name == "weight" {
			// 2000 uniform draws: the extremes come close to the
			// bounds and the mean is near 0 (sd bound/sqrt(3n)).
			if lo > -0.95*bound || hi < 0.95*bound {
				t.Errorf("weight range [%g, %g] does not fill ±%g", lo, hi, bound)
			}
			if m := sum / n; math.Abs(m) > 5*bound/math.Sqrt(3*n) {
				t.Errorf("weight mean %g", m)
			}
		}
	}
	// Weight first, then bias, from the same stream.
	r := NewRand(42)
	w := make([]float32, out*in)
	b := make([]float32, out)
	r.FillUniform(w, float32(bound))
	r.FillUniform(b, float32(bound))
	if !slices.Equal(l.Weight.Value().Data(), w) || !slices.Equal(l.Bias.Value().Data(), b) {
		t.Error("parameters are not the weight-then-bias draws of the seed")
	}
	// Determinism and seed dependence.
	l2 := mustLinear(t, in, out, true, NewRand(42))
	l3 := mustLinear(t, in, out, true, NewRand(43))
	if !slices.Equal(l.Weight.Value().Data(), l2.Weight.Value().Data()) || !slices.Equal(l.Bias.Value().Data(), l2.Bias.Value().Data()) {
		t.Error("same seed, different parameters")
	}
	if slices.Equal(l.Weight.Value().Data(), l3.Weight.Value().Data()) {
		t.Error("different seeds, same weight")
	}
}

func TestLinearErrors(t *testing.T) {
	l := mustLinear(t, 4, 3, true, NewRand(1))
	for _, tc := range []struct {
		name string
		x    *autograd.Var
		want []string
	}{
		{"wrong in", autograd.Const(tensor.New(2, 5)), []string{"[2 5]", "4", "[3 4]"}},
		{"wrong in 3d", autograd.Const(tensor.New(2, 4, 3)), []string{"[2 4 3]"}},
		{"scalar", autograd.Scalar(1), []string{"[]"}},
		{"nil", nil, []string{"nil"}},
	} {
		_, err := l.Forward(tc.x)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, s := range append(tc.want, "Linear(4, 3)") {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: error %q lacks %q", tc.name, err, s)
			}
		}
	}
	// A foreign bias of the wrong shape is caught by the operation.
	bad := &Linear{Weight: l.Weight, Bias: autograd.Const(tensor.New(4)), in: 4, out: 3}
	if _, err := bad.Forward(autograd.Const(tensor.New(1, 4))); err == nil || !strings.Contains(err.Error(), "bias shape [4]") {
		t.Errorf("bad bias: error %v", err)
	}
	for _, c := range []struct {
		in, out int
		rng     *Rand
		want    string
	}{{-1, 2, NewRand(1), "negative size (in=-1, out=2)"}, {2, -1, NewRand(1), "negative size (in=2, out=-1)"}, {2, 2, nil, "nil *Rand"}} {
		if _, err := NewLinear(c.in, c.out, true, c.rng); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("mustLinear(t, %d, %d): %v, want %q", c.in, c.out, err, c.want)
		}
	}
}

func TestLinearEmptyBatch(t *testing.T) {
	l := mustLinear(t, 3, 2, true, NewRand(1))
	x := autograd.NewVar(tensor.New(0, 3), true)
	y, err := l.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(y.Shape(), []int{0, 2}) {
		t.Fatalf("shape %v", y.Shape())
	}
	if err := autograd.Backward(y, nil); err != nil {
		t.Fatal(err)
	}
	if g := l.Weight.Grad(); g == nil || slices.ContainsFunc(g.Data(), func(v float32) bool { return v != 0 }) {
		t.Errorf("weight grad %v, want zeros", g)
	}
	if g := l.Bias.Grad(); g == nil || slices.ContainsFunc(g.Data(), func(v float32) bool { return v != 0 }) {
		t.Errorf("bias grad %v, want zeros", g)
	}
}

// BenchmarkLinearForwardBackward runs an MNIST-sized hidden layer: x
// [128, 784] (no gradient, as for a first layer) through Linear(784, 800),
// then Backward with a fixed upstream gradient.
func BenchmarkLinearForwardBackward(b *testing.B) {
	rng := NewRand(1)
	l := mustLinear(b, 784, 800, true, rng)
	x := autograd.Const(randUniform(rng, 0, 1, 128, 784))
	g := randUniform(rng, -1, 1, 128, 800)
	b.ReportAllocs()
	for b.Loop() {
		l.Weight.ZeroGrad()
		l.Bias.ZeroGrad()
		y, err := l.Forward(x)
		if err != nil {
			b.Fatal(err)
		}
		if err := autograd.Backward(y, g); err != nil {
			b.Fatal(err)
		}
	}
}

// mustLinear is NewLinear for arguments that cannot fail.
func mustLinear(tb testing.TB, in, out int, bias bool, rng *Rand) *Linear {
	tb.Helper()
	l, err := NewLinear(in, out, bias, rng)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}
