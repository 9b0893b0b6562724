package tensor

import (
	"fmt"
	"sync"
)

// The GEMM kernel follows the GotoBLAS/BLIS structure. op(B) is packed
// into column panels of gemmNR columns × kc rows and op(A), scaled by
// alpha, into row panels of 6 or 4 rows × kc columns (rows zero-padded up
// to the panel height, columns up to gemmNR). A micro-kernel multiplies
// one A panel by one B panel, keeping the whole 6×16 (or 4×16) tile of C
// in registers over kc, and adds it to C. Tiles cut by the edge of C are
// computed in full into a scratch tile and only the valid part is written
// back. Transposition is handled while packing, so the micro-kernel only
// ever sees one layout.
//
// Loop nest of one worker (each worker owns a range of rows or columns of
// C and packs its own operands):
//
//	for jc over columns, step gemmNC
//	  for pc over k, step gemmKC        (B panels: kc×16, stay in L1)
//	    for ic over rows, ~gemmMC       (pack the A block, stays in L2)
//	      for jr over B panels          (packed during the first ic block)
//	        for ir over A panels: micro-kernel
const (
	gemmNR = 16   // columns of a B panel and of a C tile
	gemmMR = 6    // largest height of an A panel
	gemmKC = 256  // depth of a packed block
	gemmMC = 192  // rows of a packed A block (a multiple of 6)
	gemmNC = 4096 // columns of a packed B block (a multiple of gemmNR)
)

// gemmUseAsm selects the assembly micro-kernel. It is set at start-up on
// CPUs that have it (see gemm_amd64.go) and can be switched off by tests
// to exercise the pure-Go kernel.
var gemmUseAsm = gemmHaveAsm

// Gemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices,
// where op(X) is X or its transpose as transA and transB say. op(A) is m×k,
// op(B) is k×n and C is m×n; lda, ldb and ldc are the row strides of A, B
// and C as stored. When beta is 0, C is overwritten without being read, so
// it may hold NaNs. Gemm panics when a slice is too short for its
// dimensions. It is the one matrix-product kernel of the package.
//
// Every element of C is computed the same way whatever its position (no
// term is skipped, so 0·Inf gives NaN everywhere); the products are
// accumulated with fused multiply-adds where the CPU has them.
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
	if k == 0 || alpha == 0 {
		scaleRows(m, n, beta, c, ldc)
		return
	}
	g := &gemmArgs{transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc}
	g.run()
}

// scaleRows sets C = beta·C, without reading C when beta is 0.
func scaleRows(m, n int, beta float32, c []float32, ldc int) {
	if beta == 1 {
		return
	}
	ParallelFor(m, n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := c[i*ldc : i*ldc+n]
			if beta == 0 {
				clear(row)
				continue
			}
			for j := range row {
				row[j] *= beta
			}
		}
	})
}

type gemmArgs struct {
	transA, transB bool
	m, n, k        int
	alpha          float32
	a              []float32
	lda            int
	b              []float32
	ldb            int
	beta           float32
	c              []float32
	ldc            int
}

// gemmBuf holds the packing buffers of one worker.
type gemmBuf struct {
	a, b []float32
	tile [gemmMR * gemmNR]float32
}

var gemmPool = sync.Pool{New: func() any { return new(gemmBuf) }}

// run splits C between workers, by columns when it is at least as wide as
// it is tall and by rows otherwise, so that the operand packed twice (all
// of A for a column split, all of B for a row split) is the smaller one.
func (g *gemmArgs) run() {
	rowUnits := (g.m + gemmMR - 1) / gemmMR
	colUnits := (g.n + gemmNR - 1) / gemmNR
	byCols := g.n >= g.m
	if byCols && colUnits == 1 {
		byCols = false
	} else if !byCols && rowUnits == 1 {
		byCols = true
	}
	if byCols {
		ParallelFor(colUnits, gemmNR*g.m*g.k/4, func(lo, hi int) {
			g.work(0, g.m, lo*gemmNR, min(hi*gemmNR, g.n))
		})
	} else {
		ParallelFor(rowUnits, gemmMR*g.n*g.k/4, func(lo, hi int) {
			g.work(lo*gemmMR, min(hi*gemmMR, g.m), 0, g.n)
		})
	}
}

// panelHeight returns the height (6 or 4) of the next A panel when rem
// rows are left. It splits rem into panels of 6 and 4 rows with as little
// zero padding as possible: 8 = 4+4, 10 = 6+4, 14 = 6+4+4, 5 = 6 (one row
// of padding), 7 = 4+4 (one row), 3 = 4 (one row).
func panelHeight(rem int) int {
	if rem == 5 || (rem >= 6 && rem%6 != 1 && rem%6 != 2) {
		return 6
	}
	return 4
}

// work computes C[r0:r1, c0:c1].
func (g *gemmArgs) work(r0, r1, c0, c1 int) {
	buf := gemmPool.Get().(*gemmBuf)
	defer gemmPool.Put(buf)
	kcMax := min(gemmKC, g.k)
	ncMax := (min(gemmNC, c1-c0) + gemmNR - 1) / gemmNR * gemmNR
	if need := (gemmMC + gemmMR) * kcMax; len(buf.a) < need {
		buf.a = make([]float32, need)
	}
	if need := ncMax * kcMax; len(buf.b) < need {
		buf.b = make([]float32, need)
	}
	for jc := c0; jc < c1; jc += gemmNC {
		nc := min(gemmNC, c1-jc)
		for pc := 0; pc < g.k; pc += gemmKC {
			kc := min(gemmKC, g.k-pc)
			first := pc == 0
			for ic := r0; ic < r1; {
				// Pack the next block of A panels.
				row, off := ic, 0
				for row < r1 && row-ic < gemmMC {
					h := panelHeight(r1 - row)
					mr := min(h, r1-row)
					g.packA(buf.a[off:off+h*kc], row, mr, h, pc, kc)
					row += mr
					off += h * kc
				}
				end := row
				for jr := 0; jr < nc; jr += gemmNR {
					nr := min(gemmNR, nc-jr)
					bp := buf.b[jr*kc : (jr+gemmNR)*kc]
					if ic == r0 {
						g.packB(bp, pc, kc, jc+jr, nr)
					}
					row, off := ic, 0
					for row < end {
						h := panelHeight(r1 - row)
						mr := min(h, r1-row)
						g.tile(buf, h, mr, nr, kc, buf.a[off:off+h*kc], bp, row, jc+jr, first)
						row += mr
						off += h * kc
					}
				}
				ic = end
			}
		}
	}
}

// packA packs rows [i0, i0+mr) and columns [pc, pc+kc) of op(A), times
// alpha, into dst as a panel of height h ≥ mr: element (i, p) goes to
// dst[p*h+i] and rows mr..h-1 are zero.
func (g *gemmArgs) packA(dst []float32, i0, mr, h, pc, kc int) {
	a, lda, alpha := g.a, g.lda, g.alpha
	dst = dst[:h*kc]
	if g.transA {
		// op(A)[i, p] = a[p*lda+i]: each p gives mr contiguous values.
		for p := 0; p < kc; p++ {
			s := (pc+p)*lda + i0
			src := a[s : s+mr]
			d := dst[p*h : p*h+h]
			for i, v := range src {
				d[i] = alpha * v
			}
			clear(d[mr:])
		}
		return
	}
	if mr == h && h == 6 {
		s := i0*lda + pc
		r0 := a[s : s+kc]
		r1 := a[s+lda : s+lda+kc]
		r2 := a[s+2*lda : s+2*lda+kc]
		r3 := a[s+3*lda : s+3*lda+kc]
		r4 := a[s+4*lda : s+4*lda+kc]
		r5 := a[s+5*lda : s+5*lda+kc]
		for p := range r0 {
			d := (*[6]float32)(dst[p*6 : p*6+6])
			d[0], d[1], d[2] = alpha*r0[p], alpha*r1[p], alpha*r2[p]
			d[3], d[4], d[5] = alpha*r3[p], alpha*r4[p], alpha*r5[p]
		}
		return
	}
	if mr == h && h == 4 {
		s := i0*lda + pc
		r0 := a[s : s+kc]
		r1 := a[s+lda : s+lda+kc]
		r2 := a[s+2*lda : s+2*lda+kc]
		r3 := a[s+3*lda : s+3*lda+kc]
		for p := range r0 {
			d := (*[4]float32)(dst[p*4 : p*4+4])
			d[0], d[1], d[2], d[3] = alpha*r0[p], alpha*r1[p], alpha*r2[p], alpha*r3[p]
		}
		return
	}
	clear(dst)
	for i := 0; i < mr; i++ {
		s := (i0+i)*lda + pc
		for p, v := range a[s : s+kc] {
			dst[p*h+i] = alpha * v
		}
	}
}

// packB packs rows [pc, pc+kc) and columns [j0, j0+nr) of op(B), nr ≤ 16,
// into dst as a kc×16 panel: element (p, j) goes to dst[p*16+j] and
// columns nr..15 are zero.
func (g *gemmArgs) packB(dst []float32, pc, kc, j0, nr int) {
	b, ldb := g.b, g.ldb
	dst = dst[:kc*gemmNR]
	if !g.transB {
		if nr == gemmNR {
			for p := 0; p < kc; p++ {
				s := (pc+p)*ldb + j0
				*(*[gemmNR]float32)(dst[p*gemmNR:]) = *(*[gemmNR]float32)(b[s : s+gemmNR])
			}
			return
		}
		for p := 0; p < kc; p++ {
			s := (pc+p)*ldb + j0
			d := dst[p*gemmNR : p*gemmNR+gemmNR]
			clear(d[copy(d, b[s:s+nr]):])
		}
		return
	}
	// op(B)[p, j] = b[j*ldb+p]: each column j of the panel is a
	// contiguous run of B.
	if gemmUseAsm && nr == gemmNR {
		gemmPackBT(dst, b[j0*ldb+pc:], ldb, kc)
		return
	}
	if nr < gemmNR {
		clear(dst)
	}
	for j := 0; j < nr; j++ {
		s := (j0+j)*ldb + pc
		for p, v := range b[s : s+kc] {
			dst[p*gemmNR+j] = v
		}
	}
}

// tile adds op(A)[row:row+mr, :]·op(B)[:, col:col+nr] for one depth
// block to C, from the packed panels ap (height h ≥ mr) and bp. On the
// first depth block it computes beta·C + product instead, without reading
// C when beta is 0.
func (g *gemmArgs) tile(buf *gemmBuf, h, mr, nr, kc int, ap, bp []float32, row, col int, first bool) {
	beta, load := float32(1), true
	if first {
		beta = g.beta
		load = beta != 0
	}
	ldc := g.ldc
	if mr == h && nr == gemmNR {
		gemmKernel(h, kc, ap, bp, g.c[row*ldc+col:], ldc, load, beta)
		return
	}
	t := buf.tile[:]
	gemmKernel(h, kc, ap, bp, t, gemmNR, false, 0)
	for i := 0; i < mr; i++ {
		s := (row+i)*ldc + col
		crow := g.c[s : s+nr]
		trow := t[i*gemmNR : i*gemmNR+nr]
		switch {
		case !load:
			copy(crow, trow)
		case beta == 1:
			for j, v := range trow {
				crow[j] += v
			}
		default:
			for j, v := range trow {
				crow[j] = beta*crow[j] + v
			}
		}
	}
}

// gemmKernel computes the h×16 product P of the packed panels a (kc×h)
// and b (kc×16) and stores P, or beta·C + P when load is set, into the
// h×16 tile of C at the start of c with row stride ldc.
func gemmKernel(h, kc int, a, b, c []float32, ldc int, load bool, beta float32) {
	// These checks make the unchecked accesses of the assembly safe.
	_ = a[h*kc-1]
	_ = b[gemmNR*kc-1]
	_ = c[(h-1)*ldc+gemmNR-1]
	if gemmUseAsm {
		l := 0
		if load {
			l = 1
		}
		if h == 6 {
			gemmKernel6x16(kc, &a[0], &b[0], &c[0], ldc, l, beta)
		} else {
			gemmKernel4x16(kc, &a[0], &b[0], &c[0], ldc, l, beta)
		}
		return
	}
	gemmKernelGo(h, kc, a, b, c, ldc, load, beta)
}

// gemmKernelGo is the pure-Go micro-kernel, for h = 4 or 6.
func gemmKernelGo(h, kc int, a, b, c []float32, ldc int, load bool, beta float32) {
	var acc [gemmMR][gemmNR]float32
	for i := 0; i+2 <= h; i += 2 {
		c0, c1 := &acc[i], &acc[i+1]
		for p := 0; p < kc; p++ {
			bp := (*[gemmNR]float32)(b[p*gemmNR : p*gemmNR+gemmNR])
			a0, a1 := a[p*h+i], a[p*h+i+1]
			for j, bv := range bp {
				c0[j] += a0 * bv
				c1[j] += a1 * bv
			}
		}
	}
	for i := 0; i < h; i++ {
		crow := (*[gemmNR]float32)(c[i*ldc : i*ldc+gemmNR])
		if !load {
			*crow = acc[i]
			continue
		}
		for j, v := range acc[i] {
			crow[j] = beta*crow[j] + v
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
