//go:build !amd64 || purego

package tensor

// gemmHaveAsm is false: this build has only the pure-Go kernel.
const gemmHaveAsm = false

func gemmKernel6x16(kc int, a, b, c *float32, ldc int, load int, beta float32) {
	panic("tensor: no assembly GEMM kernel")
}

func gemmKernel4x16(kc int, a, b, c *float32, ldc int, load int, beta float32) {
	panic("tensor: no assembly GEMM kernel")
}

func gemmPackBT(dst, src []float32, ldb, kc int) {
	panic("tensor: no assembly GEMM kernel")
}
