//go:build amd64 && !purego

package tensor

// gemmHaveAsm reports whether the CPU and OS support the AVX2 and FMA
// instructions of the assembly micro-kernel.
var gemmHaveAsm = detectAVX2FMA()

func detectAVX2FMA() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
	)
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	// The OS must save the XMM (bit 1) and YMM (bit 2) state.
	if xcr0, _ := xgetbv(); xcr0&6 != 6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const avx2 = 1 << 5
	return ebx7&avx2 != 0
}

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

// gemmKernel6x16 computes the 6×16 product P of a packed A panel (kc×6,
// a[p*6+i]) and a packed B panel (kc×16, b[p*16+j]) and stores P at c
// (row stride ldc) when load is 0, or beta·C + P otherwise.
//
//go:noescape
func gemmKernel6x16(kc int, a, b, c *float32, ldc int, load int, beta float32)

// gemmKernel4x16 is gemmKernel6x16 for 4-row panels (a[p*4+i]).
//
//go:noescape
func gemmKernel4x16(kc int, a, b, c *float32, ldc int, load int, beta float32)

// gemmPackBT8 sets dst[p*16+j] = src[j*ldb+p] for j < 16 and p < 8·blocks.
//
//go:noescape
func gemmPackBT8(dst, src *float32, ldb int, blocks int)

// gemmPackBT packs a full 16-column panel of a transposed B: dst[p*16+j]
// = src[j*ldb+p] for p < kc, j < 16.
func gemmPackBT(dst, src []float32, ldb, kc int) {
	_ = dst[16*kc-1]
	_ = src[15*ldb+kc-1]
	blocks := kc / 8
	if blocks > 0 {
		gemmPackBT8(&dst[0], &src[0], ldb, blocks)
	}
	for j := 0; j < 16; j++ {
		row := src[j*ldb : j*ldb+kc]
		for p := blocks * 8; p < kc; p++ {
			dst[p*16+j] = row[p]
		}
	}
}
