//go:build !amd64 || purego

package tensor

// This build has only the pure-Go kernel.
const (
	gemmHaveAsm    = false
	gemmHaveAVX512 = false
)

func gemmKernel6x16(kc int, a, b, c *float32, ldc int, load int, beta float32) {
	panic("tensor: no assembly GEMM kernel")
}

func gemmKernel4x16(kc int, a, b, c *float32, ldc int, load int, beta float32) {
	panic("tensor: no assembly GEMM kernel")
}

func gemmPackBT(dst, src []float32, ldb, kc int) {
	panic("tensor: no assembly GEMM kernel")
}

func gemmPackBN(dst, src *float32, ldb, kc, panels int) {
	panic("tensor: no assembly GEMM kernel")
}

func gemmPackA(dst, src []float32, lda, h, kc int, transA bool, alpha float32) {
	panic("tensor: no assembly GEMM kernel")
}

func gemmKernel6x32(kc int, a, b, c *float32, ldc int, load int, beta float32) {
	panic("tensor: no assembly GEMM kernel")
}

func gemmKernel4x32(kc int, a, b, c *float32, ldc int, load int, beta float32) {
	panic("tensor: no assembly GEMM kernel")
}
