package tensor

import (
	"fmt"
	"math/bits"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Gemm follows the GotoBLAS/BLIS structure. op(B) is packed into column
// panels of 16 columns × kc rows (B[p][j] at p*16+j) and op(A), times
// alpha, into row panels of 6 or 4 rows × kc columns (A[i][p] at p*h+i),
// zero-padded to full panels; transposition is handled while packing, so
// that the micro-kernels see one layout only. A micro-kernel multiplies
// one A panel by one B panel (or two, with AVX-512), keeping the whole
// 6×16 (6×32) tile of C in registers over kc: one broadcast element of A
// times a row of B per row of the tile and step. Tiles cut by the edge of
// C are computed in full into a scratch tile and only their valid part is
// written back. Every element of C thus gets the same sequence of
// operations, whatever its position and whatever the kernel.
//
// Loop nest of one worker:
//
//	for jc over columns, step ≤ gemmNC
//	  for pc over k, step ≤ gemmKC      (B panels: kc×16, stay in L1)
//	    for ic over rows, step ~gemmMC  (the A block stays in L2)
//	      for jr over B panels          (packed during the first ic block)
//	        for ir over A panels: micro-kernel
//
// With several workers, C is cut into chunks of columns or of rows (see
// run); the operand every chunk needs whole is then packed once for all
// workers when it is small, and the chunks are claimed dynamically.
const (
	gemmNR = 16   // columns of a B panel and of a C tile
	gemmMR = 6    // largest height of an A panel
	gemmKC = 256  // depth of a packed block (two B panels fit in L1)
	gemmMC = 192  // rows of a packed A block (a multiple of 6)
	gemmNC = 4096 // columns of a packed B block (a multiple of 32)
)

// gemmConfig chooses the micro-kernels and the packing policy of one Gemm
// call. Gemm uses gemmDefault; the tests call gemm with every other choice.
type gemmConfig struct {
	// asm selects the assembly micro-kernels (AVX2 and FMA).
	asm bool
	// avx512 selects, in addition, the AVX-512 kernels for tiles of 32
	// columns (two B panels). They do the same operations in the same
	// order as the AVX2 kernels, so the results do not depend on the
	// choice (nor on the number of workers).
	avx512 bool
	// sharedMax is the size in floats up to which the operand that every
	// worker needs whole is packed once for all of them.
	sharedMax int
}

// gemmDefault returns the configuration of Gemm: the fastest kernels the
// CPU has (see gemm_amd64.go).
func gemmDefault() gemmConfig {
	return gemmConfig{asm: gemmHaveAsm, avx512: gemmHaveAVX512, sharedMax: 1 << 18}
}

// Gemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices,
// where op(X) is X or its transpose as transA and transB say. op(A) is m×k,
// op(B) is k×n and C is m×n; lda, ldb and ldc are the row strides of A, B
// and C as stored. When beta is 0, C is overwritten without being read, so
// it may hold NaNs. It is the one matrix-product kernel of the package.
//
// Like a BLAS routine, Gemm checks its sizes and panics, with a message
// naming the argument, on a programmer error: m, n or k negative; lda,
// ldb or ldc smaller than the length of a row of A, B or C as stored (k,
// or m with transA, for A; n, or k with transB, for B; n for C); a slice
// shorter than its rows and stride need ((rows-1)·ld + cols elements, for
// a matrix that is not empty). For example
//
//	tensor: Gemm: k = -1 is negative
//	tensor: Gemm: lda = 3 is less than 4, the row length of A (m×k = 2×4)
//	tensor: Gemm: A has 7 elements, too few for 2×4 with stride 4
//
// Every element of C is computed the same way whatever its position (no
// term is skipped, so 0·Inf gives NaN everywhere). On amd64 CPUs with AVX2
// and FMA, assembly micro-kernels accumulate the products with fused
// multiply-adds (with AVX-512 where available, giving the same results);
// elsewhere, and with the purego build tag, a pure-Go kernel does, whose
// results may differ in the last bits. The results do not depend on the
// number of goroutines used.
func Gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemmWith(gemmDefault(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmWith is Gemm with the configuration cfg.
func gemmWith(cfg gemmConfig, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for _, d := range [...]struct {
		name string
		v    int
	}{{"m", m}, {"n", n}, {"k", k}} {
		if d.v < 0 {
			panic(fmt.Sprintf("tensor: Gemm: %s = %d is negative", d.name, d.v))
		}
	}
	if transA {
		checkMatrix("A", "k×m", a, k, m, lda)
	} else {
		checkMatrix("A", "m×k", a, m, k, lda)
	}
	if transB {
		checkMatrix("B", "n×k", b, n, k, ldb)
	} else {
		checkMatrix("B", "k×n", b, k, n, ldb)
	}
	checkMatrix("C", "m×n", c, m, n, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleRows(m, n, beta, c, ldc)
		return
	}
	buf := gemmPool.Get()
	j := &buf.job
	j.gemmArgs = gemmArgs{transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, cfg}
	j.run(buf)
	j.gemmArgs = gemmArgs{} // the pool must not keep the matrices alive
	gemmPool.Put(buf)
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
	cfg            gemmConfig
}

// gemmBuf holds the packing buffers of one worker and, for the calling
// goroutine, the state of the call, so that a call allocates nothing in
// the steady state but the closures of the goroutines it starts.
type gemmBuf struct {
	a, b, shared []float32
	panels       []gemmPanel
	tile         [gemmMR * gemmNR]float32
	job          gemmJob
}

// gemmJob is the state of one Gemm call shared by its workers.
type gemmJob struct {
	gemmArgs
	kcStep             int
	byCols             bool
	unit, size, chunks int // chunks of size units of unit rows or columns
	sa, sb             *gemmShared
	shared             gemmShared
	groups, packTasks  int
	packNext, next     atomic.Int64
	packed, done       sync.WaitGroup
}

// gemmALen is the length of a worker's buffer for packed blocks of A,
// enough for the largest block any call packs.
const gemmALen = (gemmMC + gemmMR) * gemmKC

// gemmPool keeps the gemmBufs of finished calls for the next ones.
var gemmPool gemmBufs

// gemmBufs is a stack of idle gemmBufs. Unlike a sync.Pool it keeps them
// across garbage collections and hands them to any goroutine, whatever
// processor it runs on: the packing buffers, grown to the largest calls,
// are then allocated once, instead of again after every collection or
// whenever a worker starts on a processor whose own cache is empty. It
// holds at most as many buffers as calls and workers once ran at the same
// time.
type gemmBufs struct {
	mu   sync.Mutex
	idle []*gemmBuf
}

// Get returns an idle gemmBuf, the most recently used one, or a new one
// (whose A buffer, of the one size every call uses, is allocated at
// once).
func (p *gemmBufs) Get() *gemmBuf {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		b := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return b
	}
	p.mu.Unlock()
	return &gemmBuf{a: alignedFloats(gemmALen)}
}

// Put makes b idle.
func (p *gemmBufs) Put(b *gemmBuf) {
	p.mu.Lock()
	p.idle = append(p.idle, b)
	p.mu.Unlock()
}

// gemmPanel is one panel of the A operand packed for all workers.
type gemmPanel struct {
	row, h, mr int // first row of C, height (4 or 6), valid rows
	off        int // offset in padded rows (sum of the heights before)
}

// gemmShared is an operand packed once and read by every worker: block
// of depth pc starts at data[pc*stride], stride being the padded number
// of rows (A) or columns (B).
type gemmShared struct {
	data   []float32
	stride int
	panels []gemmPanel // A only
}

func (s *gemmShared) strideOrZero() int {
	if s == nil {
		return 0
	}
	return s.stride
}

// gemmActive counts the Gemm calls in progress. Callers often run Gemm
// on several goroutines at once (one per chunk of samples); each call then
// takes only its share of the cores instead of adding goroutines that
// would compete for them.
var gemmActive atomic.Int32

// gemmMinParallel is the number of multiply-adds below which a product
// runs on the calling goroutine only.
const gemmMinParallel = 1 << 19

// gemmChunksPerWorker is the number of chunks of C per worker, claimed
// dynamically so that a worker delayed by other load does not hold up
// the others.
const gemmChunksPerWorker = 4

// run computes the product on up to GOMAXPROCS goroutines, buf being the
// buffer of the calling goroutine. C is split by columns when it is at
// least as wide as it is tall, and by rows otherwise; every worker then
// needs the whole of the other operand (A for a column split, B for a row
// split), the smaller one, which is packed once for all workers when it
// is small enough and else packed by each worker.
func (j *gemmJob) run(buf *gemmBuf) {
	g := &j.gemmArgs
	active := int(gemmActive.Add(1))
	defer gemmActive.Add(-1)
	workers := max(1, runtime.GOMAXPROCS(0)/active)
	if g.m*g.n*g.k < gemmMinParallel {
		workers = 1
	}
	rowUnits := (g.m + gemmMR - 1) / gemmMR
	colUnits := (g.n + gemmNR - 1) / gemmNR
	// (A narrow C with fewer column panels than workers is split by rows
	// when it has more row panels.)
	j.byCols = g.n >= g.m && (colUnits >= workers || colUnits >= rowUnits)
	units := rowUnits
	j.unit = gemmMR
	if j.byCols {
		units, j.unit = colUnits, gemmNR
	}
	workers = min(workers, units)
	j.kcStep = blockStep(g.k, gemmKC, 8)
	if workers == 1 {
		g.work(buf, j.kcStep, 0, g.m, 0, g.n, nil, nil)
		return
	}

	// The shared operand and its packing tasks: one per depth block and
	// group of panels.
	j.sa, j.sb, j.packTasks = nil, nil, 0
	if j.byCols && g.m*g.k <= g.cfg.sharedMax {
		buf.panels = appendPanels(buf.panels[:0], 0, g.m)
		last := buf.panels[len(buf.panels)-1]
		j.shared = gemmShared{stride: last.off + last.h, panels: buf.panels}
		j.sa = &j.shared
		j.groups = (len(buf.panels) + gemmGroupA - 1) / gemmGroupA
	} else if !j.byCols && g.k*g.n <= g.cfg.sharedMax {
		j.shared = gemmShared{stride: colUnits * gemmNR}
		j.sb = &j.shared
		j.groups = (colUnits + gemmSlab - 1) / gemmSlab
	}
	// One chunk per worker; rounding the size up may leave fewer chunks
	// than workers (10 units on 8 workers: 5 chunks of 2).
	j.size = (units + workers - 1) / workers
	j.chunks = (units + j.size - 1) / j.size
	if j.sa != nil || j.sb != nil {
		if need := g.k * j.shared.stride; len(buf.shared) < need {
			buf.shared = alignedFloats(growLen(need))
		}
		j.shared.data = buf.shared
		j.packTasks = (g.k + j.kcStep - 1) / j.kcStep * j.groups
		// Small chunks, claimed dynamically, so that a worker delayed by
		// other load does not hold up the others.
		j.size = (units + workers*gemmChunksPerWorker - 1) / (workers * gemmChunksPerWorker)
		if j.byCols && g.cfg.asm && g.cfg.avx512 {
			j.size += j.size % 2 // whole pairs of B panels for the AVX-512 kernels
		}
		j.chunks = (units + j.size - 1) / j.size
	}
	workers = min(workers, j.chunks) // no idle helpers
	j.packNext.Store(0)
	j.next.Store(0)
	j.packed.Add(j.packTasks)
	j.done.Add(workers - 1)
	for w := 1; w < workers; w++ {
		go j.helper()
	}
	j.worker(buf)
	j.done.Wait()
	j.shared = gemmShared{}
}

// helper is a worker started by run.
func (j *gemmJob) helper() {
	buf := gemmPool.Get()
	j.worker(buf)
	gemmPool.Put(buf)
	j.done.Done()
}

// worker takes part in packing the shared operand, waits for it to be
// packed, and computes chunks of C until there are none left.
func (j *gemmJob) worker(buf *gemmBuf) {
	g := &j.gemmArgs
	for t := int(j.packNext.Add(1) - 1); t < j.packTasks; t = int(j.packNext.Add(1) - 1) {
		j.pack(t)
		j.packed.Done()
	}
	j.packed.Wait()
	for c := int(j.next.Add(1) - 1); c < j.chunks; c = int(j.next.Add(1) - 1) {
		lo, hi := c*j.size*j.unit, (c+1)*j.size*j.unit
		if j.byCols {
			g.work(buf, j.kcStep, 0, g.m, lo, min(hi, g.n), j.sa, nil)
		} else {
			g.work(buf, j.kcStep, lo, min(hi, g.m), 0, g.n, nil, j.sb)
		}
	}
}

// gemmGroupA is the number of A panels packed by one task.
const gemmGroupA = 4

// pack performs packing task t of the shared operand: one depth block of
// gemmGroupA panels of A, or of gemmSlab panels of B.
func (j *gemmJob) pack(t int) {
	g := &j.gemmArgs
	pc := t / j.groups * j.kcStep
	kc := min(j.kcStep, g.k-pc)
	grp := t % j.groups
	d := j.shared.data[pc*j.shared.stride:]
	if j.sa != nil {
		ps := j.sa.panels
		for _, pn := range ps[grp*gemmGroupA : min((grp+1)*gemmGroupA, len(ps))] {
			g.packA(d[pn.off*kc:(pn.off+pn.h)*kc], pn.row, pn.mr, pn.h, pc, kc)
		}
		return
	}
	j0 := grp * gemmSlab * gemmNR
	g.packB(d[j0*kc:], pc, kc, j0, min(gemmSlab*gemmNR, g.n-j0))
}

// panelHeight returns the height (6 or 4) of the next A panel when rem
// rows are left. It splits rem into panels of 6 and 4 rows with as little
// zero padding as possible, putting the panels of 4 rows last: 8 = 4+4,
// 10 = 6+4, 14 = 6+4+4, 5 = 6 (one row of padding), 7 = 4+4 (one row),
// 3 = 4 (one row).
func panelHeight(rem int) int {
	if rem >= 9 || rem == 5 || rem == 6 {
		return 6
	}
	return 4
}

// appendPanels appends the A panels of rows [r0, r1) to ps.
func appendPanels(ps []gemmPanel, r0, r1 int) []gemmPanel {
	off := 0
	for row := r0; row < r1; {
		h := panelHeight(r1 - row)
		mr := min(h, r1-row)
		ps = append(ps, gemmPanel{row, h, mr, off})
		row += mr
		off += h
	}
	return ps
}

// blockStep returns the step that cuts total into the fewest blocks of at
// most max, as equal as possible and rounded up to a multiple of align
// (max is a multiple of align).
func blockStep(total, max, align int) int {
	blocks := (total + max - 1) / max
	step := (total + blocks - 1) / blocks
	return min((step+align-1)/align*align, max)
}

// gemmSlab is the number of B panels packed at once: reading 8 panels
// (512 bytes) of each row of B keeps the hardware prefetchers streaming.
const gemmSlab = 8

// work computes C[r0:r1, c0:c1] with depth blocks of kcStep. When sa is
// not nil, it holds op(A) packed for all rows (r0 = 0, r1 = m); when sb
// is not nil, it holds op(B) packed for all columns (c0 = 0, c1 = n).
// Otherwise work packs the operands itself into buf.
func (g *gemmArgs) work(buf *gemmBuf, kcStep, r0, r1, c0, c1 int, sa, sb *gemmShared) {
	ncStep := c1 - c0
	if sb == nil {
		ncStep = blockStep(c1-c0, gemmNC, 2*gemmNR)
		need := ncStep * kcStep
		if r1-r0 <= gemmMC {
			// One block of rows: B is packed a slab at a time (see below).
			need = min(need, gemmSlab*gemmNR*kcStep)
		}
		if len(buf.b) < need {
			buf.b = alignedFloats(growLen(need))
		}
	}
	if need := (gemmMC + gemmMR) * kcStep; sa == nil && len(buf.a) < need {
		buf.a = alignedFloats(gemmALen)
	}
	wide := g.cfg.asm && g.cfg.avx512
	for jc := c0; jc < c1; jc += ncStep {
		nc := min(ncStep, c1-jc)
		for pc := 0; pc < g.k; pc += kcStep {
			kc := min(kcStep, g.k-pc)
			first := pc == 0
			aoff := pc * sa.strideOrZero()
			for ic := r0; ic < r1; {
				// The next block of A panels, rows [ic, end), packed here
				// or taken from sa.
				ap := buf.a
				if sa != nil {
					ap = sa.data[aoff:]
				}
				row, off := ic, 0
				for row < r1 && row-ic < gemmMC {
					h := panelHeight(r1 - row)
					mr := min(h, r1-row)
					if sa == nil {
						g.packA(ap[off:off+h*kc], row, mr, h, pc, kc)
					}
					row += mr
					off += h * kc
				}
				end := row
				aoff += off
				for jr := 0; jr < nc; {
					// One B panel, or two with the AVX-512 kernels.
					nr := min(gemmNR, nc-jr)
					if wide && jr+2*gemmNR <= nc {
						nr = 2 * gemmNR
					}
					var bp []float32
					if sb != nil {
						o := pc*sb.stride + (jc+jr)*kc
						bp = sb.data[o : o+max(nr, gemmNR)*kc]
					} else {
						// B panels are packed a slab at a time during the
						// first block of rows. When that is the only block,
						// every slab reuses the start of the buffer, which
						// stays in cache.
						o := jr * kc
						if ic == r0 && end == r1 {
							o = jr % (gemmSlab * gemmNR) * kc
						}
						if ic == r0 && jr%(gemmSlab*gemmNR) == 0 {
							g.packB(buf.b[o:], pc, kc, jc+jr, min(gemmSlab*gemmNR, nc-jr))
						}
						bp = buf.b[o : o+max(nr, gemmNR)*kc]
					}
					row, off := ic, 0
					for row < end {
						h := panelHeight(r1 - row)
						mr := min(h, r1-row)
						a := ap[off : off+h*kc]
						if nr > gemmNR && mr < h {
							// Partial tiles go 16 columns at a time.
							g.tile(buf, h, mr, gemmNR, kc, a, bp, row, jc+jr, first)
							g.tile(buf, h, mr, gemmNR, kc, a, bp[gemmNR*kc:], row, jc+jr+gemmNR, first)
						} else {
							g.tile(buf, h, mr, nr, kc, a, bp, row, jc+jr, first)
						}
						row += mr
						off += h * kc
					}
					jr += max(nr, gemmNR)
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
	if g.cfg.asm && mr == h {
		if g.transA {
			gemmPackA(dst, a[pc*lda+i0:], lda, h, kc, true, alpha)
		} else {
			gemmPackA(dst, a[i0*lda+pc:], lda, h, kc, false, alpha)
		}
		return
	}
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

// packB packs rows [pc, pc+kc) and columns [j0, j0+w) of op(B) into dst
// as ceil(w/16) panels of kc×16: element (p, j) goes to
// dst[(j/16)*kc*16+p*16+j%16] and the columns of the last panel past w
// are zero.
func (g *gemmArgs) packB(dst []float32, pc, kc, j0, w int) {
	b, ldb := g.b, g.ldb
	full := w / gemmNR
	dst = dst[:(full+min(w%gemmNR, 1))*kc*gemmNR]
	if !g.transB {
		if g.cfg.asm && full > 0 {
			s := pc*ldb + j0
			_ = b[s+(kc-1)*ldb+full*gemmNR-1]
			gemmPackBN(&dst[0], &b[s], ldb, kc, full)
		} else {
			for q := 0; q < full; q++ {
				d := dst[q*kc*gemmNR : (q+1)*kc*gemmNR]
				for p := 0; p < kc; p++ {
					s := (pc+p)*ldb + j0 + q*gemmNR
					*(*[gemmNR]float32)(d[p*gemmNR:]) = *(*[gemmNR]float32)(b[s : s+gemmNR])
				}
			}
		}
		if nr := w % gemmNR; nr > 0 {
			d := dst[full*kc*gemmNR:]
			for p := 0; p < kc; p++ {
				s := (pc+p)*ldb + j0 + full*gemmNR
				row := d[p*gemmNR : p*gemmNR+gemmNR]
				clear(row[copy(row, b[s:s+nr]):])
			}
		}
		return
	}
	// op(B)[p, j] = b[j*ldb+p]: each column of a panel is a contiguous
	// run of B.
	for q := 0; q*gemmNR < w; q++ {
		d := dst[q*kc*gemmNR : (q+1)*kc*gemmNR]
		jq := j0 + q*gemmNR
		nr := min(gemmNR, w-q*gemmNR)
		if g.cfg.asm && nr == gemmNR {
			gemmPackBT(d, b[jq*ldb+pc:], ldb, kc)
			continue
		}
		if nr < gemmNR {
			clear(d)
		}
		for j := 0; j < nr; j++ {
			s := (jq+j)*ldb + pc
			for p, v := range b[s : s+kc] {
				d[p*gemmNR+j] = v
			}
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
	if nr == 2*gemmNR {
		gemmKernelWide(h, kc, ap, bp, g.c[row*ldc+col:], ldc, load, beta)
		return
	}
	if mr == h && nr == gemmNR {
		gemmKernel(g.cfg.asm, h, kc, ap, bp, g.c[row*ldc+col:], ldc, load, beta)
		return
	}
	// An edge tile: compute it in the scratch tile, holding the valid
	// part of C when it is read, so that its elements get the same
	// operations as those of full tiles.
	t := buf.tile[:]
	if load {
		for i := 0; i < mr; i++ {
			s := (row+i)*ldc + col
			copy(t[i*gemmNR:i*gemmNR+nr], g.c[s:s+nr])
		}
	}
	gemmKernel(g.cfg.asm, h, kc, ap, bp, t, gemmNR, load, beta)
	for i := 0; i < mr; i++ {
		s := (row+i)*ldc + col
		copy(g.c[s:s+nr], t[i*gemmNR:i*gemmNR+nr])
	}
}

// gemmKernel computes the h×16 product P of the packed panels a (kc×h)
// and b (kc×16) and stores P, or beta·C + P when load is set, into the
// h×16 tile of C at the start of c with row stride ldc.
func gemmKernel(asm bool, h, kc int, a, b, c []float32, ldc int, load bool, beta float32) {
	// These checks make the unchecked accesses of the assembly safe.
	_ = a[h*kc-1]
	_ = b[gemmNR*kc-1]
	_ = c[(h-1)*ldc+gemmNR-1]
	if asm {
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

// gemmKernelWide is gemmKernel for an h×32 tile with the AVX-512
// kernels; b holds two B panels, columns 0..15 then 16..31.
func gemmKernelWide(h, kc int, a, b, c []float32, ldc int, load bool, beta float32) {
	_ = a[h*kc-1]
	_ = b[2*gemmNR*kc-1]
	_ = c[(h-1)*ldc+2*gemmNR-1]
	l := 0
	if load {
		l = 1
	}
	if h == 6 {
		gemmKernel6x32(kc, &a[0], &b[0], &c[0], ldc, l, beta)
	} else {
		gemmKernel4x32(kc, &a[0], &b[0], &c[0], ldc, l, beta)
	}
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

// growLen returns the length to give a packing buffer that must hold n
// floats: n rounded up to a power of two, so that a buffer serving calls
// of varying shapes grows a few times, not at every larger call.
func growLen(n int) int {
	if n <= 1 {
		return n
	}
	return 1 << bits.Len(uint(n-1))
}

// alignedFloats returns a slice of n floats starting on a 64-byte
// boundary, so that the rows of packed B panels do not straddle cache
// lines.
func alignedFloats(n int) []float32 {
	s := make([]float32, n+15)
	skip := (64 - int(uintptr(unsafe.Pointer(&s[0]))%64)) % 64 / 4
	return s[skip : skip+n : skip+n]
}

// checkMatrix panics unless s can hold a rows×cols matrix (shape names
// its dimensions) stored row-major with stride ld.
func checkMatrix(name, shape string, s []float32, rows, cols, ld int) {
	if ld < cols {
		panic(fmt.Sprintf("tensor: Gemm: ld%s = %d is less than %d, the row length of %s (%s = %d×%d)",
			strings.ToLower(name), ld, cols, name, shape, rows, cols))
	}
	if rows == 0 || cols == 0 {
		return
	}
	// len(s) >= (rows-1)*ld + cols, without overflow; ld >= cols >= 1.
	if len(s) < cols || (len(s)-cols)/ld < rows-1 {
		panic(fmt.Sprintf("tensor: Gemm: %s has %d elements, too few for %d×%d with stride %d", name, len(s), rows, cols, ld))
	}
}
