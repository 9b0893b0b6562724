package node

import "github.com/spikego/spikego/surrogate"

// The slice loops of the fused multi-step kernels. Each runs one pass of
// one time step over a tile of neurons, with the choices (kind, spike
// rule, optional gradients) made once outside the loop, so that the loop
// body is straight-line float32 arithmetic calling the per-kind functions
// of dynamics.go, which the compiler inlines. Every loop computes exactly
// what the scalar charge, chargeBack and Kernel.Spike compute, operation
// by operation (kernels_test.go checks it bit for bit).

// b2u returns 1 where cond holds and 0 elsewhere; the compiler makes it a
// flag set, not a branch.
func b2u(cond bool) uint32 {
	var u uint32
	if cond {
		u = 1
	}
	return u
}

// chargeInto sets pre[j] to the membrane charged from mem[j] with input
// x[j], for every j of pre.
func (d *dynamics) chargeInto(pre, mem, x []float32) {
	mem, x = mem[:len(pre)], x[:len(pre)]
	switch d.kind {
	case IF:
		dt := d.dt
		for j := range pre {
			pre[j] = chargeIF(mem[j], x[j], dt)
		}
	case LIF:
		if inv, ok := exactInv(d.tau); ok {
			for j := range pre {
				pre[j] = chargeLIFInv(mem[j], x[j], inv)
			}
			return
		}
		tau := d.tau
		for j := range pre {
			pre[j] = chargeLIF(mem[j], x[j], tau)
		}
	case LIFSTDP:
		tau := d.tau
		for j := range pre {
			pre[j] = chargeLIFSTDP(mem[j], x[j], tau)
		}
	default: // PLIF
		k, dt := d.k, d.dt
		for j := range pre {
			pre[j] = chargePLIF(mem[j], x[j], k, dt)
		}
	}
}

// fireInto applies k's spike rule to pre - th, writes the spikes to out
// and the membrane after the reset, pre*(1 - spike), to mem, and returns
// the number of non-zero spikes.
func fireInto(k *surrogate.Kernel, out, mem, pre, th []float32) int {
	out, mem, th = out[:len(pre)], mem[:len(pre)], th[:len(pre)]
	n := 0
	switch k.Rule {
	case surrogate.SpikeGT:
		for j, m := range pre {
			b := b2u(m-th[j] > 0)
			s := float32(b)
			out[j] = s
			mem[j] = m * (1 - s)
			n += int(b)
		}
	case surrogate.SpikeGE:
		for j, m := range pre {
			b := b2u(m-th[j] >= 0)
			s := float32(b)
			out[j] = s
			mem[j] = m * (1 - s)
			n += int(b)
		}
	case surrogate.SpikeSign:
		for j, m := range pre {
			u := m - th[j]
			p, q := b2u(u > 0), b2u(u < 0)
			s := float32(int32(p) - int32(q))
			out[j] = s
			mem[j] = m * (1 - s)
			n += int(p | q)
		}
	default:
		spike := k.Spike
		for j, m := range pre {
			s := spike(m - th[j])
			out[j] = s
			mem[j] = m * (1 - s)
			n += int(b2u(s != 0))
		}
	}
	return n
}

// subInto sets u[j] = pre[j] - th[j] for every j of u.
func subInto(u, pre, th []float32) {
	pre, th = pre[:len(u)], th[:len(u)]
	for j := range u {
		u[j] = pre[j] - th[j]
	}
}

// The vector kernels. Each function below does what the loops above do
// for a tile, with the AVX2 kernels of kernels_amd64.s on the whole
// vectors of 8 elements when asm is set and the kernels cover the case,
// and the loops above on the rest: the same operations in the same
// order, so the same bits (kernels_test.go checks it). The callers pass
// haveAVX2; the tests pass both values.

// chargeConsts are the constants of the charge equations in the layout
// the kernels read.
type chargeConsts struct {
	dt, tau, inv, k float32
}

// The modes of the kernels: the charge equation in the low bits, and
// modeGE (the spike rule x >= 0 rather than x > 0) or modeAcc (add the
// input gradients rather than store them).
const (
	modeIF = iota
	modeLIFInv
	modeLIFDiv
	modeLIFSTDP
	modePLIF

	modeGE  = 8
	modeAcc = 8
)

// asmMode returns the kernels' constants and mode for d, or false when
// they do not cover it.
func (d *dynamics) asmMode() (chargeConsts, int, bool) {
	c := chargeConsts{dt: d.dt, tau: d.tau, k: d.k}
	switch d.kind {
	case IF:
		return c, modeIF, true
	case LIF:
		if inv, ok := exactInv(d.tau); ok {
			c.inv = inv
			return c, modeLIFInv, true
		}
		return c, modeLIFDiv, true
	case LIFSTDP:
		return c, modeLIFSTDP, true
	case PLIF:
		return c, modePLIF, true
	}
	return c, 0, false
}

// chargeFire charges a tile (chargeInto) and fires it (fireInto), and
// returns the number of spikes.
func chargeFire(asm bool, d *dynamics, k *surrogate.Kernel, out, mem, pre, x, th []float32) int {
	n := len(pre)
	out, mem, x, th = out[:n], mem[:n], x[:n], th[:n]
	v, spikes := 0, 0
	if asm && (k.Rule == surrogate.SpikeGT || k.Rule == surrogate.SpikeGE) {
		if c, mode, ok := d.asmMode(); ok {
			if k.Rule == surrogate.SpikeGE {
				mode |= modeGE
			}
			if v = n &^ 7; v > 0 {
				spikes = chargeFireAVX2(&pre[0], &mem[0], &x[0], &th[0], &out[0], v, &c, mode)
			}
		}
	}
	if v < n {
		d.chargeInto(pre[v:], mem[v:], x[v:])
		spikes += fireInto(k, out[v:], mem[v:], pre[v:], th[v:])
	}
	return spikes
}

// chargeReset charges a tile again as chargeFire did, from mem with
// input x, into pre, and resets mem with the spikes spk it emitted then:
// mem[j] = pre[j]*(1 - spk[j]), as fireInto computed it. The backward
// pass uses it to recompute the charged membranes rather than keep them.
func chargeReset(asm bool, d *dynamics, pre, mem, x, spk []float32) {
	n := len(pre)
	mem, x, spk = mem[:n], x[:n], spk[:n]
	v := 0
	if asm {
		if c, mode, ok := d.asmMode(); ok {
			if v = n &^ 7; v > 0 {
				chargeResetAVX2(&pre[0], &mem[0], &x[0], &spk[0], v, &c, mode)
			}
		}
	}
	if v == n {
		return
	}
	pre, mem, spk = pre[v:], mem[v:], spk[v:]
	d.chargeInto(pre, mem, x[v:])
	for j, m := range pre {
		mem[j] = m * (1 - spk[j])
	}
}

// sub sets u[j] = pre[j] - th[j] for every j of u (subInto).
func sub(asm bool, u, pre, th []float32) {
	n := len(u)
	pre, th = pre[:n], th[:n]
	v := 0
	if asm {
		if v = n &^ 7; v > 0 {
			subAVX2(&u[0], &pre[0], &th[0], v)
		}
	}
	if v < n {
		subInto(u[v:], pre[v:], th[v:])
	}
}

// chargeBack runs the backward pass of one step of a tile
// (chargeBackInto): it writes the input gradients to gx, or adds them to
// gx when acc is not nil, acc being scratch of gx's length for the loops
// above.
func chargeBack(asm bool, d *dynamics, gx, gmNext, gu, spk, acc []float32) {
	n := len(gx)
	gmNext, gu, spk = gmNext[:n], gu[:n], spk[:n]
	v := 0
	if asm {
		if c, mode, ok := d.asmMode(); ok {
			if acc != nil {
				mode |= modeAcc
			}
			if v = n &^ 7; v > 0 {
				chargeBackAVX2(&gx[0], &gmNext[0], &gu[0], &spk[0], v, &c, mode)
			}
		}
	}
	if v == n {
		return
	}
	if acc == nil {
		d.chargeBackInto(gx[v:], gmNext[v:], gu[v:], spk[v:])
		return
	}
	tmp := acc[v:n]
	d.chargeBackInto(tmp, gmNext[v:], gu[v:], spk[v:])
	dst := gx[v:n]
	for j, g := range tmp {
		dst[j] += g
	}
}

// chargeBackInto runs the backward pass of one step of a tile for IF,
// LIF, LIFSTDP, and PLIF without the gradient of k: for every j, from
// the surrogate gradient gu[j], the spike spk[j] and the gradient
// gmNext[j] of the membrane after the reset (from the later steps), it
// forms the gradient of the charged membrane
//
//	gm = gu + gmNext*(1 - spk)
//
// and writes the gradient of the input to gx[j] and that of the previous
// membrane to gmNext[j].
func (d *dynamics) chargeBackInto(gx, gmNext, gu, spk []float32) {
	gmNext, gu, spk = gmNext[:len(gx)], gu[:len(gx)], spk[:len(gx)]
	switch d.kind {
	case IF:
		dt := d.dt
		for j := range gx {
			gm := gu[j] + float32(gmNext[j]*(1-spk[j]))
			gx[j], gmNext[j] = backIF(gm, dt)
		}
	case LIF:
		if inv, ok := exactInv(d.tau); ok {
			for j := range gx {
				gm := gu[j] + float32(gmNext[j]*(1-spk[j]))
				gx[j], gmNext[j] = backLIFInv(gm, inv)
			}
			return
		}
		tau := d.tau
		for j := range gx {
			gm := gu[j] + float32(gmNext[j]*(1-spk[j]))
			gx[j], gmNext[j] = backLIF(gm, tau)
		}
	case LIFSTDP:
		tau := d.tau
		for j := range gx {
			gm := gu[j] + float32(gmNext[j]*(1-spk[j]))
			gx[j], gmNext[j] = backLIFSTDP(gm, tau)
		}
	default: // PLIF
		k, dt := d.k, d.dt
		for j := range gx {
			gm := gu[j] + float32(gmNext[j]*(1-spk[j]))
			gx[j], gmNext[j], _ = backPLIF(gm, k, dt)
		}
	}
}

// plifBackInto is chargeBackInto for PLIF with the gradient of k: it
// also returns the sum over the tile of the terms of that gradient, for
// which it needs the input x and the previous step's charged membrane
// prevPre and spikes prevSpk (nil at the first step, whose previous
// membrane is vReset).
func (d *dynamics) plifBackInto(gx, gmNext, gu, spk, x, prevPre, prevSpk []float32, vReset float32) float64 {
	gmNext, gu, spk, x = gmNext[:len(gx)], gu[:len(gx)], spk[:len(gx)], x[:len(gx)]
	k, dt := d.k, d.dt
	var sum float64
	if prevPre == nil {
		for j := range gx {
			gm := gu[j] + float32(gmNext[j]*(1-spk[j]))
			var ge float32
			gx[j], gmNext[j], ge = backPLIF(gm, k, dt)
			sum += float64(gradK(ge, vReset, x[j]))
		}
		return sum
	}
	prevPre, prevSpk = prevPre[:len(gx)], prevSpk[:len(gx)]
	for j := range gx {
		gm := gu[j] + float32(gmNext[j]*(1-spk[j]))
		var ge float32
		gx[j], gmNext[j], ge = backPLIF(gm, k, dt)
		mPrev := float32(prevPre[j] * (1 - prevSpk[j]))
		sum += float64(gradK(ge, mPrev, x[j]))
	}
	return sum
}
