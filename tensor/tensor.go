package tensor

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Tensor is a contiguous, row-major float32 N-d array. The zero value is
// not usable; build tensors with New, FromSlice, Scalar, Full or the other
// constructors. A Tensor with an empty shape is a scalar holding one value.
type Tensor struct {
	data  []float32
	shape []int
}

// maxNumel is the largest number of elements a tensor may have: 2^34
// (64 GiB of float32), or less where int is narrower.
const maxNumel = 1 << 34

// numel returns the number of elements of shape, or an error when a
// dimension is negative or the product exceeds maxNumel.
func numel(shape []int) (int, error) {
	n := uint64(1)
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("tensor: negative dimension in shape %v", shape)
		}
		if d != 0 && n > maxNumel/uint64(d) {
			return 0, fmt.Errorf("tensor: shape %v is too large", shape)
		}
		n *= uint64(d)
	}
	if n > math.MaxInt/4 {
		return 0, fmt.Errorf("tensor: shape %v is too large", shape)
	}
	return int(n), nil
}

// Numel returns the number of elements of a tensor of the given shape,
// or an error when a dimension is negative or the tensor would be too
// large (more than 2^34 elements), as Zeros would report it.
func Numel(shape ...int) (int, error) { return numel(shape) }

// New returns a zero-filled tensor of the given shape. It panics on a
// negative dimension; use Zeros for an error instead.
func New(shape ...int) *Tensor {
	t, err := Zeros(shape...)
	if err != nil {
		panic(err)
	}
	return t
}

// Zeros returns a zero-filled tensor of the given shape.
func Zeros(shape ...int) (*Tensor, error) {
	n, err := numel(shape)
	if err != nil {
		return nil, err
	}
	return &Tensor{data: make([]float32, n), shape: cloneInts(shape)}, nil
}

// Full returns a tensor of the given shape with every element set to v.
func Full(v float32, shape ...int) *Tensor {
	t := New(shape...)
	t.Fill(v)
	return t
}

// Ones returns a tensor of the given shape filled with 1.
func Ones(shape ...int) *Tensor { return Full(1, shape...) }

// Scalar returns a 0-d tensor holding v.
func Scalar(v float32) *Tensor { return &Tensor{data: []float32{v}, shape: []int{}} }

// FromSlice returns a tensor of the given shape that uses data as its
// storage (no copy). With no shape, the tensor is 1-d of len(data). It is an
// error when the shape does not hold exactly len(data) elements.
func FromSlice(data []float32, shape ...int) (*Tensor, error) {
	if shape == nil {
		shape = []int{len(data)}
	}
	n, err := numel(shape)
	if err != nil {
		return nil, err
	}
	if n != len(data) {
		return nil, fmt.Errorf("tensor: shape %v holds %d elements, data has %d", shape, n, len(data))
	}
	if data == nil {
		data = []float32{}
	}
	return &Tensor{data: data, shape: cloneInts(shape)}, nil
}

// Data returns the tensor's storage in row-major order. It is shared, not
// copied: writes to it change the tensor.
func (t *Tensor) Data() []float32 { return t.data }

// Shape returns a copy of the tensor's shape.
func (t *Tensor) Shape() []int { return cloneInts(t.shape) }

// Dims returns the number of dimensions (0 for a scalar).
func (t *Tensor) Dims() int { return len(t.shape) }

// Dim returns the size of dimension i; negative i counts from the end.
func (t *Tensor) Dim(i int) int {
	if i < 0 {
		i += len(t.shape)
	}
	return t.shape[i]
}

// Len returns the number of elements.
func (t *Tensor) Len() int { return len(t.data) }

// Item returns the single element of a one-element tensor. It panics
// otherwise.
func (t *Tensor) Item() float32 {
	if len(t.data) != 1 {
		panic(fmt.Sprintf("tensor: Item of a tensor of shape %v", t.shape))
	}
	return t.data[0]
}

// Clone returns a deep copy.
func (t *Tensor) Clone() *Tensor {
	d := make([]float32, len(t.data))
	copy(d, t.data)
	return &Tensor{data: d, shape: cloneInts(t.shape)}
}

// Fill sets every element to v.
func (t *Tensor) Fill(v float32) {
	for i := range t.data {
		t.data[i] = v
	}
}

// CopyFrom copies src's elements into t; the two must hold the same number
// of elements.
func (t *Tensor) CopyFrom(src *Tensor) error {
	if len(src.data) != len(t.data) {
		return fmt.Errorf("tensor: copy from shape %v into shape %v", src.shape, t.shape)
	}
	copy(t.data, src.data)
	return nil
}

// Reshape returns a tensor sharing t's storage with a new shape. One
// dimension may be -1, in which case it is inferred.
func (t *Tensor) Reshape(shape ...int) (*Tensor, error) {
	s := cloneInts(shape)
	infer := -1
	known := 1
	for i, d := range s {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			return nil, fmt.Errorf("tensor: reshape %v to %v: bad dimension %d", t.shape, shape, d)
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if known == 0 || len(t.data)%known != 0 {
			return nil, fmt.Errorf("tensor: reshape %v to %v: cannot infer dimension", t.shape, shape)
		}
		s[infer] = len(t.data) / known
	}
	n, err := numel(s)
	if err != nil {
		return nil, err
	}
	if n != len(t.data) {
		return nil, fmt.Errorf("tensor: reshape %v (%d elements) to %v (%d elements)", t.shape, len(t.data), shape, n)
	}
	return &Tensor{data: t.data, shape: s}, nil
}

// SameShape reports whether t and u have identical shapes.
func (t *Tensor) SameShape(u *Tensor) bool { return slices.Equal(t.shape, u.shape) }

// String formats the tensor's shape and (up to 20) leading elements.
func (t *Tensor) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tensor%v[", t.shape)
	for i, v := range t.data {
		if i == 20 {
			b.WriteString(" ...")
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%g", v)
	}
	b.WriteByte(']')
	return b.String()
}

// cloneInts copies s, never returning nil: a scalar's shape is an empty,
// non-nil slice (written as [] rather than null).
func cloneInts(s []int) []int {
	c := make([]int, len(s))
	copy(c, s)
	return c
}
