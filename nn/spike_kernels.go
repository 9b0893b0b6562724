package nn

import "fmt"

// The kernels of the event-driven layers. A spike list holds, for a
// binary row, the positions of its ones in increasing order:
//
//   - spikeScan reads a row of floats, checks that every element is 0 or 1
//     and writes the positions of the ones;
//   - spikeGather sets each output row r to the sum of the rows of a dense
//     matrix named by list r: the event-driven product of a binary matrix
//     by a dense one (Linear forward, Conv2d weight gradient);
//   - spikeScatter adds each row r of a dense matrix to the rows of the
//     output named by list r: the event-driven product of the transpose of
//     a binary matrix by a dense one (Linear weight gradient);
//   - spikeTaps adds, for every position that fired, the filter taps to
//     the outputs they reach (Conv2d forward);
//   - addRows and transpose move the channels-last sums of these kernels
//     in and out of the layers' layouts.
//
// Each kernel has an assembly version (spike_amd64.s, AVX2, and AVX-512
// for the scan) and the pure-Go version of this file; they give the same
// bits. The assembly versions check every index they follow, and the
// wrappers every slice bound, so that a wrong list panics instead of
// reading or writing outside its arrays.

// spikeImpl chooses the versions of the event-driven kernels: the pure-Go
// loops, AVX2, or AVX2 with the AVX-512 scan. The layers use spikeDefault;
// the tests run every version this build and CPU have.
type spikeImpl struct {
	asm    bool // the AVX2 kernels
	avx512 bool // the AVX-512 scan (with asm)
}

// spikeDefault is the fastest version this build and CPU have.
var spikeDefault = spikeImpl{asm: haveAVX2, avx512: haveAVX2 && haveAVX512}

// spikeImpls lists the versions this build and CPU have, pure Go first.
func spikeImpls() []spikeImpl {
	impls := []spikeImpl{{}}
	if haveAVX2 {
		impls = append(impls, spikeImpl{asm: true})
	}
	if haveAVX2 && haveAVX512 {
		impls = append(impls, spikeImpl{asm: true, avx512: true})
	}
	return impls
}

// String names the version: "go", "avx2" or "avx512".
func (k spikeImpl) String() string {
	switch {
	case k.avx512:
		return "avx512"
	case k.asm:
		return "avx2"
	}
	return "go"
}

// scanSlack is the number of entries spikeScan may write past the last
// position it reports: the assembly versions store 8 or 16 at a time.
const scanSlack = 16

// scanPiece is the alignment of the cuts spikeScan records: its assembly
// versions record them between blocks of 8 floats.
const scanPiece = 8

// scan writes base+j for every j with x[j] == 1, in increasing
// order, to idx and returns their number; ok is false, and n meaningless,
// when some x[j] is neither 0 nor 1 (a NaN, or an analog value). idx must
// have room for len(x) + scanSlack entries.
//
// With piece > 0 (a multiple of scanPiece), it also sets cuts[k-1] to the
// number of ones among x[:k·piece] for k = 1 ... len(cuts), which must be
// the number of multiples of piece in (0, len(x)).
func (k spikeImpl) scan(x []float32, idx []int32, base int32, piece int, cuts []int32) (n int, ok bool) {
	_ = idx[len(x)+scanSlack-1]
	ncuts := len(cuts)
	if piece > 0 && (piece%scanPiece != 0 || ncuts*piece >= max(len(x), 1) || (ncuts+1)*piece < len(x)) {
		panic(fmt.Sprintf("nn: spikeScan: %d cuts every %d floats in a row of %d", ncuts, piece, len(x)))
	}
	head := 0
	if k.asm && len(x) >= 8 {
		// Every cut lies at or before head, the largest multiple of 8
		// up to len(x): so does every multiple of piece.
		head = len(x) &^ 7
		if k.avx512 {
			n = spikeScanAVX512(&x[0], head, &idx[0], base, &leftPack, piece, first(cuts), ncuts)
		} else {
			n = spikeScanAVX2(&x[0], head, &idx[0], base, &leftPack, piece, first(cuts), ncuts)
		}
		if n < 0 {
			return 0, false
		}
	}
	// The kernel recorded the cuts up to head; the tail holds no more
	// unless the kernel did not run.
	c := 0
	if head > 0 {
		c = ncuts
	}
	next := (c + 1) * piece
	for j := head; j < len(x); j++ {
		if c < ncuts && j == next {
			cuts[c] = int32(n)
			c++
			next += piece
		}
		switch x[j] {
		case 1:
			idx[n] = base + int32(j)
			n++
		case 0:
		default:
			return 0, false
		}
	}
	return n, true
}

// leftPack drives the AVX2 scan: for each 8-bit mask m of the ones among
// eight floats, pos[m] lists the lanes of its set bits in increasing
// order (then zeros), and count[m] their number.
var leftPack = makeLeftPack()

// leftPackTable is the layout spikeScanAVX2 reads.
type leftPackTable struct {
	pos   [256][8]uint8
	count [256]uint8
}

func makeLeftPack() (t leftPackTable) {
	for m := range 256 {
		n := 0
		for b := range 8 {
			if m&(1<<b) != 0 {
				t.pos[m][n] = uint8(b)
				n++
			}
		}
		t.count[m] = uint8(n)
	}
	return t
}

// checkLists panics unless the n lists idx[beg[r·ps]:end[r·ps]] lie in idx
// and the width is 8, 16 or 32. The entries themselves are checked by the
// kernels.
func checkLists(kernel string, idx, beg, end []int32, ps, n, width int) {
	if width != 8 && width != 16 && width != 32 {
		panic(fmt.Sprintf("nn: %s: width %d is not 8, 16 or 32", kernel, width))
	}
	if n == 0 {
		return
	}
	_, _ = beg[(n-1)*ps], end[(n-1)*ps]
	for r := 0; r < n; r++ {
		b, e := beg[r*ps], end[r*ps]
		if b < 0 || b > e || int(e) > len(idx) {
			panic(fmt.Sprintf("nn: %s: list [%d, %d) of row %d outside [0, %d)", kernel, b, e, r, len(idx)))
		}
	}
}

// matrixRows returns the number of whole rows of width floats, stride ld,
// that m holds.
func matrixRows(m []float32, ld, width int) int {
	if len(m) < width {
		return 0
	}
	return (len(m)-width)/ld + 1
}

// gather sets, for each r < n, row r of dst (row stride ldd, width
// columns) to a start plus the sums of the rows idx[q] of w (row stride
// ldw, the same width columns) over the blocks of row r: block b holds
// the entries q in [ptr[r·ps + b], ptr[r·ps + b + 1]), for b < blocks (ps
// ≥ blocks; with ps = blocks, a row's end is the next row's start; a
// block that ends before it starts is empty). The start is the row of dst
// itself when fromDst is set, else init, or zero when init is nil. width
// is 8, 16 or 32. It panics when a listed row lies outside w or a block
// outside idx.
//
// The order of the additions is fixed: every block's rows are added one
// after the other to a sum starting from zero, and the blocks' sums are
// added in order to the start, ((start + P0) + P1) + ... This is the order
// of tensor.Gemm (see tensor.GemmDepthStep) when the blocks are its depth
// blocks and the entries the ones of a binary operand: the event-driven
// and the dense products then have the same bits.
func (k spikeImpl) gather(dst []float32, ldd int, w []float32, ldw int, init []float32, fromDst bool, idx, ptr []int32, ps, blocks, n, width int) {
	if n == 0 {
		return
	}
	if blocks < 1 || ps < blocks {
		panic(fmt.Sprintf("nn: spikeGather: %d blocks in rows of stride %d", blocks, ps))
	}
	if width != 8 && width != 16 && width != 32 {
		panic(fmt.Sprintf("nn: spikeGather: width %d is not 8, 16 or 32", width))
	}
	_ = ptr[(n-1)*ps+blocks]
	_ = dst[(n-1)*ldd+width-1]
	from := 0
	switch {
	case fromDst:
		from, init = 2, nil
	case init != nil:
		from = 1
		_ = init[width-1]
	}
	if !k.asm {
		spikeGatherGo(dst, ldd, w, ldw, init, fromDst, idx, ptr, ps, blocks, n, width)
		return
	}
	rows := matrixRows(w, ldw, width)
	switch spikeGatherAVX2(&dst[0], ldd, first(w), ldw, rows, len(idx), first(init), first(idx), &ptr[0], ps, blocks, n, width/8, from) {
	case 1:
		panic(fmt.Sprintf("nn: spikeGather: a listed row lies outside the %d rows of w", rows))
	case 2:
		panic(fmt.Sprintf("nn: spikeGather: a block lies outside the %d entries of idx", len(idx)))
	}
}

// first returns &s[0], or nil for an empty s (which the kernels then do
// not read).
func first[T any](s []T) *T {
	if len(s) == 0 {
		return nil
	}
	return &s[0]
}

// spikeGatherGo is the pure-Go spikeGather.
func spikeGatherGo(dst []float32, ldd int, w []float32, ldw int, init []float32, fromDst bool, idx, ptr []int32, ps, blocks, n, width int) {
	var accBuf, sumBuf [32]float32
	acc, sum := accBuf[:width], sumBuf[:width]
	for r := range n {
		switch {
		case fromDst:
			copy(acc, dst[r*ldd:r*ldd+width])
		case init != nil:
			copy(acc, init[:width])
		default:
			clear(acc)
		}
		for b := range blocks {
			q := r*ps + b
			clear(sum)
			for _, i := range idx[ptr[q]:max(ptr[q], ptr[q+1])] {
				row := w[int(i)*ldw : int(i)*ldw+width]
				for j, v := range row {
					sum[j] += v
				}
			}
			for j, v := range sum {
				acc[j] += v
			}
		}
		copy(dst[r*ldd:r*ldd+width], acc)
	}
}

// scatter adds, for each r < n in order, row r of g (row stride ldg,
// width columns) to the rows idx[q] of dst (row stride ldd, the same
// columns) for q in list r, idx[beg[r·ps]:end[r·ps]]. width is 8, 16 or
// 32. It panics when a listed row lies outside dst. Every row of dst
// thus receives its terms one at a time, in the order of r.
func (k spikeImpl) scatter(dst []float32, ldd int, g []float32, ldg int, idx, beg, end []int32, ps, n, width int) {
	checkLists("spikeScatter", idx, beg, end, ps, n, width)
	if n == 0 {
		return
	}
	_ = g[(n-1)*ldg+width-1]
	rows := matrixRows(dst, ldd, width)
	if !k.asm {
		spikeScatterGo(dst, ldd, g, ldg, idx, beg, end, ps, n, width)
		return
	}
	if spikeScatterAVX2(first(dst), ldd, rows, &g[0], ldg, first(idx), &beg[0], &end[0], ps, n, width/8) != 0 {
		panic(fmt.Sprintf("nn: spikeScatter: a listed row lies outside the %d rows of dst", rows))
	}
}

// spikeScatterGo is the pure-Go spikeScatter.
func spikeScatterGo(dst []float32, ldd int, g []float32, ldg int, idx, beg, end []int32, ps, n, width int) {
	for r := range n {
		src := g[r*ldg : r*ldg+width]
		for _, i := range idx[beg[r*ps]:end[r*ps]] {
			d := dst[int(i)*ldd : int(i)*ldd+width]
			for j, v := range src {
				d[j] += v
			}
		}
	}
}

// chunkWidth returns the width of the kernel call that covers columns
// [j, pad8(cols)): 32, 16 or 8.
func chunkWidth(j, cols int) int {
	switch rest := pad8(cols - j); {
	case rest >= 32:
		return 32
	case rest >= 16:
		return 16
	}
	return 8
}

// gatherCols calls gather over the columns [0, cols) of w and dst in
// chunks of 32, then 16 and 8 for the rest; ldw and ldd must be at least
// pad8(cols), and the columns of dst up to pad8(cols) are written.
func (k spikeImpl) gatherCols(dst []float32, ldd int, w []float32, ldw int, init []float32, fromDst bool, idx, ptr []int32, ps, blocks, n, cols int) {
	for j := 0; j < cols; {
		width := chunkWidth(j, cols)
		var in []float32
		if init != nil {
			in = init[j:]
		}
		k.gather(dst[j:], ldd, w[j:], ldw, in, fromDst, idx, ptr, ps, blocks, n, width)
		j += width
	}
}

// scatterCols is gatherCols for scatter.
func (k spikeImpl) scatterCols(dst []float32, ldd int, g []float32, ldg int, idx, beg, end []int32, ps, n, cols int) {
	for j := 0; j < cols; {
		width := chunkWidth(j, cols)
		k.scatter(dst[j:], ldd, g[j:], ldg, idx, beg, end, ps, n, width)
		j += width
	}
}

// transpose sets dst[j·ldd + i] = src[i·lds + j] for i < rows, j < cols.
func (k spikeImpl) transpose(dst []float32, ldd int, src []float32, lds int, rows, cols int) {
	if rows == 0 || cols == 0 {
		return
	}
	_ = src[(rows-1)*lds+cols-1]
	_ = dst[(cols-1)*ldd+rows-1]
	r8, c8 := 0, 0
	if k.asm {
		r8, c8 = rows&^7, cols&^7
		if r8 > 0 && c8 > 0 {
			transpose8AVX2(&dst[0], ldd, &src[0], lds, r8, c8)
		} else {
			r8, c8 = 0, 0
		}
	}
	// The rest: the rows past r8 for all columns, and the columns past
	// c8 for the first r8 rows.
	for i := range rows {
		j0 := c8
		if i >= r8 {
			j0 = 0
		}
		for j, v := range src[i*lds+j0 : i*lds+cols] {
			dst[(j0+j)*ldd+i] = v
		}
	}
}

// taps adds, for every p in pos in order and every tap t < kk in
// order, row t of src to row reach[p·kk + t] + tapRow[t] of dst (rows of
// ld floats, width columns: 8, 16 or 32). It panics when a row lies
// outside dst. Every row of dst receives its terms one at a time, in
// that order.
func (k spikeImpl) taps(dst, src []float32, ld int, reach, tapRow, pos []int32, kk, width int) {
	if len(pos) == 0 || kk == 0 {
		return
	}
	if width != 8 && width != 16 && width != 32 {
		panic(fmt.Sprintf("nn: spikeTaps: width %d is not 8, 16 or 32", width))
	}
	_ = src[(kk-1)*ld+width-1]
	_ = tapRow[kk-1]
	rows := matrixRows(dst, ld, width)
	for _, p := range pos {
		if p < 0 || (int(p)+1)*kk > len(reach) {
			panic(fmt.Sprintf("nn: spikeTaps: position %d outside reach", p))
		}
	}
	if k.asm {
		if spikeTapsAVX2(&dst[0], rows, &src[0], ld, &reach[0], &tapRow[0], &pos[0], len(pos), kk, width/8) != 0 {
			panic(fmt.Sprintf("nn: spikeTaps: a row lies outside the %d rows of dst", rows))
		}
		return
	}
	for _, p := range pos {
		for t := range kk {
			r := int(reach[int(p)*kk+t]) + int(tapRow[t])
			if r < 0 || r >= rows {
				panic(fmt.Sprintf("nn: spikeTaps: row %d outside the %d rows of dst", r, rows))
			}
			d := dst[r*ld : r*ld+width]
			for j, v := range src[t*ld : t*ld+width] {
				d[j] += v
			}
		}
	}
}

// addRows adds src[r·lds + j] to dst[r·width + j] for r < rows and j <
// width (a multiple of 8); lds = 0 adds the same row to every row.
func (k spikeImpl) addRows(dst, src []float32, lds, rows, width int) {
	if rows == 0 || width == 0 {
		return
	}
	if width%8 != 0 {
		panic(fmt.Sprintf("nn: addRows: width %d is not a multiple of 8", width))
	}
	_ = dst[rows*width-1]
	_ = src[(rows-1)*lds+width-1]
	if k.asm {
		addRowsAVX2(&dst[0], &src[0], lds, rows, width)
		return
	}
	for r := range rows {
		d := dst[r*width : (r+1)*width]
		for j, v := range src[r*lds : r*lds+width] {
			d[j] += v
		}
	}
}

// The kernels in the version the layers use.

func spikeScan(x []float32, idx []int32, base int32, piece int, cuts []int32) (int, bool) {
	return spikeDefault.scan(x, idx, base, piece, cuts)
}

func gatherCols(dst []float32, ldd int, w []float32, ldw int, init []float32, fromDst bool, idx, ptr []int32, ps, blocks, n, cols int) {
	spikeDefault.gatherCols(dst, ldd, w, ldw, init, fromDst, idx, ptr, ps, blocks, n, cols)
}

func scatterCols(dst []float32, ldd int, g []float32, ldg int, idx, beg, end []int32, ps, n, cols int) {
	spikeDefault.scatterCols(dst, ldd, g, ldg, idx, beg, end, ps, n, cols)
}

func spikeTaps(dst, src []float32, ld int, reach, tapRow, pos []int32, kk, width int) {
	spikeDefault.taps(dst, src, ld, reach, tapRow, pos, kk, width)
}

func addRows(dst, src []float32, lds, rows, width int) {
	spikeDefault.addRows(dst, src, lds, rows, width)
}

func transpose(dst []float32, ldd int, src []float32, lds int, rows, cols int) {
	spikeDefault.transpose(dst, ldd, src, lds, rows, cols)
}
