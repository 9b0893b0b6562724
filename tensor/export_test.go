package tensor

// SetGemmAsm switches the assembly GEMM kernel on (where the CPU has it)
// or off, and returns a function restoring the previous setting. Tests use
// it to check the pure-Go kernel against the same references.
func SetGemmAsm(on bool) (restore func()) {
	old := gemmUseAsm
	gemmUseAsm = on && gemmHaveAsm
	return func() { gemmUseAsm = old }
}

// GemmHasAsm reports whether this build and CPU run the assembly kernel.
func GemmHasAsm() bool { return gemmHaveAsm }
