package nn

import (
	"math"
	"sync/atomic"

	"github.com/spikego/spikego/tensor"
)

// The event-driven Linear. For a binary input x [rows, in],
//
//	y[r, :] = b + Σ_{i: x[r,i]=1} Wᵀ[i, :]      (forward, spikeGather)
//	gWᵀ[i, :] = Σ_{r: x[r,i]=1} g[r, :]          (weight gradient, spikeScatter)
//
// Wᵀ, gWᵀ and g are handled as rows of pad8(out) floats, so that every
// term is a contiguous vector addition. One scan of x gives the lists of
// both: for every row, the columns of its ones, cut into the depth blocks
// of tensor.Gemm over in (tensor.GemmDepthStep), so that the forward pass
// adds in Gemm's order and gives the dense path's bits. The weight
// gradient, one column block per task, adds the rows of g in increasing
// r, cut into Gemm's depth blocks over rows: the dense path's bits again.

// linearBlockRows is the number of rows of x one forward task scans and
// multiplies.
const linearBlockRows = 32

// spikeRows is a binary matrix [rows, cols] as lists of the columns of
// its ones: row r's ones in column block b (columns [b·piece,
// (b+1)·piece)) are idx[ptr[r·(blocks+1)+b] : ptr[r·(blocks+1)+b+1]].
type spikeRows struct {
	idx, ptr      []int32
	rows, cols    int
	blocks, piece int
	nnz           int
}

// scanRows scans x [rows, cols] into lists (see spikeRows) in s's
// scratch, cut into Gemm's depth blocks over cols, with one task per
// block of linearBlockRows rows. It returns false when some element of x
// is neither 0 nor 1.
func scanRows(s *spikeScratch, x []float32, rows, cols int) (spikeRows, bool) {
	step := tensor.GemmDepthStep(cols)
	blocks := (cols + step - 1) / step
	sr := spikeRows{rows: rows, cols: cols, blocks: blocks, piece: step}
	piece := step
	if blocks == 1 {
		piece = 0
	}
	tasks := (rows + linearBlockRows - 1) / linearBlockRows
	seg := linearBlockRows*cols + scanSlack // idx entries per task
	idx := s.ints(0, tasks*seg)
	ptr := s.ints(1, rows*(blocks+1))
	counts := s.ints(2, tasks)
	var failed atomic.Bool
	tensor.ParallelFor(tasks, linearBlockRows*cols/4, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			pos := t * seg
			for r := t * linearBlockRows; r < min((t+1)*linearBlockRows, rows); r++ {
				if failed.Load() {
					return
				}
				p := ptr[r*(blocks+1) : (r+1)*(blocks+1)]
				n, ok := spikeScan(x[r*cols:(r+1)*cols], idx[pos:], 0, piece, p[1:blocks])
				if !ok {
					failed.Store(true)
					return
				}
				p[0] = int32(pos)
				for k := 1; k < blocks; k++ {
					p[k] += int32(pos)
				}
				p[blocks] = int32(pos + n)
				pos += n
			}
			counts[t] = int32(pos - t*seg)
		}
	})
	if failed.Load() {
		return sr, false
	}
	for _, c := range counts {
		sr.nnz += int(c)
	}
	sr.idx, sr.ptr = idx, ptr
	return sr, true
}

// compact returns a copy of sr in idx and ptr (of lengths sr.nnz and
// len(sr.ptr), contents undefined), without the gaps scanRows leaves
// between tasks.
func (sr spikeRows) compact(idx, ptr []int32) spikeRows {
	c := sr
	c.idx = idx[:sr.nnz]
	c.ptr = ptr[:len(sr.ptr)]
	w := sr.blocks + 1
	pos := int32(0)
	for r := range sr.rows {
		p := sr.ptr[r*w : (r+1)*w]
		n := copy(c.idx[pos:], sr.idx[p[0]:p[sr.blocks]])
		for k, v := range p {
			c.ptr[r*w+k] = v - p[0] + pos
		}
		pos += int32(n)
	}
	return c
}

// linearSparseForward computes y = x·Wᵀ + b (b may be nil) for x
// [rows, in] and w [out, in] by the event-driven kernel when every element
// of x is 0 or 1 and mode allows it at x's density; it returns whether it
// did (y is written only then). When keep is true and x is binary and
// sparse enough for the event-driven weight gradient, it also returns
// x's lists in memory from keep, for Backward (else lists.idx is nil);
// keep returns n int32s (contents undefined), and nil keeps nothing.
func linearSparseForward(pool *spikePool, mode SparseMode, keep func(n int) []int32, x, w, b, y []float32, rows, in, out int) (done bool, lists spikeRows) {
	total := rows * in
	if mode == SparseOff || total == 0 || out == 0 ||
		total+rows*scanSlack > math.MaxInt32 || !isBinary(x[:in]) {
		// An analog input (the first layer) shows itself in its first
		// row: give up before setting anything up.
		return false, lists
	}
	s := pool.get()
	defer pool.put(s)
	sr, ok := scanRows(s, x, rows, in)
	if !ok {
		return false, lists
	}
	density := float64(sr.nnz) / float64(total)
	if keep != nil && sparseGrad(mode, density, linearGradSparseMax) {
		// The lists' memory is asked for at the most ones the
		// event-driven gradient takes, so that the same buffer serves
		// every step, whatever the density.
		most := max(sr.nnz, sparseLimit(mode, total, linearGradSparseMax))
		lists = sr.compact(keep(most), keep(len(sr.ptr)))
	}
	if sr.nnz > sparseLimit(mode, total, linearSparseMax) {
		return false, lists
	}

	ld := pad8(out)
	wt := s.floats(0, in*ld)
	transposePad(wt, ld, w, out, in)
	n1 := ld
	if ld != out {
		n1 += rows * ld // a padded output
	}
	buf := s.floats(1, n1)
	var init []float32
	if b != nil {
		init = buf[:ld]
		copy(init, b)
		clear(init[out:])
	}
	dst, ldd := y, out
	if ld != out {
		dst, ldd = buf[ld:], ld
	}
	ps := sr.blocks + 1
	tasks := (rows + linearBlockRows - 1) / linearBlockRows
	tensor.ParallelFor(tasks, 1+int(density*float64(linearBlockRows*in*ld)), func(lo, hi int) {
		r0, r1 := lo*linearBlockRows, min(hi*linearBlockRows, rows)
		gatherCols(dst[r0*ldd:], ldd, wt, ld, init, false, sr.idx, sr.ptr[r0*ps:], ps, sr.blocks, r1-r0, out)
		if ldd != out {
			for r := r0; r < r1; r++ {
				copy(y[r*out:(r+1)*out], dst[r*ldd:r*ldd+out])
			}
		}
	})
	return true, lists
}

// linearSparseWeightGrad sets gw [out, in] to gᵀ·x for g [rows, out] and
// the lists of a binary x [rows, in]: the rows of g scattered onto the
// rows of gWᵀ [in, pad8(out)] named by the lists, one column block of x
// per task, then transposed. The rows of g are taken in Gemm's depth
// blocks over rows: the first block's sums go straight to gWᵀ, every
// later block's are summed apart and then added, as in Gemm.
func linearSparseWeightGrad(pool *spikePool, sr spikeRows, g, gw []float32) {
	rows, in := sr.rows, sr.cols
	out := 0
	if in > 0 {
		out = len(gw) / in
	}
	if rows == 0 || in == 0 || out == 0 {
		clear(gw)
		return
	}
	s := pool.get()
	defer pool.put(s)
	ld := pad8(out)
	gp := g
	if ld != out {
		gp = s.floats(0, rows*ld)
		tensor.ParallelFor(rows, ld, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				copy(gp[r*ld:], g[r*out:(r+1)*out])
				clear(gp[r*ld+out : (r+1)*ld])
			}
		})
	}
	gwt := s.floats(1, 2*in*ld)
	gwt, part := gwt[:in*ld], gwt[in*ld:] // part: a later row block's sums
	ps := sr.blocks + 1
	rstep := tensor.GemmDepthStep(rows)
	tensor.ParallelFor(sr.blocks, 1+sr.nnz/sr.blocks*ld, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			c0, c1 := b*sr.piece, min((b+1)*sr.piece, in)
			for r0 := 0; r0 < rows; r0 += rstep {
				r1 := min(r0+rstep, rows)
				dst := gwt
				if r0 > 0 {
					dst = part
				}
				clear(dst[c0*ld : c1*ld])
				scatterCols(dst, ld, gp[r0*ld:], ld, sr.idx, sr.ptr[r0*ps+b:], sr.ptr[r0*ps+b+1:], ps, r1-r0, out)
				if r0 > 0 {
					addFloats(gwt[c0*ld:c1*ld], part[c0*ld:c1*ld])
				}
			}
			transpose(gw[c0:], in, gwt[c0*ld:], ld, c1-c0, out)
		}
	})
}

// addFloats adds src to dst element by element.
func addFloats(dst, src []float32) {
	src = src[:len(dst)]
	for j, v := range src {
		dst[j] += v
	}
}

// isBinary reports whether every element of x is 0 or 1.
func isBinary(x []float32) bool {
	for _, v := range x {
		if v != 0 && v != 1 {
			return false
		}
	}
	return true
}

// transposePad sets dst [cols, ld] to the transpose of src [rows, cols],
// with zeros in columns rows..ld-1.
func transposePad(dst []float32, ld int, src []float32, rows, cols int) {
	transpose(dst, ld, src, cols, rows, cols)
	if ld > rows {
		for i := range cols {
			clear(dst[i*ld+rows : (i+1)*ld])
		}
	}
}
