//go:build amd64 && !purego

package surrogate

import "github.com/spikego/spikego/internal/cpu"

// haveAVX2 reports whether the CPU and OS support the AVX2 kernels of
// kernels_amd64.s.
var haveAVX2 = cpu.X86().AVX2

// qgateGradAVX2 runs qgateGradSlice's loop on n elements, n a positive
// multiple of 8, with the constants at c.
//
//go:noescape
func qgateGradAVX2(dst, grad, x *float32, n int, c *qgateConst)

// atanGradAVX2 runs atanGradSlice's loop on n elements, n a positive
// multiple of 8, with the constants at c.
//
//go:noescape
func atanGradAVX2(dst, grad, x *float32, n int, c *atanConst)
