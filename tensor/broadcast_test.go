package tensor_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/spikego/spikego/tensor"
)

func TestBroadcastShape(t *testing.T) {
	tests := []struct {
		a, b []int
		want []int // nil: error
	}{
		{[]int{}, []int{}, []int{}},
		{[]int{}, []int{2, 3}, []int{2, 3}},
		{[]int{2, 3}, []int{}, []int{2, 3}},
		{[]int{1}, []int{4}, []int{4}},
		{[]int{2, 3}, []int{2, 3}, []int{2, 3}},
		{[]int{5, 1}, []int{5, 4}, []int{5, 4}},                // keep-dim reduction
		{[]int{5, 4}, []int{5, 1}, []int{5, 4}},                // and the other way
		{[]int{4}, []int{5, 4}, []int{5, 4}},                   // bias row
		{[]int{3, 1, 1}, []int{2, 3, 8, 8}, []int{2, 3, 8, 8}}, // per-channel
		{[]int{2, 3, 8, 8}, []int{3, 1, 1}, []int{2, 3, 8, 8}},
		{[]int{2, 1, 4}, []int{3, 1}, []int{2, 3, 4}},
		{[]int{1, 1}, []int{1}, []int{1, 1}},
		{[]int{0}, []int{1}, []int{0}},
		{[]int{0, 3}, []int{3}, []int{0, 3}},
		{[]int{1, 3}, []int{0, 1}, []int{0, 3}},
		{[]int{2, 3}, []int{3, 2}, nil},
		{[]int{3}, []int{4}, nil},
		{[]int{2, 3, 4}, []int{3, 1, 1}, nil}, // channel axis misaligned
		{[]int{0}, []int{2}, nil},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.a, tc.b), func(t *testing.T) {
			got, err := tensor.BroadcastShape(tc.a, tc.b)
			if tc.want == nil {
				checkErrContains(t, err, fmt.Sprint(tc.a), fmt.Sprint(tc.b))
				return
			}
			if err != nil {
				t.Fatalf("BroadcastShape: %v", err)
			}
			checkShape(t, "BroadcastShape", got, tc.want)
		})
	}
}

// randBroadcastPair returns two shapes that broadcast together: a random
// output shape from which each operand drops leading dimensions and turns
// some dimensions into 1.
func randBroadcastPair(r *rand.Rand, maxDims, maxDim int, allowZero bool) (a, b []int) {
	nd := r.IntN(maxDims + 1)
	out := make([]int, nd)
	for i := range out {
		out[i] = 1 + r.IntN(maxDim)
		if allowZero && r.IntN(10) == 0 {
			out[i] = 0
		}
	}
	derive := func() []int {
		s := append([]int(nil), out[r.IntN(nd+1):]...)
		for i := range s {
			if r.IntN(3) == 0 {
				s[i] = 1
			}
		}
		return s
	}
	return derive(), derive()
}

type binaryCase struct {
	name string
	op   func(a, b *tensor.Tensor) (*tensor.Tensor, error)
	f    func(x, y float32) float32
}

func boolf(c bool) float32 {
	if c {
		return 1
	}
	return 0
}

var binaryCases = []binaryCase{
	{"Add", tensor.Add, func(x, y float32) float32 { return x + y }},
	{"Sub", tensor.Sub, func(x, y float32) float32 { return x - y }},
	{"Mul", tensor.Mul, func(x, y float32) float32 { return x * y }},
	{"Div", tensor.Div, func(x, y float32) float32 { return x / y }},
	{"Maximum", tensor.Maximum, func(x, y float32) float32 {
		if x != x || y != y {
			return float32(math.NaN())
		}
		if x > y {
			return x
		}
		return y
	}},
	{"Minimum", tensor.Minimum, func(x, y float32) float32 {
		if x != x || y != y {
			return float32(math.NaN())
		}
		if x < y {
			return x
		}
		return y
	}},
	{"Greater", tensor.Greater, func(x, y float32) float32 { return boolf(x > y) }},
	{"GreaterEqual", tensor.GreaterEqual, func(x, y float32) float32 { return boolf(x >= y) }},
	{"Less", tensor.Less, func(x, y float32) float32 { return boolf(x < y) }},
	{"LessEqual", tensor.LessEqual, func(x, y float32) float32 { return boolf(x <= y) }},
	{"Equal", tensor.Equal, func(x, y float32) float32 { return boolf(x == y) }},
}

// quantized returns a random tensor whose values come from a small set,
// so that comparisons see ties.
func quantized(r *rand.Rand, shape []int) *tensor.Tensor {
	d := make([]float32, prod(shape))
	for i := range d {
		d[i] = float32(r.IntN(7)-3) * 0.5
		if d[i] == 0 && r.IntN(4) == 0 {
			d[i] = 0.25 // keep divisors mostly non-zero
		}
	}
	if shape == nil {
		shape = []int{} // a nil shape would mean 1-d to FromSlice
	}
	return mustT(tensor.FromSlice(d, shape...))
}

func TestBinaryBroadcastRandom(t *testing.T) {
	r := newRand(1)
	for trial := 0; trial < 300; trial++ {
		as, bs := randBroadcastPair(r, 4, 4, true)
		a, b := quantized(r, as), quantized(r, bs)
		out, err := tensor.BroadcastShape(as, bs)
		if err != nil {
			t.Fatalf("generator made %v %v: %v", as, bs, err)
		}
		for _, bc := range binaryCases {
			got, err := bc.op(a, b)
			if err != nil {
				t.Fatalf("%s(%v, %v): %v", bc.name, as, bs, err)
			}
			what := fmt.Sprintf("%s(%v, %v)", bc.name, as, bs)
			checkShape(t, what, got.Shape(), out)
			checkExact(t, what, got.Data(), naiveBinary(a, b, out, bc.f))
		}
	}
}

// TestBinaryBroadcastLarge exercises the parallel path of the broadcast
// kernel (more than 1<<15 elements) for every stride pattern of the
// innermost dimension.
func TestBinaryBroadcastLarge(t *testing.T) {
	r := newRand(2)
	pairs := [][2][]int{
		{{64, 3, 200}, {64, 3, 200}}, // same shape
		{{64, 3, 200}, {3, 1}},       // inner stride 1 vs 0
		{{64, 3, 1}, {200}},          // inner stride 0 vs 1
		{{64, 3, 1}, {1, 3, 1}},      // both stretched along inner
		{{1, 3, 200}, {64, 1, 200}},  // outer stretching on both sides
		{{40000}, {}},                // scalar operand
		{{}, {40000}},
		{{7, 1, 5000}, {7, 3, 1}},
		{{3, 50000}, {3, 1}}, // fewer rows than workers would like
	}
	for _, p := range pairs {
		a, b := randTensor(r, -2, 2, p[0]...), randTensor(r, 0.5, 2, p[1]...)
		out := mustT(tensor.Binary(a, b, func(x, y float32) float32 { return 0 })).Shape()
		for _, procs := range []int{1, 3, 8} {
			withProcs(procs, func() {
				for _, bc := range binaryCases[:4] {
					got, err := bc.op(a, b)
					if err != nil {
						t.Fatalf("%s(%v, %v): %v", bc.name, p[0], p[1], err)
					}
					checkExact(t, fmt.Sprintf("%s(%v, %v) procs=%d", bc.name, p[0], p[1], procs),
						got.Data(), naiveBinary(a, b, out, bc.f))
				}
			})
		}
	}
}

func TestBinaryEmptyAndScalar(t *testing.T) {
	tests := []struct{ a, b, want []int }{
		{[]int{0}, []int{0}, []int{0}},
		{[]int{0, 3}, []int{3}, []int{0, 3}},
		{[]int{2, 0}, []int{2, 1}, []int{2, 0}},
		{[]int{0}, []int{}, []int{0}},
		{[]int{}, []int{}, []int{}},
	}
	for _, tc := range tests {
		a, b := tensor.Ones(tc.a...), tensor.Full(2, tc.b...)
		got, err := tensor.Add(a, b)
		if err != nil {
			t.Errorf("Add(%v, %v): %v", tc.a, tc.b, err)
			continue
		}
		checkShape(t, fmt.Sprint("Add", tc.a, tc.b), got.Shape(), tc.want)
		if got.Len() != prod(tc.want) {
			t.Errorf("Add(%v, %v): len %d", tc.a, tc.b, got.Len())
		}
		for _, v := range got.Data() {
			if v != 3 {
				t.Errorf("Add(%v, %v) = %v", tc.a, tc.b, got)
				break
			}
		}
	}
}

func TestBinaryErrorsNameShapes(t *testing.T) {
	a, b := tensor.New(2, 3), tensor.New(4)
	for _, bc := range binaryCases {
		_, err := bc.op(a, b)
		checkErrContains(t, err, "[2 3]", "[4]")
	}
}

func TestBinaryDoesNotModifyOperands(t *testing.T) {
	r := newRand(3)
	a, b := randTensor(r, -1, 1, 3, 4), randTensor(r, -1, 1, 4)
	ac, bc := a.Clone(), b.Clone()
	for _, c := range binaryCases {
		if _, err := c.op(a, b); err != nil {
			t.Fatal(err)
		}
	}
	checkExact(t, "a", a.Data(), ac.Data())
	checkExact(t, "b", b.Data(), bc.Data())
}

func TestMaximumMinimumNaN(t *testing.T) {
	nan := float32(math.NaN())
	a := fromSlice(t, []float32{nan, 1, 2, nan})
	b := fromSlice(t, []float32{0, nan, 1, nan})
	mx := mustT(tensor.Maximum(a, b))
	mn := mustT(tensor.Minimum(a, b))
	checkExact(t, "Maximum", mx.Data(), []float32{nan, nan, 2, nan})
	checkExact(t, "Minimum", mn.Data(), []float32{nan, nan, 1, nan})
}

func TestComparisonsTable(t *testing.T) {
	a := fromSlice(t, []float32{1, 2, 3, 4, 5, 6}, 2, 3)
	b := fromSlice(t, []float32{2, 5}, 2, 1) // compared against each row
	tests := []struct {
		name string
		op   func(a, b *tensor.Tensor) (*tensor.Tensor, error)
		want []float32
	}{
		{"Greater", tensor.Greater, []float32{0, 0, 1, 0, 0, 1}},
		{"GreaterEqual", tensor.GreaterEqual, []float32{0, 1, 1, 0, 1, 1}},
		{"Less", tensor.Less, []float32{1, 0, 0, 1, 0, 0}},
		{"LessEqual", tensor.LessEqual, []float32{1, 1, 0, 1, 1, 0}},
		{"Equal", tensor.Equal, []float32{0, 1, 0, 0, 1, 0}},
	}
	for _, tc := range tests {
		got := mustT(tc.op(a, b))
		checkShape(t, tc.name, got.Shape(), []int{2, 3})
		checkExact(t, tc.name, got.Data(), tc.want)
	}
	// NaN compares false with everything.
	nan := fromSlice(t, []float32{float32(math.NaN())})
	for _, tc := range tests {
		got := mustT(tc.op(nan, nan))
		if got.Data()[0] != 0 {
			t.Errorf("%s(NaN, NaN) = %v, want 0", tc.name, got.Data()[0])
		}
	}
}

func TestWhere(t *testing.T) {
	cond := fromSlice(t, []float32{1, 0, -2, 0, 0.5, 0}, 2, 3)
	a := fromSlice(t, []float32{10, 20, 30, 40, 50, 60}, 2, 3)
	b := fromSlice(t, []float32{-1, -2, -3, -4, -5, -6}, 2, 3)
	got := mustT(tensor.Where(cond, a, b))
	checkExact(t, "Where same shape", got.Data(), []float32{10, -2, 30, -4, 50, -6})

	// cond [2,1], a [3], b scalar.
	c2 := fromSlice(t, []float32{0, 1}, 2, 1)
	got = mustT(tensor.Where(c2, fromSlice(t, []float32{1, 2, 3}), tensor.Scalar(9)))
	checkShape(t, "Where broadcast", got.Shape(), []int{2, 3})
	checkExact(t, "Where broadcast", got.Data(), []float32{9, 9, 9, 1, 2, 3})

	// NaN in cond is non-zero, so it selects a.
	cn := fromSlice(t, []float32{float32(math.NaN())})
	got = mustT(tensor.Where(cn, tensor.Scalar(1), tensor.Scalar(2)))
	checkExact(t, "Where NaN cond", got.Data(), []float32{1})

	// Random broadcasting against a naive reference.
	r := newRand(4)
	for trial := 0; trial < 100; trial++ {
		cs, as := randBroadcastPair(r, 4, 3, false)
		bs := append([]int(nil), cs...)
		for i := range bs {
			if r.IntN(2) == 0 {
				bs[i] = 1
			}
		}
		out, err := tensor.BroadcastShape(cs, as)
		if err != nil {
			t.Fatal(err)
		}
		out, _ = tensor.BroadcastShape(out, bs)
		c := quantized(r, cs)
		x, y := randTensor(r, -1, 1, as...), randTensor(r, -1, 1, bs...)
		got, err := tensor.Where(c, x, y)
		if err != nil {
			t.Fatalf("Where(%v, %v, %v): %v", cs, as, bs, err)
		}
		want := make([]float32, prod(out))
		for i := range want {
			idx := unravel(i, out)
			if c.Data()[broadcastIndex(idx, cs)] != 0 {
				want[i] = x.Data()[broadcastIndex(idx, as)]
			} else {
				want[i] = y.Data()[broadcastIndex(idx, bs)]
			}
		}
		checkShape(t, "Where", got.Shape(), out)
		checkExact(t, fmt.Sprint("Where", cs, as, bs), got.Data(), want)
	}

	_, err := tensor.Where(tensor.New(2), tensor.New(3), tensor.New(1))
	checkErrContains(t, err, "[2]", "[3]", "[1]")
}

func TestExpand(t *testing.T) {
	x := fromSlice(t, []float32{1, 2, 3}, 3, 1)
	got := mustT(tensor.Expand(x, 2, 3, 2))
	checkShape(t, "Expand", got.Shape(), []int{2, 3, 2})
	checkExact(t, "Expand", got.Data(), []float32{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3})

	same := mustT(tensor.Expand(x, 3, 1))
	checkExact(t, "Expand same", same.Data(), x.Data())

	for _, bad := range [][]int{{2, 2}, {3}, {1, 3}} {
		_, err := tensor.Expand(x, bad...)
		checkErrContains(t, err, "[3 1]", fmt.Sprint(bad))
	}
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// TestReduceToAdjointOfExpand checks <Expand(x), y> == <x, ReduceTo(y)>
// for random broadcastable shapes, and ReduceTo against a naive sum.
func TestReduceToAdjointOfExpand(t *testing.T) {
	r := newRand(5)
	for trial := 0; trial < 200; trial++ {
		small, big := randBroadcastPair(r, 4, 4, trial%5 == 0)
		out, err := tensor.BroadcastShape(small, big)
		if err != nil {
			t.Fatal(err)
		}
		x := randTensor(r, -1, 1, small...)
		y := randTensor(r, -1, 1, out...)
		ex, err := tensor.Expand(x, out...)
		if err != nil {
			t.Fatalf("Expand(%v -> %v): %v", small, out, err)
		}
		ry, err := tensor.ReduceTo(y, small)
		if err != nil {
			t.Fatalf("ReduceTo(%v -> %v): %v", out, small, err)
		}
		checkShape(t, "ReduceTo", ry.Shape(), small)
		lhs, rhs := dot(ex.Data(), y.Data()), dot(x.Data(), ry.Data())
		if math.Abs(lhs-rhs) > 1e-4*(1+math.Abs(lhs)) {
			t.Errorf("%v -> %v: <Expand(x),y> = %v, <x,ReduceTo(y)> = %v", small, out, lhs, rhs)
		}
		// Naive reduction.
		want := make([]float64, prod(small))
		for i, v := range y.Data() {
			want[broadcastIndex(unravel(i, out), small)] += float64(v)
		}
		checkClose(t, fmt.Sprint("ReduceTo", out, small), ry.Data(), want, 1e-5, 1e-5)
	}
}

func TestReduceTo(t *testing.T) {
	g := fromSlice(t, []float32{1, 2, 3, 4, 5, 6}, 2, 3)
	tests := []struct {
		shape []int
		want  []float32
	}{
		{[]int{2, 3}, []float32{1, 2, 3, 4, 5, 6}},
		{[]int{3}, []float32{5, 7, 9}},
		{[]int{1, 3}, []float32{5, 7, 9}},
		{[]int{2, 1}, []float32{6, 15}},
		{[]int{1, 1}, []float32{21}},
		{[]int{1}, []float32{21}},
		{[]int{}, []float32{21}},
	}
	for _, tc := range tests {
		got, err := tensor.ReduceTo(g, tc.shape)
		if err != nil {
			t.Errorf("ReduceTo(%v): %v", tc.shape, err)
			continue
		}
		checkShape(t, "ReduceTo", got.Shape(), tc.shape)
		checkExact(t, fmt.Sprint("ReduceTo", tc.shape), got.Data(), tc.want)
	}
	for _, bad := range [][]int{{2}, {3, 3}, {1, 2, 3}, {4, 2, 3}} {
		_, err := tensor.ReduceTo(g, bad)
		checkErrContains(t, err, "[2 3]", fmt.Sprint(bad))
	}
	// Empty: summing nothing gives zeros.
	got, err := tensor.ReduceTo(tensor.New(0, 3), []int{3})
	if err != nil {
		t.Fatal(err)
	}
	checkExact(t, "ReduceTo empty", got.Data(), []float32{0, 0, 0})
}

func TestUnaryMaps(t *testing.T) {
	nan := float32(math.NaN())
	in := []float32{-2, -0.5, 0, 0.5, 3}
	x := fromSlice(t, append([]float32(nil), in...))
	ref := func(f func(float64) float64) []float64 {
		out := make([]float64, len(in))
		for i, v := range in {
			out[i] = f(float64(v))
		}
		return out
	}
	tests := []struct {
		name string
		got  *tensor.Tensor
		want []float64
	}{
		{"Neg", tensor.Neg(x), ref(func(v float64) float64 { return -v })},
		{"Abs", tensor.Abs(x), ref(math.Abs)},
		{"Square", tensor.Square(x), ref(func(v float64) float64 { return v * v })},
		{"Exp", tensor.Exp(x), ref(math.Exp)},
		{"Sigmoid", tensor.Sigmoid(x), ref(func(v float64) float64 { return 1 / (1 + math.Exp(-v)) })},
		{"Tanh", tensor.Tanh(x), ref(math.Tanh)},
		{"ReLU", tensor.ReLU(x), ref(func(v float64) float64 { return math.Max(v, 0) })},
		{"Sign", tensor.Sign(x), []float64{-1, -1, 0, 1, 1}},
		{"AddScalar", tensor.AddScalar(x, 1.5), ref(func(v float64) float64 { return v + 1.5 })},
		{"MulScalar", tensor.MulScalar(x, -2), ref(func(v float64) float64 { return -2 * v })},
		{"Sqrt", tensor.Sqrt(tensor.Abs(x)), ref(func(v float64) float64 { return math.Sqrt(math.Abs(v)) })},
		{"Log", tensor.Log(tensor.Abs(x)), ref(func(v float64) float64 { return math.Log(math.Abs(v)) })},
	}
	for _, tc := range tests {
		checkShape(t, tc.name, tc.got.Shape(), []int{5})
		checkClose(t, tc.name, tc.got.Data(), tc.want, 1e-6, 1e-7)
	}
	checkExact(t, "input untouched", x.Data(), in)

	// Sigmoid at extremes neither overflows nor returns NaN.
	for _, v := range []float32{-1000, -200, 100, 1000} {
		s := tensor.SigmoidScalar(v)
		want := float32(0)
		if v > 0 {
			want = 1
		}
		if s != want {
			t.Errorf("SigmoidScalar(%v) = %v, want %v", v, s, want)
		}
	}
	if s := tensor.SigmoidScalar(-20); s <= 0 || math.Abs(float64(s)-math.Exp(-20)) > 1e-12 {
		t.Errorf("SigmoidScalar(-20) = %v, want about %v", s, math.Exp(-20))
	}
	// NaN passes through ReLU, Abs and Sign.
	n := fromSlice(t, []float32{nan})
	for name, got := range map[string]*tensor.Tensor{"ReLU": tensor.ReLU(n), "Abs": tensor.Abs(n), "Sign": tensor.Sign(n)} {
		if v := got.Data()[0]; v == v {
			t.Errorf("%s(NaN) = %v", name, v)
		}
	}
	// Abs(-0) is +0.
	if v := tensor.Abs(fromSlice(t, []float32{float32(math.Copysign(0, -1))})).Data()[0]; math.Signbit(float64(v)) {
		t.Errorf("Abs(-0) = -0")
	}

	// Large map goes through the parallel path.
	r := newRand(6)
	big := randTensor(r, -3, 3, 1<<16+3)
	withProcs(4, func() {
		got := tensor.Map(big, func(v float32) float32 { return 2*v + 1 })
		want := make([]float32, big.Len())
		for i, v := range big.Data() {
			want[i] = 2*v + 1
		}
		checkExact(t, "Map large", got.Data(), want)
	})
}

func TestAddInto(t *testing.T) {
	d := fromSlice(t, []float32{1, 2, 3})
	if err := tensor.AddInto(d, fromSlice(t, []float32{10, 20, 30})); err != nil {
		t.Fatal(err)
	}
	checkExact(t, "AddInto", d.Data(), []float32{11, 22, 33})
	checkErrContains(t, tensor.AddInto(d, tensor.New(2, 2)), "[2 2]", "[3]")

	r := newRand(7)
	a, b := randTensor(r, -1, 1, 1<<16), randTensor(r, -1, 1, 1<<16)
	want := make([]float32, a.Len())
	for i := range want {
		want[i] = a.Data()[i] + b.Data()[i]
	}
	withProcs(4, func() {
		if err := tensor.AddInto(a, b); err != nil {
			t.Fatal(err)
		}
	})
	checkExact(t, "AddInto large", a.Data(), want)
}

func TestParallelFor(t *testing.T) {
	for _, procs := range []int{1, 2, 3, 7} {
		for _, n := range []int{0, 1, 2, 5, 100, 1 << 15, 1<<15 + 1, 100003} {
			for _, cost := range []int{-1, 0, 1, 1000} {
				withProcs(procs, func() {
					hits := make([]int32, n)
					calls := 0
					var mu chan struct{} = make(chan struct{}, 1)
					ParallelCheck := func(lo, hi int) {
						if lo < 0 || hi > n || lo >= hi {
							t.Errorf("n=%d: bad range [%d,%d)", n, lo, hi)
							return
						}
						for i := lo; i < hi; i++ {
							hits[i]++ // ranges are disjoint, so no race
						}
						mu <- struct{}{}
						calls++
						<-mu
					}
					tensor.ParallelFor(n, cost, ParallelCheck)
					for i, h := range hits {
						if h != 1 {
							t.Fatalf("procs=%d n=%d cost=%d: index %d visited %d times", procs, n, cost, i, h)
						}
					}
					if n == 0 && calls != 0 {
						t.Errorf("n=0: fn called %d times", calls)
					}
					if calls > max(procs, 1) {
						t.Errorf("procs=%d n=%d: %d calls, more than GOMAXPROCS", procs, n, calls)
					}
				})
			}
		}
	}
}
