package tensor

import (
	"fmt"
	"math"
	"slices"
)

// Binary applies f element-wise to a and b broadcast together and returns
// the result. It is the general form behind Add, Sub, Mul and the others.
func Binary(a, b *Tensor, f func(x, y float32) float32) (*Tensor, error) {
	if slices.Equal(a.shape, b.shape) {
		out := &Tensor{data: make([]float32, len(a.data)), shape: cloneInts(a.shape)}
		ad, bd, od := a.data, b.data, out.data
		ParallelFor(len(od), 1, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				od[i] = f(ad[i], bd[i])
			}
		})
		return out, nil
	}
	shape, err := BroadcastShape(a.shape, b.shape)
	if err != nil {
		return nil, err
	}
	out := New(shape...)
	binaryBroadcast(out.data, a.data, b.data, a.shape, b.shape, shape, f)
	return out, nil
}

// Add returns a + b, broadcast.
func Add(a, b *Tensor) (*Tensor, error) {
	return Binary(a, b, func(x, y float32) float32 { return x + y })
}

// Sub returns a - b, broadcast.
func Sub(a, b *Tensor) (*Tensor, error) {
	return Binary(a, b, func(x, y float32) float32 { return x - y })
}

// Mul returns a * b element-wise, broadcast.
func Mul(a, b *Tensor) (*Tensor, error) {
	return Binary(a, b, func(x, y float32) float32 { return x * y })
}

// Div returns a / b element-wise, broadcast.
func Div(a, b *Tensor) (*Tensor, error) {
	return Binary(a, b, func(x, y float32) float32 { return x / y })
}

// Maximum returns the element-wise maximum of a and b, broadcast. A NaN in
// either operand gives NaN, as torch.maximum does.
func Maximum(a, b *Tensor) (*Tensor, error) {
	return Binary(a, b, func(x, y float32) float32 {
		if x != x || y != y {
			return float32(math.NaN())
		}
		return max(x, y)
	})
}

// Minimum returns the element-wise minimum of a and b, broadcast, with NaN
// propagating.
func Minimum(a, b *Tensor) (*Tensor, error) {
	return Binary(a, b, func(x, y float32) float32 {
		if x != x || y != y {
			return float32(math.NaN())
		}
		return min(x, y)
	})
}

func boolf(c bool) float32 {
	if c {
		return 1
	}
	return 0
}

// Greater returns 1 where a > b and 0 elsewhere, broadcast.
func Greater(a, b *Tensor) (*Tensor, error) {
	return Binary(a, b, func(x, y float32) float32 { return boolf(x > y) })
}

// GreaterEqual returns 1 where a >= b and 0 elsewhere, broadcast.
func GreaterEqual(a, b *Tensor) (*Tensor, error) {
	return Binary(a, b, func(x, y float32) float32 { return boolf(x >= y) })
}

// Less returns 1 where a < b and 0 elsewhere, broadcast.
func Less(a, b *Tensor) (*Tensor, error) {
	return Binary(a, b, func(x, y float32) float32 { return boolf(x < y) })
}

// LessEqual returns 1 where a <= b and 0 elsewhere, broadcast.
func LessEqual(a, b *Tensor) (*Tensor, error) {
	return Binary(a, b, func(x, y float32) float32 { return boolf(x <= y) })
}

// Equal returns 1 where a == b and 0 elsewhere, broadcast.
func Equal(a, b *Tensor) (*Tensor, error) {
	return Binary(a, b, func(x, y float32) float32 { return boolf(x == y) })
}

// Where returns, element-wise, a where cond is non-zero and b elsewhere.
// The three operands broadcast together.
func Where(cond, a, b *Tensor) (*Tensor, error) {
	shape, err := BroadcastShape(cond.shape, a.shape)
	if err == nil {
		shape, err = BroadcastShape(shape, b.shape)
	}
	if err != nil {
		return nil, fmt.Errorf("tensor: where: shapes %v, %v and %v do not broadcast", cond.shape, a.shape, b.shape)
	}
	// Select via two passes: first pick a where cond, then b elsewhere.
	c, err := expand(cond, shape)
	if err != nil {
		return nil, err
	}
	ea, err := expand(a, shape)
	if err != nil {
		return nil, err
	}
	eb, err := expand(b, shape)
	if err != nil {
		return nil, err
	}
	out := New(shape...)
	for i := range out.data {
		if c.data[i] != 0 {
			out.data[i] = ea.data[i]
		} else {
			out.data[i] = eb.data[i]
		}
	}
	return out, nil
}

// Expand returns t broadcast to shape as a new contiguous tensor.
func Expand(t *Tensor, shape ...int) (*Tensor, error) { return expand(t, shape) }

func expand(t *Tensor, shape []int) (*Tensor, error) {
	if slices.Equal(t.shape, shape) {
		return t, nil
	}
	out, err := BroadcastShape(t.shape, shape)
	if err != nil || !slices.Equal(out, shape) {
		return nil, fmt.Errorf("tensor: cannot expand shape %v to %v", t.shape, shape)
	}
	r := New(shape...)
	zero := Scalar(0)
	binaryBroadcast(r.data, t.data, zero.data, t.shape, zero.shape, shape, func(x, _ float32) float32 { return x })
	return r, nil
}

// Map returns f applied to every element of t.
func Map(t *Tensor, f func(float32) float32) *Tensor {
	out := &Tensor{data: make([]float32, len(t.data)), shape: cloneInts(t.shape)}
	src, dst := t.data, out.data
	ParallelFor(len(dst), 4, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dst[i] = f(src[i])
		}
	})
	return out
}

// Neg returns -t.
func Neg(t *Tensor) *Tensor { return Map(t, func(x float32) float32 { return -x }) }

// Abs returns |t|.
func Abs(t *Tensor) *Tensor {
	return Map(t, func(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) })
}

// Square returns t*t.
func Square(t *Tensor) *Tensor { return Map(t, func(x float32) float32 { return x * x }) }

// Sqrt returns the element-wise square root.
func Sqrt(t *Tensor) *Tensor {
	return Map(t, func(x float32) float32 { return float32(math.Sqrt(float64(x))) })
}

// Exp returns e**t element-wise.
func Exp(t *Tensor) *Tensor {
	return Map(t, func(x float32) float32 { return float32(math.Exp(float64(x))) })
}

// Log returns the natural logarithm element-wise.
func Log(t *Tensor) *Tensor {
	return Map(t, func(x float32) float32 { return float32(math.Log(float64(x))) })
}

// Sigmoid returns 1/(1+e**-t) element-wise.
func Sigmoid(t *Tensor) *Tensor { return Map(t, SigmoidScalar) }

// SigmoidScalar is the logistic function 1/(1+e**-x) in float32, computed
// so that it neither overflows nor loses precision for large |x|.
func SigmoidScalar(x float32) float32 {
	if x >= 0 {
		return float32(1 / (1 + math.Exp(-float64(x))))
	}
	e := math.Exp(float64(x))
	return float32(e / (1 + e))
}

// Tanh returns the hyperbolic tangent element-wise.
func Tanh(t *Tensor) *Tensor {
	return Map(t, func(x float32) float32 { return float32(math.Tanh(float64(x))) })
}

// ReLU returns max(t, 0) element-wise; NaN stays NaN.
func ReLU(t *Tensor) *Tensor {
	return Map(t, func(x float32) float32 {
		if x < 0 {
			return 0
		}
		return x
	})
}

// Sign returns -1, 0 or 1 by the sign of each element (0 for ±0, NaN for
// NaN), as torch.sign does.
func Sign(t *Tensor) *Tensor {
	return Map(t, func(x float32) float32 {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		case x == 0:
			return 0
		}
		return x
	})
}

// AddScalar returns t + c.
func AddScalar(t *Tensor, c float32) *Tensor { return Map(t, func(x float32) float32 { return x + c }) }

// MulScalar returns t * c.
func MulScalar(t *Tensor, c float32) *Tensor { return Map(t, func(x float32) float32 { return x * c }) }

// AddInto sets dst[i] += src[i] for equal-shaped tensors (gradient
// accumulation). It is an error when the element counts differ.
func AddInto(dst, src *Tensor) error {
	if len(dst.data) != len(src.data) {
		return fmt.Errorf("tensor: accumulate shape %v into %v", src.shape, dst.shape)
	}
	d, s := dst.data, src.data
	ParallelFor(len(d), 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			d[i] += s[i]
		}
	})
	return nil
}
