package tensor

// GemmDepthStep returns the depth of the blocks in which Gemm sums over k.
// Every element of C is computed in this order, whatever its position, the
// kernel and the number of goroutines: the products op(A)[i,p]·op(B)[p,j]
// are added one after the other in increasing p, one block of
// GemmDepthStep(k) consecutive p at a time, each block's sum P starting
// from zero; the first block gives beta·C + P (P alone when beta is 0), and
// every later block's P is added to the result in block order. (The
// assembly kernels round each multiply-add once, the pure-Go kernel the
// product and the sum; the two agree whenever the products are exact, as
// when one operand holds only zeros and ones.)
//
// Code that computes some elements of a product another way, such as the
// event-driven layers of package nn, follows this order to give the same
// bits as Gemm.
func GemmDepthStep(k int) int {
	if k <= 0 {
		return 1
	}
	return blockStep(k, gemmKC, 8)
}
