// Package tensor provides contiguous, row-major float32 N-d arrays and the
// kernels that act on them: element-wise arithmetic with NumPy broadcasting,
// comparisons and masks, reductions along an axis, reshaping, transposition
// and matrix multiplication.
//
// A Tensor owns a flat []float32 and a shape. Functions that combine
// tensors return a new tensor; functions whose names end in Into write into
// a destination the caller owns, so that hot loops allocate nothing.
//
// Public entry points that can be handed incompatible shapes return an
// error whose message names the shapes. Kernels on plain slices (Gemm,
// ParallelFor) are pure functions of their arguments; they panic only on
// programmer errors such as a slice that is too short.
//
// Large element-wise operations and matrix products are split across
// goroutines (at most runtime.GOMAXPROCS); small ones run on the calling
// goroutine. A panic in a function handed to ParallelFor reaches the
// caller as a *PanicError, whichever goroutine it happened on.
//
// # Reproducibility
//
// Every kernel of this package, and every kernel built on ParallelFor in
// spikego, gives the same bits on any number of cores: a result never
// depends on how work is split between goroutines. Element-wise kernels
// compute each element on its own. Gemm splits C by rows or by columns,
// never along k, so every element of C is the same sequence of
// multiply-adds, blocked along k in a way that depends on k only; the
// AVX-512 and AVX2 kernels perform the same operations in the same
// order. Reductions across goroutines (the weight gradients of
// convolutions, the parameter gradients of neuron nodes) cut their terms
// into blocks fixed by the sizes of the problem, sum each block in a
// fixed order and add the blocks' sums in block order. ParallelFor's
// ranges do depend on GOMAXPROCS: a reduction must cut its own blocks and
// hand them to ParallelFor as indices.
//
// So a given binary, run with the same seed and data, gives the same
// bits on every machine with the same CPU features, whatever its number
// of cores. Across builds the bits may differ in the last places: the
// assembly micro-kernels of Gemm (amd64 with AVX2 and FMA) round each
// multiply-add once, the pure-Go kernel (other CPUs, other architectures,
// the purego build tag) rounds the product and the sum separately, and
// the Go compiler may fuse multiply-adds in pure-Go code on arm64 and
// with GOAMD64=v3 or higher; the math functions of the standard library
// also differ between architectures. The AVX-512 and AVX2 kernels give
// the same bits.
//
// Broadcasting follows NumPy: shapes are aligned at their trailing
// dimensions, and a dimension of size 1 (or a missing leading dimension)
// stretches to match the other operand.
package tensor
