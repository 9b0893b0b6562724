package nn

import (
	"fmt"
	"sync"
	"unsafe"
)

// SparseMode says whether Linear and Conv2d use their event-driven
// kernels on inputs that are spikes. The zero value is SparseAuto.
type SparseMode uint8

const (
	// SparseAuto uses the event-driven kernels when every element of the
	// input is 0 or 1 and the fraction of ones is at most the layer's
	// crossover density (see the package documentation), the dense GEMM
	// otherwise.
	SparseAuto SparseMode = iota
	// SparseOff always uses the dense GEMM.
	SparseOff
	// SparseOn uses the event-driven kernels whenever every element of
	// the input is 0 or 1, whatever the density.
	SparseOn
)

// String returns "auto", "off" or "on".
func (m SparseMode) String() string {
	switch m {
	case SparseAuto:
		return "auto"
	case SparseOff:
		return "off"
	case SparseOn:
		return "on"
	}
	return fmt.Sprintf("SparseMode(%d)", uint8(m))
}

// Crossover densities (fraction of ones in the input) up to which
// SparseAuto takes the event-driven path, measured on the reference
// models' layers (see the package documentation and bench/README.md).
const (
	linearSparseMax     = 0.35 // Linear forward, per call
	linearGradSparseMax = 0.20 // Linear weight gradient, per call
	convSparseMax       = 0.25 // Conv2d forward, per sample
	convGradSparseMax   = 0.20 // Conv2d weight gradient, per batch
)

// sparseLimit returns the largest number of ones among n input elements
// for which mode takes the event-driven path, given the crossover
// density maxDensity, or -1 when it never does.
func sparseLimit(mode SparseMode, n int, maxDensity float64) int {
	switch mode {
	case SparseOff:
		return -1
	case SparseOn:
		return n
	}
	return int(maxDensity * float64(n))
}

// int32s returns the memory of f as int32s, for the lists the
// event-driven kernels keep in buffers of an autograd.Pool (both types
// are 4 bytes and hold no pointers).
func int32s(f []float32) []int32 {
	if len(f) == 0 {
		return []int32{}
	}
	return unsafe.Slice((*int32)(unsafe.Pointer(&f[0])), len(f))
}

// uint8s returns the memory of f as bytes, for the argmax of max pooling
// kept in a buffer of an autograd.Pool.
func uint8s(f []float32) []uint8 {
	if len(f) == 0 {
		return []uint8{}
	}
	return unsafe.Slice((*uint8)(unsafe.Pointer(&f[0])), 4*len(f))
}

// pad8 rounds n up to a multiple of 8.
func pad8(n int) int { return (n + 7) &^ 7 }

// spikeScratch is scratch memory for the event-driven kernels, kept in a
// spikePool between calls; each slice grows as needed.
type spikeScratch struct {
	i32 [8][]int32
	f32 [2][]float32
}

// ints returns scratch int32 slice k with n entries (contents undefined).
func (s *spikeScratch) ints(k, n int) []int32 {
	if cap(s.i32[k]) < n {
		s.i32[k] = make([]int32, n)
	}
	return s.i32[k][:n]
}

// floats returns scratch float32 slice k with n entries (contents
// undefined).
func (s *spikeScratch) floats(k, n int) []float32 {
	if cap(s.f32[k]) < n {
		s.f32[k] = make([]float32, n)
	}
	return s.f32[k][:n]
}

// spikePool keeps spikeScratch buffers between calls. Unlike a
// sync.Pool it does not drop them at garbage collections: the large
// buffers of the event-driven kernels would otherwise be allocated and
// cleared again after every collection. A layer's buffers thus live as
// long as the layer, sized for the largest input it has seen; there are
// as many as the goroutines that used the layer at once.
type spikePool struct {
	mu   sync.Mutex
	free []*spikeScratch
}

// get takes a scratch from the pool, or a new one when it is empty (or p
// is nil).
func (p *spikePool) get() *spikeScratch {
	if p == nil {
		return new(spikeScratch)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		s := p.free[n-1]
		p.free = p.free[:n-1]
		return s
	}
	return new(spikeScratch)
}

// put gives s back to the pool (nothing when p is nil).
func (p *spikePool) put(s *spikeScratch) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.free = append(p.free, s)
	p.mu.Unlock()
}

// sparseGrad reports whether a weight gradient takes the event-driven
// path in mode for an input of the given density (-1: not binary) and
// the crossover density maxDensity.
func sparseGrad(mode SparseMode, density, maxDensity float64) bool {
	switch {
	case density < 0 || mode == SparseOff:
		return false
	case mode == SparseOn:
		return true
	}
	return density <= maxDensity
}
