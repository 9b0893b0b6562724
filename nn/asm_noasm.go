//go:build !amd64 || purego

package nn

// This build has only the pure-Go loops.
const haveAVX2 = false

const haveAVX512 = false

func maxPool2x2AVX2(x, y *float32, arg *uint8, argStride, rows, wo, w int) {
	panic("nn: no assembly kernel")
}

func maxUnpool2x2AVX2(gx, grad *float32, arg *uint8, rows, wo, w int) {
	panic("nn: no assembly kernel")
}

func bnMomentsAVX2(x *float32, n, runs, stride int, shift float64) (s1, s2 float64) {
	panic("nn: no assembly kernel")
}

func bnGradSumsAVX2(grad, x *float32, n, runs, stride int, mean float32) (sg, sgx float64) {
	panic("nn: no assembly kernel")
}

func bnNormAVX2(x, y *float32, n, runs, stride int, mean, scale, shift float32) {
	panic("nn: no assembly kernel")
}

func bnGradXAVX2(grad, x, gx *float32, n, runs, stride int, mean, k, a, b float32) {
	panic("nn: no assembly kernel")
}

func spikeScanAVX2(x *float32, n int, idx *int32, base int32, t *leftPackTable, piece int, cuts *int32, ncuts int) int {
	panic("nn: no assembly kernel")
}

func spikeScanAVX512(x *float32, n int, idx *int32, base int32, t *leftPackTable, piece int, cuts *int32, ncuts int) int {
	panic("nn: no assembly kernel")
}

func spikeGatherAVX2(dst *float32, ldd int, w *float32, ldw int, bound, nidx int, init *float32, idx, ptr *int32, ps, blocks, n, lanes, from int) int {
	panic("nn: no assembly kernel")
}

func spikeScatterAVX2(dst *float32, ldd int, bound int, src *float32, lds int, idx, beg, end *int32, ps, n, lanes int) int {
	panic("nn: no assembly kernel")
}

func transpose8AVX2(dst *float32, ldd int, src *float32, lds int, rows, cols int) {
	panic("nn: no assembly kernel")
}

func spikeTapsAVX2(dst *float32, bound int, src *float32, ld int, reach, tapRow, pos *int32, npos, kk, lanes int) int {
	panic("nn: no assembly kernel")
}

func addRowsAVX2(dst *float32, src *float32, lds, rows, width int) {
	panic("nn: no assembly kernel")
}
