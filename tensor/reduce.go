package tensor

import "fmt"

// Sum returns the sum of all elements as a 0-d tensor. The sum is
// accumulated in float64 and rounded once.
func Sum(t *Tensor) *Tensor {
	var s float64
	for _, v := range t.data {
		s += float64(v)
	}
	return Scalar(float32(s))
}

// Mean returns the mean of all elements as a 0-d tensor (NaN when empty).
func Mean(t *Tensor) *Tensor {
	var s float64
	for _, v := range t.data {
		s += float64(v)
	}
	return Scalar(float32(s / float64(len(t.data))))
}

// normAxis checks axis against the tensor's rank and resolves a negative
// axis from the end.
func (t *Tensor) normAxis(axis int) (int, error) {
	nd := len(t.shape)
	a := axis
	if a < 0 {
		a += nd
	}
	if a < 0 || a >= nd {
		return 0, fmt.Errorf("tensor: axis %d out of range for shape %v", axis, t.shape)
	}
	return a, nil
}

// split returns the sizes before, along and after axis.
func (t *Tensor) split(axis int) (outer, n, inner int) {
	outer, inner = 1, 1
	for i, d := range t.shape {
		switch {
		case i < axis:
			outer *= d
		case i > axis:
			inner *= d
		}
	}
	return outer, t.shape[axis], inner
}

func reducedShape(shape []int, axis int, keepDim bool) []int {
	out := make([]int, 0, len(shape))
	for i, d := range shape {
		if i == axis {
			if keepDim {
				out = append(out, 1)
			}
			continue
		}
		out = append(out, d)
	}
	return out
}

// SumAxis sums t along axis. With keepDim the reduced axis stays with size
// 1, so the result broadcasts against t.
func SumAxis(t *Tensor, axis int, keepDim bool) (*Tensor, error) {
	axis, err := t.normAxis(axis)
	if err != nil {
		return nil, err
	}
	outer, n, inner := t.split(axis)
	out := New(reducedShape(t.shape, axis, keepDim)...)
	for o := 0; o < outer; o++ {
		dst := out.data[o*inner : (o+1)*inner]
		for k := 0; k < n; k++ {
			src := t.data[(o*n+k)*inner : (o*n+k+1)*inner]
			for i := range dst {
				dst[i] += src[i]
			}
		}
	}
	return out, nil
}

// MeanAxis averages t along axis; see SumAxis for keepDim.
func MeanAxis(t *Tensor, axis int, keepDim bool) (*Tensor, error) {
	axis, err := t.normAxis(axis)
	if err != nil {
		return nil, err
	}
	s, err := SumAxis(t, axis, keepDim)
	if err != nil {
		return nil, err
	}
	n := float32(t.shape[axis])
	for i := range s.data {
		s.data[i] /= n
	}
	return s, nil
}

// MaxAxis returns the maximum of t along axis and, for each, the index of
// the first element attaining it (ties go to the lowest index, as in
// PyTorch). A NaN is the maximum of any slice that contains it, as in
// torch.max. The axis must not be empty.
func MaxAxis(t *Tensor, axis int, keepDim bool) (values *Tensor, argmax []int, err error) {
	axis, err = t.normAxis(axis)
	if err != nil {
		return nil, nil, err
	}
	outer, n, inner := t.split(axis)
	if n == 0 && outer*inner > 0 {
		return nil, nil, fmt.Errorf("tensor: max along empty axis %d of shape %v", axis, t.shape)
	}
	values = New(reducedShape(t.shape, axis, keepDim)...)
	argmax = make([]int, outer*inner)
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			best := t.data[o*n*inner+i]
			bi := 0
			for k := 1; k < n && best == best; k++ {
				v := t.data[(o*n+k)*inner+i]
				if v > best || v != v {
					best, bi = v, k
				}
			}
			values.data[o*inner+i] = best
			argmax[o*inner+i] = bi
		}
	}
	return values, argmax, nil
}

// ArgMaxRows returns, for a 2-d tensor [rows, cols], the index of the
// largest element in each row (first on ties).
func ArgMaxRows(t *Tensor) ([]int, error) {
	if len(t.shape) != 2 {
		return nil, fmt.Errorf("tensor: ArgMaxRows needs a 2-d tensor, got shape %v", t.shape)
	}
	_, idx, err := MaxAxis(t, 1, false)
	return idx, err
}
