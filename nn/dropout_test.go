package nn

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

func TestNewDropoutErrors(t *testing.T) {
	nan := float32(math.NaN())
	for _, p := range []float32{-0.1, 1, 1.5, nan} {
		if _, err := NewDropout(p, NewRand(1)); err == nil || !strings.Contains(err.Error(), "[0, 1)") {
			t.Errorf("p=%v: error %v", p, err)
		}
	}
	if _, err := NewDropout(0.5, nil); err == nil || !strings.Contains(err.Error(), "nil") {
		t.Errorf("nil rng: error %v", err)
	}
	d, err := NewDropout(0, nil)
	if err != nil {
		t.Fatalf("p=0 without rng: %v", err)
	}
	if !d.Training() || d.P() != 0 || d.Params() != nil || d.Buffers() != nil {
		t.Errorf("new Dropout: training %v, p %v", d.Training(), d.P())
	}
	if _, err := d.Forward(nil); err == nil {
		t.Error("nil input: no error")
	}
}

func TestDropoutTrainStatistics(t *testing.T) {
	const n, p = 200000, 0.3
	d, err := NewDropout(p, NewRand(3))
	if err != nil {
		t.Fatal(err)
	}
	x := autograd.NewVar(tensor.Full(2, 400, 500), true)
	y, err := d.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(y.Shape(), []int{400, 500}) {
		t.Fatalf("shape %v", y.Shape())
	}
	scale := float32(1 / (1 - float32(p)))
	zeros := 0
	var sum float64
	for _, v := range y.Value().Data() {
		switch v {
		case 0:
			zeros++
		case 2 * scale:
		default:
			t.Fatalf("element %v is neither 0 nor 2/(1-p) = %v", v, 2*scale)
		}
		sum += float64(v)
	}
	// Binomial(n, p): sd of the drop fraction is sqrt(p(1-p)/n) ≈ 0.001.
	if frac := float64(zeros) / n; math.Abs(frac-p) > 0.006 {
		t.Errorf("dropped fraction %v, want %v", frac, p)
	}
	if mean := sum / n; math.Abs(mean-2) > 0.02 {
		t.Errorf("mean %v, want 2 (expectation preserved)", mean)
	}
	// The gradient is the same mask: 0 or 1/(1-p) where y is 0 or 2/(1-p).
	if err := autograd.Backward(y, nil); err != nil {
		t.Fatal(err)
	}
	for i, g := range x.Grad().Data() {
		if want := y.Value().Data()[i] / 2; g != want {
			t.Fatalf("grad[%d] = %v, want %v", i, g, want)
		}
	}
	// A second call draws a new mask.
	y2, _ := d.Forward(x)
	if slices.Equal(y.Value().Data(), y2.Value().Data()) {
		t.Error("two calls gave the same mask")
	}
}

func TestDropoutEvalAndZero(t *testing.T) {
	d, err := NewDropout(0.5, NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	x := autograd.NewVar(tensor.Full(1, 10, 10), true)
	d.SetTraining(false)
	if d.Training() {
		t.Fatal("still training")
	}
	if y, err := d.Forward(x); err != nil || y != x {
		t.Errorf("eval: got %v, %v; want the input itself", y, err)
	}
	d.SetTraining(true)
	y, err := d.Forward(x)
	if err != nil || y == x {
		t.Errorf("train: got the input back (err %v)", err)
	}
	d0, _ := NewDropout(0, nil)
	if y, err := d0.Forward(x); err != nil || y != x {
		t.Errorf("p=0: got %v, %v; want the input itself", y, err)
	}
	if d.String() != "Dropout(p=0.5)" {
		t.Errorf("String = %q", d.String())
	}
}

func TestDropoutDeterministic(t *testing.T) {
	x := autograd.Const(tensor.Full(1, 1000))
	out := func(seed uint64) []float32 {
		d, err := NewDropout(0.5, NewRand(seed))
		if err != nil {
			t.Fatal(err)
		}
		y, err := d.Forward(x)
		if err != nil {
			t.Fatal(err)
		}
		if y.RequiresGrad() {
			t.Error("output of a constant requires grad")
		}
		return y.Value().Data()
	}
	if !slices.Equal(out(5), out(5)) {
		t.Error("same seed, different masks")
	}
	if slices.Equal(out(5), out(6)) {
		t.Error("different seeds, same mask")
	}
}
