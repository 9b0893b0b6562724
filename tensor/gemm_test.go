package tensor_test

import (
	"fmt"
	"math"
	"sync"
	"testing"

	"gonum.org/v1/gonum/blas/gonum"

	"github.com/spikego/spikego/tensor"
)

// gemmKernels runs fn once with each micro-kernel this build and CPU
// have: the assembly ones (where available) and the pure-Go one, which is
// what other architectures and the purego build tag run.
func gemmKernels(t *testing.T, fn func(t *testing.T, gemm tensor.GemmFunc)) {
	t.Helper()
	for _, k := range tensor.GemmKernels() {
		t.Run(k, func(t *testing.T) { fn(t, tensor.GemmWith(k, -1)) })
	}
}

// checkGemm runs Gemm and gonum's Sgemm on the same random operands and
// compares them with an error bound relative to the sum of the magnitudes
// of the terms. When nanC is set, beta must be 0 and C starts as NaN.
func checkGemm(t *testing.T, gemm tensor.GemmFunc, seed uint64, ta, tb bool, m, n, k, pad int, alpha, beta float32, nanC bool) {
	t.Helper()
	r := newRand(seed)
	impl := gonum.Implementation{}
	ar, ac := m, k
	if ta {
		ar, ac = k, m
	}
	br, bc := k, n
	if tb {
		br, bc = n, k
	}
	a, lda := randStrided(r, ar, ac, pad)
	b, ldb := randStrided(r, br, bc, pad+1)
	c, ldc := randStrided(r, m, n, pad+2)
	want := append([]float32(nil), c...)
	bound := absSlice(c)
	if nanC {
		for i := range c {
			if i%ldc < n {
				c[i] = float32(math.NaN())
			}
		}
	}
	gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	impl.Sgemm(trans(ta), trans(tb), m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
	impl.Sgemm(trans(ta), trans(tb), m, n, k, float32(math.Abs(float64(alpha))), absSlice(a), lda,
		absSlice(b), ldb, float32(math.Abs(float64(beta))), bound, ldc)
	for i := range c {
		if i%ldc >= n {
			if c[i] != -777 {
				t.Fatalf("ta=%v tb=%v m=%d n=%d k=%d: padding of C at %d written: %v", ta, tb, m, n, k, i, c[i])
			}
			continue
		}
		tol := 1e-5*float64(bound[i]) + 1e-6
		if d := math.Abs(float64(c[i]) - float64(want[i])); !(d <= tol) {
			t.Fatalf("ta=%v tb=%v m=%d n=%d k=%d alpha=%v beta=%v: C[%d,%d] = %v, gonum %v (tol %g)",
				ta, tb, m, n, k, alpha, beta, i/ldc, i%ldc, c[i], want[i], tol)
		}
	}
}

// TestGemmBlocking covers the blocking of the packed kernel: every row
// count modulo the panel heights, depths across several packed blocks
// (with and without a remainder of the 8-deep transposition), widths
// across several B blocks, and the beta of the first depth block only.
func TestGemmBlocking(t *testing.T) {
	gemmKernels(t, func(t *testing.T, gemm tensor.GemmFunc) {
		seed := uint64(100)
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				for m := 1; m <= 20; m++ {
					seed++
					checkGemm(t, gemm, seed, ta, tb, m, 16+m%3*7, 9+m, m%2, 1, 0, false)
				}
				for _, s := range [][3]int{
					{7, 33, 256}, {13, 31, 257}, {30, 50, 520}, {200, 40, 300},
					{203, 17, 263}, {390, 35, 70}, {6, 4100, 20}, {4, 8200, 9},
					{38, 4113, 265},
				} {
					for _, ab := range [][2]float32{{1, 0}, {0.5, 1}, {-1.5, -0.25}} {
						seed++
						checkGemm(t, gemm, seed, ta, tb, s[0], s[1], s[2], int(seed%3), ab[0], ab[1], false)
					}
					seed++
					checkGemm(t, gemm, seed, ta, tb, s[0], s[1], s[2], 1, 1, 0, true)
				}
			}
		}
	})
}

// TestGemmParallelPaths covers the ways of splitting C between workers:
// by columns and by rows, with the other operand packed once for all
// workers or by each worker, for several worker counts.
func TestGemmParallelPaths(t *testing.T) {
	for _, kern := range tensor.GemmKernels() {
		seed := uint64(500)
		for _, procs := range []int{2, 3} {
			for _, sharedMax := range []int{1 << 30, 0} {
				gemm := tensor.GemmWith(kern, sharedMax)
				withProcs(procs, func() {
					for _, s := range [][3]int{
						{40, 300, 100}, {300, 40, 100}, {13, 1000, 50}, {1000, 13, 50},
						{7, 3000, 30}, {100, 17, 400}, {203, 301, 150}, {15, 16, 3000},
					} {
						for _, tr := range [][2]bool{{false, false}, {true, true}, {false, true}, {true, false}} {
							seed++
							ab := [][2]float32{{1, 0}, {0.5, 1}, {-1.5, -0.25}}[seed%3]
							checkGemm(t, gemm, seed, tr[0], tr[1], s[0], s[1], s[2], int(seed%3), ab[0], ab[1], false)
						}
						seed++
						checkGemm(t, gemm, seed, false, false, s[0], s[1], s[2], 1, 1, 0, true)
					}
				})
			}
		}
	}
}

// TestGemmReproducible checks that the bits of the result depend neither
// on the number of workers (GOMAXPROCS 1 to 16), nor on whether an operand
// is packed once for all workers or by each, nor on the choice between
// the AVX2 and AVX-512 kernels, which perform the same operations in the
// same order: C is split by rows or columns, never along k.
func TestGemmReproducible(t *testing.T) {
	kernels := []string{"go"}
	if tensor.GemmKernels()[0] != "go" {
		kernels = []string{"avx2"}
		if tensor.GemmKernels()[0] == "avx512" {
			kernels = append(kernels, "avx512")
		}
	}
	r := newRand(77)
	for _, s := range [][3]int{{37, 150, 290}, {150, 37, 600}, {203, 301, 150}, {32, 196, 288}} {
		for _, tr := range [][2]bool{{false, false}, {true, true}, {false, true}, {true, false}} {
			m, n, k := s[0], s[1], s[2]
			a, _ := randStrided(r, m, k, 0)
			b, _ := randStrided(r, k, n, 0)
			c0, _ := randStrided(r, m, n, 0)
			lda, ldb := k, n
			if tr[0] {
				lda = m
			}
			if tr[1] {
				ldb = k
			}
			var want []float32
			for _, kern := range kernels {
				for _, procs := range []int{1, 2, 3, 4, 8, 16} {
					for _, sharedMax := range []int{1 << 30, 0} {
						c := append([]float32(nil), c0...)
						gemm := tensor.GemmWith(kern, sharedMax)
						withProcs(procs, func() {
							gemm(tr[0], tr[1], m, n, k, 0.5, a, lda, b, ldb, -0.75, c, n)
						})
						if want == nil {
							want = c
							continue
						}
						for i := range c {
							if math.Float32bits(c[i]) != math.Float32bits(want[i]) {
								t.Fatalf("%v trans=%v kernel %s procs=%d sharedMax=%d: C[%d] = %v, first run %v",
									s, tr, kern, procs, sharedMax, i, c[i], want[i])
							}
						}
					}
				}
			}
		}
	}
}

// TestGemmNonFiniteEverywhere checks that an Inf in B times zeros in A
// gives NaN in every row and every column position of C, and that an Inf
// in A does too, for all transpositions and for rows and columns in full
// tiles and in edge tiles.
func TestGemmNonFiniteEverywhere(t *testing.T) {
	inf := float32(math.Inf(1))
	gemmKernels(t, func(t *testing.T, gemm tensor.GemmFunc) {
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				for _, s := range [][3]int{{13, 37, 5}, {6, 16, 300}, {25, 50, 9}} {
					m, n, k := s[0], s[1], s[2]
					a := make([]float32, m*k)
					b := make([]float32, k*n)
					// op(B)[k-1, j] = Inf for odd j; op(A)[i, 0] = Inf
					// for i = m-1.
					for j := 1; j < n; j += 2 {
						if tb {
							b[j*k+k-1] = inf
						} else {
							b[(k-1)*n+j] = inf
						}
					}
					if ta {
						a[m-1] = inf
					} else {
						a[(m-1)*k] = inf
					}
					lda, ldb := k, n
					if ta {
						lda = m
					}
					if tb {
						ldb = k
					}
					c := make([]float32, m*n)
					tensor.Gemm(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, c, n)
					for i := 0; i < m; i++ {
						for j := 0; j < n; j++ {
							v := c[i*n+j]
							wantNaN := j%2 == 1 || i == m-1
							if isNaN := v != v; isNaN != wantNaN || (!wantNaN && v != 0) {
								t.Fatalf("ta=%v tb=%v m=%d n=%d k=%d: C[%d,%d] = %v, want NaN=%v",
									ta, tb, m, n, k, i, j, v, wantNaN)
							}
						}
					}
				}
			}
		}
	})
}

// TestGemmConcurrent calls Gemm from several goroutines at once, as layers
// running samples in parallel do, sharing the pooled packing buffers.
func TestGemmConcurrent(t *testing.T) {
	r := newRand(31)
	m, n, k := 37, 150, 290
	a, _ := randStrided(r, m, k, 0)
	b, _ := randStrided(r, k, n, 0)
	want := make([]float32, m*n)
	tensor.Gemm(false, false, m, n, k, 1, a, k, b, n, 0, want, n)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := make([]float32, m*n)
			for it := 0; it < 20; it++ {
				tensor.Gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
				for i := range c {
					if c[i] != want[i] {
						errs <- fmt.Sprintf("goroutine %d: C[%d] = %v, want %v", g, i, c[i], want[i])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestGemmInvalidSizes checks that every invalid size makes Gemm panic
// with a message naming the argument (as a BLAS routine does), instead of
// dividing by zero, reading out of bounds or computing garbage.
func TestGemmInvalidSizes(t *testing.T) {
	ok := func(n int) []float32 { return make([]float32, n) }
	tests := []struct {
		name    string
		ta, tb  bool
		m, n, k int
		a       []float32
		lda     int
		b       []float32
		ldb     int
		c       []float32
		ldc     int
		want    string
	}{
		{"negative m", false, false, -1, 3, 4, ok(8), 4, ok(12), 3, ok(6), 3, "tensor: Gemm: m = -1 is negative"},
		{"negative n", false, false, 2, -3, 4, ok(8), 4, ok(12), 3, ok(6), 3, "tensor: Gemm: n = -3 is negative"},
		{"negative k", false, false, 2, 3, -1, ok(8), 4, ok(12), 3, ok(6), 3, "tensor: Gemm: k = -1 is negative"},
		{"negative k, empty slices", false, false, 2, 3, -1, nil, 0, nil, 3, ok(6), 3, "tensor: Gemm: k = -1 is negative"},
		{"negative m with n 0", false, false, -5, 0, 0, nil, 0, nil, 0, nil, 0, "tensor: Gemm: m = -5 is negative"},
		{"lda too small", false, false, 2, 3, 4, ok(100), 3, ok(12), 3, ok(6), 3,
			"tensor: Gemm: lda = 3 is less than 4, the row length of A (m×k = 2×4)"},
		{"lda too small, transA", true, false, 2, 3, 4, ok(100), 1, ok(12), 3, ok(6), 3,
			"tensor: Gemm: lda = 1 is less than 2, the row length of A (k×m = 4×2)"},
		{"ldb too small", false, false, 2, 3, 4, ok(8), 4, ok(100), 2, ok(6), 3,
			"tensor: Gemm: ldb = 2 is less than 3, the row length of B (k×n = 4×3)"},
		{"ldb too small, transB", false, true, 2, 3, 4, ok(8), 4, ok(100), 3, ok(6), 3,
			"tensor: Gemm: ldb = 3 is less than 4, the row length of B (n×k = 3×4)"},
		{"ldc too small", false, false, 2, 3, 4, ok(8), 4, ok(12), 3, ok(100), 2,
			"tensor: Gemm: ldc = 2 is less than 3, the row length of C (m×n = 2×3)"},
		{"negative ldc, empty C", false, false, 0, 0, 4, nil, 4, nil, 0, nil, -1,
			"tensor: Gemm: ldc = -1 is less than 0, the row length of C (m×n = 0×0)"},
		{"negative lda, k 0", false, false, 2, 3, 0, nil, -1, nil, 3, ok(6), 3,
			"tensor: Gemm: lda = -1 is less than 0, the row length of A (m×k = 2×0)"},
		{"short C", false, false, 2, 3, 4, ok(8), 4, ok(12), 3, ok(5), 3, "tensor: Gemm: C has 5 elements, too few for 2×3 with stride 3"},
		{"short A", false, false, 2, 3, 4, ok(7), 4, ok(12), 3, ok(6), 3, "tensor: Gemm: A has 7 elements, too few for 2×4 with stride 4"},
		{"short B", false, false, 2, 3, 4, ok(8), 4, ok(11), 3, ok(6), 3, "tensor: Gemm: B has 11 elements, too few for 4×3 with stride 3"},
		{"short A transposed", true, false, 2, 3, 4, ok(7), 2, ok(12), 3, ok(6), 3, "tensor: Gemm: A has 7 elements, too few for 4×2 with stride 2"},
		{"short B transposed", false, true, 2, 3, 4, ok(8), 4, ok(11), 4, ok(6), 3, "tensor: Gemm: B has 11 elements, too few for 3×4 with stride 4"},
		{"short with stride", false, false, 2, 3, 4, ok(8), 4, ok(12), 3, ok(7), 5, "tensor: Gemm: C has 7 elements, too few for 2×3 with stride 5"},
		{"short C, k 0", false, false, 2, 3, 0, nil, 0, nil, 3, ok(5), 3, "tensor: Gemm: C has 5 elements, too few for 2×3 with stride 3"},
		{"overflowing stride", false, false, 3, 1, 1, ok(3), 1, ok(1), 1, ok(3), math.MaxInt/2 + 1,
			fmt.Sprintf("tensor: Gemm: C has 3 elements, too few for 3×1 with stride %d", math.MaxInt/2+1)},
		{"huge m", false, false, math.MaxInt, 1, 1, ok(4), 1, ok(1), 1, ok(4), 1,
			fmt.Sprintf("tensor: Gemm: A has 4 elements, too few for %d×1 with stride 1", math.MaxInt)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := mustPanic(t, func() {
				tensor.Gemm(tc.ta, tc.tb, tc.m, tc.n, tc.k, 1, tc.a, tc.lda, tc.b, tc.ldb, 0, tc.c, tc.ldc)
			})
			if msg != tc.want {
				t.Errorf("panic %q, want %q", msg, tc.want)
			}
		})
	}
}

// TestGemmValidEdgeSizes checks sizes at the edge of validity: exactly
// long enough with strides, empty matrices with zero strides, k = 0.
func TestGemmValidEdgeSizes(t *testing.T) {
	ok := func(n int) []float32 { return make([]float32, n) }
	tensor.Gemm(false, false, 2, 3, 4, 1, ok(4+4), 4, ok(3*5+3), 5, 0, ok(7+3), 7)
	tensor.Gemm(true, true, 2, 3, 4, 1, ok(3*2+2), 2, ok(2*4+4), 4, 0, ok(3+3), 3)
	tensor.Gemm(false, false, 0, 0, 0, 1, nil, 0, nil, 0, 0, nil, 0)
	tensor.Gemm(false, false, 0, 3, 4, 1, nil, 4, ok(12), 3, 0, nil, 3)
	c := []float32{1, 2, 3, 4, 5, 6}
	tensor.Gemm(false, false, 2, 3, 0, 1, nil, 0, nil, 3, 2, c, 3) // k = 0: C = beta·C
	if c[0] != 2 || c[5] != 12 {
		t.Errorf("k = 0: C = %v, want 2·C", c)
	}
}

// TestGemmDepthStep checks the summation order GemmDepthStep documents: a
// product whose A holds only zeros and ones equals, bit for bit, the
// blocked sequential sum of the selected rows of B.
func TestGemmDepthStep(t *testing.T) {
	for _, k := range []int{1, 7, 8, 255, 256, 257, 288, 800, 1568, 3000} {
		step := tensor.GemmDepthStep(k)
		if step < 1 || step > 256 || (step%8 != 0 && step < k) {
			t.Errorf("k=%d: step %d", k, step)
		}
		m, n := 7, 40 // edge tiles, the AVX-512 kernels, several workers for k = 3000
		a := make([]float32, m*k)
		b := make([]float32, k*n)
		for i := range a {
			if (i*7919)%5 == 0 {
				a[i] = 1
			}
		}
		for i := range b {
			b[i] = float32(math.Sin(float64(i)*1.7)) * float32(1+i%13)
		}
		for _, beta := range []float32{0, 1} {
			c := make([]float32, m*n)
			for i := range c {
				c[i] = 0.25 * float32(i%3)
			}
			want := make([]float32, m*n)
			for i := range m {
				for j := range n {
					acc := float32(0)
					if beta != 0 {
						acc = c[i*n+j]
					}
					for p0 := 0; p0 < k; p0 += step {
						var s float32
						for p := p0; p < min(p0+step, k); p++ {
							if a[i*k+p] == 1 {
								s += b[p*n+j]
							}
						}
						acc += s
					}
					want[i*n+j] = acc
				}
			}
			tensor.Gemm(false, false, m, n, k, 1, a, k, b, n, beta, c, n)
			for i := range c {
				if math.Float32bits(c[i]) != math.Float32bits(want[i]) {
					t.Fatalf("k=%d beta=%g: c[%d] = %g, want %g", k, beta, i, c[i], want[i])
				}
			}
		}
	}
}
