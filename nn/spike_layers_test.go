package nn

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// layerRun is what one forward and backward pass of a layer gives.
type layerRun struct {
	y, gx, gw, gb []float32
}

// runLayer applies m (a Linear or Conv2d) to a copy of x, then back-
// propagates g, and returns the output and the gradients.
func runLayer(t *testing.T, m Module, x, g *tensor.Tensor) layerRun {
	t.Helper()
	for _, p := range m.Params() {
		p.Var.ZeroGrad()
	}
	xv := autograd.NewVar(x.Clone(), true)
	y, err := m.Forward(xv)
	if err != nil {
		t.Fatal(err)
	}
	if err := autograd.Backward(y, g); err != nil {
		t.Fatal(err)
	}
	r := layerRun{y: y.Value().Data(), gx: xv.Grad().Data()}
	for _, p := range m.Params() {
		switch p.Name {
		case "weight":
			r.gw = p.Var.Grad().Data()
		case "bias":
			r.gb = p.Var.Grad().Data()
		}
	}
	return r
}

// sameBits reports where a and b first differ in their bits, or -1.
func sameBits(a, b []float32) int {
	if len(a) != len(b) {
		return 0
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

// reference holds the float64 values of a layer's output and gradients,
// the same sums of the absolute values of their terms, and the number of
// terms of each sum.
type reference struct {
	y, gx, gw, gb     []float64
	ym, gxm, gwm, gbm []float64
	yn, gxn, gwn, gbn int
}

// expectSum fails where got differs from the sum want of at most n terms
// whose absolute values add up to mag by more than float32 summation in
// any order can explain, n·2⁻²⁴·mag (plus the final rounding). A term
// missing or counted twice is far above it.
func expectSum(t *testing.T, what string, got []float32, want, mag []float64, n int) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	bad := 0
	for i, v := range got {
		if d := math.Abs(float64(v) - want[i]); !(d <= float64(n+1)*0x1p-24*mag[i]) {
			if bad < 5 {
				t.Errorf("%s[%d] = %v, want %v (terms of magnitude %g)", what, i, v, want[i], mag[i])
			}
			bad++
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d values wrong", what, bad, len(got))
	}
}

// compareRuns checks an event-driven run and a dense run against the
// float64 reference, and that they have the same bits: the event-driven
// forward pass and weight gradient add in the dense path's order, and the
// input and bias gradients are computed by the same code in both.
func compareRuns(t *testing.T, sparse, dense layerRun, ref reference) {
	t.Helper()
	for _, r := range []struct {
		name string
		run  layerRun
	}{{"event-driven", sparse}, {"dense", dense}} {
		expectSum(t, r.name+" y", r.run.y, ref.y, ref.ym, ref.yn)
		expectSum(t, r.name+" gw", r.run.gw, ref.gw, ref.gwm, ref.gwn)
		expectSum(t, r.name+" gx", r.run.gx, ref.gx, ref.gxm, ref.gxn)
		if ref.gb != nil {
			expectSum(t, r.name+" gb", r.run.gb, ref.gb, ref.gbm, ref.gbn)
		}
	}
	if i := sameBits(sparse.y, dense.y); i >= 0 {
		t.Errorf("y differs from the dense path at %d: %g, %g", i, sparse.y[i], dense.y[i])
	}
	if i := sameBits(sparse.gw, dense.gw); i >= 0 {
		t.Errorf("gw differs from the dense path at %d: %g, %g", i, sparse.gw[i], dense.gw[i])
	}
	if i := sameBits(sparse.gx, dense.gx); i >= 0 {
		t.Errorf("gx differs from the dense path at %d", i)
	}
	if i := sameBits(sparse.gb, dense.gb); i >= 0 {
		t.Errorf("gb differs from the dense path at %d", i)
	}
}

// abs returns a tensor of the absolute values of t (nil for nil).
func abs(t *tensor.Tensor) *tensor.Tensor {
	if t == nil {
		return nil
	}
	a := t.Clone()
	for i, v := range a.Data() {
		a.Data()[i] = float32(math.Abs(float64(v)))
	}
	return a
}

// naiveLinearGrads returns the gradients of x·Wᵀ + b for the output
// gradient g, in float64.
func naiveLinearGrads(x, w, g *tensor.Tensor) (gx, gw, gb []float64) {
	out, in := w.Dim(0), w.Dim(1)
	rows := x.Len() / in
	gx, gw, gb = make([]float64, rows*in), make([]float64, out*in), make([]float64, out)
	xd, wd, gd := x.Data(), w.Data(), g.Data()
	for r := range rows {
		for o := range out {
			gy := float64(gd[r*out+o])
			gb[o] += gy
			for i := range in {
				gx[r*in+i] += gy * float64(wd[o*in+i])
				gw[o*in+i] += gy * float64(xd[r*in+i])
			}
		}
	}
	return gx, gw, gb
}

var spikeLinearCases = []struct {
	rows, in, out int
	bias          bool
}{
	{1, 1, 1, true},
	{5, 16, 1, true},
	{37, 50, 3, true},
	{33, 129, 32, true},  // out a multiple of 8: written in place
	{64, 300, 40, false}, // out in chunks of 32 and 8
	{96, 800, 10, true},  // the mlp's fc2, fewer rows
	{40, 1568, 10, true}, // the cnn's fc, fewer rows
	{300, 70, 12, true},  // two depth blocks over rows in the weight gradient
}

func TestLinearSparseMatchesDense(t *testing.T) {
	for ci, tc := range spikeLinearCases {
		for _, d := range spikeDensities {
			t.Run(fmt.Sprintf("%dx%d->%d_d%g", tc.rows, tc.in, tc.out, d), func(t *testing.T) {
				rng := NewRand(uint64(10 + ci))
				l, err := NewLinear(tc.in, tc.out, tc.bias, rng)
				if err != nil {
					t.Fatal(err)
				}
				x := tensor.New(tc.rows, tc.in)
				fillSpikes(rng, x.Data(), d)
				g := randUniform(rng, -1, 1, tc.rows, tc.out)

				// The event-driven path is taken.
				done, _ := linearSparseForward(nil, SparseOn, nil, x.Data(), l.Weight.Value().Data(), nil, make([]float32, tc.rows*tc.out), tc.rows, tc.in, tc.out)
				if !done {
					t.Fatal("SparseOn did not take the event-driven path")
				}
				l.Sparse = SparseOn
				sparse := runLayer(t, l, x, g)
				l.Sparse = SparseOff
				dense := runLayer(t, l, x, g)
				var b *tensor.Tensor
				if l.Bias != nil {
					b = l.Bias.Value()
				}
				w := l.Weight.Value()
				ref := reference{y: naiveLinear(x, w, b), ym: naiveLinear(x, abs(w), abs(b)),
					yn: tc.in + 1, gxn: tc.out, gwn: tc.rows, gbn: tc.rows}
				ref.gx, ref.gw, ref.gb = naiveLinearGrads(x, w, g)
				ref.gxm, ref.gwm, ref.gbm = naiveLinearGrads(x, abs(w), abs(g))
				if b == nil {
					ref.gb = nil
				}
				compareRuns(t, sparse, dense, ref)
			})
		}
	}
}

// convSpikeCases are convolutions fed with spikes: convCases plus the
// cnn's conv2 on fewer samples.
var convSpikeCases = append(slicesClone(convCases),
	convCase{n: 2, c: 32, h: 14, w: 14, out: 32, k: 3, stride: 1, pad: 1, bias: true},
	convCase{n: 3, c: 5, h: 9, w: 11, out: 50, k: 3, stride: 1, pad: 1, bias: false}, // out in chunks
	convCase{n: 45, c: 3, h: 6, w: 5, out: 9, k: 3, stride: 1, pad: 1, bias: true},   // 32 blocks of samples, of 1 and 2
)

func slicesClone(cs []convCase) []convCase { return append([]convCase(nil), cs...) }

func TestConv2dSparseMatchesDense(t *testing.T) {
	for ci, cc := range convSpikeCases {
		for _, d := range spikeDensities {
			t.Run(fmt.Sprintf("%v_d%g", cc, d), func(t *testing.T) {
				rng := NewRand(uint64(20 + ci))
				l := newConvForTest(t, cc, uint64(ci))
				x := tensor.New(cc.n, cc.c, cc.h, cc.w)
				fillSpikes(rng, x.Data(), d)
				ho, wo := l.OutputSize(cc.h, cc.w)
				g := randUniform(rng, -1, 1, cc.n, cc.out, ho, wo)

				l.Sparse = SparseOn
				if !l.forwardIsSparse(t, x) {
					t.Fatal("SparseOn did not take the event-driven path")
				}
				sparse := runLayer(t, l, x, g)
				l.Sparse = SparseOff
				dense := runLayer(t, l, x, g)
				var b *tensor.Tensor
				if l.Bias != nil {
					b = l.Bias.Value()
				}
				w := l.Weight.Value()
				kk := cc.k * cc.k
				ref := reference{yn: cc.c*kk + 1, gxn: cc.out * kk, gwn: cc.n * ho * wo, gbn: cc.n * ho * wo}
				ref.y, _ = naiveConv(x, w, b, cc.stride, cc.pad)
				ref.ym, _ = naiveConv(x, abs(w), abs(b), cc.stride, cc.pad)
				ref.gx, ref.gw, ref.gb = naiveConvGrads(x, w, g, cc.stride, cc.pad)
				ref.gxm, ref.gwm, ref.gbm = naiveConvGrads(x, abs(w), abs(g), cc.stride, cc.pad)
				if b == nil {
					ref.gb = nil
				}
				compareRuns(t, sparse, dense, ref)
			})
		}
	}
}

// forwardIsSparse reports whether every sample of x takes the
// event-driven path of l, and the weight gradient with it.
func (l *Conv2d) forwardIsSparse(t *testing.T, x *tensor.Tensor) bool {
	t.Helper()
	g, err := l.geom(x)
	if err != nil {
		t.Fatal(err)
	}
	var bd []float32
	if l.Bias != nil {
		bd = l.Bias.Value().Data()
	}
	s := new(spikeScratch)
	cs := newConvSparse(s, l, &g, x.Data(), l.Weight.Value().Data(), bd)
	if cs == nil {
		return false
	}
	ones := make([]int32, x.Dim(0))
	y := make([]float32, l.out*g.hwOut)
	for i := range ones {
		k, ok := cs.forward(new(spikeScratch), x.Data()[i*g.inSize:(i+1)*g.inSize], y)
		if !ok {
			return false
		}
		ones[i] = int32(k)
	}
	return convGradIsSparse(l.Sparse, ones, g.inSize)
}

// TestSparseModes checks the choice between the paths: SparseAuto takes
// the event-driven path at a low density and not at a high one,
// SparseOn at any density, SparseOff never, and no mode on an input that
// is not binary.
func TestSparseModes(t *testing.T) {
	rng := NewRand(4)
	const rows, in, out = 64, 300, 10
	w := make([]float32, out*in)
	rng.FillUniform(w, 1)
	conv, err := NewConv2d(8, 16, 3, 1, 1, true, rng)
	if err != nil {
		t.Fatal(err)
	}
	spikes := func(d float64, analog bool, shape ...int) *tensor.Tensor {
		x := tensor.New(shape...)
		fillSpikes(rng, x.Data(), d)
		if analog { // one analog value in every row (sample)
			per := x.Len() / shape[0]
			for r := range shape[0] {
				x.Data()[r*per+(r*7)%per] = 0.5
			}
		}
		return x
	}
	for _, tc := range []struct {
		mode    SparseMode
		density float64
		analog  bool
		want    bool
	}{
		{SparseAuto, 0.05, false, true},
		{SparseAuto, 0.9, false, false},
		{SparseOn, 0.05, false, true},
		{SparseOn, 0.9, false, true},
		{SparseOff, 0.05, false, false},
		{SparseAuto, 0.05, true, false},
		{SparseOn, 0.05, true, false},
	} {
		x := spikes(tc.density, tc.analog, rows, in)
		lin, _ := linearSparseForward(nil, tc.mode, nil, x.Data(), w, nil, make([]float32, rows*out), rows, in, out)
		conv.Sparse = tc.mode
		convSparse := conv.forwardIsSparse(t, spikes(tc.density, tc.analog, 4, 8, 10, 10))
		if lin != tc.want || convSparse != tc.want {
			t.Errorf("%v at %g (analog %v): event-driven linear %v, conv %v; want %v",
				tc.mode, tc.density, tc.analog, lin, convSparse, tc.want)
		}
	}
}

// TestSparseCoreCountIndependent checks that the event-driven layers give
// the same bits on any number of cores.
func TestSparseCoreCountIndependent(t *testing.T) {
	rng := NewRand(8)
	lin, err := NewLinear(800, 10, true, rng)
	if err != nil {
		t.Fatal(err)
	}
	lin.Sparse = SparseOn
	conv, err := NewConv2d(32, 32, 3, 1, 1, true, rng)
	if err != nil {
		t.Fatal(err)
	}
	conv.Sparse = SparseOn
	xl := tensor.New(256, 800)
	fillSpikes(rng, xl.Data(), 0.15)
	gl := randUniform(rng, -1, 1, 256, 10)
	xc := tensor.New(12, 32, 14, 14)
	fillSpikes(rng, xc.Data(), 0.15)
	gc := randUniform(rng, -1, 1, 12, 32, 14, 14)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var first [2]layerRun
	for k, procs := range []int{1, 2, 3, 8} {
		runtime.GOMAXPROCS(procs)
		runs := [2]layerRun{runLayer(t, lin, xl, gl), runLayer(t, conv, xc, gc)}
		if k == 0 {
			first = runs
			continue
		}
		for j, name := range []string{"linear", "conv"} {
			a, b := runs[j], first[j]
			for q, p := range [][2][]float32{{a.y, b.y}, {a.gw, b.gw}, {a.gb, b.gb}, {a.gx, b.gx}} {
				if i := sameBits(p[0], p[1]); i >= 0 {
					t.Errorf("%s %s: GOMAXPROCS=%d differs from 1 at %d", name, [...]string{"y", "gw", "gb", "gx"}[q], procs, i)
				}
			}
		}
	}
}

// TestConv2dSparseMixedBatch checks a batch where some samples are spikes
// and others not: each sample takes its own path, the weight gradient the
// dense one.
func TestConv2dSparseMixedBatch(t *testing.T) {
	cc := convCase{n: 5, c: 4, h: 7, w: 6, out: 9, k: 3, stride: 1, pad: 1, bias: true}
	l := newConvForTest(t, cc, 3)
	rng := NewRand(9)
	x := tensor.New(cc.n, cc.c, cc.h, cc.w)
	fillSpikes(rng, x.Data(), 0.2)
	x.Data()[3*cc.c*cc.h*cc.w+17] = 0.25 // sample 3 is analog
	g := randUniform(rng, -1, 1, cc.n, cc.out, cc.h, cc.w)
	l.Sparse = SparseOn
	if l.forwardIsSparse(t, x) {
		t.Fatal("a batch with an analog sample reported fully event-driven")
	}
	r := runLayer(t, l, x, g)
	y, _ := naiveConv(x, l.Weight.Value(), l.Bias.Value(), 1, 1)
	gx, gw, gb := naiveConvGrads(x, l.Weight.Value(), g, 1, 1)
	expectClose(t, "y", r.y, y, 1e-5)
	expectClose(t, "gx", r.gx, gx, 1e-5)
	expectClose(t, "gw", r.gw, gw, 1e-5)
	expectClose(t, "gb", r.gb, gb, 1e-5)
}

func TestSparseModeString(t *testing.T) {
	for m, want := range map[SparseMode]string{SparseAuto: "auto", SparseOff: "off", SparseOn: "on", 7: "SparseMode(7)"} {
		if got := m.String(); got != want {
			t.Errorf("%d: %q, want %q", m, got, want)
		}
	}
}
