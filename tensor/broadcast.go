package tensor

import (
	"fmt"
	"slices"
)

// BroadcastShape returns the shape that a and b broadcast to under NumPy
// rules, or an error naming both shapes.
func BroadcastShape(a, b []int) ([]int, error) {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := 0; i < n; i++ {
		da, db := 1, 1
		if j := len(a) - n + i; j >= 0 {
			da = a[j]
		}
		if j := len(b) - n + i; j >= 0 {
			db = b[j]
		}
		switch {
		case da == db:
			out[i] = da
		case da == 1:
			out[i] = db
		case db == 1:
			out[i] = da
		default:
			return nil, fmt.Errorf("tensor: shapes %v and %v do not broadcast", a, b)
		}
	}
	return out, nil
}

// broadcastStrides returns, for an operand of shape s broadcast to out, the
// element stride of each output dimension (0 where s is stretched).
func broadcastStrides(s, out []int) []int {
	st := make([]int, len(out))
	stride := 1
	for i := len(out) - 1; i >= 0; i-- {
		j := len(s) - len(out) + i
		if j >= 0 && s[j] != 1 {
			st[i] = stride
		}
		if j >= 0 {
			stride *= s[j]
		}
	}
	return st
}

// binaryBroadcast applies f element-wise over a and b broadcast to out,
// writing into dst (len = numel(out)).
func binaryBroadcast(dst, a, b []float32, as, bs, out []int, f func(x, y float32) float32) {
	sa := broadcastStrides(as, out)
	sb := broadcastStrides(bs, out)
	nd := len(out)
	if nd == 0 {
		dst[0] = f(a[0], b[0])
		return
	}
	inner := out[nd-1]
	ia, ib := sa[nd-1], sb[nd-1]
	rows := len(dst) / max(inner, 1)
	if inner == 0 {
		return
	}
	ParallelFor(rows, inner, func(lo, hi int) {
		idx := make([]int, nd-1)
		// position idx at row lo
		r := lo
		for d := nd - 2; d >= 0; d-- {
			idx[d] = r % out[d]
			r /= out[d]
		}
		for row := lo; row < hi; row++ {
			offA, offB := 0, 0
			for d := 0; d < nd-1; d++ {
				offA += idx[d] * sa[d]
				offB += idx[d] * sb[d]
			}
			o := dst[row*inner : (row+1)*inner]
			switch {
			case ia == 1 && ib == 1:
				x, y := a[offA:offA+inner], b[offB:offB+inner]
				for j := range o {
					o[j] = f(x[j], y[j])
				}
			case ia == 0 && ib == 1:
				x, y := a[offA], b[offB:offB+inner]
				for j := range o {
					o[j] = f(x, y[j])
				}
			case ia == 1 && ib == 0:
				x, y := a[offA:offA+inner], b[offB]
				for j := range o {
					o[j] = f(x[j], y)
				}
			default:
				x, y := a[offA], b[offB]
				for j := range o {
					o[j] = f(x, y)
				}
			}
			for d := nd - 2; d >= 0; d-- {
				idx[d]++
				if idx[d] < out[d] {
					break
				}
				idx[d] = 0
			}
		}
	})
}

// ReduceTo sums t over the dimensions that were broadcast when shape was
// stretched to t's shape, returning a tensor of the given shape. It is the
// adjoint of broadcasting and serves the backward pass of broadcasting ops.
func ReduceTo(t *Tensor, shape []int) (*Tensor, error) {
	if slices.Equal(t.shape, shape) {
		return t, nil
	}
	out, err := BroadcastShape(shape, t.shape)
	if err != nil || !slices.Equal(out, t.shape) {
		return nil, fmt.Errorf("tensor: cannot reduce shape %v to %v", t.shape, shape)
	}
	r := New(shape...)
	st := broadcastStrides(shape, t.shape)
	nd := len(t.shape)
	idx := make([]int, nd)
	for i, v := range t.data {
		off := 0
		for d := 0; d < nd; d++ {
			off += idx[d] * st[d]
		}
		r.data[off] += v
		for d := nd - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < t.shape[d] {
				break
			}
			idx[d] = 0
		}
		_ = i
	}
	return r, nil
}
