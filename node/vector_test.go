package node

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/spikego/spikego/surrogate"
)

// specialFloats fills v with values of both signs from tiny to huge,
// mixed with the values where kernels go wrong: ±0, ±Inf, NaN,
// subnormals, and values equal to the thresholds th (exact crossings).
func specialFloats(r *rand.Rand, v, th []float32) {
	specials := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, 1e-39, math.MaxFloat32, 1, 0.5}
	for i := range v {
		switch u := r.Float64(); {
		case u < 0.1:
			v[i] = specials[r.IntN(len(specials))]
		case u < 0.15 && th != nil:
			v[i] = th[i]
		case u < 0.2:
			v[i] = float32(r.NormFloat64() * 1e30)
		default:
			v[i] = float32(r.NormFloat64())
		}
	}
}

// sameSlices reports the first element where got and want differ in
// their bits (NaNs of any sign and payload count as equal, see
// sameBits), or -1.
func sameSlices(got, want []float32) int {
	for i := range got {
		if !sameBits(got[i], want[i]) {
			return i
		}
	}
	return -1
}

// TestVectorKernelsMatchLoops checks the AVX2 kernels against the Go
// loops bit for bit, for every charge equation, both spike rules and
// both ways of storing the input gradient, on every length up to 40 and
// some longer, on inputs full of special values; and that chargeReset,
// both ways, recomputes the membranes chargeFire charged and reset.
func TestVectorKernelsMatchLoops(t *testing.T) {
	if !haveAVX2 {
		t.Skip("no AVX2 kernels in this build or on this CPU")
	}
	r := rand.New(rand.NewPCG(3, 4))
	type dyn struct {
		name string
		d    dynamics
	}
	dyns := []dyn{
		{"IF", dynamics{kind: IF, dt: 0.7}},
		{"LIF tau 2", dynamics{kind: LIF, tau: 2}},
		{"LIF tau 3", dynamics{kind: LIF, tau: 3}},
		{"LIFSTDP", dynamics{kind: LIFSTDP, tau: 0.9}},
		{"PLIF", dynamics{kind: PLIF, k: 0.37, dt: 1.3}},
	}
	rules := []surrogate.SpikeRule{surrogate.SpikeGT, surrogate.SpikeGE}
	lengths := []int{1000, 1024, 77}
	for n := 0; n <= 40; n++ {
		lengths = append(lengths, n)
	}
	for _, dy := range dyns {
		for _, rule := range rules {
			k := &surrogate.Kernel{Rule: rule}
			if rule == surrogate.SpikeGT {
				k.Spike = func(x float32) float32 { return float32(b2u(x > 0)) }
			} else {
				k.Spike = func(x float32) float32 { return float32(b2u(x >= 0)) }
			}
			for _, n := range lengths {
				name := fmt.Sprintf("%s/%v/%d", dy.name, rule, n)
				th := make([]float32, n)
				specialFloats(r, th, nil)
				mem, x := make([]float32, n), make([]float32, n)
				specialFloats(r, mem, th)
				specialFloats(r, x, th)
				type res struct {
					pre, mem, out []float32
					spikes        int
				}
				fire := func(asm bool) res {
					o := res{pre: make([]float32, n), mem: slices.Clone(mem), out: make([]float32, n)}
					o.spikes = chargeFire(asm, &dy.d, k, o.out, o.mem, o.pre, x, th)
					return o
				}
				got, want := fire(true), fire(false)
				for _, c := range []struct {
					what      string
					got, want []float32
				}{{"pre", got.pre, want.pre}, {"mem", got.mem, want.mem}, {"out", got.out, want.out}} {
					if i := sameSlices(c.got, c.want); i >= 0 {
						t.Fatalf("%s: chargeFire %s[%d] = %v, loops %v (x %v, mem %v, th %v)", name, c.what, i, c.got[i], c.want[i], x[i], mem[i], th[i])
					}
				}
				if got.spikes != want.spikes {
					t.Fatalf("%s: chargeFire counted %d spikes, loops %d", name, got.spikes, want.spikes)
				}

				reset := func(asm bool) (pre, m []float32) {
					pre, m = make([]float32, n), slices.Clone(mem)
					chargeReset(asm, &dy.d, pre, m, x, want.out)
					return pre, m
				}
				rp, rm := reset(true)
				if i := sameSlices(rp, want.pre); i >= 0 {
					t.Fatalf("%s: chargeReset pre[%d] = %v, chargeFire %v", name, i, rp[i], want.pre[i])
				}
				if i := sameSlices(rm, want.mem); i >= 0 {
					t.Fatalf("%s: chargeReset mem[%d] = %v, chargeFire %v", name, i, rm[i], want.mem[i])
				}
				rp, rm = reset(false)
				if i := sameSlices(rp, want.pre); i >= 0 {
					t.Fatalf("%s: chargeReset's loops pre[%d] = %v, chargeFire %v", name, i, rp[i], want.pre[i])
				}
				if i := sameSlices(rm, want.mem); i >= 0 {
					t.Fatalf("%s: chargeReset's loops mem[%d] = %v, chargeFire %v", name, i, rm[i], want.mem[i])
				}

				u, uw := make([]float32, n), make([]float32, n)
				sub(true, u, x, th)
				sub(false, uw, x, th)
				if i := sameSlices(u, uw); i >= 0 {
					t.Fatalf("%s: sub[%d] = %v, loops %v", name, i, u[i], uw[i])
				}

				gmNext, gu, spk := make([]float32, n), make([]float32, n), make([]float32, n)
				specialFloats(r, gmNext, nil)
				specialFloats(r, gu, nil)
				for i := range spk {
					spk[i] = float32(r.IntN(2))
				}
				acc0 := make([]float32, n)
				specialFloats(r, acc0, nil)
				for _, accumulate := range []bool{false, true} {
					back := func(asm bool) (gx, gm []float32) {
						gx, gm = slices.Clone(acc0), slices.Clone(gmNext)
						var scratch []float32
						if accumulate {
							scratch = make([]float32, n)
						}
						chargeBack(asm, &dy.d, gx, gm, gu, spk, scratch)
						return gx, gm
					}
					gx, gm := back(true)
					gxw, gmw := back(false)
					if i := sameSlices(gx, gxw); i >= 0 {
						t.Fatalf("%s (accumulate %v): chargeBack gx[%d] = %v, loops %v", name, accumulate, i, gx[i], gxw[i])
					}
					if i := sameSlices(gm, gmw); i >= 0 {
						t.Fatalf("%s (accumulate %v): chargeBack gmNext[%d] = %v, loops %v", name, accumulate, i, gm[i], gmw[i])
					}
				}
			}
		}
	}
}
