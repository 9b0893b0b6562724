package tensor

import "fmt"

// MatMul returns the matrix product of 2-d tensors a [m,k] and b [k,n].
func MatMul(a, b *Tensor) (*Tensor, error) { return MatMulT(a, b, false, false) }

// MatMulT returns op(a)·op(b) where op transposes its 2-d operand when the
// matching flag is set. It saves materialising transposes in backward
// passes.
func MatMulT(a, b *Tensor, transA, transB bool) (*Tensor, error) {
	if len(a.shape) != 2 || len(b.shape) != 2 {
		return nil, fmt.Errorf("tensor: matmul needs 2-d operands, got shapes %v and %v", a.shape, b.shape)
	}
	m, ka := a.shape[0], a.shape[1]
	if transA {
		m, ka = ka, m
	}
	kb, n := b.shape[0], b.shape[1]
	if transB {
		kb, n = n, kb
	}
	if ka != kb {
		return nil, fmt.Errorf("tensor: matmul shapes %v and %v do not match (transA=%v, transB=%v)", a.shape, b.shape, transA, transB)
	}
	out := New(m, n)
	Gemm(transA, transB, m, n, ka, 1, a.data, a.shape[1], b.data, b.shape[1], 0, out.data, n)
	return out, nil
}

// Transpose returns the transpose of a 2-d tensor as a new tensor.
func Transpose(t *Tensor) (*Tensor, error) {
	if len(t.shape) != 2 {
		return nil, fmt.Errorf("tensor: transpose needs a 2-d tensor, got shape %v", t.shape)
	}
	r, c := t.shape[0], t.shape[1]
	out := New(c, r)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			out.data[j*r+i] = t.data[i*c+j]
		}
	}
	return out, nil
}

// Permute returns t with its dimensions reordered: dimension i of the
// result is dimension perm[i] of t. The result is a new contiguous tensor.
func Permute(t *Tensor, perm ...int) (*Tensor, error) {
	nd := len(t.shape)
	if len(perm) != nd {
		return nil, fmt.Errorf("tensor: permute %v of shape %v: wrong length", perm, t.shape)
	}
	seen := make([]bool, nd)
	shape := make([]int, nd)
	for i, p := range perm {
		if p < 0 || p >= nd || seen[p] {
			return nil, fmt.Errorf("tensor: permute %v of shape %v: not a permutation", perm, t.shape)
		}
		seen[p] = true
		shape[i] = t.shape[p]
	}
	srcStride := make([]int, nd)
	s := 1
	for i := nd - 1; i >= 0; i-- {
		srcStride[i] = s
		s *= t.shape[i]
	}
	st := make([]int, nd)
	for i, p := range perm {
		st[i] = srcStride[p]
	}
	out := New(shape...)
	idx := make([]int, nd)
	for i := range out.data {
		off := 0
		for d := 0; d < nd; d++ {
			off += idx[d] * st[d]
		}
		out.data[i] = t.data[off]
		for d := nd - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return out, nil
}
