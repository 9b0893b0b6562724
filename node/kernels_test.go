package node

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/surrogate"
	"github.com/spikego/spikego/tensor"
)

// refMulti is the fused multi-step node computed neuron by neuron with the
// scalar declarations (dynamics.charge and chargeBack, Kernel.Spike and
// GradAt and DAlpha): the plain statement of what the tiled slice loops
// of kernels.go compute. x is [T,N] (or [N] with repeat), th has one value
// or N, g is the upstream gradient [T,N].
type refResult struct {
	spikes, mem, gx, gth []float32 // gth: per neuron, or one value
	galpha, gk           float64
}

func refMulti(n *BaseNode, x []float32, T, N int, repeat bool, th, g []float32) refResult {
	d := n.dyn()
	k := n.kernel
	alpha := alphaValue(n.act)
	vReset, detach := n.cfg.vReset, n.cfg.memDetach
	r := refResult{spikes: make([]float32, T*N), mem: make([]float32, N), gx: make([]float32, len(x)), gth: make([]float32, len(th))}
	pre := make([]float32, T*N)
	xi := func(t, j int) int {
		if repeat {
			return j
		}
		return t*N + j
	}
	thj := func(j int) int {
		if len(th) == 1 {
			return 0
		}
		return j
	}
	var gth float64
	for j := 0; j < N; j++ {
		m := vReset
		for t := 0; t < T; t++ {
			m = d.charge(m, x[xi(t, j)])
			pre[t*N+j] = m
			s := k.Spike(m - th[thj(j)])
			r.spikes[t*N+j] = s
			m = m * (1 - s)
		}
		r.mem[j] = m
		var gmNext float32
		for t := T - 1; t >= 0; t-- {
			u := pre[t*N+j] - th[thj(j)]
			gu := k.GradAt(g[t*N+j], u, alpha)
			gm := gu + float32(gmNext*(1-r.spikes[t*N+j]))
			if len(th) == 1 {
				gth -= float64(gu)
			} else {
				r.gth[j] -= gu
			}
			if k.DAlpha != nil {
				r.galpha += float64(k.DAlpha(g[t*N+j], u, alpha))
			}
			mPrev := vReset
			if t > 0 {
				mPrev = float32(pre[(t-1)*N+j] * (1 - r.spikes[(t-1)*N+j]))
			}
			gxv, gmPrev, gk := d.chargeBack(gm, mPrev, x[xi(t, j)])
			r.gk += float64(gk)
			if repeat {
				r.gx[j] += gxv
			} else {
				r.gx[t*N+j] = gxv
			}
			if detach {
				gmPrev = 0
			}
			gmNext = gmPrev
		}
	}
	if len(th) == 1 {
		r.gth[0] = float32(gth)
	}
	return r
}

// sameBits reports whether a and b are the same float32, bit for bit, or
// both NaN: which NaN an operation on two NaNs returns (and so the sign of
// a NaN result) depends on the order of the operands in the machine
// instruction, which Go leaves to the compiler, case by case.
func sameBits(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

func exactBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: lengths %d and %d", what, len(got), len(want))
	}
	for i := range got {
		if !sameBits(got[i], want[i]) {
			t.Fatalf("%s[%d]: fused %v (%#x), reference %v (%#x)", what, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-4*(1+math.Abs(want)) {
		t.Errorf("%s: fused %v, reference %v", what, got, want)
	}
}

// TestFusedKernelsMatchReference runs the tiled fused kernels on layers
// of several tiles and several ParallelFor chunks, for every kind and
// every surrogate, with the options that select other loops (per-neuron
// and learnable thresholds, a tau that is or is not a power of two,
// detached membranes, a repeated input, v_reset), on inputs with exact
// threshold crossings, zeros, huge values and infinities, and checks
// spikes, final membrane and input gradient bit for bit against refMulti
// (parameter gradients, float64 sums in another order, to a tolerance).
func TestFusedKernelsMatchReference(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3)) // three chunks of a little over one tile
	const T, B, P = 4, 3, 1100
	N := B * P
	type variant struct {
		name   string
		opts   []Option
		perTh  bool
		repeat bool
	}
	variants := []variant{
		{name: "default"},
		{name: "tau3-thgrad", opts: []Option{WithTau(3), WithThresholdGrad(true)}},
		{name: "tau4-detach-vreset", opts: []Option{WithTau(4), WithMemDetach(true), WithVReset(0.125)}},
		{name: "perneuron-th", opts: []Option{WithThresholdGrad(true), WithDt(0.5)}, perTh: true},
		{name: "repeat", opts: []Option{WithThresholdGrad(true)}, repeat: true},
		{name: "repeat-perneuron-detach", opts: []Option{WithMemDetach(true), WithTau(1.5)}, perTh: true, repeat: true},
	}
	r := rand.New(rand.NewPCG(11, 12))
	for _, kind := range []Kind{IF, LIF, LIFSTDP, PLIF} {
		for _, sur := range surrogate.Names() {
			for _, v := range variants {
				t.Run(fmt.Sprintf("%v/%s/%s", kind, sur, v.name), func(t *testing.T) {
					opts := append([]Option{WithSurrogate(sur)}, v.opts...)
					if kind == PLIF {
						opts = append(opts, WithTau(3)) // PLIF needs tau > 1
					}
					n, err := NewKind(kind, opts...)
					if err != nil {
						t.Fatal(err)
					}
					stepShape := []int{B, P}
					if v.perTh {
						th := randTensor(r, 0.3, P)
						for i := range th.Data() {
							th.Data()[i] += 0.5
						}
						if err := n.SetThreshold(th); err != nil {
							t.Fatal(err)
						}
					}
					steps := T
					if v.repeat {
						steps = 1
					}
					xt := randTensor(r, 0.8, append([]int{steps}, stepShape...)...)
					xd := xt.Data()
					thv := n.Threshold().Value().Data()
					for i := 0; i < len(xd); i += 7 {
						switch i % 5 {
						case 0:
							xd[i] = thv[(i%N%P)%len(thv)] // an exact crossing at the first step
						case 1:
							xd[i] = 0
						case 2:
							xd[i] = float32(math.Copysign(0, -1))
						case 3:
							xd[i] = 3e4
						}
					}
					if !v.repeat {
						xd[5], xd[N+9] = float32(math.Inf(1)), float32(math.Inf(-1))
					}
					R := randTensor(r, 1, T, B, P)
					x := autograd.NewVar(xt, true)
					var s *autograd.Var
					if v.repeat {
						xr, err := xt.Reshape(B, P)
						if err != nil {
							t.Fatal(err)
						}
						x = autograd.NewVar(xr, true)
						s, err = n.ForwardRepeat(x, T)
					} else {
						s, err = n.Forward(x)
					}
					if err != nil {
						t.Fatal(err)
					}
					if err := autograd.Backward(autograd.Sum(autograd.Mul(s, autograd.Const(R))), nil); err != nil {
						t.Fatal(err)
					}
					th := thv
					if v.perTh {
						e, err := tensor.Expand(n.Threshold().Value(), stepShape...)
						if err != nil {
							t.Fatal(err)
						}
						th = e.Data()
					}
					want := refMulti(n, xd, T, N, v.repeat, th, R.Data())
					exactBits(t, "spikes", s.Value().Data(), want.spikes)
					exactBits(t, "membrane", n.Mem().Value().Data(), want.mem)
					if x.Grad() == nil {
						if kernelHasGrad(n.kernel) {
							t.Fatal("no input gradient")
						}
						return
					}
					exactBits(t, "grad x", x.Grad().Data(), want.gx)
					for _, p := range n.Params() {
						gp := p.Var.Grad()
						if gp == nil {
							continue
						}
						switch p.Name {
						case "threshold":
							if v.perTh {
								red := make([]float64, P)
								for i, g := range want.gth {
									red[i%P] += float64(g)
								}
								for i, g := range gp.Data() {
									near(t, fmt.Sprintf("grad threshold[%d]", i), float64(g), red[i])
								}
							} else {
								near(t, "grad threshold", float64(gp.Item()), float64(want.gth[0]))
							}
						case "act_fun.alpha":
							near(t, "grad alpha", float64(gp.Item()), want.galpha)
						case "w":
							kv := n.dyn().k
							near(t, "grad w", float64(gp.Item()), float64(float32(want.gk)*(kv*(1-kv))))
						}
					}
				})
			}
		}
	}
}

func kernelHasGrad(k *surrogate.Kernel) bool {
	return k.Grad != nil || k.Deriv != nil || k.GradSlice != nil
}

// TestFireIntoIsSpike checks the inline spike rules of fireInto against
// Kernel.Spike, bit for bit, for every surrogate on edge values.
func TestFireIntoIsSpike(t *testing.T) {
	nan := float32(math.NaN())
	var pre, th []float32
	for _, v := range []float32{0, float32(math.Copysign(0, -1)), 1, -1, 0.5, -0.5, 4.5, 5, -7, nan, float32(math.Inf(1)), float32(math.Inf(-1)), math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32} {
		for _, w := range []float32{0, 0.5, 1, float32(math.Copysign(0, -1))} {
			pre, th = append(pre, v), append(th, w)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		pre, th = append(pre, float32(r.NormFloat64()*3)), append(th, float32(r.NormFloat64()))
	}
	for _, name := range surrogate.Names() {
		k, err := surrogate.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		out, mem := make([]float32, len(pre)), make([]float32, len(pre))
		got := fireInto(k, out, mem, pre, th)
		count := 0
		for j := range pre {
			s := k.Spike(pre[j] - th[j])
			if !sameBits(out[j], s) {
				t.Fatalf("%s: spike of %v - %v: fused %v, Spike %v", name, pre[j], th[j], out[j], s)
			}
			if m := pre[j] * (1 - s); !sameBits(mem[j], m) {
				t.Fatalf("%s: membrane after reset of %v: fused %v, want %v", name, pre[j], mem[j], m)
			}
			if s != 0 {
				count++
			}
		}
		if got != count {
			t.Errorf("%s: %d spikes counted, want %d", name, got, count)
		}
	}
}

// TestExactInv checks that exactInv accepts only divisors whose
// reciprocal multiplication is bit-identical to division, and that it is
// on edge values and random inputs.
func TestExactInv(t *testing.T) {
	for _, v := range []float32{3, 1.5, 0.3, 10, 0, float32(math.Inf(1)), float32(math.NaN()), math.SmallestNonzeroFloat32} {
		if _, ok := exactInv(v); ok {
			t.Errorf("exactInv(%v) claims an exact reciprocal", v)
		}
	}
	xs := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, 0x1p-126, 3 * math.SmallestNonzeroFloat32}
	r := rand.New(rand.NewPCG(5, 6))
	for range 100000 {
		xs = append(xs, math.Float32frombits(r.Uint32()))
	}
	for _, v := range []float32{1, 2, 4, 0.5, 0.25, -2, 0x1p-100, 0x1p100, 0x1p127, 0x1p-126, 0x1p-127} {
		inv, ok := exactInv(v)
		if !ok {
			t.Fatalf("exactInv(%v) = false, want true", v)
		}
		for _, x := range xs {
			if q, p := x/v, x*inv; !sameBits(q, p) {
				t.Fatalf("%v/%v = %#x but %v*%v = %#x", x, v, math.Float32bits(q), x, inv, math.Float32bits(p))
			}
			m := x / 4
			if a, b := chargeLIF(m, x, v), chargeLIFInv(m, x, inv); !sameBits(a, b) {
				t.Fatalf("chargeLIF(%v, %v, %v) = %v, chargeLIFInv %v", m, x, v, a, b)
			}
			ga, pa := backLIF(x, v)
			gb, pb := backLIFInv(x, inv)
			if !sameBits(ga, gb) || !sameBits(pa, pb) {
				t.Fatalf("backLIF(%v, %v) = %v, %v; backLIFInv %v, %v", x, v, ga, pa, gb, pb)
			}
		}
	}
}

// TestParamGradsSameOnAnyCoreCount checks that the gradients of the
// learnable parameters (PLIF's w, a shared threshold, Atan's alpha), sums
// over all neurons and steps, have the same bits whatever the number of
// cores. Two terms of ±2^70 make the sums depend on how they are grouped:
// the first neuron at the first step and the last neuron at the last step
// see the same membrane (the last one spikes at step T-2 and starts again
// from 0), and get upstream gradients +2^70 and -2^70, all other terms
// being ordinary. A float64 partial sum that holds one of them absorbs the
// ordinary terms added to it; the two cancel exactly where they meet, and
// the terms added after that survive. Which terms survive depends on the
// grouping: when the partial sums followed the goroutines' ranges, the
// three gradients were 7.12, 2.97 and 2.44 on one core and 0 on two or
// more. With one partial sum per tile, added in tile order, they are 0 on
// any number of cores.
func TestParamGradsSameOnAnyCoreCount(t *testing.T) {
	const T, N = 4, 5*tile + 300
	r := rand.New(rand.NewPCG(21, 22))
	xt := randTensor(r, 0.8, T, N)
	R := randTensor(r, 1, T, N)
	huge := float32(math.Ldexp(1, 70))
	for step, v := range []float32{0.1, 5, 5, 0.1} {
		xt.Data()[step*N] = v
		xt.Data()[step*N+N-1] = v
		R.Data()[step*N] = 0 // neuron 0: no gradient from later steps
	}
	R.Data()[0] = huge
	R.Data()[(T-1)*N+N-1] = -huge
	run := func(procs int) []float32 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		n, err := NewKind(PLIF, WithSurrogate("AtanGrad"), WithThresholdGrad(true), WithThreshold(0.2))
		if err != nil {
			t.Fatal(err)
		}
		s, err := n.Forward(autograd.NewVar(xt, true))
		if err != nil {
			t.Fatal(err)
		}
		if sp := s.Value().Data(); sp[(T-2)*N+N-1] != 1 || sp[(T-1)*N+N-1] != 0 || sp[0] != 0 {
			t.Fatalf("the last neuron does not spike at step T-2 only: %v", []float32{sp[0], sp[(T-2)*N+N-1], sp[(T-1)*N+N-1]})
		}
		if err := autograd.Backward(autograd.Sum(autograd.Mul(s, autograd.Const(R))), nil); err != nil {
			t.Fatal(err)
		}
		var got []float32
		for _, p := range n.Params() {
			if p.Var.Grad() == nil {
				t.Fatalf("%s has no gradient", p.Name)
			}
			got = append(got, p.Var.Grad().Item())
		}
		if len(got) != 3 {
			t.Fatalf("%d learnable parameters, want w, threshold and alpha", len(got))
		}
		return got
	}
	want := run(1)
	for _, procs := range []int{2, 3, 4, 5, 8, 16} {
		got := run(procs)
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Errorf("GOMAXPROCS=%d: gradient %d = %v, with one core %v", procs, i, got[i], want[i])
			}
		}
	}
	t.Logf("gradients of w, threshold, alpha: %v", want)
}
