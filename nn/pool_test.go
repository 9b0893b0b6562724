package nn

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// poolRun applies m to a Var holding x, backpropagates g (nil: no
// backward) and returns the output and the input gradient.
func poolRun(t *testing.T, m Module, x, g *tensor.Tensor) (y, gx *tensor.Tensor) {
	t.Helper()
	xv := autograd.NewVar(x, true)
	yv, err := m.Forward(xv)
	if err != nil {
		t.Fatal(err)
	}
	if g != nil {
		if err := autograd.Backward(yv, g); err != nil {
			t.Fatal(err)
		}
	}
	return yv.Value(), xv.Grad()
}

func expectExact(t *testing.T, what string, got *tensor.Tensor, want []float32, shape ...int) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: nil, want %v", what, want)
		return
	}
	if fmt.Sprint(got.Shape()) != fmt.Sprint(shape) {
		t.Errorf("%s: shape %v, want %v", what, got.Shape(), shape)
	}
	if fmt.Sprint(got.Data()) != fmt.Sprint(want) {
		t.Errorf("%s = %v, want %v", what, got.Data(), want)
	}
}

func TestMaxPool2dTiesByHand(t *testing.T) {
	p, err := NewMaxPool2d(2, 2)
	if err != nil {
		t.Fatal(err)
	}
	x := fromData([]float32{
		1, 3, 2, 2,
		3, 0, 1, 2,
		-1, -2, 5, 5,
		0, -3, 5, 4,
	}, 1, 1, 4, 4)
	y, gx := poolRun(t, p, x, fromData([]float32{1, 2, 3, 4}, 1, 1, 2, 2))
	expectExact(t, "y", y, []float32{3, 2, 0, 5}, 1, 1, 2, 2)
	// Each gradient goes to the first maximum of its window in
	// row-major order: (0,1), (0,2), (3,0), (2,2).
	expectExact(t, "gx", gx, []float32{
		0, 1, 2, 0,
		0, 0, 0, 0,
		0, 0, 4, 0,
		3, 0, 0, 0,
	}, 1, 1, 4, 4)
}

func TestMaxPool2dOverlapping(t *testing.T) {
	// 3×3 windows with stride 1: the 9 in the middle is the maximum of
	// all four windows and collects all four gradients.
	p, err := NewMaxPool2d(3, 1)
	if err != nil {
		t.Fatal(err)
	}
	x := fromData([]float32{
		1, 2, 3, 4,
		5, 9, 7, 8,
		0, 1, 2, 3,
		4, 5, 6, 0,
	}, 1, 1, 4, 4)
	y, gx := poolRun(t, p, x, fromData([]float32{1, 10, 100, 1000}, 1, 1, 2, 2))
	expectExact(t, "y", y, []float32{9, 9, 9, 9}, 1, 1, 2, 2)
	expectExact(t, "gx", gx, []float32{0, 0, 0, 0, 0, 1111, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 1, 1, 4, 4)
}

func TestMaxPool2dOddSize(t *testing.T) {
	p, err := NewMaxPool2d(2, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Two channels of a 5×5 image holding 0..24 and -1..-25: the last
	// row and column are dropped (floor mode).
	d := make([]float32, 50)
	for i := range 25 {
		d[i], d[25+i] = float32(i), -float32(i)-1
	}
	g := fromData([]float32{1, 2, 3, 4, 5, 6, 7, 8}, 1, 2, 2, 2)
	y, gx := poolRun(t, p, fromData(d, 1, 2, 5, 5), g)
	expectExact(t, "y", y, []float32{6, 8, 16, 18, -1, -3, -11, -13}, 1, 2, 2, 2)
	want := make([]float32, 50)
	want[6], want[8], want[16], want[18] = 1, 2, 3, 4
	want[25+0], want[25+2], want[25+10], want[25+12] = 5, 6, 7, 8
	expectExact(t, "gx", gx, want, 1, 2, 5, 5)
}

func TestMaxPool2dNaN(t *testing.T) {
	p, _ := NewMaxPool2d(2, 2)
	nan := float32(math.NaN())
	y, gx := poolRun(t, p, fromData([]float32{1, nan, 3, 2}, 1, 1, 2, 2), fromData([]float32{5}, 1, 1, 1, 1))
	if v := y.Data()[0]; v == v {
		t.Errorf("max over a window with a NaN = %v, want NaN", v)
	}
	expectExact(t, "gx", gx, []float32{0, 5, 0, 0}, 1, 1, 2, 2)
}

// naivePool computes max or average pooling (count_include_pad) by
// definition, in float64.
func naivePool(x *tensor.Tensor, k, s, pad int, avg bool) ([]float64, []int) {
	n, c, h, w := x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3)
	ho, wo := (h+2*pad-k)/s+1, (w+2*pad-k)/s+1
	y := make([]float64, 0, n*c*ho*wo)
	for pl := 0; pl < n*c; pl++ {
		for oh := 0; oh < ho; oh++ {
			for ow := 0; ow < wo; ow++ {
				acc := math.Inf(-1)
				if avg {
					acc = 0
				}
				for ki := 0; ki < k; ki++ {
					for kj := 0; kj < k; kj++ {
						ih, iw := oh*s-pad+ki, ow*s-pad+kj
						v := 0.0
						if ih >= 0 && ih < h && iw >= 0 && iw < w {
							v = float64(x.Data()[(pl*h+ih)*w+iw])
						}
						if avg {
							acc += v
						} else {
							acc = math.Max(acc, v)
						}
					}
				}
				if avg {
					acc /= float64(k * k)
				}
				y = append(y, acc)
			}
		}
	}
	return y, []int{n, c, ho, wo}
}

// distinctValues returns a tensor whose values are a random permutation
// of values 0.1 apart, so that no max pooling window has a tie within a
// finite-difference step.
func distinctValues(seed uint64, shape ...int) *tensor.Tensor {
	t := tensor.New(shape...)
	d := t.Data()
	for i := range d {
		d[i] = 0.1*float32(i) - 0.05*float32(len(d))
	}
	r := NewRand(seed)
	for i := len(d) - 1; i > 0; i-- {
		j := int(r.Float64() * float64(i+1))
		d[i], d[j] = d[j], d[i]
	}
	return t
}

func TestPoolingMatchesNaive(t *testing.T) {
	for _, tc := range []struct {
		n, c, h, w, k, s, pad int
	}{
		{2, 3, 6, 6, 2, 2, 0},
		{1, 2, 7, 5, 3, 2, 0},
		{2, 1, 5, 8, 3, 1, 1},
		{3, 2, 9, 9, 3, 3, 1},
		{1, 1, 4, 6, 4, 2, 2},
		{2, 2, 3, 3, 1, 1, 0},
		{1, 3, 10, 7, 5, 4, 2},
	} {
		x := distinctValues(uint64(tc.h*tc.w), tc.n, tc.c, tc.h, tc.w)
		name := fmt.Sprintf("%v", tc)
		avg, err := NewAvgPool2d(tc.k, tc.s, tc.pad)
		if err != nil {
			t.Fatal(err)
		}
		y, _ := poolRun(t, avg, x, nil)
		want, shape := naivePool(x, tc.k, tc.s, tc.pad, true)
		if fmt.Sprint(y.Shape()) != fmt.Sprint(shape) {
			t.Errorf("avg %s: shape %v, want %v", name, y.Shape(), shape)
			continue
		}
		expectClose(t, "avg "+name, y.Data(), want, 1e-6)
		if tc.pad == 0 {
			mx, err := NewMaxPool2d(tc.k, tc.s)
			if err != nil {
				t.Fatal(err)
			}
			y, _ := poolRun(t, mx, x, nil)
			want, _ := naivePool(x, tc.k, tc.s, 0, false)
			expectClose(t, "max "+name, y.Data(), want, 0)
		}
	}
}

func TestAvgPool2dByHand(t *testing.T) {
	// count_include_pad: the corner window of a padded 2×2 input holds
	// one real value and three zeros, and is still divided by 4.
	p, err := NewAvgPool2d(2, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	y, gx := poolRun(t, p, fromData([]float32{4, 8, 12, 16}, 1, 1, 2, 2), fromData([]float32{4, 8, 12, 16}, 1, 1, 2, 2))
	expectExact(t, "y", y, []float32{1, 2, 3, 4}, 1, 1, 2, 2)
	expectExact(t, "gx", gx, []float32{1, 2, 3, 4}, 1, 1, 2, 2)
}

func TestPoolingGradCheck(t *testing.T) {
	for _, tc := range []struct{ k, s, pad int }{{2, 2, 0}, {3, 1, 0}, {3, 2, 1}, {2, 1, 1}} {
		x := distinctValues(uint64(7*tc.k+tc.s), 2, 2, 5, 6)
		if tc.pad == 0 {
			mx, err := NewMaxPool2d(tc.k, tc.s)
			if err != nil {
				t.Fatal(err)
			}
			checkGrad(t, func(in []*autograd.Var) *autograd.Var {
				y, err := mx.Forward(in[0])
				if err != nil {
					panic(err)
				}
				return y
			}, x)
		}
		avg, err := NewAvgPool2d(tc.k, tc.s, tc.pad)
		if err != nil {
			t.Fatal(err)
		}
		checkGrad(t, func(in []*autograd.Var) *autograd.Var {
			y, err := avg.Forward(in[0])
			if err != nil {
				panic(err)
			}
			return y
		}, x)
	}
}

func TestPoolingErrors(t *testing.T) {
	for _, tc := range []struct {
		k, s int
	}{{0, 1}, {2, 0}, {-1, 2}} {
		if _, err := NewMaxPool2d(tc.k, tc.s); err == nil {
			t.Errorf("NewMaxPool2d(%d, %d): no error", tc.k, tc.s)
		}
		if _, err := NewAvgPool2d(tc.k, tc.s, 0); err == nil {
			t.Errorf("NewAvgPool2d(%d, %d, 0): no error", tc.k, tc.s)
		}
	}
	if _, err := NewAvgPool2d(3, 1, 2); err == nil || !strings.Contains(err.Error(), "padding") {
		t.Errorf("NewAvgPool2d(3, 1, 2): error %v, want one about padding", err)
	}
	if _, err := NewAvgPool2d(2, 2, -1); err == nil {
		t.Error("NewAvgPool2d(2, 2, -1): no error")
	}
	mx, _ := NewMaxPool2d(3, 2)
	avg, _ := NewAvgPool2d(3, 2, 1)
	for _, m := range []Module{mx, avg} {
		for _, shape := range [][]int{{4, 4}, {2, 4, 4}, {1, 1, 1, 4, 4}} {
			_, err := m.Forward(autograd.Const(tensor.New(shape...)))
			if err == nil || !strings.Contains(err.Error(), fmt.Sprint(shape)) {
				t.Errorf("%v on %v: error %v, want one naming the shape", m, shape, err)
			}
		}
		if _, err := m.Forward(nil); err == nil {
			t.Errorf("%v on nil: no error", m)
		}
		if len(m.Params()) != 0 || len(m.Buffers()) != 0 {
			t.Errorf("%v has parameters or buffers", m)
		}
	}
	if _, err := mx.Forward(autograd.Const(tensor.New(1, 1, 2, 5))); err == nil || !strings.Contains(err.Error(), "[1 1 2 5]") {
		t.Errorf("max pool 3×3 over 2×5: error %v", err)
	}
	// With padding 1 a 1×1 input fits a 3×3 window.
	if _, err := avg.Forward(autograd.Const(tensor.New(1, 1, 1, 1))); err != nil {
		t.Errorf("avg pool 3×3 pad 1 over 1×1: %v", err)
	}
	if s := fmt.Sprint(mx, " ", avg); s != "MaxPool2d(kernel_size=3, stride=2, padding=0) AvgPool2d(kernel_size=3, stride=2, padding=1)" {
		t.Errorf("String: %q", s)
	}
}
