package nn

import (
	"math"
	"sync/atomic"

	"github.com/spikego/spikego/tensor"
)

// The event-driven Conv2d. For a binary sample x [C, H, W], every output
// position o sums the filter taps of the inputs that fired in its window:
//
//	y[:, o] = b + Σ_{(c,t): x[c, i(o,t)] = 1} Wᵀ[c·k·k + t, :]
//
// with t = kh·k + kw the tap and Wᵀ the transposed weight [C·k·k, out]
// (rows of pad8(out) floats), so that every term is a contiguous vector
// addition; the output is computed channels-last, then transposed. Each
// input that fired adds its taps to the positions they reach
// (spikeTaps), channel after channel: every position receives its terms
// in the order of the dense path's im2col rows, (c, kh, kw), summed per
// depth block of tensor.Gemm (see tensor.GemmDepthStep), and the forward
// pass gives the dense path's bits.
//
// The weight gradient sums, for every input channel c and tap t, the
// output gradient (transposed to channels-last) at the output positions
// that the inputs which fired reach through t:
//
//	gWᵀ[c·k·k + t, :] = Σ_n Σ_{i: x[n,c,i]=1} gᵀ[n, o(i,t), :]
//
// one input channel per task; every sample's terms are added in
// increasing i, and the samples' sums in increasing n.

// convSparse is the state of one event-driven forward pass of a layer.
type convSparse struct {
	g      *convGeom
	out    int       // output channels
	ld     int       // pad8(out)
	wt     []float32 // Wᵀ [C·k·k, ld]
	init   []float32 // the bias, padded to ld, or nil
	limit  int       // the most ones of a sample the event-driven path takes
	blocks int       // Gemm's depth blocks over C·k·k
	// reach[i·k·k + t] is the output position o that input position i
	// reaches through tap t, or Ho·Wo when it reaches none.
	reach []int32
	// tapRow[c·k·k + t] is (Ho·Wo + 1)·b for the depth block b of term
	// (c, t): the first row of its block's sums.
	tapRow []int32
}

// newConvSparse prepares the event-driven forward pass of l over x with
// weight w and bias b (nil without), in s, or returns nil when mode rules
// it out or the first sample is not binary.
func newConvSparse(s *spikeScratch, l *Conv2d, g *convGeom, x, w, b []float32) *convSparse {
	kk := g.k * g.k
	K := g.c * kk
	limit := sparseLimit(l.Sparse, g.inSize, convSparseMax)
	if limit < 0 || len(x) == 0 || (g.hwOut+1)*K > math.MaxInt32/pad8(l.out) || !isBinary(x[:g.inSize]) {
		return nil
	}
	step := tensor.GemmDepthStep(K)
	cs := &convSparse{g: g, out: l.out, ld: pad8(l.out), limit: limit, blocks: (K + step - 1) / step}
	cs.wt = s.floats(0, K*cs.ld)
	transposePad(cs.wt, cs.ld, w, cs.out, K)
	if b != nil {
		cs.init = s.floats(1, cs.ld)
		copy(cs.init, b)
		clear(cs.init[cs.out:])
	}
	cs.reach = s.ints(0, kk*g.hwIn)
	fillReach(cs.reach, g, 1, int32(g.hwOut))
	cs.tapRow = s.ints(1, K)
	for q := range cs.tapRow {
		cs.tapRow[q] = int32(q / step * (g.hwOut + 1))
	}
	return cs
}

// fillReach sets reach[i·k·k + t] to scale·o for the output position o
// that input position i reaches through tap t, or to none.
func fillReach(reach []int32, g *convGeom, scale, none int32) {
	for t := range g.k * g.k {
		kh, kw := t/g.k, t%g.k
		for iy := range g.h {
			for ix := range g.w {
				r := none
				oy, ox := iy+g.pad-kh, ix+g.pad-kw
				if oy >= 0 && ox >= 0 && oy%g.stride == 0 && ox%g.stride == 0 && oy/g.stride < g.ho && ox/g.stride < g.wo {
					r = scale * int32(oy/g.stride*g.wo+ox/g.stride)
				}
				reach[(iy*g.w+ix)*g.k*g.k+t] = r
			}
		}
	}
}

// forward computes one sample's output y [out, Ho·Wo] from x [C, H, W]
// with the scratch s, and returns the number of ones of x; it does
// nothing and returns false when x is not binary or has more than
// cs.limit ones.
//
// Every channel's ones, in increasing position, add their taps' rows of
// Wᵀ to the channels-last sums of the output positions they reach, one
// set of sums per depth block (spikeTaps): every sum receives its terms
// in the order (c, kh, kw). The blocks' sums are then added to the bias
// in block order, and the result transposed.
func (cs *convSparse) forward(s *spikeScratch, x, y []float32) (int, bool) {
	g := cs.g
	C, hw, kk, ld := g.c, g.hwIn, g.k*g.k, cs.ld
	// The ones of every channel: pos[chanEnd[c-1]:chanEnd[c]].
	pos := s.ints(0, g.inSize+scanSlack)
	chanEnd := s.ints(1, C)
	n := 0
	for c := range C {
		k, ok := spikeScan(x[c*hw:(c+1)*hw], pos[n:], 0, 0, nil)
		if !ok {
			return 0, false
		}
		n += k
		if n > cs.limit {
			return n, false
		}
		chanEnd[c] = int32(n)
	}
	// Block b's sums: rows b·(hwOut+1) + o of sums; row hwOut of every
	// block takes the taps that reach no position.
	rows := g.hwOut + 1
	sums := s.floats(0, cs.blocks*rows*ld)
	clear(sums)
	q := 0
	for c := range C {
		width := ld
		for j := 0; j < cs.out; j += width {
			width = chunkWidth(j, cs.out)
			spikeTaps(sums[j:], cs.wt[c*kk*ld+j:], ld, cs.reach, cs.tapRow[c*kk:(c+1)*kk], pos[q:chanEnd[c]], kk, width)
		}
		q = int(chanEnd[c])
	}
	// (bias + P0) + P1 + ...
	out := sums[:g.hwOut*ld]
	if cs.init != nil {
		addRows(out, cs.init, 0, g.hwOut, ld)
	}
	for b := 1; b < cs.blocks; b++ {
		addRows(out, sums[b*rows*ld:], ld, g.hwOut, ld)
	}
	transpose(y, g.hwOut, out, ld, g.hwOut, cs.out)
	return n, true
}

// convSparseWeightGrad sets gw [out, C·k·k] to the weight gradient of a
// convolution with geometry g over the binary input x [n, C, H, W] and
// the output gradient grad [n, out, Ho, Wo], event-driven, and reports
// whether it did; it does not when x turns out not to be binary (gw is
// then undefined). Whole-call buffers come from callPool, those of each
// task from workPool.
//
// The samples are taken in the blocks of the dense path, [b·n/blocks,
// (b+1)·n/blocks): within a block, one task per input channel sums every
// sample's terms in increasing position and adds the samples' sums in
// order; the blocks' sums are added in block order. These are the dense
// path's sums (Gemm's over the positions of a sample, then the blocks
// of Conv2d's Backward), so the weight gradient has its bits.
func convSparseWeightGrad(callPool, workPool *spikePool, g *convGeom, out int, x, grad, gw []float32, n, blocks int) bool {
	C, hw, hwo, kk := g.c, g.hwIn, g.hwOut, g.k*g.k
	if n*hwo >= math.MaxInt32 || n*hw+scanSlack > math.MaxInt32 {
		return false
	}
	if n == 0 {
		clear(gw)
		return true
	}
	s := callPool.get()
	defer callPool.put(s)
	ld := pad8(out)
	most := (n + blocks - 1) / blocks // samples in the largest block
	// The block's output gradient channels-last: gt[(i·hwo + o)·ld + j]
	// = grad[i0+i, j, o].
	gt := s.floats(0, most*hwo*ld)
	// reach[i·kk + t]: the output position that input position i
	// reaches through tap t, or -1.
	reach := s.ints(0, kk*hw)
	fillReach(reach, g, 1, -1)
	gwt := s.floats(1, C*kk*ld)
	var failed atomic.Bool
	for b := range blocks {
		i0, i1 := b*n/blocks, (b+1)*n/blocks
		m := i1 - i0
		tensor.ParallelFor(m, out*hwo, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				transposePad(gt[i*hwo*ld:(i+1)*hwo*ld], ld, grad[(i0+i)*out*hwo:(i0+i+1)*out*hwo], out, hwo)
			}
		})
		tensor.ParallelFor(C, m*hw*kk, func(lo, hi int) {
			ws := workPool.get()
			defer workPool.put(ws)
			pos := ws.ints(0, hw+scanSlack)
			// Tap t's terms of sample i: list[ptr[t·(m+1)+i] : ptr[t·(m+1)+i+1]].
			list := ws.ints(1, kk*m*hw)
			ptr := ws.ints(2, kk*(m+1))
			sums := ws.floats(0, kk*ld) // a later block's sums
			for c := lo; c < hi; c++ {
				for t := range kk {
					ptr[t*(m+1)] = int32(t * m * hw)
				}
				for i := range m {
					k, ok := spikeScan(x[((i0+i)*C+c)*hw:((i0+i)*C+c+1)*hw], pos, 0, 0, nil)
					if !ok {
						failed.Store(true)
						return
					}
					base := int32(i * hwo)
					for t := range kk {
						e := int(ptr[t*(m+1)+i])
						for _, p := range pos[:k] {
							r := reach[int(p)*kk+t]
							list[e] = base + r
							e += int(uint32(r)>>31) ^ 1 // kept when r >= 0
						}
						ptr[t*(m+1)+i+1] = int32(e)
					}
				}
				// Rows c·kk + t of gWᵀ, one per tap, whose blocks are
				// the samples: the first block's sums go straight there,
				// a later one's are added.
				rows := gwt[c*kk*ld : (c+1)*kk*ld]
				dst := rows
				if b > 0 {
					dst = sums
				}
				gatherCols(dst, ld, gt, ld, nil, false, list, ptr, m+1, m, kk, out)
				if b > 0 {
					addRows(rows, sums, ld, kk, ld)
				}
			}
		})
		if failed.Load() {
			return false
		}
	}
	// gw [out, C·kk] is the transpose of gWᵀ.
	transpose(gw, C*kk, gwt, ld, C*kk, out)
	return true
}
