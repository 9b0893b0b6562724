//go:build amd64 && !purego

package optim

import "github.com/spikego/spikego/internal/cpu"

// haveAsm reports whether the CPU and OS support the AVX2 and FMA
// instructions of the kernels of kernels_amd64.s.
var haveAsm = cpu.X86().AVX2 && cpu.X86().FMA

// vecLen returns how many of n elements the assembly kernels update: the
// whole vectors of 8, or none without the kernels.
func vecLen(n int) int {
	if !haveAsm {
		return 0
	}
	return n &^ 7
}

// The mode bits of adamAVX2.
const (
	adamL2        = 1 << iota // g += wd*p
	adamDecoupled             // p *= decay
	adamAMSGrad               // vmax = max(vmax, v)
)

// adamAsm runs adamAVX2 on the elements of p, a multiple of 8 of them;
// g, m, v and, with AMSGrad, vmax must be at least as long.
func adamAsm(k *adamScalars, p, g, m, v, vmax []float32) {
	n := len(p)
	if n == 0 {
		return
	}
	_, _, _ = g[n-1], m[n-1], v[n-1]
	var mode int
	if k.decoupled {
		mode |= adamDecoupled
	} else if k.wd != 0 {
		mode |= adamL2
	}
	var pmax *float32
	if k.amsgrad {
		_ = vmax[n-1]
		mode |= adamAMSGrad
		pmax = &vmax[0]
	}
	adamAVX2(k, &p[0], &g[0], &m[0], &v[0], pmax, n, mode)
}

// adamAVX2 runs the Adam rule of adamGo on n elements, n a positive
// multiple of 8, with the float32 scalars at k and the steps chosen by
// the mode bits (vmax is read only with adamAMSGrad).
//
//go:noescape
func adamAVX2(k *adamScalars, p, grad, m, v, vmax *float32, n, mode int)

// The mode bits of sgdAVX2.
const (
	sgdL2       = 1 << iota // d += wd*p
	sgdMomentum             // d goes through the momentum buffer
	sgdInit                 // the buffer starts as d
	sgdNesterov             // d += momentum*buf
)

// sgdAsm runs sgdAVX2 on the elements of p, a multiple of 8 of them; g
// and, with momentum, buf must be at least as long.
func sgdAsm(k *sgdScalars, p, g, buf []float32, init bool) {
	n := len(p)
	if n == 0 {
		return
	}
	_ = g[n-1]
	var mode int
	if k.wd != 0 {
		mode |= sgdL2
	}
	var pbuf *float32
	if k.momentum != 0 {
		_ = buf[n-1]
		pbuf = &buf[0]
		mode |= sgdMomentum
		if init {
			mode |= sgdInit
		}
		if k.nesterov {
			mode |= sgdNesterov
		}
	}
	sgdAVX2(k, &p[0], &g[0], pbuf, n, mode)
}

// sgdAVX2 runs the SGD rule of sgdGo on n elements, n a positive
// multiple of 8, with the float32 scalars at k and the steps chosen by
// the mode bits (buf is read only with sgdMomentum).
//
//go:noescape
func sgdAVX2(k *sgdScalars, p, grad, buf *float32, n, mode int)
