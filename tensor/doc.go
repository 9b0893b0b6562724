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
// goroutine.
//
// Broadcasting follows NumPy: shapes are aligned at their trailing
// dimensions, and a dimension of size 1 (or a missing leading dimension)
// stretches to match the other operand.
package tensor
