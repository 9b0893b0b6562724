//go:build amd64 && !purego

package tensor

import "github.com/spikego/spikego/internal/cpu"

// finiteHaveAsm reports whether allFiniteAsm can run (AVX2).
var finiteHaveAsm = cpu.X86().AVX2

// allFiniteAsm reports whether the n elements at x, n a positive multiple
// of 32, are all finite.
//
//go:noescape
func allFiniteAsm(x *float32, n int) bool
