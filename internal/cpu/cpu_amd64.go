//go:build amd64

package cpu

func detect() Features {
	var f Features
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return f
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
	)
	if ecx1&(osxsave|avx) != osxsave|avx {
		return f
	}
	// The OS must save the XMM (bit 1) and YMM (bit 2) state.
	xcr0, _ := xgetbv()
	if xcr0&6 != 6 {
		return f
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const (
		avx2    = 1 << 5
		avx512f = 1 << 16
	)
	f.AVX2 = ebx7&avx2 != 0
	f.FMA = ecx1&fma != 0
	// AVX-512 also needs the opmask (bit 5) and ZMM (bits 6, 7) state.
	f.AVX512F = f.AVX2 && xcr0&0xe6 == 0xe6 && ebx7&avx512f != 0
	return f
}

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)
