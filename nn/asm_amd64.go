//go:build amd64 && !purego

package nn

// haveAVX2 reports whether the CPU and OS support the AVX2 kernels of
// pool_amd64.s and bn_amd64.s (CPUID and XGETBV, as internal/cpu does).
var haveAVX2 = detectAVX2()

func detectAVX2() bool {
	maxLeaf, _, _, _ := nnCpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := nnCpuid(1, 0)
	const (
		osxsave = 1 << 27
		avx     = 1 << 28
	)
	if ecx1&(osxsave|avx) != osxsave|avx {
		return false
	}
	// The OS must save the XMM (bit 1) and YMM (bit 2) state.
	if xcr0, _ := nnXgetbv(); xcr0&6 != 6 {
		return false
	}
	_, ebx7, _, _ := nnCpuid(7, 0)
	const avx2 = 1 << 5
	return ebx7&avx2 != 0
}

func nnCpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func nnXgetbv() (eax, edx uint32)

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
