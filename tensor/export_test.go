package tensor

// GemmKernels lists the micro-kernels this build and CPU can run, the
// default first: "avx512" (AVX-512 for full 32-column tiles, AVX2
// elsewhere), "avx2" and "go".
func GemmKernels() []string {
	var ks []string
	if gemmHaveAVX512 {
		ks = append(ks, "avx512")
	}
	if gemmHaveAsm {
		ks = append(ks, "avx2")
	}
	return append(ks, "go")
}

// GemmFunc has the signature of Gemm.
type GemmFunc func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

// GemmWith returns Gemm running the named micro-kernel of GemmKernels,
// and packing an operand once for all workers up to sharedMax floats
// (negative: Gemm's default). Tests use it to check every kernel and
// packing policy against the same references.
func GemmWith(kernel string, sharedMax int) GemmFunc {
	cfg := gemmDefault()
	switch kernel {
	case "avx512":
	case "avx2":
		cfg.avx512 = false
	case "go":
		cfg.asm, cfg.avx512 = false, false
	default:
		panic("unknown GEMM kernel " + kernel)
	}
	if sharedMax >= 0 {
		cfg.sharedMax = sharedMax
	}
	return func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
		gemmWith(cfg, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}
