package autograd_test

import (
	"slices"
	"testing"

	ag "github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// scale is y = k·x as a pooled Function: its output comes from Buffer
// and the gradient of its input from GradBuffer, both in its pool, as
// the layers of nn and node do. It counts its Backward calls.
type scale struct {
	k        float32
	pool     ag.Pool
	backward int
	handed   []*tensor.Tensor // every buffer the pool handed out
}

func (s *scale) Forward(ctx *ag.Context, in ...*tensor.Tensor) (*tensor.Tensor, error) {
	y := ctx.Buffer(&s.pool, in[0].Shape()...)
	s.handed = append(s.handed, y)
	for i, v := range in[0].Data() {
		y.Data()[i] = s.k * v
	}
	return y, nil
}

func (s *scale) Backward(ctx *ag.Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
	s.backward++
	gx := ctx.GradBuffer(0, &s.pool, g.Shape()...)
	s.handed = append(s.handed, gx)
	for i, v := range g.Data() {
		gx.Data()[i] = s.k * v
	}
	return []*tensor.Tensor{gx}, nil
}

// apply runs s on x.
func (s *scale) apply(t *testing.T, x *ag.Var) *ag.Var {
	t.Helper()
	y, err := ag.Apply(s, x)
	if err != nil {
		t.Fatal(err)
	}
	return y
}

// view is a Reshape that returns a view of its gradient, passing a
// pooled gradient buffer on to the next node.
func view(x *ag.Var) *ag.Var { return ag.Reshape(x, x.Shape()...) }

// TestPoolReusesAfterBackward checks the lifetime of a recorded Forward's
// buffers: the output stays valid after Backward, the gradients are
// right every time, and after the first step every buffer the pools hand
// out (outputs and gradients, one of them passed through a view) is
// memory of the first step.
func TestPoolReusesAfterBackward(t *testing.T) {
	w := ag.NewVar(tt([]float32{1, 2, 3}), true)
	a, b := &scale{k: 2}, &scale{k: 3}
	first := 0
	var known []*tensor.Tensor // the memory of the first step
	for step := range 4 {
		y := b.apply(t, view(a.apply(t, w)))
		w.RecycleGrad()
		if err := ag.Backward(y, tt([]float32{1, 10, 100})); err != nil {
			t.Fatal(err)
		}
		checkExact(t, "output after Backward", y.Value(), []float32{6, 12, 18}, 3)
		checkExact(t, "grad", w.Grad(), []float32{6, 60, 600}, 3)
		if step == 0 {
			first = len(a.handed)
			known = append(append(slices.Clone(a.handed), b.handed...), w.Grad())
			continue
		}
		for _, s := range []*scale{a, b} {
			for _, h := range s.handed[first:] {
				if !slices.ContainsFunc(known, h.SharesStorage) {
					t.Errorf("step %d: a buffer in new memory", step)
				}
			}
		}
	}
	if a.backward != 4 || b.backward != 4 {
		t.Errorf("Backward calls %d and %d, want 4", a.backward, b.backward)
	}
}

// TestPoolForwardTwiceBeforeBackward runs a pooled Function twice before
// one Backward (a layer used twice, or gradients accumulated over two
// forward passes): the two outputs must not share memory, and the
// gradient is the sum.
func TestPoolForwardTwiceBeforeBackward(t *testing.T) {
	w := ag.NewVar(tt([]float32{1, 2}), true)
	s := &scale{k: 2}
	for step := range 3 {
		y1 := s.apply(t, w)
		y2 := s.apply(t, y1)
		if y1.Value().SharesStorage(y2.Value()) {
			t.Fatalf("step %d: the outputs of two uses share memory", step)
		}
		y3 := s.apply(t, w)
		sum := ag.Add(y2, y3)
		checkExact(t, "y1", y1.Value(), []float32{2, 4}, 2)
		checkExact(t, "y2", y2.Value(), []float32{4, 8}, 2)
		checkExact(t, "y3", y3.Value(), []float32{2, 4}, 2)
		w.RecycleGrad()
		if err := ag.Backward(sum, tt([]float32{1, 10})); err != nil {
			t.Fatal(err)
		}
		// d(4w + 2w)/dw = 6.
		checkExact(t, "grad", w.Grad(), []float32{6, 60}, 2)
	}
}

// TestPoolNotRecorded checks that the buffers of a Forward that records
// nothing (no input needs a gradient) stay the caller's: outputs of
// successive calls never share memory, nor with the outputs of recorded
// steps before and after.
func TestPoolNotRecorded(t *testing.T) {
	s := &scale{k: 2}
	x := ag.NewVar(tt([]float32{1, 2}), true)
	// A recorded step first, so that the pool holds free buffers.
	y := s.apply(t, x)
	if err := ag.Backward(y, nil); err != nil {
		t.Fatal(err)
	}
	var outs []*tensor.Tensor
	err := ag.NoGrad(func() error {
		for i := range 4 {
			y := s.apply(t, x)
			for j, o := range outs {
				if y.Value().SharesStorage(o) {
					t.Errorf("inference %d shares memory with inference %d", i, j)
				}
			}
			outs = append(outs, y.Value())
		}
		return nil
	}, x)
	if err != nil {
		t.Fatal(err)
	}
	// A recorded step afterwards gets memory of its own.
	y2 := s.apply(t, x)
	if err := ag.Backward(y2, nil); err != nil {
		t.Fatal(err)
	}
	checkExact(t, "recorded after inference", y2.Value(), []float32{2, 4}, 2)
	for i, o := range outs {
		if y2.Value().SharesStorage(o) {
			t.Errorf("a recorded step shares memory with inference %d", i)
		}
		checkExact(t, "inference", o, []float32{2, 4}, 2)
	}
}

// TestPoolAvoidsInputs feeds a Function's output of one step into the
// same Function at the next, as a recurrence across steps would: the new
// output must not be written over its own input.
func TestPoolAvoidsInputs(t *testing.T) {
	s := &scale{k: 2}
	x := ag.NewVar(tt([]float32{1, 2}), true)
	y := s.apply(t, x)
	if err := ag.Backward(y, nil); err != nil {
		t.Fatal(err)
	}
	prev := ag.Detach(y) // the buffer is free in the pool now
	z := s.apply(t, ag.NewVar(prev.Value(), true))
	if z.Value().SharesStorage(prev.Value()) {
		t.Fatal("the output was placed over the input")
	}
	checkExact(t, "output", z.Value(), []float32{4, 8}, 2)
}

// TestPoolSecondBackward calls Backward twice through the same nodes: it
// works (accumulating) while their Function has not run forward since,
// and is an error afterwards, when the values it saved may be gone.
func TestPoolSecondBackward(t *testing.T) {
	w := ag.NewVar(tt([]float32{1, 2}), true)
	s := &scale{k: 3}
	y := s.apply(t, w)
	for range 2 {
		if err := ag.Backward(y, nil); err != nil {
			t.Fatal(err)
		}
	}
	checkExact(t, "grad after two Backward", w.Grad(), []float32{6, 6}, 2)
	// Two uses take both free buffers from the pool, y's among them.
	s.apply(t, w)
	s.apply(t, w)
	err := ag.Backward(y, nil)
	checkErrContains(t, err, "again", "overwritten")
}

// TestRecycleGrad checks that the next Backward writes a recycled
// gradient's storage and ZeroGrad's does not, and that a Function's
// gradient is taken by the leaf without a copy.
func TestRecycleGrad(t *testing.T) {
	w := ag.NewVar(tt([]float32{1, 2}), true)
	s := &scale{k: 2}
	step := func(g []float32) {
		t.Helper()
		if err := ag.Backward(s.apply(t, w), tt(g)); err != nil {
			t.Fatal(err)
		}
	}
	step([]float32{1, 1})
	g1 := w.Grad()
	w.RecycleGrad()
	if w.Grad() != nil {
		t.Fatal("RecycleGrad left a gradient")
	}
	step([]float32{1, 2})
	if !w.Grad().SharesStorage(g1) {
		t.Error("Backward after RecycleGrad did not reuse the gradient's storage")
	}
	checkExact(t, "grad", w.Grad(), []float32{2, 4}, 2)
	g2 := w.Grad()
	w.ZeroGrad()
	step([]float32{3, 3})
	if w.Grad().SharesStorage(g2) {
		t.Error("Backward after ZeroGrad reused the old gradient's storage")
	}
	checkExact(t, "grad after ZeroGrad", w.Grad(), []float32{6, 6}, 2)
	checkExact(t, "gradient kept across ZeroGrad", g2, []float32{2, 4}, 2)
	// Accumulating without clearing adds onto the gradient.
	step([]float32{1, 1})
	checkExact(t, "accumulated grad", w.Grad(), []float32{8, 8}, 2)
	// A recycled gradient reaches built-in operations as well (a copy
	// into its storage).
	w.RecycleGrad()
	g3 := slices.Clone(w.Value().Data())
	if err := ag.Backward(ag.MulScalar(w, 5), nil); err != nil {
		t.Fatal(err)
	}
	checkExact(t, "grad of a built-in op", w.Grad(), []float32{5, 5}, 2)
	checkExact(t, "value untouched", w.Value(), g3, 2)
}

// TestRecycleGradTied passes one leaf twice to a pooled Function: its
// recycled storage is lent for one of the two gradients only.
func TestRecycleGradTied(t *testing.T) {
	w := ag.NewVar(tt([]float32{1, 2}), true)
	f := &twoInputs{}
	for range 3 {
		y, err := ag.Apply(f, w, w)
		if err != nil {
			t.Fatal(err)
		}
		w.RecycleGrad()
		if err := ag.Backward(y, nil); err != nil {
			t.Fatal(err)
		}
		checkExact(t, "grad", w.Grad(), []float32{5, 5}, 2)
	}
}

// twoInputs is y = 2a + 3b with pooled gradients.
type twoInputs struct{ pool ag.Pool }

func (f *twoInputs) Forward(ctx *ag.Context, in ...*tensor.Tensor) (*tensor.Tensor, error) {
	y := ctx.Buffer(&f.pool, in[0].Shape()...)
	for i := range y.Data() {
		y.Data()[i] = 2*in[0].Data()[i] + 3*in[1].Data()[i]
	}
	return y, nil
}

func (f *twoInputs) Backward(ctx *ag.Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
	ga := ctx.GradBuffer(0, &f.pool, g.Shape()...)
	gb := ctx.GradBuffer(1, &f.pool, g.Shape()...)
	if ga.SharesStorage(gb) {
		return nil, errTest
	}
	for i, v := range g.Data() {
		ga.Data()[i], gb.Data()[i] = 2*v, 3*v
	}
	return []*tensor.Tensor{ga, gb}, nil
}

// errTest is returned by test Functions that detect a broken promise.
var errTest = testError("GradBuffer lent one memory for two gradients")

type testError string

func (e testError) Error() string { return string(e) }

// TestPoolGetPut checks the scratch interface: a buffer given back is
// handed out again for a request it fits, not for a much smaller one,
// and a nil Pool allocates.
func TestPoolGetPut(t *testing.T) {
	var p ag.Pool
	a := p.Get(1000)
	if len(a) != 1000 {
		t.Fatalf("Get(1000) has length %d", len(a))
	}
	p.Put(a)
	b := p.Get(900)
	if &b[0] != &a[0] {
		t.Error("Get(900) after Put of 1000 floats did not reuse them")
	}
	p.Put(b)
	if c := p.Get(10); &c[0] == &a[0] {
		t.Error("Get(10) took a buffer of 1000 floats")
	}
	var nilPool *ag.Pool
	if d := nilPool.Get(5); len(d) != 5 {
		t.Errorf("nil Pool: Get(5) has length %d", len(d))
	}
	nilPool.Put(make([]float32, 3)) // no effect, no panic
}
