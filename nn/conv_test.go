package nn

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// convCase is one convolution configuration of the tests.
type convCase struct {
	n, c, h, w, out, k, stride, pad int
	bias                            bool
}

func (cc convCase) String() string {
	return fmt.Sprintf("N%d_C%d_%dx%d_out%d_k%d_s%d_p%d_bias%v", cc.n, cc.c, cc.h, cc.w, cc.out, cc.k, cc.stride, cc.pad, cc.bias)
}

var convCases = []convCase{
	{n: 2, c: 3, h: 5, w: 7, out: 4, k: 3, stride: 1, pad: 1, bias: true},
	{n: 1, c: 1, h: 4, w: 4, out: 1, k: 3, stride: 1, pad: 0, bias: true},
	{n: 3, c: 2, h: 9, w: 6, out: 5, k: 3, stride: 2, pad: 1, bias: true},
	{n: 2, c: 4, h: 6, w: 8, out: 3, k: 1, stride: 1, pad: 0, bias: true},  // identity im2col
	{n: 2, c: 3, h: 7, w: 5, out: 2, k: 1, stride: 2, pad: 0, bias: false}, // 1×1, strided
	{n: 1, c: 2, h: 3, w: 4, out: 3, k: 1, stride: 1, pad: 1, bias: true},  // 1×1 padded
	{n: 2, c: 2, h: 8, w: 7, out: 3, k: 5, stride: 1, pad: 2, bias: true},
	{n: 5, c: 3, h: 11, w: 9, out: 4, k: 5, stride: 2, pad: 2, bias: false},
	{n: 2, c: 1, h: 5, w: 5, out: 2, k: 5, stride: 3, pad: 0, bias: true},   // window = image
	{n: 3, c: 2, h: 2, w: 3, out: 2, k: 5, stride: 2, pad: 2, bias: true},   // padding wider than image
	{n: 4, c: 3, h: 10, w: 10, out: 6, k: 3, stride: 3, pad: 2, bias: true}, // stride > kernel - pad
	{n: 7, c: 5, h: 6, w: 5, out: 3, k: 3, stride: 2, pad: 0, bias: true},
	{n: 6, c: 8, h: 10, w: 9, out: 8, k: 3, stride: 1, pad: 1, bias: true}, // big enough to run in parallel
}

// newConvForTest returns a layer for cc with weights from a fixed seed.
func newConvForTest(t testing.TB, cc convCase, seed uint64) *Conv2d {
	t.Helper()
	l, err := NewConv2d(cc.c, cc.out, cc.k, cc.stride, cc.pad, cc.bias, NewRand(seed))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// naiveConv is the seven-loop definition of the convolution, in float64.
func naiveConv(x, w, b *tensor.Tensor, stride, pad int) ([]float64, []int) {
	n, c, h, wd := x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3)
	out, k := w.Dim(0), w.Dim(2)
	ho, wo := (h+2*pad-k)/stride+1, (wd+2*pad-k)/stride+1
	y := make([]float64, n*out*ho*wo)
	xv, wv := x.Data(), w.Data()
	for s := 0; s < n; s++ {
		for o := 0; o < out; o++ {
			for oh := 0; oh < ho; oh++ {
				for ow := 0; ow < wo; ow++ {
					var acc float64
					if b != nil {
						acc = float64(b.Data()[o])
					}
					for ci := 0; ci < c; ci++ {
						for ki := 0; ki < k; ki++ {
							for kj := 0; kj < k; kj++ {
								ih, iw := oh*stride-pad+ki, ow*stride-pad+kj
								if ih < 0 || ih >= h || iw < 0 || iw >= wd {
									continue
								}
								acc += float64(xv[((s*c+ci)*h+ih)*wd+iw]) * float64(wv[((o*c+ci)*k+ki)*k+kj])
							}
						}
					}
					y[((s*out+o)*ho+oh)*wo+ow] = acc
				}
			}
		}
	}
	return y, []int{n, out, ho, wo}
}

// naiveConvGrads returns the exact gradients of sum(y·g) with respect to
// x, w and b, in float64, by the same seven loops.
func naiveConvGrads(x, w, g *tensor.Tensor, stride, pad int) (gx, gw, gb []float64) {
	n, c, h, wd := x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3)
	out, k := w.Dim(0), w.Dim(2)
	ho, wo := g.Dim(2), g.Dim(3)
	gx, gw, gb = make([]float64, x.Len()), make([]float64, w.Len()), make([]float64, out)
	xv, wv, gv := x.Data(), w.Data(), g.Data()
	for s := 0; s < n; s++ {
		for o := 0; o < out; o++ {
			for oh := 0; oh < ho; oh++ {
				for ow := 0; ow < wo; ow++ {
					gy := float64(gv[((s*out+o)*ho+oh)*wo+ow])
					gb[o] += gy
					for ci := 0; ci < c; ci++ {
						for ki := 0; ki < k; ki++ {
							for kj := 0; kj < k; kj++ {
								ih, iw := oh*stride-pad+ki, ow*stride-pad+kj
								if ih < 0 || ih >= h || iw < 0 || iw >= wd {
									continue
								}
								xi, wi := ((s*c+ci)*h+ih)*wd+iw, ((o*c+ci)*k+ki)*k+kj
								gx[xi] += gy * float64(wv[wi])
								gw[wi] += gy * float64(xv[xi])
							}
						}
					}
				}
			}
		}
	}
	return gx, gw, gb
}

// expectClose fails when got and want differ by more than
// tol·(1 + |want|) anywhere.
func expectClose(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	bad := 0
	for i, v := range got {
		if d := math.Abs(float64(v) - want[i]); !(d <= tol*(1+math.Abs(want[i]))) {
			if bad < 5 {
				t.Errorf("%s[%d] = %v, want %v", what, i, v, want[i])
			}
			bad++
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d values wrong", what, bad, len(got))
	}
}

func TestNewConv2dInit(t *testing.T) {
	l, err := NewConv2d(3, 5, 3, 1, 1, true, NewRand(7))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(l.Weight.Shape(), l.Bias.Shape()); got != "[5 3 3 3] [5]" {
		t.Errorf("parameter shapes %s, want [5 3 3 3] [5]", got)
	}
	bound := 1 / math.Sqrt(27)
	for _, p := range l.Params() {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range p.Var.Value().Data() {
			lo, hi = math.Min(lo, float64(v)), math.Max(hi, float64(v))
		}
		if lo < -bound || hi >= bound {
			t.Errorf("%s in [%v, %v], want within ±%v", p.Name, lo, hi, bound)
		}
		if hi-lo < bound/4 {
			t.Errorf("%s spans only [%v, %v]", p.Name, lo, hi)
		}
		if !p.Var.RequiresGrad() {
			t.Errorf("%s does not require grad", p.Name)
		}
	}
	// Weight first, then bias, from the same stream.
	r := NewRand(7)
	w := make([]float32, 5*27)
	r.FillUniform(w, float32(bound))
	b := make([]float32, 5)
	r.FillUniform(b, float32(bound))
	if fmt.Sprint(w) != fmt.Sprint(l.Weight.Value().Data()) || fmt.Sprint(b) != fmt.Sprint(l.Bias.Value().Data()) {
		t.Error("weight and bias are not drawn weight first, then bias, with bound 1/sqrt(in·k·k)")
	}
	names := []string{}
	for _, p := range l.Params() {
		names = append(names, p.Name)
	}
	if fmt.Sprint(names) != "[weight bias]" || l.Buffers() != nil {
		t.Errorf("params %v buffers %v, want [weight bias] and none", names, l.Buffers())
	}
	nb, err := NewConv2d(3, 5, 3, 1, 1, false, NewRand(7))
	if err != nil {
		t.Fatal(err)
	}
	if nb.Bias != nil || len(nb.Params()) != 1 {
		t.Errorf("bias=false layer has bias %v, %d params", nb.Bias, len(nb.Params()))
	}
	if got := l.String(); got != "Conv2d(3, 5, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=true)" {
		t.Errorf("String() = %q", got)
	}
	if l.InChannels() != 3 || l.OutChannels() != 5 || l.KernelSize() != 3 || l.Stride() != 1 || l.Padding() != 1 {
		t.Error("accessors disagree with the constructor arguments")
	}
	if ho, wo := l.OutputSize(14, 9); ho != 14 || wo != 9 {
		t.Errorf("OutputSize(14, 9) = %d, %d", ho, wo)
	}
}

func TestNewConv2dErrors(t *testing.T) {
	for _, tc := range []struct {
		in, out, k, s, p int
		rng              *Rand
		want             string
	}{
		{0, 3, 3, 1, 1, NewRand(1), "channels"},
		{3, 0, 3, 1, 1, NewRand(1), "channels"},
		{3, 3, 0, 1, 1, NewRand(1), "kernel"},
		{3, 3, 3, 0, 1, NewRand(1), "stride"},
		{3, 3, 3, 1, -1, NewRand(1), "padding"},
		{3, 3, 3, 1, 1, nil, "random"},
	} {
		_, err := NewConv2d(tc.in, tc.out, tc.k, tc.s, tc.p, true, tc.rng)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewConv2d(%d, %d, %d, %d, %d): error %v, want one about %s", tc.in, tc.out, tc.k, tc.s, tc.p, err, tc.want)
		}
	}
}

func TestConv2dForwardMatchesNaive(t *testing.T) {
	for i, cc := range convCases {
		t.Run(cc.String(), func(t *testing.T) {
			l := newConvForTest(t, cc, uint64(i))
			x := randUniform(NewRand(100+uint64(i)), -1, 1, cc.n, cc.c, cc.h, cc.w)
			var b *tensor.Tensor
			if l.Bias != nil {
				b = l.Bias.Value()
			}
			want, shape := naiveConv(x, l.Weight.Value(), b, cc.stride, cc.pad)
			for rep := 0; rep < 2; rep++ { // the second call reuses buffers
				y, err := l.Forward(autograd.Const(x))
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(y.Shape()) != fmt.Sprint(shape) {
					t.Fatalf("output shape %v, want %v", y.Shape(), shape)
				}
				if y.RequiresGrad() != true {
					t.Error("output does not require grad although the weight does")
				}
				expectClose(t, "y", y.Value().Data(), want, 1e-5)
			}
		})
	}
}

// TestConv2dBackwardMatchesNaive compares all three gradients with the
// exact ones for every configuration, including uneven splits of the
// batch across workers.
func TestConv2dBackwardMatchesNaive(t *testing.T) {
	for i, cc := range convCases {
		t.Run(cc.String(), func(t *testing.T) {
			l := newConvForTest(t, cc, uint64(i))
			x := autograd.NewVar(randUniform(NewRand(200+uint64(i)), -1, 1, cc.n, cc.c, cc.h, cc.w), true)
			y, err := l.Forward(x)
			if err != nil {
				t.Fatal(err)
			}
			g := randUniform(NewRand(300+uint64(i)), -1, 1, y.Shape()...)
			if err := autograd.Backward(y, g); err != nil {
				t.Fatal(err)
			}
			gx, gw, gb := naiveConvGrads(x.Value(), l.Weight.Value(), g, cc.stride, cc.pad)
			expectClose(t, "gx", x.Grad().Data(), gx, 1e-5)
			expectClose(t, "gw", l.Weight.Grad().Data(), gw, 1e-5)
			if cc.bias {
				expectClose(t, "gb", l.Bias.Grad().Data(), gb, 1e-5)
			}
		})
	}
}

// TestConv2dBackwardPartial checks the paths where only some inputs need
// a gradient.
func TestConv2dBackwardPartial(t *testing.T) {
	cc := convCase{n: 3, c: 2, h: 6, w: 5, out: 3, k: 3, stride: 2, pad: 1, bias: true}
	x := randUniform(NewRand(1), -1, 1, cc.n, cc.c, cc.h, cc.w)
	l := newConvForTest(t, cc, 2)
	g := randUniform(NewRand(3), -1, 1, cc.n, cc.out, 3, 3)
	gx, gw, gb := naiveConvGrads(x, l.Weight.Value(), g, cc.stride, cc.pad)

	// Only x: parameters frozen.
	for _, p := range l.Params() {
		if err := p.Var.SetRequiresGrad(false); err != nil {
			t.Fatal(err)
		}
	}
	xv := autograd.NewVar(x, true)
	y, err := l.Forward(xv)
	if err != nil {
		t.Fatal(err)
	}
	if err := autograd.Backward(y, g); err != nil {
		t.Fatal(err)
	}
	expectClose(t, "gx only", xv.Grad().Data(), gx, 1e-5)
	if l.Weight.Grad() != nil || l.Bias.Grad() != nil {
		t.Error("frozen parameters received gradients")
	}

	// Only the bias.
	if err := l.Bias.SetRequiresGrad(true); err != nil {
		t.Fatal(err)
	}
	y, err = l.Forward(autograd.Const(x))
	if err != nil {
		t.Fatal(err)
	}
	if err := autograd.Backward(y, g); err != nil {
		t.Fatal(err)
	}
	expectClose(t, "gb only", l.Bias.Grad().Data(), gb, 1e-5)

	// Only the weight.
	l.Bias.ZeroGrad()
	if err := l.Bias.SetRequiresGrad(false); err != nil {
		t.Fatal(err)
	}
	if err := l.Weight.SetRequiresGrad(true); err != nil {
		t.Fatal(err)
	}
	y, err = l.Forward(autograd.Const(x))
	if err != nil {
		t.Fatal(err)
	}
	if err := autograd.Backward(y, g); err != nil {
		t.Fatal(err)
	}
	expectClose(t, "gw only", l.Weight.Grad().Data(), gw, 1e-5)

	// Nothing: no tape.
	if err := l.Weight.SetRequiresGrad(false); err != nil {
		t.Fatal(err)
	}
	y, err = l.Forward(autograd.Const(x))
	if err != nil {
		t.Fatal(err)
	}
	if y.RequiresGrad() {
		t.Error("output requires grad although nothing does")
	}
}

// TestConv2dGradCheck checks x, weight and bias gradients against finite
// differences on small problems.
func TestConv2dGradCheck(t *testing.T) {
	for i, cc := range []convCase{
		{n: 2, c: 2, h: 4, w: 5, out: 3, k: 3, stride: 1, pad: 1, bias: true},
		{n: 1, c: 2, h: 5, w: 4, out: 2, k: 3, stride: 2, pad: 0, bias: true},
		{n: 2, c: 1, h: 3, w: 3, out: 2, k: 5, stride: 2, pad: 2, bias: true},
		{n: 2, c: 3, h: 2, w: 3, out: 2, k: 1, stride: 1, pad: 0, bias: true},
	} {
		t.Run(cc.String(), func(t *testing.T) {
			r := NewRand(uint64(40 + i))
			x := randUniform(r, -1, 1, cc.n, cc.c, cc.h, cc.w)
			w := randUniform(r, -1, 1, cc.out, cc.c, cc.k, cc.k)
			b := randUniform(r, -1, 1, cc.out)
			checkGrad(t, func(in []*autograd.Var) *autograd.Var {
				l := &Conv2d{Weight: in[1], Bias: in[2], in: cc.c, out: cc.out, kernel: cc.k, stride: cc.stride, padding: cc.pad}
				y, err := l.Forward(in[0])
				if err != nil {
					panic(err)
				}
				return y
			}, x, w, b)
		})
	}
}

func TestConv2dShapeErrors(t *testing.T) {
	l, err := NewConv2d(3, 4, 3, 1, 0, true, NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		shape []int
		want  []string
	}{
		{[]int{2, 4, 5, 5}, []string{"[2 4 5 5]", "[N 3 H W]"}},  // wrong channels
		{[]int{3, 5, 5}, []string{"[3 5 5]", "[N 3 H W]"}},       // rank 3
		{[]int{1, 2, 3, 5, 5}, []string{"[1 2 3 5 5]"}},          // rank 5
		{[]int{2, 3, 2, 5}, []string{"[2 3 2 5]", "3×3 kernel"}}, // too small
	} {
		_, err := l.Forward(autograd.Const(tensor.New(tc.shape...)))
		if err == nil {
			t.Errorf("input %v: no error", tc.shape)
			continue
		}
		for _, s := range tc.want {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("input %v: error %q does not mention %q", tc.shape, err, s)
			}
		}
	}
	if _, err := l.Forward(nil); err == nil {
		t.Error("nil input: no error")
	}
	// A weight of the wrong size (set by hand) is reported, not a panic.
	l.Weight = autograd.NewVar(tensor.New(4, 3, 2, 2), true)
	if _, err := l.Forward(autograd.Const(tensor.New(1, 3, 5, 5))); err == nil || !strings.Contains(err.Error(), "[4 3 2 2]") {
		t.Errorf("wrong weight shape: error %v", err)
	}
	// An empty batch is fine.
	l2, _ := NewConv2d(3, 4, 3, 1, 1, true, NewRand(1))
	y, err := l2.Forward(autograd.NewVar(tensor.New(0, 3, 4, 4), true))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(y.Shape()) != "[0 4 4 4]" {
		t.Errorf("empty batch: shape %v", y.Shape())
	}
	if err := autograd.Backward(y, nil); err != nil {
		t.Errorf("empty batch backward: %v", err)
	}
}

// TestIm2colAdjoint checks that im2col fills its whole matrix and that
// col2im is its adjoint: <col2im(c), x> = <c, im2col(x)>.
func TestIm2colAdjoint(t *testing.T) {
	for _, cc := range convCases {
		g := newConvGeom(cc.c, cc.h, cc.w, cc.k, cc.stride, cc.pad)
		r := NewRand(5)
		x := randUniform(r, -1, 1, g.inSize).Data()
		cols := make([]float32, g.rows*g.hwOut)
		for i := range cols {
			cols[i] = float32(math.NaN()) // im2col must overwrite everything
		}
		im2col(&g, x, cols)
		for i, v := range cols {
			if v != v {
				t.Fatalf("%v: im2col left element %d unwritten", cc, i)
			}
		}
		c := randUniform(r, -1, 1, len(cols)).Data()
		dx := make([]float32, g.inSize)
		col2im(&g, c, dx)
		var lhs, rhs float64
		for i := range dx {
			lhs += float64(dx[i]) * float64(x[i])
		}
		for i := range c {
			rhs += float64(c[i]) * float64(cols[i])
		}
		if math.Abs(lhs-rhs) > 1e-4*(1+math.Abs(rhs)) {
			t.Errorf("%v: <col2im(c), x> = %v, <c, im2col(x)> = %v", cc, lhs, rhs)
		}
	}
}

// TestConv2dSameBitsOnAnyCoreCount checks that the gradients of input,
// weight and bias have the same bits with GOMAXPROCS from 1 to 16 and
// over repeated calls, for batches smaller and larger than the number of
// sample blocks, and for a layer whose partial weight gradients are large
// enough to limit the blocks (it also checks those gradients against the
// definition).
func TestConv2dSameBitsOnAnyCoreCount(t *testing.T) {
	cases := []convCase{
		{n: 1, c: 3, h: 9, w: 9, out: 4, k: 3, stride: 1, pad: 1, bias: true},
		{n: 9, c: 8, h: 12, w: 12, out: 8, k: 3, stride: 1, pad: 1, bias: true},
		{n: 64, c: 1, h: 28, w: 28, out: 32, k: 3, stride: 1, pad: 1, bias: true}, // the cnn's conv1
		{n: 100, c: 4, h: 14, w: 14, out: 8, k: 3, stride: 2, pad: 1, bias: false},
		{n: 37, c: 6, h: 7, w: 7, out: 5, k: 1, stride: 1, pad: 0, bias: true},     // identity im2col
		{n: 20, c: 128, h: 4, w: 4, out: 128, k: 3, stride: 1, pad: 1, bias: true}, // 14 blocks
	}
	if got := convGradBlockCount(20, 128*128*9+128); got >= min(20, convGradBlocks) {
		t.Fatalf("the last case has %d blocks: it no longer tests a layer with fewer blocks than samples", got)
	}
	for i, cc := range cases {
		t.Run(cc.String(), func(t *testing.T) {
			x := randUniform(NewRand(400+uint64(i)), -1, 1, cc.n, cc.c, cc.h, cc.w)
			var want []string
			for _, procs := range []int{1, 2, 3, 4, 8, 16, 1} {
				var got []string
				withProcs(procs, func() {
					l := newConvForTest(t, cc, uint64(i))
					xv := autograd.NewVar(x, true)
					y, err := l.Forward(xv)
					if err != nil {
						t.Fatal(err)
					}
					g := randUniform(NewRand(500+uint64(i)), -1, 1, y.Shape()...)
					if err := autograd.Backward(y, g); err != nil {
						t.Fatal(err)
					}
					got = []string{bitsOf(xv.Grad().Data()), bitsOf(l.Weight.Grad().Data())}
					if cc.bias {
						got = append(got, bitsOf(l.Bias.Grad().Data()))
					}
					if want == nil {
						// The weight gradient of the third case sums
						// 64·784 float32 products of size up to 1:
						// its rounding error reaches 3e-5.
						gx, gw, _ := naiveConvGrads(x, l.Weight.Value(), g, cc.stride, cc.pad)
						expectClose(t, "gx", xv.Grad().Data(), gx, 1e-4)
						expectClose(t, "gw", l.Weight.Grad().Data(), gw, 1e-4)
					}
				})
				if want == nil {
					want = got
					continue
				}
				for j, name := range []string{"input", "weight", "bias"}[:len(got)] {
					if got[j] != want[j] {
						t.Errorf("GOMAXPROCS=%d: %s gradient differs from GOMAXPROCS=1", procs, name)
					}
				}
			}
		})
	}
}

// TestConvGradBlockCount checks the number of sample blocks: at most
// convGradBlocks, no more than the samples, fewer for large layers, never
// fewer than one.
func TestConvGradBlockCount(t *testing.T) {
	tests := []struct{ n, partLen, want int }{
		{1, 320, 1},
		{16, 320, 16},
		{256, 9248, convGradBlocks},
		{256, 0, convGradBlocks},
		{256, convGradPartMax / 5, 5},
		{256, convGradPartMax, 1},
		{256, 4 * convGradPartMax, 1},
	}
	for _, tt := range tests {
		if got := convGradBlockCount(tt.n, tt.partLen); got != tt.want {
			t.Errorf("convGradBlockCount(%d, %d) = %d, want %d", tt.n, tt.partLen, got, tt.want)
		}
	}
}

// bitsOf returns the bits of s as a string, for comparisons.
func bitsOf(s []float32) string {
	var b strings.Builder
	for _, v := range s {
		fmt.Fprintf(&b, "%08x", math.Float32bits(v))
	}
	return b.String()
}

// withProcs runs fn with GOMAXPROCS set to n.
func withProcs(n int, fn func()) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	fn()
}

// BenchmarkConv2dForwardBackward times one forward and backward pass of a
// 32→32 3×3 convolution (padding 1) over a 14×14 batch of 256 = T·B
// samples (T = 4, B = 64), with gradients for input, weight and bias.
func BenchmarkConv2dForwardBackward(b *testing.B) {
	const n, c, out, hw, k = 64 * 4, 32, 32, 14, 3
	l, err := NewConv2d(c, out, k, 1, 1, true, NewRand(1))
	if err != nil {
		b.Fatal(err)
	}
	x := autograd.NewVar(randUniform(NewRand(2), -1, 1, n, c, hw, hw), true)
	g := tensor.Full(1, n, out, hw, hw)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		x.ZeroGrad()
		l.Weight.ZeroGrad()
		l.Bias.ZeroGrad()
		y, err := l.Forward(x)
		if err != nil {
			b.Fatal(err)
		}
		if err := autograd.Backward(y, g); err != nil {
			b.Fatal(err)
		}
	}
	flops := 2.0 * n * out * c * k * k * hw * hw * 3
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
}

// BenchmarkConv2dForward times the forward pass alone (inference).
func BenchmarkConv2dForward(b *testing.B) {
	const n, c, out, hw, k = 64 * 4, 32, 32, 14, 3
	l, err := NewConv2d(c, out, k, 1, 1, true, NewRand(1))
	if err != nil {
		b.Fatal(err)
	}
	x := autograd.Const(randUniform(NewRand(2), -1, 1, n, c, hw, hw))
	ps := ParamVars(l)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		err := autograd.NoGrad(func() error {
			_, err := l.Forward(x)
			return err
		}, ps...)
		if err != nil {
			b.Fatal(err)
		}
	}
	flops := 2.0 * n * out * c * k * k * hw * hw
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
}
