package autograd_test

import (
	"testing"

	ag "github.com/spikego/spikego/autograd"
)

// TestScopeLifetime checks the rules of a Scope: passes through it never
// write into its input nor share memory with each other until Release;
// after Release the next pass reuses the memory; the values of the
// passes are right; and a recorded step in between never receives memory
// the scope has lent.
func TestScopeLifetime(t *testing.T) {
	a, b := &scale{k: 2}, &scale{k: 3}
	// A recorded step first, so that the pools hold free buffers.
	w := ag.NewVar(tt([]float32{1, 2}), true)
	if err := ag.Backward(b.apply(t, view(a.apply(t, w))), nil); err != nil {
		t.Fatal(err)
	}

	s := ag.NewScope()
	in := tt([]float32{1, 2})
	pass := func() (mid, out *ag.Var) {
		t.Helper()
		x := s.Const(in)
		mid = a.apply(t, x)
		out = b.apply(t, view(mid))
		return mid, out
	}
	m1, o1 := pass()
	m2, o2 := pass() // no Release: both passes stay valid
	for _, c := range []struct {
		name string
		v    *ag.Var
		want []float32
	}{{"mid 1", m1, []float32{2, 4}}, {"out 1", o1, []float32{6, 12}}, {"mid 2", m2, []float32{2, 4}}, {"out 2", o2, []float32{6, 12}}} {
		checkExact(t, c.name, c.v.Value(), c.want, 2)
		if c.v.Value().SharesStorage(in) {
			t.Errorf("%s shares memory with the scope's input", c.name)
		}
	}
	checkExact(t, "input", in, []float32{1, 2}, 2)
	if m1.Value().SharesStorage(m2.Value()) || o1.Value().SharesStorage(o2.Value()) {
		t.Fatal("two passes through the scope before Release share memory")
	}
	if !m1.Value().SharesStorage(a.handed[0]) && !m2.Value().SharesStorage(a.handed[0]) {
		t.Error("the scope did not lend the pool's free output buffer of the recorded step")
	}

	// A recorded step while the scope holds its memory gets memory of
	// its own.
	y := a.apply(t, w)
	for i, v := range []*ag.Var{m1, m2} {
		if y.Value().SharesStorage(v.Value()) {
			t.Fatalf("a recorded step received memory that pass %d holds", i+1)
		}
	}
	if err := ag.Backward(y, nil); err != nil {
		t.Fatal(err)
	}

	s.Release()
	before := len(a.handed)
	m3, o3 := pass()
	checkExact(t, "mid 3", m3.Value(), []float32{2, 4}, 2)
	checkExact(t, "out 3", o3.Value(), []float32{6, 12}, 2)
	reused := false
	for _, h := range a.handed[:before] {
		reused = reused || m3.Value().SharesStorage(h)
	}
	if !reused {
		t.Error("after Release, the pass took new memory instead of the pool's buffers")
	}
}

// TestScopeRecorded checks that a pass with a tape ignores the scope of
// its input: its buffers follow the tape (back to the pool at Backward),
// and a Release does not hand them out while they are in use.
func TestScopeRecorded(t *testing.T) {
	a := &scale{k: 2}
	s := ag.NewScope()
	w := ag.NewVar(tt([]float32{1, 2}), true)
	x := s.Const(tt([]float32{1, 1}))
	y := ag.Mul(a.apply(t, w), x) // recorded: w needs a gradient
	s.Release()
	z := a.apply(t, s.Const(tt([]float32{5, 5}))) // not recorded
	if z.Value().SharesStorage(a.handed[0]) {
		t.Fatal("a pass through the scope took memory that a recorded node still holds")
	}
	if err := ag.Backward(y, tt([]float32{1, 1})); err != nil {
		t.Fatal(err)
	}
	checkExact(t, "grad", w.Grad(), []float32{2, 2}, 2)
	checkExact(t, "z", z.Value(), []float32{10, 10}, 2)
}

// TestScopeReleaseReuses checks that Release gives the lent memory back:
// with pools that start empty, the pass after Release runs in the memory
// of the pass before it, and a pass without Release does not.
func TestScopeReleaseReuses(t *testing.T) {
	a := &scale{k: 2}
	s := ag.NewScope()
	y1 := a.apply(t, s.Const(tt([]float32{1, 2})))
	y2 := a.apply(t, s.Const(tt([]float32{3, 4})))
	if y2.Value().SharesStorage(y1.Value()) {
		t.Fatal("a pass before Release reused the memory of the one before")
	}
	s.Release()
	y3 := a.apply(t, s.Const(tt([]float32{5, 6})))
	if !y3.Value().SharesStorage(y1.Value()) && !y3.Value().SharesStorage(y2.Value()) {
		t.Fatal("after Release, the pass took new memory")
	}
	checkExact(t, "y3", y3.Value(), []float32{10, 12}, 2)
}
