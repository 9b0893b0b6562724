//go:build amd64 && !purego

package tensor

import "github.com/spikego/spikego/internal/cpu"

// The assembly kernels of gemm_amd64.s.

// gemmHaveAsm reports whether the CPU and OS support the AVX2 and FMA
// instructions of the assembly micro-kernels, and gemmHaveAVX512 whether
// they also support AVX-512F, used by the 32-column kernels.
var (
	gemmHaveAsm    = cpu.X86().AVX2 && cpu.X86().FMA
	gemmHaveAVX512 = gemmHaveAsm && cpu.X86().AVX512F
)

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

// gemmKernel6x32 is gemmKernel6x16 for a 6×32 tile of C, with AVX-512:
// the B panel of columns 16..31 follows the first one at b[kc*16].
//
//go:noescape
func gemmKernel6x32(kc int, a, b, c *float32, ldc int, load int, beta float32)

// gemmKernel4x32 is gemmKernel6x32 for 4-row panels.
//
//go:noescape
func gemmKernel4x32(kc int, a, b, c *float32, ldc int, load int, beta float32)

// gemmPackBN sets dst[q*kc*16+p*16+j] = src[p*ldb+q*16+j] for p < kc,
// q < panels and j < 16.
//
//go:noescape
func gemmPackBN(dst, src *float32, ldb, kc, panels int)

// gemmPackAN sets dst[p*h+i] = alpha·src[i*lda+p] for i < h (4 or 6)
// and p < 8·blocks.
//
//go:noescape
func gemmPackAN(dst, src *float32, lda, h, blocks int, alpha float32)

// gemmPackAT sets dst[p*h+i] = alpha·src[p*lda+i] for i < h (4 or 6) and
// p < kc.
//
//go:noescape
func gemmPackAT(dst, src *float32, lda, h, kc int, alpha float32)

// gemmPackBT8 sets dst[p*16+j] = src[j*ldb+p] for j < 16 and p < 8·blocks.
//
//go:noescape
func gemmPackBT8(dst, src *float32, ldb int, blocks int)

// gemmPackA packs a full panel of h rows (4 or 6) and kc columns of
// op(A), times alpha: dst[p*h+i] = alpha·op(A)[i, p], with src starting at
// op(A)[0, 0] and lda the row stride of A as stored.
func gemmPackA(dst, src []float32, lda, h, kc int, transA bool, alpha float32) {
	_ = dst[h*kc-1]
	if transA {
		_ = src[(kc-1)*lda+h-1]
		gemmPackAT(&dst[0], &src[0], lda, h, kc, alpha)
		return
	}
	_ = src[(h-1)*lda+kc-1]
	blocks := kc / 8
	if blocks > 0 {
		gemmPackAN(&dst[0], &src[0], lda, h, blocks, alpha)
	}
	for i := 0; i < h; i++ {
		row := src[i*lda : i*lda+kc]
		for p := blocks * 8; p < kc; p++ {
			dst[p*h+i] = alpha * row[p]
		}
	}
}

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
