package nn

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// naiveBN normalises x [N, C, inner...] per channel with the given mean
// and variance per channel (nil: the batch's, biased), in float64. It also
// returns the batch mean and unbiased variance.
func naiveBN(x *tensor.Tensor, w, b []float32, mean, variance []float64, eps float64) (y, bMean, bVar []float64) {
	n, c := x.Dim(0), x.Dim(1)
	inner := x.Len() / (n * c)
	m := float64(n * inner)
	bMean, bVar = make([]float64, c), make([]float64, c)
	biased := make([]float64, c)
	for ch := 0; ch < c; ch++ {
		var s float64
		for i := 0; i < n; i++ {
			for j := 0; j < inner; j++ {
				s += float64(x.Data()[(i*c+ch)*inner+j])
			}
		}
		bMean[ch] = s / m
		var q float64
		for i := 0; i < n; i++ {
			for j := 0; j < inner; j++ {
				d := float64(x.Data()[(i*c+ch)*inner+j]) - bMean[ch]
				q += d * d
			}
		}
		biased[ch], bVar[ch] = q/m, q/(m-1)
	}
	if mean == nil {
		mean, variance = bMean, biased
	}
	y = make([]float64, x.Len())
	for i := 0; i < n; i++ {
		for ch := 0; ch < c; ch++ {
			for j := 0; j < inner; j++ {
				k := (i*c+ch)*inner + j
				y[k] = (float64(x.Data()[k])-mean[ch])/math.Sqrt(variance[ch]+eps)*float64(w[ch]) + float64(b[ch])
			}
		}
	}
	return y, bMean, bVar
}

// randomAffine gives the layer's weight and bias random values so that
// tests do not only see γ = 1, β = 0.
func randomAffine(bn *BatchNorm, seed uint64) {
	r := NewRand(seed)
	for i := range bn.Weight.Value().Data() {
		bn.Weight.Value().Data()[i] = r.Uniform(0.5, 2)
		bn.Bias.Value().Data()[i] = r.Uniform(-1, 1)
	}
}

func f64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func TestBatchNormDefaults(t *testing.T) {
	bn, err := NewBatchNorm2d(3)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range bn.Params() {
		names = append(names, fmt.Sprint(p.Name, p.Var.Value().Data(), p.Var.RequiresGrad()))
	}
	for _, b := range bn.Buffers() {
		names = append(names, fmt.Sprint(b.Name, b.Tensor.Shape(), b.Tensor.Data()))
	}
	want := "[weight[1 1 1] true bias[0 0 0] true running_mean[3] [0 0 0] running_var[3] [1 1 1] num_batches_tracked[] [0]]"
	if got := fmt.Sprint(names); got != want {
		t.Errorf("state:\n got %s\nwant %s", got, want)
	}
	if bn.Eps != 1e-5 || bn.Momentum != 0.1 || !bn.Training() || bn.TimeSteps() != 1 || bn.NumFeatures() != 3 {
		t.Errorf("eps %v momentum %v training %v T %d C %d", bn.Eps, bn.Momentum, bn.Training(), bn.TimeSteps(), bn.NumFeatures())
	}
	var _ Module = bn
	b1, err := NewBatchNorm1d(4)
	if err != nil {
		t.Fatal(err)
	}
	var _ Module = b1
	if len(StateDict(b1)) != 5 {
		t.Errorf("BatchNorm1d state dict has %d entries, want 5", len(StateDict(b1)))
	}
	for _, c := range []int{0, -1} {
		if _, err := NewBatchNorm2d(c); err == nil {
			t.Errorf("NewBatchNorm2d(%d): no error", c)
		}
		if _, err := NewBatchNorm1d(c); err == nil {
			t.Errorf("NewBatchNorm1d(%d): no error", c)
		}
	}
}

// TestBatchNorm1dByHand checks a training step against values worked out
// by hand: feature 0 holds 1, 3, 5 (mean 3, biased variance 8/3, unbiased
// 4), feature 1 holds 2, 6, 10 (mean 6, unbiased variance 16).
func TestBatchNorm1dByHand(t *testing.T) {
	bn, err := NewBatchNorm1d(2)
	if err != nil {
		t.Fatal(err)
	}
	y, err := bn.Forward(autograd.Const(fromData([]float32{1, 2, 3, 6, 5, 10}, 3, 2)))
	if err != nil {
		t.Fatal(err)
	}
	s0, s1 := math.Sqrt(8.0/3+1e-5), math.Sqrt(32.0/3+1e-5)
	expectClose(t, "y", y.Value().Data(), []float64{-2 / s0, -4 / s1, 0, 0, 2 / s0, 4 / s1}, 1e-6)
	expectClose(t, "running_mean", bn.RunningMean.Data(), []float64{0.3, 0.6}, 1e-7)
	expectClose(t, "running_var", bn.RunningVar.Data(), []float64{0.9 + 0.4, 0.9 + 1.6}, 1e-7)
	if v := bn.NumBatchesTracked.Item(); v != 1 {
		t.Errorf("num_batches_tracked = %v, want 1", v)
	}
	// A second step compounds: running_mean = 0.9·0.3 + 0.1·3.
	if _, err := bn.Forward(autograd.Const(fromData([]float32{1, 2, 3, 6, 5, 10}, 3, 2))); err != nil {
		t.Fatal(err)
	}
	expectClose(t, "running_mean after 2", bn.RunningMean.Data(), []float64{0.57, 1.14}, 1e-6)
	expectClose(t, "running_var after 2", bn.RunningVar.Data(), []float64{0.9*1.3 + 0.4, 0.9*2.5 + 1.6}, 1e-6)
	if v := bn.NumBatchesTracked.Item(); v != 2 {
		t.Errorf("num_batches_tracked = %v, want 2", v)
	}
}

func TestBatchNormTrainingMatchesNaive(t *testing.T) {
	for _, tc := range []struct {
		name  string
		shape []int
	}{
		{"2d", []int{4, 3, 5, 6}},
		{"2d single pixel", []int{5, 2, 1, 1}},
		{"1d", []int{7, 5}},
		{"1d with length", []int{3, 4, 6}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.shape[1]
			var bn *BatchNorm
			var m Module
			if len(tc.shape) == 4 {
				b, err := NewBatchNorm2d(c)
				if err != nil {
					t.Fatal(err)
				}
				bn, m = &b.BatchNorm, b
			} else {
				b, err := NewBatchNorm1d(c)
				if err != nil {
					t.Fatal(err)
				}
				bn, m = &b.BatchNorm, b
			}
			randomAffine(bn, 3)
			// A large offset checks that the variance is computed
			// without cancellation.
			x := randUniform(NewRand(4), 99, 101, tc.shape...)
			want, mean, uvar := naiveBN(x, bn.Weight.Value().Data(), bn.Bias.Value().Data(), nil, nil, 1e-5)
			y, err := m.Forward(autograd.Const(x))
			if err != nil {
				t.Fatal(err)
			}
			if !y.Value().SameShape(x) {
				t.Fatalf("output shape %v, want %v", y.Shape(), x.Shape())
			}
			expectClose(t, "y", y.Value().Data(), want, 2e-4)
			for ch := range mean {
				mean[ch] *= 0.1
				uvar[ch] = 0.9 + 0.1*uvar[ch]
			}
			expectClose(t, "running_mean", bn.RunningMean.Data(), mean, 1e-6)
			expectClose(t, "running_var", bn.RunningVar.Data(), uvar, 1e-6)
		})
	}
}

func TestBatchNormEvalUsesRunningStats(t *testing.T) {
	bn, err := NewBatchNorm2d(2)
	if err != nil {
		t.Fatal(err)
	}
	randomAffine(&bn.BatchNorm, 5)
	copy(bn.RunningMean.Data(), []float32{0.5, -2})
	copy(bn.RunningVar.Data(), []float32{4, 0.25})
	bn.SetTraining(false)
	x := randUniform(NewRand(6), -3, 3, 3, 2, 2, 2)
	want, _, _ := naiveBN(x, bn.Weight.Value().Data(), bn.Bias.Value().Data(), []float64{0.5, -2}, []float64{4, 0.25}, 1e-5)
	for _, T := range []int{1, 3} { // time steps change nothing in eval mode
		if err := bn.SetTimeSteps(T); err != nil {
			t.Fatal(err)
		}
		y, err := bn.Forward(autograd.Const(x))
		if err != nil {
			t.Fatal(err)
		}
		expectClose(t, fmt.Sprintf("eval y (T=%d)", T), y.Value().Data(), want, 1e-6)
	}
	if fmt.Sprint(bn.RunningMean.Data(), bn.RunningVar.Data(), bn.NumBatchesTracked.Item()) != "[0.5 -2] [4 0.25] 0" {
		t.Errorf("eval mode changed the buffers: %v %v %v", bn.RunningMean.Data(), bn.RunningVar.Data(), bn.NumBatchesTracked.Item())
	}
	// A batch of one is fine in eval mode.
	if _, err := bn.Forward(autograd.Const(tensor.New(1, 2, 1, 1))); err != nil {
		t.Errorf("eval on a single value per channel: %v", err)
	}
}

// bnFunc returns f(in) = BatchNorm with weight in[1] and bias in[2] applied
// to in[0], for checkGrad.
func bnFunc(c, T int, training bool, rank int) func(in []*autograd.Var) *autograd.Var {
	return func(in []*autograd.Var) *autograd.Var {
		bn, err := newBatchNorm("test", c)
		if err != nil {
			panic(err)
		}
		bn.Weight, bn.Bias = in[1], in[2]
		copy(bn.RunningMean.Data(), []float32{0.3, -0.2, 0.1, 0})
		copy(bn.RunningVar.Data(), []float32{0.5, 2, 1.5, 1})
		bn.SetTraining(training)
		if err := bn.SetTimeSteps(T); err != nil {
			panic(err)
		}
		var y *autograd.Var
		if rank == 4 {
			y, err = (&BatchNorm2d{*bn}).Forward(in[0])
		} else {
			y, err = (&BatchNorm1d{*bn}).Forward(in[0])
		}
		if err != nil {
			panic(err)
		}
		return y
	}
}

func TestBatchNormGradCheck(t *testing.T) {
	for _, tc := range []struct {
		name     string
		shape    []int
		T        int
		training bool
	}{
		{"2d train", []int{3, 2, 2, 3}, 1, true},
		{"2d train T=2", []int{4, 2, 2, 2}, 2, true},
		{"2d eval", []int{2, 3, 2, 2}, 1, false},
		{"1d train", []int{6, 4}, 1, true},
		{"1d train T=3", []int{9, 2}, 3, true},
		{"1d with length train", []int{2, 3, 4}, 1, true},
		{"1d eval", []int{3, 4}, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.shape[1]
			r := NewRand(uint64(len(tc.name)))
			x := randUniform(r, -2, 2, tc.shape...)
			w := randUniform(r, 0.5, 1.5, c)
			b := randUniform(r, -1, 1, c)
			checkGrad(t, bnFunc(c, tc.T, tc.training, len(tc.shape)), x, w, b)
		})
	}
}

// sliceRows returns rows [lo, hi) of the leading dimension of x as a new
// tensor.
func sliceRows(x *tensor.Tensor, lo, hi int) *tensor.Tensor {
	shape := x.Shape()
	row := x.Len() / shape[0]
	shape[0] = hi - lo
	out := tensor.New(shape...)
	copy(out.Data(), x.Data()[lo*row:hi*row])
	return out
}

// TestBatchNormTimeStepsEqualSeparateCalls checks that SetTimeSteps(3) on
// a [3·B, ...] batch gives exactly what three calls on the three groups
// give: outputs, running statistics, counter and all gradients.
func TestBatchNormTimeStepsEqualSeparateCalls(t *testing.T) {
	const T = 3
	for _, shape := range [][]int{{T * 4, 3, 3, 2}, {T * 5, 6}} {
		t.Run(fmt.Sprint(shape), func(t *testing.T) {
			c := shape[1]
			mk := func() (*BatchNorm, Module) {
				if len(shape) == 4 {
					b, _ := NewBatchNorm2d(c)
					randomAffine(&b.BatchNorm, 8)
					return &b.BatchNorm, b
				}
				b, _ := NewBatchNorm1d(c)
				randomAffine(&b.BatchNorm, 8)
				return &b.BatchNorm, b
			}
			fused, fm := mk()
			sep, sm := mk()
			if err := fused.SetTimeSteps(T); err != nil {
				t.Fatal(err)
			}
			r := NewRand(9)
			x := randUniform(r, -1, 3, shape...)
			// Make the groups' statistics differ clearly.
			per := x.Len() / T
			for i := range x.Data() {
				x.Data()[i] = x.Data()[i]*float32(1+i/per) + float32(2*(i/per))
			}
			g := randUniform(r, -1, 1, shape...)

			xv := autograd.NewVar(x, true)
			y, err := fm.Forward(xv)
			if err != nil {
				t.Fatal(err)
			}
			if err := autograd.Backward(y, g); err != nil {
				t.Fatal(err)
			}

			b := shape[0] / T
			var ySep, gxSep []float64
			for step := 0; step < T; step++ {
				xs := autograd.NewVar(sliceRows(x, step*b, (step+1)*b), true)
				ys, err := sm.Forward(xs)
				if err != nil {
					t.Fatal(err)
				}
				if err := autograd.Backward(ys, sliceRows(g, step*b, (step+1)*b)); err != nil {
					t.Fatal(err)
				}
				ySep = append(ySep, f64(ys.Value().Data())...)
				gxSep = append(gxSep, f64(xs.Grad().Data())...)
			}
			expectClose(t, "y", y.Value().Data(), ySep, 1e-6)
			expectClose(t, "running_mean", fused.RunningMean.Data(), f64(sep.RunningMean.Data()), 1e-6)
			expectClose(t, "running_var", fused.RunningVar.Data(), f64(sep.RunningVar.Data()), 1e-6)
			if a, b := fused.NumBatchesTracked.Item(), sep.NumBatchesTracked.Item(); a != T || b != T {
				t.Errorf("num_batches_tracked %v (fused), %v (separate), want %d", a, b, T)
			}
			expectClose(t, "gx", xv.Grad().Data(), gxSep, 1e-6)
			expectClose(t, "gweight", fused.Weight.Grad().Data(), f64(sep.Weight.Grad().Data()), 1e-5)
			expectClose(t, "gbias", fused.Bias.Grad().Data(), f64(sep.Bias.Grad().Data()), 1e-5)

			// And T=3 differs from T=1 (the test would be vacuous
			// otherwise).
			plain, pm := mk()
			yp, err := pm.Forward(autograd.Const(x))
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(yp.Value().Data()) == fmt.Sprint(y.Value().Data()) || plain.NumBatchesTracked.Item() != 1 {
				t.Error("T=3 and T=1 give the same output")
			}
		})
	}
}

func TestBatchNormErrors(t *testing.T) {
	b2, _ := NewBatchNorm2d(3)
	b1, _ := NewBatchNorm1d(3)
	for _, tc := range []struct {
		m     Module
		shape []int
		want  string
	}{
		{b2, []int{2, 4, 2, 2}, "[N 3 H W]"},
		{b2, []int{2, 3, 4}, "[N 3 H W]"},
		{b2, []int{2, 3}, "[N 3 H W]"},
		{b1, []int{2, 4}, "[N 3] or [N 3 L]"},
		{b1, []int{2, 3, 2, 2}, "[N 3] or [N 3 L]"},
		{b1, []int{3}, "[N 3] or [N 3 L]"},
		{b1, []int{1, 3}, "more than 1 value"},
		{b2, []int{1, 3, 1, 1}, "more than 1 value"},
		{b2, []int{0, 3, 2, 2}, "more than 1 value"},
	} {
		_, err := tc.m.Forward(autograd.Const(tensor.New(tc.shape...)))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), fmt.Sprint(tc.shape)) {
			t.Errorf("%T on %v: error %v, want one naming the shape and %q", tc.m, tc.shape, err, tc.want)
		}
	}
	if _, err := b2.Forward(nil); err == nil {
		t.Error("nil input: no error")
	}
	if err := b2.SetTimeSteps(0); err == nil {
		t.Error("SetTimeSteps(0): no error")
	}
	if err := b2.SetTimeSteps(4); err != nil {
		t.Fatal(err)
	}
	_, err := b2.Forward(autograd.Const(tensor.New(6, 3, 2, 2)))
	if err == nil || !strings.Contains(err.Error(), "not divisible by 4") || !strings.Contains(err.Error(), "[6 3 2 2]") {
		t.Errorf("batch 6 with T=4: error %v", err)
	}
	// Groups of one sample with one value each cannot be normalised.
	if err := b1.SetTimeSteps(2); err != nil {
		t.Fatal(err)
	}
	if _, err := b1.Forward(autograd.Const(tensor.New(2, 3))); err == nil || !strings.Contains(err.Error(), "more than 1 value") {
		t.Errorf("BatchNorm1d T=2 on [2 3]: error %v", err)
	}
	if b2.NumBatchesTracked.Item() != 0 || b1.NumBatchesTracked.Item() != 0 {
		t.Error("failed calls changed num_batches_tracked")
	}
}

func BenchmarkBatchNorm2dForwardBackward(b *testing.B) {
	const n, c, hw = 64 * 4, 32, 14
	bn, err := NewBatchNorm2d(c)
	if err != nil {
		b.Fatal(err)
	}
	if err := bn.SetTimeSteps(4); err != nil {
		b.Fatal(err)
	}
	x := autograd.NewVar(randUniform(NewRand(1), -1, 1, n, c, hw, hw), true)
	g := randUniform(NewRand(2), -1, 1, n, c, hw, hw)
	b.ReportAllocs()
	for b.Loop() {
		x.ZeroGrad()
		bn.Weight.ZeroGrad()
		bn.Bias.ZeroGrad()
		y, err := bn.Forward(x)
		if err != nil {
			b.Fatal(err)
		}
		if err := autograd.Backward(y, g); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBatchNormRepeat checks SetRepeat(r) against r separate calls on the
// same input: the same output each time, the same running statistics and
// counter afterwards, and the gradient of the summed outputs equals the
// gradient of one call fed the summed upstream gradients.
func TestBatchNormRepeat(t *testing.T) {
	const r = 3
	rng := NewRand(11)
	x := randUniform(rng, -2, 3, 4, 5, 3, 3)
	up := make([]*tensor.Tensor, r)
	for i := range up {
		up[i] = randUniform(rng, -1, 1, 4, 5, 3, 3)
	}
	// r separate calls.
	sep, err := NewBatchNorm2d(5)
	if err != nil {
		t.Fatal(err)
	}
	xs := autograd.NewVar(x.Clone(), true)
	var loss *autograd.Var
	var y0 *tensor.Tensor
	for i := 0; i < r; i++ {
		y, err := sep.Forward(xs)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			y0 = y.Value()
		}
		term := autograd.Sum(autograd.Mul(y, autograd.Const(up[i])))
		if loss == nil {
			loss = term
		} else {
			loss = autograd.Add(loss, term)
		}
	}
	if err := autograd.Backward(loss, nil); err != nil {
		t.Fatal(err)
	}
	// One call standing for r.
	rep, err := NewBatchNorm2d(5)
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.SetRepeat(r); err != nil {
		t.Fatal(err)
	}
	xr := autograd.NewVar(x.Clone(), true)
	y, err := rep.Forward(xr)
	if err != nil {
		t.Fatal(err)
	}
	sum := up[0].Clone()
	for _, u := range up[1:] {
		if err := tensor.AddInto(sum, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := autograd.Backward(autograd.Sum(autograd.Mul(y, autograd.Const(sum))), nil); err != nil {
		t.Fatal(err)
	}
	for i, v := range y.Value().Data() {
		if v != y0.Data()[i] {
			t.Fatalf("output[%d] = %v, separate call %v", i, v, y0.Data()[i])
		}
	}
	for _, pair := range [][2]*tensor.Tensor{
		{rep.RunningMean, sep.RunningMean}, {rep.RunningVar, sep.RunningVar}, {rep.NumBatchesTracked, sep.NumBatchesTracked},
	} {
		for i, v := range pair[0].Data() {
			if v != pair[1].Data()[i] {
				t.Fatalf("buffer %v differs from %v", pair[0], pair[1])
			}
		}
	}
	if got := rep.NumBatchesTracked.Item(); got != r {
		t.Errorf("num_batches_tracked %v, want %d", got, r)
	}
	for _, pair := range [][2]*tensor.Tensor{{xr.Grad(), xs.Grad()}, {rep.Weight.Grad(), sep.Weight.Grad()}, {rep.Bias.Grad(), sep.Bias.Grad()}} {
		for i, v := range pair[0].Data() {
			w := pair[1].Data()[i]
			if d := v - w; d > 1e-5 || d < -1e-5 {
				t.Fatalf("gradient %d: repeated %v, separate %v", i, v, w)
			}
		}
	}
	if err := rep.SetRepeat(0); err == nil {
		t.Error("SetRepeat(0) accepted")
	}
}
