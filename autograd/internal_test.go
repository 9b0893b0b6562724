package autograd

import (
	"testing"

	"github.com/spikego/spikego/tensor"
)

// TestBuiltinBackwardSkipsUnneededGrads calls the recorded Backward of
// each built-in two-input op directly and checks that no gradient is
// returned (so none was computed) for an input that does not require one,
// as the package documentation promises.
func TestBuiltinBackwardSkipsUnneededGrads(t *testing.T) {
	tests := []struct {
		name   string
		f      func(a, b *Var) *Var
		sa, sb []int
	}{
		{"Add", Add, []int{3, 2}, []int{2}},
		{"Sub", Sub, []int{3, 2}, []int{2}},
		{"Mul", Mul, []int{3, 2}, []int{3, 1}},
		{"Div", Div, []int{3, 2}, []int{2}},
		{"Maximum", Maximum, []int{3, 2}, []int{2}},
		{"MatMul", MatMul, []int{3, 2}, []int{2, 4}},
		{"Where", func(a, b *Var) *Var { return Where(tensor.Ones(3, 2), a, b) }, []int{3, 2}, []int{2}},
	}
	for _, tc := range tests {
		for req := 0; req < 2; req++ {
			vals := [2]*Var{Const(tensor.Full(2, tc.sa...)), Const(tensor.Full(3, tc.sb...))}
			vals[req] = NewVar(vals[req].value, true)
			out := tc.f(vals[0], vals[1])
			n := out.creator
			if n == nil {
				t.Fatalf("%s: nothing recorded", tc.name)
			}
			if !n.ctx.NeedsInputGrad(req) || n.ctx.NeedsInputGrad(1-req) {
				t.Errorf("%s: NeedsInputGrad(%d)=%v NeedsInputGrad(%d)=%v", tc.name,
					req, n.ctx.NeedsInputGrad(req), 1-req, n.ctx.NeedsInputGrad(1-req))
			}
			gs, err := n.fn.Backward(n.ctx, tensor.Ones(out.value.Shape()...))
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if other := 1 - req; other < len(gs) && gs[other] != nil {
				t.Errorf("%s with only input %d requiring grad: gradient computed for input %d", tc.name, req, other)
			}
			if req >= len(gs) || gs[req] == nil || !gs[req].SameShape(vals[req].value) {
				t.Errorf("%s: bad gradient for input %d: %v", tc.name, req, gs)
			}
		}
	}
}
