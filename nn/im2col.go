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

// im2col writes the column matrix of one sample x [C, H, W] into cols
// [C·k·k, Ho·Wo]: row (c, ki, kj) holds, for every output position
// (oh, ow), the input value under window offset (ki, kj), or 0 in the
// padding.
func im2col(g *convGeom, x, cols []float32) {
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
// im2col.
func col2im(g *convGeom, cols, dx []float32) {
	k, s, p := g.k, g.stride, g.pad
	row := 0
	for c := 0; c < g.c; c++ {
		dc := dx[c*g.hwIn : (c+1)*g.hwIn]
		for ki := 0; ki < k; ki++ {
			ohLo, ohHi := validRange(g.ho, g.h, s, p, ki)
			for kj := 0; kj < k; kj++ {
				src := cols[row*g.hwOut : (row+1)*g.hwOut]
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
