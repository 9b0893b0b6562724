//go:build amd64 && !purego

package nn

import "github.com/spikego/spikego/internal/cpu"

// haveAVX2 reports whether the CPU and OS support the AVX2 kernels of
// pool_amd64.s and bn_amd64.s.
var haveAVX2 = cpu.X86().AVX2

//go:noescape
func maxPool2x2AVX2(x, y *float32, arg *uint8, argStride, rows, wo, w int)

//go:noescape
func maxUnpool2x2AVX2(gx, grad *float32, arg *uint8, rows, wo, w int)

//go:noescape
func bnMomentsAVX2(x *float32, n, runs, stride int, shift float64) (s1, s2 float64)

//go:noescape
func bnGradSumsAVX2(grad, x *float32, n, runs, stride int, mean float32) (sg, sgx float64)

//go:noescape
func bnNormAVX2(x, y *float32, n, runs, stride int, mean, scale, shift float32)

//go:noescape
func bnGradXAVX2(grad, x, gx *float32, n, runs, stride int, mean, k, a, b float32)
