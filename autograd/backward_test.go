package autograd_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	ag "github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

func TestBackwardNilGradIsOnes(t *testing.T) {
	x := ag.NewVar(tt([]float32{1, 2, 3, 4}, 2, 2), true)
	y := ag.MulScalar(x, 3)
	if err := ag.Backward(y, nil); err != nil {
		t.Fatal(err)
	}
	checkExact(t, "grad", x.Grad(), []float32{3, 3, 3, 3}, 2, 2)

	// A leaf root: its gradient is the given one (ones by default), copied.
	l := ag.NewVar(tt([]float32{5, 6}), true)
	if err := ag.Backward(l, nil); err != nil {
		t.Fatal(err)
	}
	checkExact(t, "leaf root", l.Grad(), []float32{1, 1}, 2)
	g := tt([]float32{2, 3})
	l.ZeroGrad()
	if l.Grad() != nil {
		t.Errorf("ZeroGrad left %v", l.Grad())
	}
	if err := ag.Backward(l, g); err != nil {
		t.Fatal(err)
	}
	g.Data()[0] = 100
	checkExact(t, "leaf root with grad", l.Grad(), []float32{2, 3}, 2)
}

func TestBackwardExplicitGrad(t *testing.T) {
	x := ag.NewVar(tt([]float32{1, 2, 3}), true)
	y := ag.Square(x)
	g := tt([]float32{1, 10, 100})
	if err := ag.Backward(y, g); err != nil {
		t.Fatal(err)
	}
	checkExact(t, "grad", x.Grad(), []float32{2, 40, 600}, 3)
	checkExact(t, "upstream grad untouched", g, []float32{1, 10, 100}, 3)
}

func TestBackwardErrors(t *testing.T) {
	x := ag.NewVar(tt([]float32{1, 2, 3}), true)
	y := ag.Square(x)
	err := ag.Backward(y, tt([]float32{1, 1}))
	checkErrContains(t, err, "[2]", "[3]")
	err = ag.Backward(y, tt([]float32{1, 1, 1}, 3, 1))
	checkErrContains(t, err, "[3 1]", "[3]")
	if x.Grad() != nil {
		t.Errorf("failed Backward left grad %v", x.Grad())
	}

	c := ag.Const(tt([]float32{1}))
	if err := ag.Backward(c, nil); err == nil {
		t.Errorf("Backward of a constant: no error")
	}
	if err := ag.Backward(ag.Exp(c), nil); err == nil {
		t.Errorf("Backward of an op on constants: no error")
	}
	if err := ag.Backward(nil, nil); err == nil {
		t.Errorf("Backward(nil): no error")
	}
}

func TestGradAccumulatesOverBackwardCalls(t *testing.T) {
	x := ag.NewVar(tt([]float32{1, -2, 3}), true)
	for i := 1; i <= 3; i++ {
		y := ag.Sum(ag.Mul(x, x)) // dy/dx = 2x
		if err := ag.Backward(y, nil); err != nil {
			t.Fatal(err)
		}
		want := []float32{2 * float32(i), -4 * float32(i), 6 * float32(i)}
		checkExact(t, fmt.Sprintf("after %d calls", i), x.Grad(), want, 3)
	}
	// Backward twice over the same graph also accumulates.
	x.ZeroGrad()
	y := ag.MulScalar(x, 2)
	for i := 0; i < 2; i++ {
		if err := ag.Backward(y, nil); err != nil {
			t.Fatal(err)
		}
	}
	checkExact(t, "same graph twice", x.Grad(), []float32{4, 4, 4}, 3)

	// SetGrad replaces the gradient; accumulation then adds to it.
	x.SetGrad(tt([]float32{1, 1, 1}))
	if err := ag.Backward(y, nil); err != nil {
		t.Fatal(err)
	}
	checkExact(t, "after SetGrad", x.Grad(), []float32{3, 3, 3}, 3)
}

func TestDiamondGraph(t *testing.T) {
	xs := []float32{-1.5, 0.5, 2}
	// y = x*x + x: x feeds three inputs of two nodes.
	x := ag.NewVar(tt(append([]float32(nil), xs...)), true)
	y := ag.Add(ag.Mul(x, x), x)
	if err := ag.Backward(y, nil); err != nil {
		t.Fatal(err)
	}
	want := make([]float64, len(xs))
	for i, v := range xs {
		want[i] = 2*float64(v) + 1
	}
	checkClose(t, "x*x+x", x.Grad(), want, 1e-6)

	// s = exp(x) is shared: one path is short (s), the other is long
	// (tanh(tanh(s*s))). s must receive both contributions before its own
	// backward runs.
	x = ag.NewVar(tt(append([]float32(nil), xs...)), true)
	s := ag.Exp(x)
	s.RetainGrad()
	long := ag.Tanh(ag.Tanh(ag.Mul(s, s)))
	z := ag.Add(long, s)
	if err := ag.Backward(z, nil); err != nil {
		t.Fatal(err)
	}
	wantS := make([]float64, len(xs))
	for i, v := range xs {
		e := math.Exp(float64(v))
		u := e * e
		t1 := math.Tanh(u)
		dz := (1-math.Tanh(t1)*math.Tanh(t1))*(1-t1*t1)*2*e + 1 // dz/ds
		wantS[i] = dz
		want[i] = dz * e
	}
	checkClose(t, "shared exp: ds", s.Grad(), wantS, 1e-5)
	checkClose(t, "shared exp: dx", x.Grad(), want, 1e-5)

	// Two separate consumers of an intermediate summed at the root, with
	// the intermediate also reached via a reshape round trip.
	x = ag.NewVar(tt([]float32{1, 2, 3, 4}, 2, 2), true)
	h := ag.MulScalar(x, 2)
	a := ag.Sum(ag.Square(h))                       // d/dh = 2h
	b := ag.Sum(ag.Reshape(ag.Reshape(h, 4), 2, 2)) // d/dh = 1
	root := ag.Add(a, ag.Add(b, a))                 // 2a + b
	if err := ag.Backward(root, nil); err != nil {
		t.Fatal(err)
	}
	// d/dx = 2 * (2*2h + 1) = 8h + 2 = 16x + 2
	checkExact(t, "multi-path", x.Grad(), []float32{18, 34, 50, 66}, 2, 2)
}

func TestRetainGrad(t *testing.T) {
	x := ag.NewVar(tt([]float32{1, 2, 3}), true)
	h := ag.Mul(x, x)
	h.RetainGrad()
	other := ag.AddScalar(x, 1) // intermediate without RetainGrad
	y := ag.Sum(ag.Add(ag.MulScalar(h, 3), other))
	if err := ag.Backward(y, nil); err != nil {
		t.Fatal(err)
	}
	checkExact(t, "h.Grad", h.Grad(), []float32{3, 3, 3}, 3)
	checkExact(t, "x.Grad", x.Grad(), []float32{7, 13, 19}, 3) // 6x + 1
	if other.Grad() != nil {
		t.Errorf("intermediate without RetainGrad has grad %v", other.Grad())
	}
	if h.IsLeaf() || !x.IsLeaf() {
		t.Errorf("IsLeaf: h %v x %v", h.IsLeaf(), x.IsLeaf())
	}
	if err := h.SetRequiresGrad(false); err == nil {
		t.Errorf("SetRequiresGrad on a non-leaf: no error")
	}
	// RetainGrad on the root itself.
	x2 := ag.NewVar(tt([]float32{1, 2}), true)
	r := ag.Exp(x2)
	r.RetainGrad()
	if err := ag.Backward(r, tt([]float32{4, 5})); err != nil {
		t.Fatal(err)
	}
	checkExact(t, "root grad", r.Grad(), []float32{4, 5}, 2)
}

func TestDetach(t *testing.T) {
	x := ag.NewVar(tt([]float32{1, 2, 3}), true)
	d := ag.Detach(x)
	if d.RequiresGrad() || !d.IsLeaf() || d.Value() != x.Value() {
		t.Errorf("Detach: RequiresGrad=%v IsLeaf=%v shares value=%v", d.RequiresGrad(), d.IsLeaf(), d.Value() == x.Value())
	}
	y := ag.Sum(ag.Mul(d, x)) // gradient only through the second factor
	if err := ag.Backward(y, nil); err != nil {
		t.Fatal(err)
	}
	checkExact(t, "x.Grad", x.Grad(), []float32{1, 2, 3}, 3)
	if d.Grad() != nil {
		t.Errorf("detached Var got grad %v", d.Grad())
	}

	// Detaching an intermediate cuts everything before it.
	x.ZeroGrad()
	h := ag.Exp(x)
	z := ag.Sum(ag.Add(ag.Detach(h), x))
	if err := ag.Backward(z, nil); err != nil {
		t.Fatal(err)
	}
	checkExact(t, "x.Grad after detached exp", x.Grad(), []float32{1, 1, 1}, 3)

	// A graph made only of detached values cannot be differentiated.
	if err := ag.Backward(ag.Exp(ag.Detach(x)), nil); err == nil {
		t.Errorf("Backward through Detach only: no error")
	}
}

func TestNoGrad(t *testing.T) {
	w := ag.NewVar(tt([]float32{1, 2}), true)
	b := ag.NewVar(tt([]float32{0.5}), true)
	in := ag.Const(tt([]float32{3, 4}))
	var out *ag.Var
	err := ag.NoGrad(func() error {
		if w.RequiresGrad() || b.RequiresGrad() {
			t.Errorf("inside NoGrad: w %v b %v", w.RequiresGrad(), b.RequiresGrad())
		}
		out = ag.Add(ag.Sum(ag.Mul(w, in)), b)
		return nil
	}, w, b)
	if err != nil {
		t.Fatal(err)
	}
	if out.RequiresGrad() || !out.IsLeaf() {
		t.Errorf("output of NoGrad: RequiresGrad=%v IsLeaf=%v", out.RequiresGrad(), out.IsLeaf())
	}
	checkExact(t, "value", out.Value(), []float32{11.5}, 1)
	if !w.RequiresGrad() || !b.RequiresGrad() {
		t.Errorf("flags not restored: w %v b %v", w.RequiresGrad(), b.RequiresGrad())
	}
	if err := ag.Backward(out, nil); err == nil {
		t.Errorf("Backward of a NoGrad output: no error")
	}

	// A Var not passed to NoGrad still records.
	other := ag.NewVar(tt([]float32{1}), true)
	_ = ag.NoGrad(func() error {
		if r := ag.Mul(w, other); !r.RequiresGrad() {
			t.Errorf("op on a Var outside the NoGrad set does not require grad")
		}
		return nil
	}, w)

	// The error of fn is returned and the flags restored.
	sentinel := errors.New("boom")
	if err := ag.NoGrad(func() error { return sentinel }, w); !errors.Is(err, sentinel) {
		t.Errorf("NoGrad error = %v, want %v", err, sentinel)
	}
	if !w.RequiresGrad() {
		t.Errorf("flag not restored after error")
	}

	// A Var that did not require grad stays that way.
	c := ag.NewVar(tt([]float32{1}), false)
	_ = ag.NoGrad(func() error { return nil }, c, w)
	if c.RequiresGrad() || !w.RequiresGrad() {
		t.Errorf("after NoGrad: c %v w %v", c.RequiresGrad(), w.RequiresGrad())
	}

	// Flags are restored after a panic, and the panic propagates.
	func() {
		defer func() {
			if r := recover(); r != "oops" {
				t.Errorf("recovered %v, want oops", r)
			}
		}()
		_ = ag.NoGrad(func() error { panic("oops") }, w, b)
	}()
	if !w.RequiresGrad() || !b.RequiresGrad() {
		t.Errorf("flags not restored after panic: w %v b %v", w.RequiresGrad(), b.RequiresGrad())
	}

	// The same Var listed twice (tied parameters) is restored.
	_ = ag.NoGrad(func() error {
		if w.RequiresGrad() {
			t.Errorf("duplicate: w requires grad inside NoGrad")
		}
		return nil
	}, w, b, w)
	if !w.RequiresGrad() {
		t.Errorf("Var listed twice not restored")
	}

	// A non-leaf Var is left alone: its tape survives NoGrad.
	x := ag.NewVar(tt([]float32{2}), true)
	h := ag.Square(x)
	_ = ag.NoGrad(func() error {
		if !h.RequiresGrad() {
			t.Errorf("non-leaf flag changed inside NoGrad")
		}
		return nil
	}, h)
	if err := ag.Backward(h, nil); err != nil {
		t.Fatal(err)
	}
	checkExact(t, "grad through non-leaf after NoGrad", x.Grad(), []float32{4}, 1)

	// Gradients still flow normally after NoGrad.
	y := ag.Sum(ag.Mul(w, in))
	if err := ag.Backward(y, nil); err != nil {
		t.Fatal(err)
	}
	checkExact(t, "w.Grad after NoGrad", w.Grad(), []float32{3, 4}, 2)
}

func TestInputsNotRequiringGrad(t *testing.T) {
	a := ag.NewVar(tt([]float32{1, 2}), true)
	b := ag.Const(tt([]float32{3, 4}))
	c := ag.NewVar(tt([]float32{5, 6}), false)
	y := ag.Sum(ag.Add(ag.Mul(a, b), ag.Div(c, b)))
	if err := ag.Backward(y, nil); err != nil {
		t.Fatal(err)
	}
	checkExact(t, "a.Grad", a.Grad(), []float32{3, 4}, 2)
	if b.Grad() != nil || c.Grad() != nil {
		t.Errorf("constants got grads: %v %v", b.Grad(), c.Grad())
	}

	// SetRequiresGrad on a leaf takes effect for later operations.
	if err := c.SetRequiresGrad(true); err != nil {
		t.Fatal(err)
	}
	y = ag.Sum(ag.Mul(c, b))
	if err := ag.Backward(y, nil); err != nil {
		t.Fatal(err)
	}
	checkExact(t, "c.Grad", c.Grad(), []float32{3, 4}, 2)
}

func TestString(t *testing.T) {
	x := ag.NewVar(tt([]float32{1, 2}), true)
	if got, want := x.String(), "Var(Tensor[2][1 2], requiresGrad=true)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if s := ag.Scalar(3); s.RequiresGrad() || fmt.Sprint(s.Shape()) != "[]" || s.Value().Item() != 3 {
		t.Errorf("Scalar(3) = %v", s)
	}
	_ = tensor.New // keep the import for helpers
}
