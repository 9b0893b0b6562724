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

// SetGemmKernel selects one of the micro-kernels of GemmKernels and
// returns a function restoring the previous choice. Tests use it to check
// every kernel against the same references.
func SetGemmKernel(name string) (restore func()) {
	oldAsm, old512 := gemmUseAsm, gemmUseAVX512
	switch name {
	case "avx512":
		gemmUseAsm, gemmUseAVX512 = gemmHaveAsm, gemmHaveAVX512
	case "avx2":
		gemmUseAsm, gemmUseAVX512 = gemmHaveAsm, false
	case "go":
		gemmUseAsm, gemmUseAVX512 = false, false
	default:
		panic("unknown GEMM kernel " + name)
	}
	return func() { gemmUseAsm, gemmUseAVX512 = oldAsm, old512 }
}

// SetGemmSharedMax sets the size up to which an operand is packed once for
// all workers, and returns a function restoring the previous value.
func SetGemmSharedMax(n int) (restore func()) {
	old := gemmSharedMax
	gemmSharedMax = n
	return func() { gemmSharedMax = old }
}
