package nn

// convGeom describes one 2-d convolution or pooling window sweep over a
// single [C, H, W] sample: a square k×k window moved by stride over the
// input padded with pad zeros on every side, giving an Ho×Wo output.
type convGeom struct {
	c, h, w      int // input channels and spatial size
	k            int // square window side
	stride, pad  int
	ho, wo       int // output spatial size
	rows, hwOut  int // c*k*k and ho*wo: the column matrix is rows×hwOut
	hwIn, inSize int // h*w and c*h*w
}

// newConvGeom fills a convGeom. The caller has checked that the padded
// input is at least as large as the window.
func newConvGeom(c, h, w, k, stride, pad int) convGeom {
	g := convGeom{c: c, h: h, w: w, k: k, stride: stride, pad: pad}
	g.ho = (h+2*pad-k)/stride + 1
	g.wo = (w+2*pad-k)/stride + 1
	g.rows = c * k * k
	g.hwOut = g.ho * g.wo
	g.hwIn = h * w
	g.inSize = c * h * w
	return g
}

// identity reports whether the column matrix of a sample is the sample
// itself (a 1×1 window with stride 1 and no padding), so im2col and col2im
// can be skipped.
func (g *convGeom) identity() bool { return g.k == 1 && g.stride == 1 && g.pad == 0 }

// window returns the input range [lo, hi) along a dimension of the given
// size covered by the window of output position o, clipped to the
// unpadded input.
func (g *convGeom) window(o, size int) (lo, hi int) {
	lo = o*g.stride - g.pad
	hi = min(lo+g.k, size)
	return max(lo, 0), hi
}

// validRange returns the half-open range [lo, hi) of output positions o in
// [0, n) whose input position o*stride - pad + off lies in [0, size).
func validRange(n, size, stride, pad, off int) (lo, hi int) {
	// o*stride >= pad - off  and  o*stride <= size - 1 + pad - off.
	a := pad - off
	if a > 0 {
		lo = (a + stride - 1) / stride
	}
	b := size - 1 + pad - off
	if b < 0 {
		return 0, 0
	}
	hi = min(b/stride+1, n)
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

// same reports whether the window moves by 1 and k = 2·pad + 1, so that
// the output has the input's size and every row of the column matrix is
// the input plane shifted by a constant offset.
func (g *convGeom) same() bool { return g.stride == 1 && g.k == 2*g.pad+1 }

// im2col writes the column matrix of one sample x [C, H, W] into cols
// [C·k·k, Ho·Wo]: row (c, ki, kj) holds, for every output position
// (oh, ow), the input value under window offset (ki, kj), or 0 in the
// padding.
func im2col(g *convGeom, x, cols []float32) {
	if g.same() {
		im2colSame(g, x, cols)
		return
	}
	im2colGeneric(g, x, cols)
}

// im2colGeneric is im2col for any geometry.
func im2colGeneric(g *convGeom, x, cols []float32) {
	k, s, p := g.k, g.stride, g.pad
	row := 0
	for c := 0; c < g.c; c++ {
		xc := x[c*g.hwIn : (c+1)*g.hwIn]
		for ki := 0; ki < k; ki++ {
			ohLo, ohHi := validRange(g.ho, g.h, s, p, ki)
			for kj := 0; kj < k; kj++ {
				dst := cols[row*g.hwOut : (row+1)*g.hwOut]
				row++
				owLo, owHi := validRange(g.wo, g.w, s, p, kj)
				clear(dst[:ohLo*g.wo])
				clear(dst[ohHi*g.wo:])
				for oh := ohLo; oh < ohHi; oh++ {
					d := dst[oh*g.wo : (oh+1)*g.wo]
					clear(d[:owLo])
					clear(d[owHi:])
					if owLo >= owHi {
						continue
					}
					ih := oh*s - p + ki
					iw := owLo*s - p + kj
					src := xc[ih*g.w : (ih+1)*g.w]
					if s == 1 {
						copy(d[owLo:owHi], src[iw:])
						continue
					}
					for ow := owLo; ow < owHi; ow++ {
						d[ow] = src[iw]
						iw += s
					}
				}
			}
		}
	}
}

// col2im adds the column matrix cols [C·k·k, Ho·Wo] back into dx
// [C, H, W], each entry onto the input position it was read from by
// im2col (entries in the padding are dropped). It is the adjoint of
// im2col. Every element of dx receives its entries in the order of the
// rows of cols, added one at a time to its current value.
func col2im(g *convGeom, cols, dx []float32) {
	if g.same() && g.k == 3 {
		col2im3x3Same(g, cols, g.hwOut, dx, false)
		return
	}
	col2imGeneric(g, cols, g.hwOut, dx)
}

// col2imSet is col2im into a dx of undefined contents: it sets dx to
// what col2im adds onto zeros, with the same bits, without a separate
// pass clearing dx where it can (a 3×3 window with stride 1 and padding
// 1).
func col2imSet(g *convGeom, cols, dx []float32) { col2imSetStride(g, cols, g.hwOut, dx) }

// col2imSetStride is col2imSet for a column matrix whose rows are ld
// floats apart (ld >= Ho·Wo): the columns of one sample within those of
// several, side by side.
func col2imSetStride(g *convGeom, cols []float32, ld int, dx []float32) {
	if g.same() && g.k == 3 && g.w >= 3 {
		col2im3x3Same(g, cols, ld, dx, true)
		return
	}
	clear(dx[:g.inSize])
	if g.same() && g.k == 3 {
		col2im3x3Same(g, cols, ld, dx, false)
		return
	}
	col2imGeneric(g, cols, ld, dx)
}

// col2imGeneric is col2im for any geometry, with the rows of cols ld
// floats apart: it adds them one after the other.
func col2imGeneric(g *convGeom, cols []float32, ld int, dx []float32) {
	k, s, p := g.k, g.stride, g.pad
	row := 0
	for c := 0; c < g.c; c++ {
		dc := dx[c*g.hwIn : (c+1)*g.hwIn]
		for ki := 0; ki < k; ki++ {
			ohLo, ohHi := validRange(g.ho, g.h, s, p, ki)
			for kj := 0; kj < k; kj++ {
				src := cols[row*ld : row*ld+g.hwOut]
				row++
				owLo, owHi := validRange(g.wo, g.w, s, p, kj)
				if owLo >= owHi {
					continue
				}
				for oh := ohLo; oh < ohHi; oh++ {
					ih := oh*s - p + ki
					iw := owLo*s - p + kj
					sr := src[oh*g.wo+owLo : oh*g.wo+owHi]
					d := dc[ih*g.w : (ih+1)*g.w]
					if s == 1 {
						d = d[iw : iw+len(sr)]
						for i, v := range sr {
							d[i] += v
						}
						continue
					}
					for _, v := range sr {
						d[iw] += v
						iw += s
					}
				}
			}
		}
	}
}

// im2colSame is im2col for a same geometry (see convGeom.same): row
// (c, ki, kj) is plane c shifted by (ki - pad) rows and (kj - pad)
// columns, so it is one contiguous copy of the plane whose wrapped-around
// columns are then zeroed, plus zero rows above or below.
func im2colSame(g *convGeom, x, cols []float32) {
	k, p, h, w, hw := g.k, g.pad, g.h, g.w, g.hwIn
	row := 0
	for c := 0; c < g.c; c++ {
		xc := x[c*hw : (c+1)*hw]
		for ki := 0; ki < k; ki++ {
			dy := ki - p // input row = output row + dy
			ohLo, ohHi := max(0, -dy), min(h, h-dy)
			for kj := 0; kj < k; kj++ {
				dx := kj - p // input column = output column + dx
				dst := cols[row*hw : (row+1)*hw]
				row++
				if ohLo >= ohHi || dx >= w || -dx >= w {
					clear(dst)
					continue
				}
				clear(dst[:ohLo*w])
				clear(dst[ohHi*w:])
				lo, hi := ohLo*w, ohHi*w
				src := (ohLo+dy)*w + dx // input index of dst[lo]
				a, b := max(0, -dx), max(0, dx)
				copy(dst[lo+a:hi-b], xc[src+a:src+(hi-lo)-b])
				// The first -dx or last dx columns of every row lie in
				// the padding: the copy filled them from the
				// neighbouring row.
				switch {
				case dx < 0:
					for o := lo; o < hi; o += w {
						for j := o; j < o-dx; j++ {
							dst[j] = 0
						}
					}
				case dx > 0:
					for o := lo + w - dx; o < hi; o += w {
						for j := o; j < o+dx; j++ {
							dst[j] = 0
						}
					}
				}
			}
		}
	}
}

// col2im3x3Same is col2im for a 3×3 window with stride 1 and padding 1.
// It gathers rather than scatters: every element of dx receives its (up
// to) nine entries, in the order of the rows of cols, in one visit. In
// row (c, ki, kj) the entry of input position (ih, iw) is at output
// position (ih+1-ki, iw+1-kj) when that lies in the plane. With set, the
// sums start from +0 instead of dx's values (of which w >= 3 is assumed),
// as col2im onto a cleared dx. The rows of cols are ld floats apart.
func col2im3x3Same(g *convGeom, cols []float32, ld int, dx []float32, set bool) {
	h, w, hw := g.h, g.w, g.hwIn
	if w < 3 {
		col2imGeneric(g, cols, ld, dx)
		return
	}
	n := w - 2 // interior columns 1..w-2 receive entries from kj = 0, 1, 2
	for c := 0; c < g.c; c++ {
		dc := dx[c*hw : (c+1)*hw]
		cc := cols[c*9*ld : c*9*ld+8*ld+hw]
		for ih := 0; ih < h; ih++ {
			// Window rows ki whose output row ih+1-ki lies in the plane.
			kiLo, kiHi := max(0, ih+2-h), min(2, ih+1)
			drow := dc[ih*w : ih*w+w]
			// Column 0 receives kj = 0 (output column 1) and kj = 1
			// (output column 0); column w-1 receives kj = 1 (output
			// column w-1) and kj = 2 (output column w-2).
			s0, s1 := drow[0], drow[w-1]
			if set {
				s0, s1 = 0, 0
			}
			for ki := kiLo; ki <= kiHi; ki++ {
				o := 3*ki*ld + (ih+1-ki)*w // output row ih+1-ki of row (ki, 0)
				s0 += cc[o+1]
				s0 += cc[o+ld]
				s1 += cc[o+ld+w-1]
				s1 += cc[o+2*ld+w-2]
			}
			drow[0], drow[w-1] = s0, s1
			d := drow[1 : 1+n]
			// seg returns the entries of row (ki, kj) for columns 1..w-2.
			seg := func(ki, kj int) []float32 {
				o := (3*ki+kj)*ld + (ih+1-ki)*w + 2 - kj
				return cc[o : o+n : o+n]
			}
			if set {
				clear(d) // the sums below then start from +0
			}
			if kiLo > 0 || kiHi < 2 {
				for ki := kiLo; ki <= kiHi; ki++ {
					a, b, e := seg(ki, 0), seg(ki, 1), seg(ki, 2)
					for i := range d {
						s := d[i]
						s += a[i]
						s += b[i]
						s += e[i]
						d[i] = s
					}
				}
				continue
			}
			r0, r1, r2 := seg(0, 0), seg(0, 1), seg(0, 2)
			r3, r4, r5 := seg(1, 0), seg(1, 1), seg(1, 2)
			r6, r7, r8 := seg(2, 0), seg(2, 1), seg(2, 2)
			for i := range d {
				s := d[i]
				s += r0[i]
				s += r1[i]
				s += r2[i]
				s += r3[i]
				s += r4[i]
				s += r5[i]
				s += r6[i]
				s += r7[i]
				s += r8[i]
				d[i] = s
			}
		}
	}
}
