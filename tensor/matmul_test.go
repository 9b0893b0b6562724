package tensor_test

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/spikego/spikego/tensor"
)

func TestTransposeNaive(t *testing.T) {
	r := newRand(20)
	for _, s := range [][2]int{{1, 1}, {1, 5}, {5, 1}, {3, 4}, {17, 9}, {0, 3}, {3, 0}} {
		x := randTensor(r, -1, 1, s[0], s[1])
		got := mustT(tensor.Transpose(x))
		checkShape(t, "Transpose", got.Shape(), []int{s[1], s[0]})
		want := make([]float32, x.Len())
		for i := 0; i < s[0]; i++ {
			for j := 0; j < s[1]; j++ {
				want[j*s[0]+i] = x.Data()[i*s[1]+j]
			}
		}
		checkExact(t, fmt.Sprint("Transpose", s), got.Data(), want)
	}
	checkExact(t, "Transpose table",
		mustT(tensor.Transpose(fromSlice(t, []float32{1, 2, 3, 4, 5, 6}, 2, 3))).Data(),
		[]float32{1, 4, 2, 5, 3, 6})
	for _, bad := range [][]int{{3}, {2, 2, 2}, {}} {
		_, err := tensor.Transpose(tensor.New(bad...))
		checkErrContains(t, err, fmt.Sprint(bad))
	}
}

// permutations returns all permutations of 0..n-1.
func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for pos := 0; pos <= len(p); pos++ {
			q := append(append(append([]int(nil), p[:pos]...), n-1), p[pos:]...)
			out = append(out, q)
		}
	}
	return out
}

func TestPermuteNaive(t *testing.T) {
	r := newRand(21)
	for _, shape := range [][]int{{}, {4}, {2, 3}, {2, 3, 4}, {2, 1, 3, 5}, {2, 0, 3}} {
		x := randTensor(r, -1, 1, shape...)
		for _, perm := range permutations(len(shape)) {
			got, err := tensor.Permute(x, perm...)
			if err != nil {
				t.Fatalf("Permute(%v, %v): %v", shape, perm, err)
			}
			outShape := make([]int, len(perm))
			for i, p := range perm {
				outShape[i] = shape[p]
			}
			checkShape(t, "Permute", got.Shape(), outShape)
			want := make([]float32, x.Len())
			for i := range want {
				oidx := unravel(i, outShape)
				src := make([]int, len(shape))
				for d, p := range perm {
					src[p] = oidx[d]
				}
				want[i] = x.Data()[ravel(src, shape)]
			}
			checkExact(t, fmt.Sprint("Permute", shape, perm), got.Data(), want)
		}
	}
	x := tensor.New(2, 3, 4)
	for _, bad := range [][]int{{0, 1}, {0, 1, 1}, {0, 1, 3}, {-1, 0, 1}, {0, 1, 2, 3}} {
		_, err := tensor.Permute(x, bad...)
		checkErrContains(t, err, fmt.Sprint(bad), "[2 3 4]")
	}
}

func TestMatMulTable(t *testing.T) {
	a := fromSlice(t, []float32{1, 2, 3, 4, 5, 6}, 2, 3)
	b := fromSlice(t, []float32{7, 8, 9, 10, 11, 12}, 3, 2)
	got := mustT(tensor.MatMul(a, b))
	checkShape(t, "MatMul", got.Shape(), []int{2, 2})
	// [1 2 3]·[7 9 11] = 58, [1 2 3]·[8 10 12] = 64, ...
	checkExact(t, "MatMul", got.Data(), []float32{58, 64, 139, 154})

	at := mustT(tensor.Transpose(a))
	bt := mustT(tensor.Transpose(b))
	tests := []struct {
		name   string
		x, y   *tensor.Tensor
		ta, tb bool
	}{
		{"NN", a, b, false, false},
		{"TN", at, b, true, false},
		{"NT", a, bt, false, true},
		{"TT", at, bt, true, true},
	}
	for _, tc := range tests {
		got, err := tensor.MatMulT(tc.x, tc.y, tc.ta, tc.tb)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		checkShape(t, tc.name, got.Shape(), []int{2, 2})
		checkExact(t, tc.name, got.Data(), []float32{58, 64, 139, 154})
	}

	_, err := tensor.MatMul(a, a)
	checkErrContains(t, err, "[2 3]")
	_, err = tensor.MatMul(tensor.New(2, 3, 1), b)
	checkErrContains(t, err, "[2 3 1]", "[3 2]")
	_, err = tensor.MatMulT(a, b, true, false)
	checkErrContains(t, err, "[2 3]", "[3 2]")

	// k = 0 gives zeros; m = 0 or n = 0 gives empty.
	z := mustT(tensor.MatMul(tensor.New(2, 0), tensor.New(0, 3)))
	checkShape(t, "k=0", z.Shape(), []int{2, 3})
	checkExact(t, "k=0", z.Data(), make([]float32, 6))
	e := mustT(tensor.MatMul(tensor.New(0, 4), tensor.New(4, 3)))
	checkShape(t, "m=0", e.Shape(), []int{0, 3})
	e = mustT(tensor.MatMulT(tensor.New(4, 0), tensor.New(4, 3), true, false))
	checkShape(t, "m=0 transposed", e.Shape(), []int{0, 3})
	e = mustT(tensor.MatMulT(tensor.New(2, 4), tensor.New(0, 4), false, true))
	checkShape(t, "n=0 transposed", e.Shape(), []int{2, 0})
}

func TestMatMulNaive(t *testing.T) {
	r := newRand(22)
	for _, s := range [][3]int{{1, 1, 1}, {3, 5, 2}, {9, 1, 7}, {33, 17, 65}, {70, 300, 40}} {
		m, k, n := s[0], s[1], s[2]
		a, b := randTensor(r, -1, 1, m, k), randTensor(r, -1, 1, k, n)
		want := make([]float64, m*n)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				var acc float64
				for p := 0; p < k; p++ {
					acc += float64(a.Data()[i*k+p]) * float64(b.Data()[p*n+j])
				}
				want[i*n+j] = acc
			}
		}
		withProcs(4, func() {
			got := mustT(tensor.MatMul(a, b))
			checkClose(t, fmt.Sprint("MatMul", s), got.Data(), want, 1e-4, 1e-5*float64(k))
		})
	}
}

func trans(b bool) blas.Transpose {
	if b {
		return blas.Trans
	}
	return blas.NoTrans
}

// randStrided returns a rows×cols row-major matrix with row stride ld
// (padding filled with a sentinel) and its stride.
func randStrided(r interface{ Float32() float32 }, rows, cols, pad int) ([]float32, int) {
	ld := max(cols, 1) + pad
	n := 0
	if rows > 0 {
		n = (rows-1)*ld + cols
	}
	s := make([]float32, n)
	for i := range s {
		if i%ld < cols {
			s[i] = 2*r.Float32() - 1
		} else {
			s[i] = -777 // padding sentinel: must be neither read nor written
		}
	}
	return s, ld
}

func absSlice(s []float32) []float32 {
	out := make([]float32, len(s))
	for i, v := range s {
		out[i] = float32(math.Abs(float64(v)))
	}
	return out
}

// TestGemmAgainstGonum compares Gemm with gonum's Sgemm for all four
// transposition combinations, odd sizes, strides larger than the row
// length, and several alpha/beta pairs. The error bound per element is
// relative to the sum of the magnitudes of the terms, computed by Sgemm
// on absolute values.
func TestGemmAgainstGonum(t *testing.T) { gemmKernels(t, testGemmAgainstGonum) }

func testGemmAgainstGonum(t *testing.T, gemm tensor.GemmFunc) {
	sizes := []int{0, 1, 3, 5, 17, 130, 257}
	scalars := [][2]float32{{1, 0}, {1, 1}, {-0.5, 2}, {2, 0}, {0.75, -1}}
	impl := gonum.Implementation{}
	r := newRand(23)
	caseNo := 0
	for _, ta := range []bool{false, true} {
		for _, tb := range []bool{false, true} {
			for _, m := range sizes {
				for _, n := range sizes {
					for _, k := range sizes {
						caseNo++
						ab := scalars[caseNo%len(scalars)]
						alpha, beta := ab[0], ab[1]
						pad := []int{0, 3, 1}[caseNo%3]
						ar, ac := m, k
						if ta {
							ar, ac = k, m
						}
						br, bc := k, n
						if tb {
							br, bc = n, k
						}
						a, lda := randStrided(r, ar, ac, pad)
						b, ldb := randStrided(r, br, bc, pad)
						c, ldc := randStrided(r, m, n, (pad+1)%3)
						aCopy := append([]float32(nil), a...)
						bCopy := append([]float32(nil), b...)
						want := append([]float32(nil), c...)
						bound := absSlice(c)

						gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
						impl.Sgemm(trans(ta), trans(tb), m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
						impl.Sgemm(trans(ta), trans(tb), m, n, k, float32(math.Abs(float64(alpha))), absSlice(a), lda,
							absSlice(b), ldb, float32(math.Abs(float64(beta))), bound, ldc)

						name := fmt.Sprintf("transA=%v transB=%v m=%d n=%d k=%d alpha=%v beta=%v lda=%d ldb=%d ldc=%d",
							ta, tb, m, n, k, alpha, beta, lda, ldb, ldc)
						bad := 0
						for i := range c {
							if i%ldc >= n {
								if c[i] != -777 {
									t.Fatalf("%s: padding of C at %d written: %v", name, i, c[i])
								}
								continue
							}
							tol := 1e-5*float64(bound[i]) + 1e-6
							if d := math.Abs(float64(c[i]) - float64(want[i])); !(d <= tol) {
								if bad < 3 {
									t.Errorf("%s: C[%d,%d] = %v, gonum %v (tol %g)", name, i/ldc, i%ldc, c[i], want[i], tol)
								}
								bad++
							}
						}
						checkExact(t, name+" A untouched", a, aCopy)
						checkExact(t, name+" B untouched", b, bCopy)
						if bad > 0 {
							t.FailNow()
						}
					}
				}
			}
		}
	}
}

func TestGemmLargeParallel(t *testing.T) { gemmKernels(t, testGemmLargeParallel) }

func testGemmLargeParallel(t *testing.T, gemm tensor.GemmFunc) {
	r := newRand(24)
	impl := gonum.Implementation{}
	m, n, k := 203, 301, 150
	a, lda := randStrided(r, m, k, 2)
	b, ldb := randStrided(r, n, k, 0) // transB
	for _, procs := range []int{1, 2, 5} {
		c, ldc := randStrided(r, m, n, 1)
		want := append([]float32(nil), c...)
		bound := absSlice(c)
		withProcs(procs, func() {
			gemm(false, true, m, n, k, 1.5, a, lda, b, ldb, 0.5, c, ldc)
		})
		impl.Sgemm(blas.NoTrans, blas.Trans, m, n, k, 1.5, a, lda, b, ldb, 0.5, want, ldc)
		impl.Sgemm(blas.NoTrans, blas.Trans, m, n, k, 1.5, absSlice(a), lda, absSlice(b), ldb, 0.5, bound, ldc)
		for i := range c {
			if i%ldc >= n {
				continue
			}
			if d := math.Abs(float64(c[i] - want[i])); d > 1e-5*float64(bound[i])+1e-6 {
				t.Fatalf("procs=%d: C[%d] = %v, gonum %v", procs, i, c[i], want[i])
			}
		}
	}
}

func TestGemmHandComputed(t *testing.T) { gemmKernels(t, testGemmHandComputed) }

func testGemmHandComputed(t *testing.T, gemm tensor.GemmFunc) {
	// A = [1 2; 3 4], B = [5 6; 7 8]; A·B = [19 22; 43 50].
	a := []float32{1, 2, 3, 4}
	b := []float32{5, 6, 7, 8}
	tests := []struct {
		ta, tb      bool
		alpha, beta float32
		want        []float32
	}{
		{false, false, 1, 0, []float32{19, 22, 43, 50}},
		{true, false, 1, 0, []float32{26, 30, 38, 44}},   // Aᵀ·B
		{false, true, 1, 0, []float32{17, 23, 39, 53}},   // A·Bᵀ
		{true, true, 1, 0, []float32{23, 31, 34, 46}},    // Aᵀ·Bᵀ
		{false, false, 2, 1, []float32{39, 45, 87, 101}}, // 2·A·B + C
		{false, false, 0, 3, []float32{3, 3, 3, 3}},      // alpha 0 scales C only
	}
	for _, tc := range tests {
		c := []float32{1, 1, 1, 1}
		gemm(tc.ta, tc.tb, 2, 2, 2, tc.alpha, a, 2, b, 2, tc.beta, c, 2)
		checkExact(t, fmt.Sprintf("ta=%v tb=%v alpha=%v beta=%v", tc.ta, tc.tb, tc.alpha, tc.beta), c, tc.want)
	}
}

func TestGemmBetaZeroIgnoresNaN(t *testing.T) { gemmKernels(t, testGemmBetaZeroIgnoresNaN) }

func testGemmBetaZeroIgnoresNaN(t *testing.T, gemm tensor.GemmFunc) {
	nan := float32(math.NaN())
	for _, k := range []int{0, 1, 3} {
		for _, m := range []int{1, 4, 5} {
			n := 3
			a := make([]float32, m*k)
			for i := range a {
				a[i] = float32(i%3) - 1
			}
			b := make([]float32, k*n)
			for i := range b {
				b[i] = float32(i%4) * 0.5
			}
			c := make([]float32, m*n)
			for i := range c {
				c[i] = nan
			}
			gemm(false, false, m, n, k, 1, a, max(k, 1), b, n, 0, c, n)
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					var want float32
					for p := 0; p < k; p++ {
						want += a[i*k+p] * b[p*n+j]
					}
					if got := c[i*n+j]; got != want {
						t.Errorf("m=%d k=%d: C[%d,%d] = %v, want %v", m, k, i, j, got, want)
					}
				}
			}
		}
	}
}

// TestGemmNonFiniteConsistentAcrossRows checks that 0·Inf gives NaN in
// every row of C, as IEEE arithmetic (and torch.matmul) does, whether the
// row falls in the kernel's four-row blocks or in the remainder.
func TestGemmNonFiniteConsistentAcrossRows(t *testing.T) {
	gemmKernels(t, testGemmNonFiniteConsistentAcrossRows)
}

func testGemmNonFiniteConsistentAcrossRows(t *testing.T, gemm tensor.GemmFunc) {
	inf := float32(math.Inf(1))
	for m := 1; m <= 9; m++ {
		a := make([]float32, m*2) // zeros
		b := []float32{inf, 1, 2, 3}
		c := make([]float32, m*2)
		gemm(false, false, m, 2, 2, 1, a, 2, b, 2, 0, c, 2)
		for i := 0; i < m; i++ {
			if v := c[i*2]; v == v {
				t.Errorf("m=%d: C[%d,0] = %v, want NaN (0·Inf)", m, i, v)
			}
			if v := c[i*2+1]; v != 0 {
				t.Errorf("m=%d: C[%d,1] = %v, want 0", m, i, v)
			}
		}
	}
}
