package nn

import (
	"math"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// refMaxPool pools x [N, C, H, W] by definition with PyTorch's rules (the
// first maximum of a window in row-major order wins, a NaN counts as a
// maximum so the last NaN wins), and routes g back to the winners.
func refMaxPool(x, g *tensor.Tensor, k, s int) (y, gx []float32) {
	n, c, h, w := x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3)
	ho, wo := (h-k)/s+1, (w-k)/s+1
	y = make([]float32, n*c*ho*wo)
	gx = make([]float32, x.Len())
	xd := x.Data()
	for pl := 0; pl < n*c; pl++ {
		for oh := 0; oh < ho; oh++ {
			for ow := 0; ow < wo; ow++ {
				bi := pl*h*w + oh*s*w + ow*s
				for ki := 0; ki < k; ki++ {
					for kj := 0; kj < k; kj++ {
						i := pl*h*w + (oh*s+ki)*w + ow*s + kj
						if v := xd[i]; v > xd[bi] || v != v {
							bi = i
						}
					}
				}
				o := (pl*ho+oh)*wo + ow
				y[o] = xd[bi]
				if g != nil {
					gx[bi] += g.Data()[o]
				}
			}
		}
	}
	return y, gx
}

// TestMaxPool2x2MatchesReference checks the 2×2 stride-2 fast path bit for
// bit against the definition, with many ties, NaNs, infinities and odd
// sizes, with and without a gradient.
func TestMaxPool2x2MatchesReference(t *testing.T) {
	p, err := NewMaxPool2d(2, 2)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRand(11)
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, sh := range [][]int{
		{2, 3, 6, 6}, {1, 2, 5, 7}, {3, 1, 2, 2}, {2, 2, 9, 4}, {4, 8, 28, 28}, {2, 3, 14, 14},
		{2, 2, 9, 9}, {1, 3, 16, 17}, {2, 2, 7, 33}, {1, 1, 10, 12}, {3, 2, 11, 22},
	} {
		x := tensor.New(sh...)
		for i := range x.Data() {
			switch u := r.Float64(); {
			case u < 0.03:
				x.Data()[i] = nan
			case u < 0.05:
				x.Data()[i] = -inf
			case u < 0.06:
				x.Data()[i] = inf
			default:
				x.Data()[i] = float32(int(u*4)) - 1 // many ties
			}
		}
		y0, err := p.Forward(autograd.Const(x))
		if err != nil {
			t.Fatal(err)
		}
		xv := autograd.NewVar(x, true)
		y, err := p.Forward(xv)
		if err != nil {
			t.Fatal(err)
		}
		g := randUniform(r, -1, 1, y.Shape()...)
		if err := autograd.Backward(y, g); err != nil {
			t.Fatal(err)
		}
		wantY, wantGX := refMaxPool(x, g, 2, 2)
		for name, got := range map[string][]float32{"y (no grad)": y0.Value().Data(), "y": y.Value().Data()} {
			for i, v := range got {
				if math.Float32bits(v) != math.Float32bits(wantY[i]) {
					t.Fatalf("%v: %s[%d] = %v, want %v", sh, name, i, v, wantY[i])
				}
			}
		}
		for i, v := range xv.Grad().Data() {
			if math.Float32bits(v) != math.Float32bits(wantGX[i]) {
				t.Fatalf("%v: gx[%d] = %v, want %v", sh, i, v, wantGX[i])
			}
		}
	}
}

// BenchmarkMaxPool2dForwardBackward times the CNN's first pooling layer:
// 2×2 windows over [256, 32, 28, 28] spikes (T = 4, B = 64).
func BenchmarkMaxPool2dForwardBackward(b *testing.B) {
	const n, c, hw = 64 * 4, 32, 28
	p, err := NewMaxPool2d(2, 2)
	if err != nil {
		b.Fatal(err)
	}
	r := NewRand(1)
	xt := tensor.New(n, c, hw, hw)
	for i := range xt.Data() {
		if r.Float64() < 0.2 {
			xt.Data()[i] = 1
		}
	}
	x := autograd.NewVar(xt, true)
	g := randUniform(r, -1, 1, n, c, hw/2, hw/2)
	b.ReportAllocs()
	for b.Loop() {
		x.ZeroGrad()
		y, err := p.Forward(x)
		if err != nil {
			b.Fatal(err)
		}
		if err := autograd.Backward(y, g); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*float64(xt.Len())/b.Elapsed().Seconds()/1e9, "Gelem/s")
}
