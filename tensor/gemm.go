package tensor

import "fmt"

// Block sizes of the GEMM kernel: a kc×nc panel of B (128 KiB) stays in
// L2 while four rows of C (nc floats each) stay in L1.
const (
	gemmKC = 128
	gemmNC = 256
)

// Gemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices,
// where op(X) is X or its transpose as transA and transB say. op(A) is m×k,
// op(B) is k×n and C is m×n; lda, ldb and ldc are the row strides of A, B
// and C as stored. When beta is 0, C is overwritten without being read, so
// it may hold NaNs. Gemm panics when a slice is too short for its
// dimensions. It is the one matrix-product kernel of the package.
func Gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	checkLen("C", c, m, n, ldc)
	if transA {
		checkLen("A", a, k, m, lda)
	} else {
		checkLen("A", a, m, k, lda)
	}
	if transB {
		checkLen("B", b, n, k, ldb)
	} else {
		checkLen("B", b, k, n, ldb)
	}
	// Scale C by beta first; the kernel then only accumulates.
	ParallelFor(m, n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := c[i*ldc : i*ldc+n]
			if beta == 0 {
				clear(row)
			} else if beta != 1 {
				for j := range row {
					row[j] *= beta
				}
			}
		}
	})
	if k == 0 || alpha == 0 {
		return
	}
	// Bring op(A) and op(B) to plain row-major form with alpha folded into
	// A: the copies cost O(mk + kn) against the product's O(mnk).
	ap, apStride := a, lda
	if transA || alpha != 1 {
		ap, apStride = make([]float32, m*k), k
		for i := 0; i < m; i++ {
			for p := 0; p < k; p++ {
				if transA {
					ap[i*k+p] = alpha * a[p*lda+i]
				} else {
					ap[i*k+p] = alpha * a[i*lda+p]
				}
			}
		}
	}
	bp, bpStride := b, ldb
	if transB {
		bp, bpStride = make([]float32, k*n), n
		for p := 0; p < k; p++ {
			for j := 0; j < n; j++ {
				bp[p*n+j] = b[j*ldb+p]
			}
		}
	}
	// Split rows of C in groups of four across goroutines.
	groups := (m + 3) / 4
	ParallelFor(groups, 4*n*k/64+1, func(lo, hi int) {
		r0, r1 := lo*4, min(hi*4, m)
		for j0 := 0; j0 < n; j0 += gemmNC {
			j1 := min(j0+gemmNC, n)
			for p0 := 0; p0 < k; p0 += gemmKC {
				p1 := min(p0+gemmKC, k)
				gemmPanel(r0, r1, j0, j1, p0, p1, ap, apStride, bp, bpStride, c, ldc)
			}
		}
	})
}

// gemmPanel accumulates A[r0:r1, p0:p1]·B[p0:p1, j0:j1] into C.
func gemmPanel(r0, r1, j0, j1, p0, p1 int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	w := j1 - j0
	i := r0
	for ; i+4 <= r1; i += 4 {
		c0 := c[i*ldc+j0 : i*ldc+j1]
		c1 := c[(i+1)*ldc+j0 : (i+1)*ldc+j1]
		c2 := c[(i+2)*ldc+j0 : (i+2)*ldc+j1]
		c3 := c[(i+3)*ldc+j0 : (i+3)*ldc+j1]
		c1, c2, c3 = c1[:w], c2[:w], c3[:w]
		for p := p0; p < p1; p++ {
			a0, a1, a2, a3 := a[i*lda+p], a[(i+1)*lda+p], a[(i+2)*lda+p], a[(i+3)*lda+p]
			brow := b[p*ldb+j0 : p*ldb+j1]
			brow = brow[:w]
			for j, bv := range brow {
				c0[j] += a0 * bv
				c1[j] += a1 * bv
				c2[j] += a2 * bv
				c3[j] += a3 * bv
			}
		}
	}
	for ; i < r1; i++ {
		ci := c[i*ldc+j0 : i*ldc+j1]
		for p := p0; p < p1; p++ {
			av := a[i*lda+p]
			brow := b[p*ldb+j0 : p*ldb+j1]
			brow = brow[:len(ci)]
			for j, bv := range brow {
				ci[j] += av * bv
			}
		}
	}
}

func checkLen(name string, s []float32, rows, cols, ld int) {
	if rows == 0 || cols == 0 {
		return
	}
	if ld < cols || len(s) < (rows-1)*ld+cols {
		panic(fmt.Sprintf("tensor: Gemm: %s has %d elements, too few for %d×%d with stride %d", name, len(s), rows, cols, ld))
	}
}
