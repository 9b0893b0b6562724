//go:build amd64 && !purego

package stdp

import "github.com/spikego/spikego/internal/cpu"

// haveAVX2 reports whether the CPU and OS support the kernels of
// sim_amd64.s.
var haveAVX2 = cpu.X86().AVX2

//go:noescape
func linearStep8(mem, cur, thr *float32, n int, tau, sub float32) bool

//go:noescape
func convRun16(mem, x, thr, inhThr, cnt *float32, tau float32, steps int) (n, mask int)

//go:noescape
func linearScan8(mem, thr *float32, n int, idx *int32) int
