package optim

import (
	"flag"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestScalarsLayout checks the field offsets that kernels_amd64.s uses.
func TestScalarsLayout(t *testing.T) {
	var a adamScalars
	var s sgdScalars
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"adamScalars.wd", unsafe.Offsetof(a.wd), 0},
		{"adamScalars.decay", unsafe.Offsetof(a.decay), 4},
		{"adamScalars.beta1", unsafe.Offsetof(a.beta1), 8},
		{"adamScalars.beta2", unsafe.Offsetof(a.beta2), 12},
		{"adamScalars.oneMinusB1", unsafe.Offsetof(a.oneMinusB1), 16},
		{"adamScalars.oneMinusB2", unsafe.Offsetof(a.oneMinusB2), 20},
		{"adamScalars.bc2Sqrt", unsafe.Offsetof(a.bc2Sqrt), 24},
		{"adamScalars.eps", unsafe.Offsetof(a.eps), 28},
		{"adamScalars.negStep", unsafe.Offsetof(a.negStep), 32},
		{"sgdScalars.wd", unsafe.Offsetof(s.wd), 0},
		{"sgdScalars.momentum", unsafe.Offsetof(s.momentum), 4},
		{"sgdScalars.oneMinusDamp", unsafe.Offsetof(s.oneMinusDamp), 8},
		{"sgdScalars.negLR", unsafe.Offsetof(s.negLR), 12},
	} {
		if c.got != c.want {
			t.Errorf("%s at byte %d, the assembly reads byte %d", c.name, c.got, c.want)
		}
	}
}

// specialBits are float32 values where rounding, overflow and NaN rules
// matter: signed zeros, subnormals, the ends of the normal range,
// infinities, quiet and signalling NaNs of both signs and several
// payloads.
var specialBits = []uint32{
	0x00000000, 0x80000000, // ±0
	0x00000001, 0x80000001, 0x00000abc, 0x807fffff, 0x00400000, // subnormals
	0x00800000, 0x80800001, // smallest normals
	0x3f800000, 0xbf800000, 0x3f000000, 0x3a83126f, // 1, -1, 0.5, 1e-3
	0x7f7fffff, 0xff7fffff, 0x7149f2ca, 0x0da24260, 0x5f800000, 0x1f800000, // huge and tiny
	0x7f800000, 0xff800000, // ±Inf
	0x7fc00000, 0xffc00000, 0x7fc12345, 0xffe00001, // quiet NaNs
	0x7f800001, 0xff812345, // signalling NaNs
}

// kind chooses how randFloats fills a slice.
type kind int

const (
	typical kind = iota // finite values of training's magnitudes
	special             // specialBits mixed with typical values
	anyBits             // every bit pattern
)

func (k kind) String() string { return [...]string{"typical", "special", "anyBits"}[k] }

// randFloats returns n values of the given kind; nonNeg makes typical
// values non-negative (second moments).
func randFloats(r *rand.Rand, n int, k kind, scale float64, nonNeg bool) []float32 {
	x := make([]float32, n)
	for i := range x {
		v := float32(r.NormFloat64() * scale * math.Pow(10, 2*r.Float64()-1))
		if nonNeg {
			v = float32(math.Abs(float64(v)) * scale)
		}
		switch {
		case k == special && r.IntN(3) == 0:
			v = math.Float32frombits(specialBits[r.IntN(len(specialBits))])
		case k == anyBits:
			v = math.Float32frombits(r.Uint32())
		}
		x[i] = v
	}
	return x
}

// nanPayloads makes the kernel tests compare the bits of NaNs too. Go
// leaves a NaN's sign and payload unspecified: the reference loops take
// them from whichever operand the compiler puts first, the FMA
// instructions by a rule of the CPU's maker, so by default a NaN need only
// be matched by a NaN. On the AMD Zen 4 the kernels were written on, the
// NaNs match too except where fma32 meets 0*Inf + NaN (a NaN made by the
// invalid product, where the FMA instruction passes on the NaN addend):
// SGD with a zero learning rate or a dampening of 1. Run
// go test -run KernelMatches -args -nanpayloads to see.
var nanPayloads = flag.Bool("nanpayloads", false, "kernel tests compare NaN signs and payloads")

// diffBits returns the first index where a and b differ in their bits,
// NaNs of any payload counting as equal unless -nanpayloads, or -1.
func diffBits(a, b []float32) int {
	for i := range a {
		x, y := a[i], b[i]
		if math.Float32bits(x) != math.Float32bits(y) && (*nanPayloads || x == x || y == y) {
			return i
		}
	}
	return -1
}

// testLengths are the slice lengths the kernel tests run: every length
// up to four vectors, so that every tail length occurs, and some longer.
func testLengths() []int {
	var ns []int
	for n := 0; n <= 33; n++ {
		ns = append(ns, n)
	}
	return append(ns, 64, 100, 255, 1000, 4099)
}

// TestAdamKernelMatchesGo checks that adamElems, which runs the assembly
// kernel on whole vectors, gives the bits of the reference loop adamGo on
// every element of p, m, v and vmax, for every mode of the rule, over
// several steps, for data of every kind.
func TestAdamKernelMatchesGo(t *testing.T) {
	if !haveAsm {
		t.Skip("this build has no assembly kernel: adamElems is adamGo")
	}
	opts := []struct {
		name      string
		o         AdamOptions
		decoupled bool
	}{
		{"default", DefaultAdam(), false},
		{"l2", AdamOptions{LR: 0.01, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, WeightDecay: 0.1}, false},
		{"adamw", DefaultAdamW(), true},
		{"adamw_wd0", DefaultAdam(), true},
		{"amsgrad", AdamOptions{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, AMSGrad: true}, false},
		{"amsgrad_l2", AdamOptions{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.5, AMSGrad: true}, false},
		{"adamw_amsgrad", AdamOptions{LR: 0.003, Beta1: 0.5, Beta2: 0.9, Eps: 1e-3, WeightDecay: 2, AMSGrad: true}, true},
		{"zero_betas_eps", AdamOptions{LR: 1, Beta1: 0, Beta2: 0, Eps: 0}, false},
		{"lr0", AdamOptions{LR: 0, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-4}, false},
		{"huge_lr", AdamOptions{LR: 1e30, Beta1: 0.99, Beta2: 0.99999994, Eps: 1e-30, WeightDecay: 1e-30}, true},
	}
	r := rand.New(rand.NewPCG(9, 1))
	for _, c := range opts {
		for _, kd := range []kind{typical, special, anyBits} {
			for _, n := range testLengths() {
				name := fmt.Sprintf("%s/%v/n=%d", c.name, kd, n)
				// The slices start one element into their buffers, so that
				// the vectors are not 32-byte aligned.
				p := randFloats(r, n+1, kd, 0.1, false)[1:]
				m := randFloats(r, n+1, kd, 1e-3, false)[1:]
				v := randFloats(r, n+1, kd, 1e-6, true)[1:]
				var vmax []float32
				if c.o.AMSGrad {
					vmax = randFloats(r, n+1, kd, 1e-6, true)[1:]
				}
				p2, m2, v2 := clone(p), clone(m), clone(v)
				vmax2 := clone(vmax)
				for step := 1; step <= 3; step++ {
					g := randFloats(r, n, kd, 1e-2, false)
					k := newAdamScalars(c.o, c.decoupled, step*step*step)
					adamElems(&k, p, g, m, v, vmax)
					adamGo(&k, p2, g, m2, v2, vmax2)
					for _, a := range []struct {
						what      string
						vec, want []float32
					}{{"p", p, p2}, {"m", m, m2}, {"v", v, v2}, {"vmax", vmax, vmax2}} {
						if i := diffBits(a.vec, a.want); i >= 0 {
							t.Errorf("%s: step %d: %s[%d] = %#x, adamGo gives %#x", name, step, a.what, i,
								math.Float32bits(a.vec[i]), math.Float32bits(a.want[i]))
						}
					}
				}
			}
		}
	}
}

// TestSGDKernelMatchesGo checks sgdElems against the reference loop sgdGo
// as TestAdamKernelMatchesGo checks Adam's.
func TestSGDKernelMatchesGo(t *testing.T) {
	if !haveAsm {
		t.Skip("this build has no assembly kernel: sgdElems is sgdGo")
	}
	opts := []struct {
		name string
		o    SGDOptions
	}{
		{"plain", SGDOptions{LR: 0.1}},
		{"l2", SGDOptions{LR: 0.1, WeightDecay: 0.05}},
		{"momentum", SGDOptions{LR: 0.1, Momentum: 0.9}},
		{"dampening_l2", SGDOptions{LR: 0.05, Momentum: 0.5, Dampening: 0.3, WeightDecay: 0.01}},
		{"negative_dampening", SGDOptions{LR: 0.05, Momentum: 0.5, Dampening: -1}},
		{"nesterov", SGDOptions{LR: 0.03, Momentum: 0.8, Nesterov: true}},
		{"nesterov_l2", SGDOptions{LR: 0.03, Momentum: 0.8, WeightDecay: 0.02, Nesterov: true}},
		{"lr0", SGDOptions{LR: 0, Momentum: 0.9}},
		{"dampening1", SGDOptions{LR: 0.1, Momentum: 0.9, Dampening: 1}},
	}
	r := rand.New(rand.NewPCG(9, 2))
	for _, c := range opts {
		for _, kd := range []kind{typical, special, anyBits} {
			for _, n := range testLengths() {
				name := fmt.Sprintf("%s/%v/n=%d", c.name, kd, n)
				p := randFloats(r, n+1, kd, 0.1, false)[1:]
				var buf []float32
				if c.o.Momentum != 0 {
					buf = make([]float32, n+1)[1:]
				}
				p2, buf2 := clone(p), clone(buf)
				k := newSGDScalars(c.o, c.o.LR)
				for step := 1; step <= 3; step++ {
					g := randFloats(r, n, kd, 1e-2, false)
					init := step == 1
					sgdElems(&k, p, g, buf, init)
					sgdGo(&k, p2, g, buf2, init)
					if i := diffBits(p, p2); i >= 0 {
						t.Errorf("%s: step %d: p[%d] = %#x, sgdGo gives %#x", name, step, i, math.Float32bits(p[i]), math.Float32bits(p2[i]))
					}
					if i := diffBits(buf, buf2); i >= 0 {
						t.Errorf("%s: step %d: buf[%d] = %#x, sgdGo gives %#x", name, step, i, math.Float32bits(buf[i]), math.Float32bits(buf2[i]))
					}
				}
			}
		}
	}
}

func clone(x []float32) []float32 {
	if x == nil {
		return nil
	}
	return append([]float32(nil), x...)
}

// TestFMA32MatchesExactArithmetic checks fma32 against x*y+z computed
// exactly with math/big and rounded once to the nearest float32 (ties to
// even, subnormals and overflow included), on finite inputs of every
// magnitude and on sums that cancel; and, for infinite and NaN inputs,
// against IEEE 754's rules.
func TestFMA32MatchesExactArithmetic(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 3))
	pick := func() float32 {
		if r.IntN(4) == 0 {
			return math.Float32frombits(specialBits[r.IntN(len(specialBits))])
		}
		return math.Float32frombits(r.Uint32())
	}
	for i := 0; i < 200000; i++ {
		x, y, z := pick(), pick(), pick()
		switch i % 4 {
		case 1: // the sum cancels the product to a few bits
			z = -float32(float64(x) * float64(y))
			if r.IntN(2) == 0 {
				z = math.Nextafter32(z, float32(math.Inf(r.IntN(2)*2-1)))
			}
		case 2: // both terms of training's magnitudes
			x, y, z = float32(r.NormFloat64()), float32(r.NormFloat64()*1e-3), float32(r.NormFloat64()*1e-3)
		}
		got := fma32(x, y, z)
		want, ok := exactFMA(x, y, z)
		if !ok { // an input is infinite or NaN
			prod := float64(x) * float64(y) // exact or infinite
			sum := prod + float64(z)
			if got == got != (sum == sum) || (sum == sum && float64(got) != sum) {
				t.Fatalf("fma32(%#x, %#x, %#x) = %v, IEEE gives %v", math.Float32bits(x), math.Float32bits(y), math.Float32bits(z), got, sum)
			}
			continue
		}
		if math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("fma32(%#x, %#x, %#x) = %#x, exact rounding gives %#x", math.Float32bits(x), math.Float32bits(y), math.Float32bits(z), math.Float32bits(got), math.Float32bits(want))
		}
	}
}

// exactFMA returns x*y+z rounded once to float32, or false when an input
// is not finite.
func exactFMA(x, y, z float32) (float32, bool) {
	for _, v := range []float32{x, y, z} {
		if math.IsInf(float64(v), 0) || math.IsNaN(float64(v)) {
			return 0, false
		}
	}
	// 600 bits hold every sum of a float32 product and a float32 exactly.
	const prec = 600
	bx := new(big.Float).SetPrec(prec).SetFloat64(float64(x))
	by := new(big.Float).SetPrec(prec).SetFloat64(float64(y))
	bz := new(big.Float).SetPrec(prec).SetFloat64(float64(z))
	s := new(big.Float).SetPrec(prec).Mul(bx, by)
	s.Add(s, bz)
	if s.Sign() == 0 {
		// An exact zero is -0 only when both terms are -0 (IEEE 754, 6.3).
		p := float64(x) * float64(y)
		if math.Signbit(p) && math.Signbit(float64(z)) {
			return float32(math.Copysign(0, -1)), true
		}
		return 0, true
	}
	f, _ := s.Float32()
	return f, true
}
