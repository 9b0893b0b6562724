package autograd_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	ag "github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

type v = ag.Var

// TestGradCheck compares every differentiable op with central
// differences, including broadcasting and composite expressions.
func TestGradCheck(t *testing.T) {
	r := newRand(1)
	mask := tt([]float32{1, 0, 0, 1, 1, 0}, 2, 3)
	rowMask := tt([]float32{0, 1}, 2, 1)
	shifted := func(base *tensor.Tensor) *tensor.Tensor {
		// base ± something in [0.1, 1): never within a step of base.
		off := awayFromZero(r, 0.1, 1, base.Shape()...)
		return tensor.Map(must(tensor.Add(base, off)), func(x float32) float32 { return x })
	}
	ma := uniform(r, -1, 1, 3, 4)
	type tc struct {
		name   string
		f      func(x []*v) *v
		inputs []*tensor.Tensor
	}
	tests := []tc{
		{"Add", func(x []*v) *v { return ag.Add(x[0], x[1]) }, []*tensor.Tensor{uniform(r, -1, 1, 2, 3), uniform(r, -1, 1, 2, 3)}},
		{"Add [N,C]+[C]", func(x []*v) *v { return ag.Add(x[0], x[1]) }, []*tensor.Tensor{uniform(r, -1, 1, 4, 3), uniform(r, -1, 1, 3)}},
		{"Add [C]+[N,C]", func(x []*v) *v { return ag.Add(x[0], x[1]) }, []*tensor.Tensor{uniform(r, -1, 1, 3), uniform(r, -1, 1, 4, 3)}},
		{"Add scalar", func(x []*v) *v { return ag.Add(x[0], x[1]) }, []*tensor.Tensor{uniform(r, -1, 1, 2, 3), uniform(r, -1, 1)}},
		{"Add [C,1,1]+[N,C,H,W]", func(x []*v) *v { return ag.Add(x[0], x[1]) }, []*tensor.Tensor{uniform(r, -1, 1, 3, 1, 1), uniform(r, -1, 1, 2, 3, 2, 2)}},
		{"Add [N,1]+[1,C]", func(x []*v) *v { return ag.Add(x[0], x[1]) }, []*tensor.Tensor{uniform(r, -1, 1, 4, 1), uniform(r, -1, 1, 1, 3)}},
		{"Sub", func(x []*v) *v { return ag.Sub(x[0], x[1]) }, []*tensor.Tensor{uniform(r, -1, 1, 2, 3), uniform(r, -1, 1, 2, 3)}},
		{"Sub broadcast", func(x []*v) *v { return ag.Sub(x[0], x[1]) }, []*tensor.Tensor{uniform(r, -1, 1, 3), uniform(r, -1, 1, 2, 1)}},
		{"Mul", func(x []*v) *v { return ag.Mul(x[0], x[1]) }, []*tensor.Tensor{uniform(r, -1, 1, 2, 3), uniform(r, -1, 1, 2, 3)}},
		{"Mul [N,C]*[N,1]", func(x []*v) *v { return ag.Mul(x[0], x[1]) }, []*tensor.Tensor{uniform(r, -1, 1, 4, 3), uniform(r, -1, 1, 4, 1)}},
		{"Mul self", func(x []*v) *v { return ag.Mul(x[0], x[0]) }, []*tensor.Tensor{uniform(r, -1, 1, 5)}},
		{"Div", func(x []*v) *v { return ag.Div(x[0], x[1]) }, []*tensor.Tensor{uniform(r, -1, 1, 2, 3), awayFromZero(r, 0.5, 2, 2, 3)}},
		{"Div broadcast", func(x []*v) *v { return ag.Div(x[0], x[1]) }, []*tensor.Tensor{uniform(r, -1, 1, 4, 3), awayFromZero(r, 0.5, 2, 4, 1)}},
		{"Div scalar num", func(x []*v) *v { return ag.Div(x[0], x[1]) }, []*tensor.Tensor{uniform(r, -1, 1), awayFromZero(r, 0.5, 2, 3)}},
		{"Maximum", func(x []*v) *v { return ag.Maximum(x[0], x[1]) }, []*tensor.Tensor{ma, shifted(ma)}},
		{"Maximum broadcast", func(x []*v) *v { return ag.Maximum(x[0], x[1]) }, []*tensor.Tensor{awayFromZero(r, 0.1, 1, 3, 4), tensor.New(4)}},
		{"Neg", func(x []*v) *v { return ag.Neg(x[0]) }, []*tensor.Tensor{uniform(r, -1, 1, 2, 3)}},
		{"Exp", func(x []*v) *v { return ag.Exp(x[0]) }, []*tensor.Tensor{uniform(r, -1, 1, 2, 3)}},
		{"Log", func(x []*v) *v { return ag.Log(x[0]) }, []*tensor.Tensor{uniform(r, 0.5, 2, 2, 3)}},
		{"Sigmoid", func(x []*v) *v { return ag.Sigmoid(x[0]) }, []*tensor.Tensor{uniform(r, -3, 3, 2, 3)}},
		{"Tanh", func(x []*v) *v { return ag.Tanh(x[0]) }, []*tensor.Tensor{uniform(r, -2, 2, 2, 3)}},
		{"Square", func(x []*v) *v { return ag.Square(x[0]) }, []*tensor.Tensor{uniform(r, -2, 2, 2, 3)}},
		{"Sqrt", func(x []*v) *v { return ag.Sqrt(x[0]) }, []*tensor.Tensor{uniform(r, 0.5, 2, 2, 3)}},
		{"Abs", func(x []*v) *v { return ag.Abs(x[0]) }, []*tensor.Tensor{awayFromZero(r, 0.1, 2, 2, 3)}},
		{"ReLU", func(x []*v) *v { return ag.ReLU(x[0]) }, []*tensor.Tensor{awayFromZero(r, 0.1, 2, 3, 3)}},
		{"AddScalar", func(x []*v) *v { return ag.AddScalar(x[0], 2.5) }, []*tensor.Tensor{uniform(r, -1, 1, 2, 3)}},
		{"MulScalar", func(x []*v) *v { return ag.MulScalar(x[0], -1.5) }, []*tensor.Tensor{uniform(r, -1, 1, 2, 3)}},
		{"Sum", func(x []*v) *v { return ag.Sum(x[0]) }, []*tensor.Tensor{uniform(r, -1, 1, 2, 3)}},
		{"Mean", func(x []*v) *v { return ag.Mean(x[0]) }, []*tensor.Tensor{uniform(r, -1, 1, 2, 3)}},
		{"Reshape", func(x []*v) *v { return ag.Reshape(x[0], 3, -1) }, []*tensor.Tensor{uniform(r, -1, 1, 2, 3)}},
		{"Transpose", func(x []*v) *v { return ag.Transpose(x[0]) }, []*tensor.Tensor{uniform(r, -1, 1, 2, 3)}},
		{"MatMul", func(x []*v) *v { return ag.MatMul(x[0], x[1]) }, []*tensor.Tensor{uniform(r, -1, 1, 3, 4), uniform(r, -1, 1, 4, 5)}},
		{"MatMul vector", func(x []*v) *v { return ag.MatMul(x[0], x[1]) }, []*tensor.Tensor{uniform(r, -1, 1, 1, 7), uniform(r, -1, 1, 7, 1)}},
		{"MatMul self", func(x []*v) *v { return ag.MatMul(x[0], ag.Transpose(x[0])) }, []*tensor.Tensor{uniform(r, -1, 1, 3, 4)}},
		{"Where", func(x []*v) *v { return ag.Where(mask, x[0], x[1]) }, []*tensor.Tensor{uniform(r, -1, 1, 2, 3), uniform(r, -1, 1, 2, 3)}},
		{"Where broadcast", func(x []*v) *v { return ag.Where(rowMask, x[0], x[1]) }, []*tensor.Tensor{uniform(r, -1, 1, 3), uniform(r, -1, 1, 2, 1)}},
		{"linear layer", func(x []*v) *v {
			return ag.Tanh(ag.Add(ag.MatMul(x[0], x[1]), x[2]))
		}, []*tensor.Tensor{uniform(r, -1, 1, 4, 3), uniform(r, -1, 1, 3, 2), uniform(r, -1, 1, 2)}},
		{"softmax-like", func(x []*v) *v {
			e := ag.Exp(x[0])
			return ag.Div(e, ag.SumAxis(e, 1, true))
		}, []*tensor.Tensor{uniform(r, -1, 1, 3, 4)}},
		{"logsumexp", func(x []*v) *v {
			m := ag.Max(x[0], -1, true)
			return ag.Add(ag.Log(ag.SumAxis(ag.Exp(ag.Sub(x[0], m)), -1, false)), ag.Reshape(m, -1))
		}, []*tensor.Tensor{distinct(r, 3, 5)}},
	}
	for _, shape := range [][]int{{5}, {3, 4}, {2, 3, 4}} {
		for axis := -len(shape); axis < len(shape); axis++ {
			for _, keep := range []bool{false, true} {
				axis, keep := axis, keep
				suffix := fmt.Sprintf("%v axis=%d keepDim=%v", shape, axis, keep)
				tests = append(tests,
					tc{"SumAxis " + suffix, func(x []*v) *v { return ag.SumAxis(x[0], axis, keep) }, []*tensor.Tensor{uniform(r, -1, 1, shape...)}},
					tc{"MeanAxis " + suffix, func(x []*v) *v { return ag.MeanAxis(x[0], axis, keep) }, []*tensor.Tensor{uniform(r, -1, 1, shape...)}},
					tc{"Max " + suffix, func(x []*v) *v { return ag.Max(x[0], axis, keep) }, []*tensor.Tensor{distinct(r, shape...)}},
				)
			}
		}
	}
	for _, c := range tests {
		t.Run(c.name, func(t *testing.T) { gradCheck(t, c.name, c.f, c.inputs...) })
	}
}

func must(t *tensor.Tensor, err error) *tensor.Tensor {
	if err != nil {
		panic(err)
	}
	return t
}

// gradsOf runs Backward(out, nil) on f of fresh leaves and returns their
// gradients.
func gradsOf(t *testing.T, f func(x []*v) *v, inputs ...*tensor.Tensor) []*tensor.Tensor {
	t.Helper()
	vars := make([]*v, len(inputs))
	for i, x := range inputs {
		vars[i] = ag.NewVar(x, true)
	}
	if err := ag.Backward(f(vars), nil); err != nil {
		t.Fatalf("Backward: %v", err)
	}
	gs := make([]*tensor.Tensor, len(vars))
	for i, x := range vars {
		gs[i] = x.Grad()
	}
	return gs
}

// TestHandDerivedGrads checks gradients against formulas worked out by
// hand, with an upstream gradient of ones.
func TestHandDerivedGrads(t *testing.T) {
	x := tt([]float32{1, 2, 4}, 3)
	y := tt([]float32{2, -1, 0.5}, 3)
	tests := []struct {
		name  string
		f     func(x []*v) *v
		in    []*tensor.Tensor
		wants [][]float32
	}{
		{"Add", func(a []*v) *v { return ag.Add(a[0], a[1]) }, []*tensor.Tensor{x, y}, [][]float32{{1, 1, 1}, {1, 1, 1}}},
		{"Sub", func(a []*v) *v { return ag.Sub(a[0], a[1]) }, []*tensor.Tensor{x, y}, [][]float32{{1, 1, 1}, {-1, -1, -1}}},
		{"Mul", func(a []*v) *v { return ag.Mul(a[0], a[1]) }, []*tensor.Tensor{x, y}, [][]float32{{2, -1, 0.5}, {1, 2, 4}}},
		// d(x/y)/dx = 1/y; d/dy = -x/y².
		{"Div", func(a []*v) *v { return ag.Div(a[0], a[1]) }, []*tensor.Tensor{x, y}, [][]float32{{0.5, -1, 2}, {-0.25, -2, -16}}},
		// Ties split the gradient evenly, as in PyTorch.
		{"Maximum tie", func(a []*v) *v { return ag.Maximum(a[0], a[1]) },
			[]*tensor.Tensor{tt([]float32{1, 2, 3}), tt([]float32{3, 2, 1})}, [][]float32{{0, 0.5, 1}, {1, 0.5, 0}}},
		{"Square", func(a []*v) *v { return ag.Square(a[0]) }, []*tensor.Tensor{x}, [][]float32{{2, 4, 8}}},
		{"Sqrt", func(a []*v) *v { return ag.Sqrt(a[0]) }, []*tensor.Tensor{x}, [][]float32{{0.5, float32(0.5 / math.Sqrt(2)), 0.25}}},
		{"Log", func(a []*v) *v { return ag.Log(a[0]) }, []*tensor.Tensor{x}, [][]float32{{1, 0.5, 0.25}}},
		{"Abs at 0", func(a []*v) *v { return ag.Abs(a[0]) }, []*tensor.Tensor{tt([]float32{-2, 0, 3})}, [][]float32{{-1, 0, 1}}},
		{"ReLU at 0", func(a []*v) *v { return ag.ReLU(a[0]) }, []*tensor.Tensor{tt([]float32{-2, 0, 3})}, [][]float32{{0, 0, 1}}},
		{"Sigmoid at 0", func(a []*v) *v { return ag.Sigmoid(a[0]) }, []*tensor.Tensor{tt([]float32{0})}, [][]float32{{0.25}}},
		{"Tanh at 0", func(a []*v) *v { return ag.Tanh(a[0]) }, []*tensor.Tensor{tt([]float32{0})}, [][]float32{{1}}},
		{"Exp at 0", func(a []*v) *v { return ag.Exp(a[0]) }, []*tensor.Tensor{tt([]float32{0, 0})}, [][]float32{{1, 1}}},
		{"Mean", func(a []*v) *v { return ag.Mean(a[0]) }, []*tensor.Tensor{tt([]float32{1, 2, 3, 4}, 2, 2)}, [][]float32{{0.25, 0.25, 0.25, 0.25}}},
		{"MeanAxis", func(a []*v) *v { return ag.MeanAxis(a[0], 0, false) }, []*tensor.Tensor{tt([]float32{1, 2, 3, 4}, 2, 2)}, [][]float32{{0.5, 0.5, 0.5, 0.5}}},
		// Broadcasting: bias [C] gets the column sums of the upstream
		// gradient (N=2 here); a [N,1] factor gets the row sums of g*a.
		{"Add [N,C]+[C]", func(a []*v) *v { return ag.Add(a[0], a[1]) },
			[]*tensor.Tensor{tt([]float32{1, 2, 3, 4, 5, 6}, 2, 3), tt([]float32{0, 0, 0}, 3)}, [][]float32{{1, 1, 1, 1, 1, 1}, {2, 2, 2}}},
		{"Mul [N,C]*[N,1]", func(a []*v) *v { return ag.Mul(a[0], a[1]) },
			[]*tensor.Tensor{tt([]float32{1, 2, 3, 4, 5, 6}, 2, 3), tt([]float32{10, -1}, 2, 1)},
			[][]float32{{10, 10, 10, -1, -1, -1}, {6, 15}}},
		// MatMul: dA = G·Bᵀ, dB = Aᵀ·G with G = ones.
		{"MatMul", func(a []*v) *v { return ag.MatMul(a[0], a[1]) },
			[]*tensor.Tensor{tt([]float32{1, 2, 3, 4}, 2, 2), tt([]float32{5, 6, 7, 8}, 2, 2)},
			[][]float32{{11, 15, 11, 15}, {4, 4, 6, 6}}},
		// Max: the gradient goes to the first argmax among ties.
		{"Max ties", func(a []*v) *v { return ag.Max(a[0], 1, false) },
			[]*tensor.Tensor{tt([]float32{1, 3, 3, 2, 2, 1}, 2, 3)}, [][]float32{{0, 1, 0, 1, 0, 0}}},
		{"Max ties keepDim axis 0", func(a []*v) *v { return ag.Max(a[0], 0, true) },
			[]*tensor.Tensor{tt([]float32{1, 3, 3, 2, 2, 1}, 2, 3)}, [][]float32{{0, 1, 1, 1, 0, 0}}},
		{"Where", func(a []*v) *v { return ag.Where(tt([]float32{1, 0, 1}), a[0], a[1]) }, []*tensor.Tensor{x, y},
			[][]float32{{1, 0, 1}, {0, 1, 0}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ins := make([]*tensor.Tensor, len(tc.in))
			for i, x := range tc.in {
				ins[i] = x.Clone()
			}
			gs := gradsOf(t, tc.f, ins...)
			for i, w := range tc.wants {
				if gs[i] == nil {
					t.Fatalf("input %d: nil grad", i)
				}
				want := make([]float64, len(w))
				for j := range w {
					want[j] = float64(w[j])
				}
				checkClose(t, fmt.Sprintf("input %d", i), gs[i], want, 1e-6)
				if !gs[i].SameShape(tc.in[i]) {
					t.Errorf("input %d: grad shape %v, want %v", i, gs[i].Shape(), tc.in[i].Shape())
				}
			}
		})
	}
}

func TestForwardValues(t *testing.T) {
	a := ag.Const(tt([]float32{1, 2, 3, 4, 5, 6}, 2, 3))
	b := ag.Const(tt([]float32{1, 0, 2}, 3))
	checkExact(t, "Add", ag.Add(a, b).Value(), []float32{2, 2, 5, 5, 5, 8}, 2, 3)
	checkExact(t, "Sub", ag.Sub(a, b).Value(), []float32{0, 2, 1, 3, 5, 4}, 2, 3)
	checkExact(t, "Mul", ag.Mul(a, b).Value(), []float32{1, 0, 6, 4, 0, 12}, 2, 3)
	checkExact(t, "Maximum", ag.Maximum(a, ag.Scalar(3.5)).Value(), []float32{3.5, 3.5, 3.5, 4, 5, 6}, 2, 3)
	checkExact(t, "SumAxis", ag.SumAxis(a, 0, false).Value(), []float32{5, 7, 9}, 3)
	checkExact(t, "SumAxis keep", ag.SumAxis(a, -1, true).Value(), []float32{6, 15}, 2, 1)
	checkExact(t, "MeanAxis", ag.MeanAxis(a, 1, false).Value(), []float32{2, 5}, 2)
	checkExact(t, "Max", ag.Max(a, 0, true).Value(), []float32{4, 5, 6}, 1, 3)
	checkExact(t, "Sum", ag.Sum(a).Value(), []float32{21})
	checkExact(t, "Mean", ag.Mean(a).Value(), []float32{3.5})
	checkExact(t, "Reshape", ag.Reshape(a, -1, 2).Value(), []float32{1, 2, 3, 4, 5, 6}, 3, 2)
	checkExact(t, "Transpose", ag.Transpose(a).Value(), []float32{1, 4, 2, 5, 3, 6}, 3, 2)
	checkExact(t, "AddScalar", ag.AddScalar(b, 1).Value(), []float32{2, 1, 3}, 3)
	checkExact(t, "MulScalar", ag.MulScalar(b, 3).Value(), []float32{3, 0, 6}, 3)
	checkExact(t, "Greater", ag.Greater(a, ag.Scalar(3)).Value(), []float32{0, 0, 0, 1, 1, 1}, 2, 3)
	checkExact(t, "GreaterEqual", ag.GreaterEqual(a, ag.Scalar(3)).Value(), []float32{0, 0, 1, 1, 1, 1}, 2, 3)
	checkExact(t, "Less", ag.Less(a, ag.Scalar(3)).Value(), []float32{1, 1, 0, 0, 0, 0}, 2, 3)

	// Comparisons are constants even of Vars that require gradients.
	x := ag.NewVar(tt([]float32{1, 2}), true)
	for name, c := range map[string]*v{
		"Greater": ag.Greater(x, ag.Scalar(1)), "GreaterEqual": ag.GreaterEqual(x, ag.Scalar(1)), "Less": ag.Less(x, ag.Scalar(1)),
	} {
		if c.RequiresGrad() || !c.IsLeaf() {
			t.Errorf("%s of a Var requiring grad: RequiresGrad=%v IsLeaf=%v", name, c.RequiresGrad(), c.IsLeaf())
		}
	}
}

func TestShapePanicsNameShapes(t *testing.T) {
	a := ag.NewVar(tensor.New(2, 3), true)
	b := ag.NewVar(tensor.New(4), true)
	tests := []struct {
		name string
		fn   func()
		subs []string
	}{
		{"Add", func() { ag.Add(a, b) }, []string{"[2 3]", "[4]"}},
		{"Sub", func() { ag.Sub(a, b) }, []string{"[2 3]", "[4]"}},
		{"Mul", func() { ag.Mul(a, b) }, []string{"[2 3]", "[4]"}},
		{"Div", func() { ag.Div(a, b) }, []string{"[2 3]", "[4]"}},
		{"Maximum", func() { ag.Maximum(a, b) }, []string{"[2 3]", "[4]"}},
		{"MatMul", func() { ag.MatMul(a, a) }, []string{"[2 3]"}},
		{"Reshape", func() { ag.Reshape(a, 4, 2) }, []string{"[2 3]", "[4 2]"}},
		{"Transpose", func() { ag.Transpose(b) }, []string{"[4]"}},
		{"SumAxis", func() { ag.SumAxis(a, 2, false) }, []string{"[2 3]"}},
		{"MeanAxis", func() { ag.MeanAxis(a, -3, false) }, []string{"[2 3]"}},
		{"Max", func() { ag.Max(a, 5, false) }, []string{"[2 3]"}},
		{"Where", func() { ag.Where(tensor.New(3, 3), a, a) }, []string{"[3 3]", "[2 3]"}},
		{"Greater", func() { ag.Greater(a, b) }, []string{"[2 3]", "[4]"}},
	}
	for _, tc := range tests {
		msg := mustPanic(t, tc.fn)
		for _, s := range tc.subs {
			if !strings.Contains(msg, s) {
				t.Errorf("%s: panic %q does not contain %q", tc.name, msg, s)
			}
		}
	}
}
