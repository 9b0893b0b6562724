package autograd

import (
	"testing"

	"github.com/spikego/spikego/tensor"
)

// TestRepeat checks Repeat against values worked by hand: the output
// stacks T copies, and the gradient of each input element is the sum of
// the upstream gradients of its T copies.
func TestRepeat(t *testing.T) {
	x := NewVar(mustT(t, []float32{1, 2, 3, 4, 5, 6}, 2, 3), true)
	y := Repeat(x, 3)
	if got := y.Shape(); len(got) != 3 || got[0] != 3 || got[1] != 2 || got[2] != 3 {
		t.Fatalf("shape %v, want [3 2 3]", got)
	}
	for i, v := range y.Value().Data() {
		if want := float32(i%6 + 1); v != want {
			t.Fatalf("y[%d] = %v, want %v", i, v, want)
		}
	}
	g := tensor.New(3, 2, 3)
	for i := range g.Data() {
		g.Data()[i] = float32(i) // step t adds 6t + i
	}
	if err := Backward(y, g); err != nil {
		t.Fatal(err)
	}
	for i, v := range x.Grad().Data() {
		want := float32(i) + float32(6+i) + float32(12+i)
		if v != want {
			t.Errorf("grad[%d] = %v, want %v", i, v, want)
		}
	}
	// A large input, to cross the parallel threshold.
	big := NewVar(tensor.Full(2, 1<<16), true)
	z := Repeat(big, 4)
	if err := Backward(z, nil); err != nil {
		t.Fatal(err)
	}
	for i, v := range big.Grad().Data() {
		if v != 4 {
			t.Fatalf("big grad[%d] = %v, want 4", i, v)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Repeat(x, 0) did not panic")
		}
	}()
	Repeat(x, 0)
}

func mustT(t *testing.T, d []float32, shape ...int) *tensor.Tensor {
	t.Helper()
	x, err := tensor.FromSlice(d, shape...)
	if err != nil {
		t.Fatal(err)
	}
	return x
}
