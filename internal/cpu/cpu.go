// Package cpu reports the x86 vector instructions that the CPU and the
// operating system support, for the assembly kernels of tensor and nn. The
// features are detected once, when the program starts, with CPUID and
// XGETBV (as the standard library's internal/cpu does); on other
// architectures every feature is reported absent.
package cpu

// Features are the instruction sets the kernels use.
type Features struct {
	// AVX2 is AVX2 with the YMM state saved by the OS.
	AVX2 bool
	// FMA is the three-operand fused multiply-add of AVX.
	FMA bool
	// AVX512F is AVX-512 Foundation with the ZMM and opmask state saved
	// by the OS.
	AVX512F bool
}

// detected is set once at start-up and never changed.
var detected = detect()

// X86 returns the features of this CPU.
func X86() Features { return detected }
