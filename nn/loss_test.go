package nn

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// TestCrossEntropyValue checks a 2×3 example computed by hand:
//
//	logits [[1, 2, 3], [1, 1, 1]], labels [2, 0]
//	row 0: lse = 3 + log(1 + e⁻¹ + e⁻²) = 3.4076059644, loss = lse - 3 = 0.4076059644
//	row 1: lse = 1 + log 3,                              loss = log 3  = 1.0986122887
//	mean = 0.7531091266
//
// and the gradient (softmax - onehot)/2 with softmax(row 0) =
// [0.0900306, 0.2447285, 0.6652410] and softmax(row 1) = [1/3, 1/3, 1/3].
func TestCrossEntropyValue(t *testing.T) {
	x := autograd.NewVar(fromData([]float32{1, 2, 3, 1, 1, 1}, 2, 3), true)
	loss, err := CrossEntropy(x, []int{2, 0})
	if err != nil {
		t.Fatal(err)
	}
	if loss.Value().Dims() != 0 {
		t.Errorf("loss shape %v, want []", loss.Shape())
	}
	want := (math.Log(1+math.Exp(-1)+math.Exp(-2)) + math.Log(3)) / 2
	if got := float64(loss.Value().Item()); math.Abs(got-want) > 1e-6 || math.Abs(got-0.7531091266) > 1e-6 {
		t.Errorf("loss = %.9f, want %.9f", got, want)
	}
	if err := autograd.Backward(loss, nil); err != nil {
		t.Fatal(err)
	}
	s0 := []float64{0.0900305732, 0.2447284711, 0.6652409558}
	wantG := []float64{s0[0] / 2, s0[1] / 2, (s0[2] - 1) / 2, (1.0/3 - 1) / 2, 1.0 / 6, 1.0 / 6}
	if err := closeTo(x.Grad().Data(), wantG, 1e-6); err != nil {
		t.Errorf("grad: %v", err)
	}
}

func TestCrossEntropyReductions(t *testing.T) {
	x := fromData([]float32{1, 2, 3, 1, 1, 1}, 2, 3)
	labels := []int{2, 0}
	l0 := math.Log(1 + math.Exp(-1) + math.Exp(-2))
	l1 := math.Log(3)
	sum, err := CrossEntropyWith(autograd.Const(x), labels, ReduceSum)
	if err != nil {
		t.Fatal(err)
	}
	if got := float64(sum.Value().Item()); math.Abs(got-(l0+l1)) > 1e-6 {
		t.Errorf("sum = %v, want %v", got, l0+l1)
	}
	none, err := CrossEntropyWith(autograd.Const(x), labels, ReduceNone)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(none.Shape(), []int{2}) {
		t.Fatalf("none: shape %v, want [2]", none.Shape())
	}
	if err := closeTo(none.Value().Data(), []float64{l0, l1}, 1e-6); err != nil {
		t.Errorf("none: %v", err)
	}
	if _, err := CrossEntropyWith(autograd.Const(x), labels, Reduction(7)); err == nil || !strings.Contains(err.Error(), "Reduction(7)") {
		t.Errorf("bad reduction: error %v", err)
	}
	for r, s := range map[Reduction]string{ReduceMean: "mean", ReduceSum: "sum", ReduceNone: "none"} {
		if r.String() != s {
			t.Errorf("%d.String() = %q, want %q", int(r), r.String(), s)
		}
	}
}

func TestCrossEntropyGrad(t *testing.T) {
	rng := NewRand(4)
	labels := []int{0, 3, 1, 3, 2}
	for _, red := range []Reduction{ReduceMean, ReduceSum, ReduceNone} {
		t.Run(red.String(), func(t *testing.T) {
			checkGrad(t, func(in []*autograd.Var) *autograd.Var {
				l, err := CrossEntropyWith(in[0], labels, red)
				if err != nil {
					panic(err)
				}
				return l
			}, randUniform(rng, -3, 3, 5, 4))
		})
	}
	// Through a Linear layer, as in training.
	checkGrad(t, func(in []*autograd.Var) *autograd.Var {
		l, err := CrossEntropy(linearOf(3, 4)(in), labels)
		if err != nil {
			panic(err)
		}
		return l
	}, randUniform(rng, -1, 1, 5, 3), randUniform(rng, -1, 1, 4, 3), randUniform(rng, -1, 1, 4))
}

func TestCrossEntropyExtremeLogits(t *testing.T) {
	// Row 0: the label's logit is 2e4 below the maximum: loss 2e4.
	// Row 1: two logits tie at the maximum and the label is one: log 2.
	x := autograd.NewVar(fromData([]float32{1e4, -1e4, 0, -1e4, 1e4, 1e4}, 2, 3), true)
	loss, err := CrossEntropyWith(x, []int{1, 2}, ReduceNone)
	if err != nil {
		t.Fatal(err)
	}
	if err := closeTo(loss.Value().Data(), []float64{2e4, math.Log(2)}, 1e-6); err != nil {
		t.Error(err)
	}
	mean, err := CrossEntropy(x, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if v := mean.Value().Item(); math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		t.Fatalf("loss %v", v)
	}
	if err := autograd.Backward(mean, nil); err != nil {
		t.Fatal(err)
	}
	// softmax row 0 = [1, 0, 0]; row 1 = [0, 0.5, 0.5]; /2.
	if err := closeTo(x.Grad().Data(), []float64{0.5, -0.5, 0, 0, 0.25, -0.25}, 1e-6); err != nil {
		t.Errorf("grad: %v", err)
	}
}

func TestCrossEntropyNaN(t *testing.T) {
	nan := float32(math.NaN())
	l, err := CrossEntropy(autograd.Const(fromData([]float32{0, nan, 1, 2}, 2, 2)), []int{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	if v := l.Value().Item(); v == v {
		t.Errorf("loss with a NaN logit = %v, want NaN", v)
	}
}

func TestCrossEntropyErrors(t *testing.T) {
	x23 := autograd.Const(tensor.New(2, 3))
	for _, tc := range []struct {
		name   string
		logits *autograd.Var
		labels []int
		want   []string
	}{
		{"rank 1", autograd.Const(tensor.New(3)), []int{0}, []string{"2-d", "[3]"}},
		{"rank 3", autograd.Const(tensor.New(2, 3, 1)), []int{0, 0}, []string{"2-d", "[2 3 1]"}},
		{"too few labels", x23, []int{0}, []string{"1 labels", "[2 3]"}},
		{"too many labels", x23, []int{0, 1, 2}, []string{"3 labels", "[2 3]"}},
		{"label = C", x23, []int{0, 3}, []string{"labels[1] = 3", "[0, 3)", "[2 3]"}},
		{"negative label", x23, []int{-1, 0}, []string{"labels[0] = -1"}},
		{"empty mean", autograd.Const(tensor.New(0, 3)), nil, []string{"empty", "[0 3]"}},
		{"nil", nil, []int{0}, []string{"nil"}},
	} {
		_, err := CrossEntropy(tc.logits, tc.labels)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, s := range append(tc.want, "cross entropy") {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: error %q lacks %q", tc.name, err, s)
			}
		}
	}
	// An empty batch is fine when summed.
	s, err := CrossEntropyWith(autograd.Const(tensor.New(0, 3)), nil, ReduceSum)
	if err != nil || s.Value().Item() != 0 {
		t.Errorf("empty sum: %v, %v", s, err)
	}
}

func TestCrossEntropyCopiesLabels(t *testing.T) {
	x := autograd.NewVar(fromData([]float32{0, 0}, 1, 2), true)
	labels := []int{0}
	l, err := CrossEntropy(x, labels)
	if err != nil {
		t.Fatal(err)
	}
	labels[0] = 1 // must not affect the recorded operation
	if err := autograd.Backward(l, nil); err != nil {
		t.Fatal(err)
	}
	if want := []float32{-0.5, 0.5}; !slices.Equal(x.Grad().Data(), want) {
		t.Errorf("grad %v, want %v", x.Grad().Data(), want)
	}
}

func TestMSE(t *testing.T) {
	// ((1-0)² + (2-4)² + (-1-(-1))² + (0.5-0)²)/4 = (1+4+0+0.25)/4 = 1.3125
	a := autograd.NewVar(fromData([]float32{1, 2, -1, 0.5}, 2, 2), true)
	b := autograd.Const(fromData([]float32{0, 4, -1, 0}, 2, 2))
	l, err := MSE(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if l.Value().Dims() != 0 || l.Value().Item() != 1.3125 {
		t.Errorf("mse = %v, want scalar 1.3125", l.Value())
	}
	if err := autograd.Backward(l, nil); err != nil {
		t.Fatal(err)
	}
	// d/da = 2(a-b)/4
	if want := []float32{0.5, -1, 0, 0.25}; !slices.Equal(a.Grad().Data(), want) {
		t.Errorf("grad %v, want %v", a.Grad().Data(), want)
	}
	if b.Grad() != nil {
		t.Error("constant target got a gradient")
	}
	rng := NewRand(8)
	checkGrad(t, func(in []*autograd.Var) *autograd.Var {
		l, err := MSE(in[0], in[1])
		if err != nil {
			panic(err)
		}
		return l
	}, randUniform(rng, -1, 1, 3, 4), randUniform(rng, -1, 1, 3, 4))
}

func TestMSEErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b *autograd.Var
		want string
	}{
		{"shapes", autograd.Const(tensor.New(2, 3)), autograd.Const(tensor.New(3, 2)), "[2 3] and [3 2]"},
		{"broadcast", autograd.Const(tensor.New(2, 3)), autograd.Const(tensor.New(3)), "[2 3] and [3]"},
		{"empty", autograd.Const(tensor.New(0)), autograd.Const(tensor.New(0)), "empty shape [0]"},
		{"nil", nil, autograd.Const(tensor.New(1)), "nil"},
	} {
		_, err := MSE(tc.a, tc.b)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "mse") {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestCountCorrect(t *testing.T) {
	nan := float32(math.NaN())
	scores := fromData([]float32{
		0.1, 0.7, 0.2, // argmax 1
		5, 5, 1, // tie: lowest index 0
		-1, -3, -2, // argmax 0
		1, nan, 9, // NaN counts as the maximum: 1
		2, 2, 2, // all tied: 0
	}, 5, 3)
	if got := CountCorrect(scores, []int{1, 0, 0, 1, 0}); got != 5 {
		t.Errorf("CountCorrect = %d, want 5", got)
	}
	if got := CountCorrect(scores, []int{1, 1, 2, 2, 1}); got != 1 {
		t.Errorf("CountCorrect = %d, want 1", got)
	}
	if got := CountCorrect(tensor.New(0, 3), nil); got != 0 {
		t.Errorf("empty: %d", got)
	}
	for _, f := range []func(){
		func() { CountCorrect(scores, []int{0}) },
		func() { CountCorrect(tensor.New(3), []int{0, 0, 0}) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), "shape") {
					t.Errorf("panic %v, want one naming the shape", r)
				}
			}()
			f()
		}()
	}
}

func TestOneHot(t *testing.T) {
	oh, err := OneHot([]int{2, 0}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(oh.Shape(), []int{2, 3}) || !slices.Equal(oh.Data(), []float32{0, 0, 1, 1, 0, 0}) {
		t.Errorf("OneHot = %v", oh)
	}
	if _, err := OneHot([]int{3}, 3); err == nil || !strings.Contains(err.Error(), "labels[0] = 3") {
		t.Errorf("error %v", err)
	}
	if _, err := OneHot(nil, -1); err == nil {
		t.Error("negative classes: no error")
	}
}
