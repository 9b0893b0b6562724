package autograd_test

import (
	"testing"

	ag "github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// gradFunc is a two-input Function whose Backward returns what back
// builds from the incoming gradient; fresh makes it a FreshGrads.
type gradFunc struct {
	back func(g *tensor.Tensor) []*tensor.Tensor
	out  []*tensor.Tensor // what Backward returned
}

func (f *gradFunc) Forward(ctx *ag.Context, in ...*tensor.Tensor) (*tensor.Tensor, error) {
	return tensor.Add(in[0], in[1])
}

func (f *gradFunc) Backward(ctx *ag.Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
	f.out = f.back(g)
	return f.out, nil
}

type freshGradFunc struct{ gradFunc }

func (*freshGradFunc) FreshGrads() {}

// TestFreshGradsTakenByLeaves checks that a leaf takes a FreshGrads
// Function's gradient without a copy when nothing else holds it, and
// copies it otherwise: for other Functions, for a gradient that is the
// incoming one or a view of it, and for one tensor returned for two
// inputs. Values are right in every case, also when accumulating.
func TestFreshGradsTakenByLeaves(t *testing.T) {
	scaled := func(g *tensor.Tensor) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.MulScalar(g, 2), tensor.MulScalar(g, 3)}
	}
	same := func(g *tensor.Tensor) []*tensor.Tensor {
		s := tensor.MulScalar(g, 2)
		return []*tensor.Tensor{s, s}
	}
	passed := func(g *tensor.Tensor) []*tensor.Tensor {
		v, err := g.Reshape(2, 2)
		if err != nil {
			panic(err)
		}
		return []*tensor.Tensor{g, v}
	}
	for _, tc := range []struct {
		name         string
		fresh        bool
		back         func(g *tensor.Tensor) []*tensor.Tensor
		taken        [2]bool
		want0, want1 []float32
	}{
		{"fresh", true, scaled, [2]bool{true, true}, []float32{2, 4, 6, 8}, []float32{3, 6, 9, 12}},
		{"not FreshGrads", false, scaled, [2]bool{false, false}, []float32{2, 4, 6, 8}, []float32{3, 6, 9, 12}},
		{"one tensor twice", true, same, [2]bool{false, false}, []float32{2, 4, 6, 8}, []float32{2, 4, 6, 8}},
		{"incoming gradient", true, passed, [2]bool{false, false}, []float32{1, 2, 3, 4}, []float32{1, 2, 3, 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f interface {
				ag.Function
				returned() []*tensor.Tensor
			}
			if tc.fresh {
				f = &freshWrap{freshGradFunc{gradFunc{back: tc.back}}}
			} else {
				f = &plainWrap{gradFunc{back: tc.back}}
			}
			a := ag.NewVar(tensor.New(2, 2), true)
			b := ag.NewVar(tensor.New(2, 2), true)
			y, err := ag.Apply(f, a, b)
			if err != nil {
				t.Fatal(err)
			}
			g := tt([]float32{1, 2, 3, 4}, 2, 2)
			if err := ag.Backward(y, g); err != nil {
				t.Fatal(err)
			}
			for i, v := range []*ag.Var{a, b} {
				if got := v.Grad() == f.returned()[i]; got != tc.taken[i] {
					t.Errorf("input %d: gradient taken without a copy: %v, want %v", i, got, tc.taken[i])
				}
				if v.Grad().SharesStorage(g) {
					t.Errorf("input %d: gradient shares the root gradient's storage", i)
				}
			}
			if a.Grad().SharesStorage(b.Grad()) {
				t.Error("the two leaves share a gradient")
			}
			checkExact(t, "grad a", a.Grad(), tc.want0, 2, 2)
			checkExact(t, "grad b", b.Grad(), tc.want1, 2, 2)
			// A second backward accumulates into what the leaves hold.
			y, err = ag.Apply(f, a, b)
			if err != nil {
				t.Fatal(err)
			}
			if err := ag.Backward(y, g); err != nil {
				t.Fatal(err)
			}
			twice := func(v []float32) []float32 {
				out := make([]float32, len(v))
				for i, x := range v {
					out[i] = 2 * x
				}
				return out
			}
			checkExact(t, "grad a after two calls", a.Grad(), twice(tc.want0), 2, 2)
			checkExact(t, "grad b after two calls", b.Grad(), twice(tc.want1), 2, 2)
		})
	}
}

type freshWrap struct{ freshGradFunc }

func (f *freshWrap) returned() []*tensor.Tensor { return f.out }

type plainWrap struct{ gradFunc }

func (f *plainWrap) returned() []*tensor.Tensor { return f.out }
