//go:build amd64 && !purego

package node

import "github.com/spikego/spikego/internal/cpu"

// haveAVX2 reports whether the CPU and OS support the AVX2 kernels of
// kernels_amd64.s.
var haveAVX2 = cpu.X86().AVX2

// chargeFireAVX2 runs chargeInto and fireInto on n elements, n a positive
// multiple of 8, with the constants at c, the charge equation and spike
// rule of mode (see asmMode), and returns the number of spikes.
//
//go:noescape
func chargeFireAVX2(pre, mem, x, th, out *float32, n int, c *chargeConsts, mode int) int

// chargeBackAVX2 runs chargeBackInto on n elements, n a positive multiple
// of 8, with the constants at c and the backward pass of mode (see
// asmMode), adding the input gradients to gx when mode has modeAcc.
//
//go:noescape
func chargeBackAVX2(gx, gmNext, gu, spk *float32, n int, c *chargeConsts, mode int)

// subAVX2 sets u[i] = a[i] - b[i] for n elements, n a positive multiple
// of 8.
//
//go:noescape
func subAVX2(u, a, b *float32, n int)

// chargeResetAVX2 runs chargeReset's loops on n elements, n a positive
// multiple of 8, with the constants at c and the charge equation of mode
// (see asmMode).
//
//go:noescape
func chargeResetAVX2(pre, mem, x, spk *float32, n int, c *chargeConsts, mode int)
