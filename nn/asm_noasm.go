//go:build !amd64 || purego

package nn

// This build has only the pure-Go loops.
const haveAVX2 = false

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
