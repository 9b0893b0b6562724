//go:build amd64 && !purego

package nn

import "github.com/spikego/spikego/internal/cpu"

// haveAVX2 reports whether the CPU and OS support the AVX2 kernels of
// pool_amd64.s, bn_amd64.s and spike_amd64.s.
var haveAVX2 = cpu.X86().AVX2

// haveAVX512 reports whether the CPU and OS support AVX-512F, for the scan
// of spike_amd64.s.
var haveAVX512 = cpu.X86().AVX512F

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

//go:noescape
func spikeScanAVX2(x *float32, n int, idx *int32, base int32, t *leftPackTable, piece int, cuts *int32, ncuts int) int

//go:noescape
func spikeScanAVX512(x *float32, n int, idx *int32, base int32, t *leftPackTable, piece int, cuts *int32, ncuts int) int

//go:noescape
func spikeGatherAVX2(dst *float32, ldd int, w *float32, ldw int, bound, nidx int, init *float32, idx, ptr *int32, ps, blocks, n, lanes, from int) int

//go:noescape
func spikeScatterAVX2(dst *float32, ldd int, bound int, src *float32, lds int, idx, beg, end *int32, ps, n, lanes int) int

//go:noescape
func transpose8AVX2(dst *float32, ldd int, src *float32, lds int, rows, cols int)

//go:noescape
func spikeTapsAVX2(dst *float32, bound int, src *float32, ld int, reach, tapRow, pos *int32, npos, kk, lanes int) int

//go:noescape
func addRowsAVX2(dst *float32, src *float32, lds, rows, width int)
