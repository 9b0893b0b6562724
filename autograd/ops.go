package autograd

import (
	"fmt"

	"github.com/spikego/spikego/tensor"
)

func must(t *tensor.Tensor, err error) *tensor.Tensor {
	if err != nil {
		panic(err)
	}
	return t
}

// unbroadcast reduces a gradient g computed at the broadcast shape back to
// the shape of the input it belongs to.
func unbroadcast(g *tensor.Tensor, like *tensor.Tensor) *tensor.Tensor {
	return must(tensor.ReduceTo(g, like.Shape()))
}

func binary(name string, a, b *Var, f func(x, y *tensor.Tensor) (*tensor.Tensor, error),
	bwd func(ctx *Context, g, x, y *tensor.Tensor) (ga, gb *tensor.Tensor)) *Var {
	return mustApply(&op{
		name: name,
		fwd: func(ctx *Context, in []*tensor.Tensor) (*tensor.Tensor, error) {
			if ctx.AnyNeedsGrad() {
				ctx.SaveForBackward(in[0], in[1])
			}
			return f(in[0], in[1])
		},
		bwd: func(ctx *Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
			x, y := ctx.Saved()[0], ctx.Saved()[1]
			ga, gb := bwd(ctx, g, x, y)
			// Drop (and never reduce) gradients nobody asked for: Add and
			// Sub hand back g for both inputs unconditionally.
			if ga != nil && ctx.NeedsInputGrad(0) {
				ga = unbroadcast(ga, x)
			} else {
				ga = nil
			}
			if gb != nil && ctx.NeedsInputGrad(1) {
				gb = unbroadcast(gb, y)
			} else {
				gb = nil
			}
			return []*tensor.Tensor{ga, gb}, nil
		},
	}, a, b)
}

// Add returns a + b with NumPy broadcasting. It panics when the shapes do
// not broadcast.
func Add(a, b *Var) *Var {
	return binary("add", a, b, tensor.Add, func(ctx *Context, g, _, _ *tensor.Tensor) (*tensor.Tensor, *tensor.Tensor) {
		return g, g
	})
}

// Sub returns a - b with broadcasting. It panics when the shapes do not
// broadcast.
func Sub(a, b *Var) *Var {
	return binary("sub", a, b, tensor.Sub, func(ctx *Context, g, _, _ *tensor.Tensor) (*tensor.Tensor, *tensor.Tensor) {
		var gb *tensor.Tensor
		if ctx.NeedsInputGrad(1) {
			gb = tensor.Neg(g)
		}
		return g, gb
	})
}

// Mul returns a * b element-wise with broadcasting. It panics when the
// shapes do not broadcast.
func Mul(a, b *Var) *Var {
	return binary("mul", a, b, tensor.Mul, func(ctx *Context, g, x, y *tensor.Tensor) (ga, gb *tensor.Tensor) {
		if ctx.NeedsInputGrad(0) {
			ga = must(tensor.Mul(g, y))
		}
		if ctx.NeedsInputGrad(1) {
			gb = must(tensor.Mul(g, x))
		}
		return ga, gb
	})
}

// Div returns a / b element-wise with broadcasting. It panics when the
// shapes do not broadcast.
func Div(a, b *Var) *Var {
	return binary("div", a, b, tensor.Div, func(ctx *Context, g, x, y *tensor.Tensor) (ga, gb *tensor.Tensor) {
		if ctx.NeedsInputGrad(0) {
			ga = must(tensor.Div(g, y))
		}
		if ctx.NeedsInputGrad(1) {
			// d(x/y)/dy = -x/y²
			gb = must(tensor.Binary(must(tensor.Mul(g, x)), y, func(p, q float32) float32 { return -p / (q * q) }))
		}
		return ga, gb
	})
}

// Maximum returns the element-wise maximum of a and b with broadcasting.
// Where they are equal the gradient is split evenly, as in PyTorch.
func Maximum(a, b *Var) *Var {
	return binary("maximum", a, b, tensor.Maximum, func(ctx *Context, g, x, y *tensor.Tensor) (ga, gb *tensor.Tensor) {
		wa := must(tensor.Binary(x, y, func(p, q float32) float32 {
			switch {
			case p > q:
				return 1
			case p == q:
				return 0.5
			}
			return 0
		}))
		if ctx.NeedsInputGrad(0) {
			ga = must(tensor.Mul(g, wa))
		}
		if ctx.NeedsInputGrad(1) {
			gb = must(tensor.Mul(g, tensor.Map(wa, func(w float32) float32 { return 1 - w })))
		}
		return ga, gb
	})
}

func unary(name string, a *Var, f func(x *tensor.Tensor) *tensor.Tensor, df func(x, y float32) float32) *Var {
	return mustApply(&op{
		name: name,
		fwd: func(ctx *Context, in []*tensor.Tensor) (*tensor.Tensor, error) {
			y := f(in[0])
			if ctx.AnyNeedsGrad() {
				ctx.SaveForBackward(in[0], y)
			}
			return y, nil
		},
		bwd: func(ctx *Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
			x, y := ctx.Saved()[0], ctx.Saved()[1]
			gx := ctx.GradBuffer(0, nil, x.Shape()...) // every element is written
			gd, xd, yd, od := g.Data(), x.Data(), y.Data(), gx.Data()
			for i := range od {
				od[i] = gd[i] * df(xd[i], yd[i])
			}
			return []*tensor.Tensor{gx}, nil
		},
	}, a)
}

// Neg returns -a.
func Neg(a *Var) *Var {
	return unary("neg", a, tensor.Neg, func(_, _ float32) float32 { return -1 })
}

// Exp returns e**a.
func Exp(a *Var) *Var {
	return unary("exp", a, tensor.Exp, func(_, y float32) float32 { return y })
}

// Log returns the natural logarithm of a.
func Log(a *Var) *Var {
	return unary("log", a, tensor.Log, func(x, _ float32) float32 { return 1 / x })
}

// Sigmoid returns 1/(1+e**-a).
func Sigmoid(a *Var) *Var {
	return unary("sigmoid", a, tensor.Sigmoid, func(_, y float32) float32 { return y * (1 - y) })
}

// Tanh returns tanh(a).
func Tanh(a *Var) *Var {
	return unary("tanh", a, tensor.Tanh, func(_, y float32) float32 { return 1 - y*y })
}

// Square returns a*a.
func Square(a *Var) *Var {
	return unary("square", a, tensor.Square, func(x, _ float32) float32 { return 2 * x })
}

// Sqrt returns the square root of a.
func Sqrt(a *Var) *Var {
	return unary("sqrt", a, tensor.Sqrt, func(_, y float32) float32 { return 0.5 / y })
}

// Abs returns |a|; its gradient is sign(a), 0 at 0, as in PyTorch.
func Abs(a *Var) *Var {
	return unary("abs", a, tensor.Abs, func(x, _ float32) float32 {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return 0
	})
}

// ReLU returns max(a, 0); its gradient is 1 where a > 0.
func ReLU(a *Var) *Var {
	return unary("relu", a, tensor.ReLU, func(x, _ float32) float32 {
		if x > 0 {
			return 1
		}
		return 0
	})
}

// AddScalar returns a + c.
func AddScalar(a *Var, c float32) *Var {
	return unary("add_scalar", a, func(x *tensor.Tensor) *tensor.Tensor { return tensor.AddScalar(x, c) },
		func(_, _ float32) float32 { return 1 })
}

// MulScalar returns a * c.
func MulScalar(a *Var, c float32) *Var {
	return unary("mul_scalar", a, func(x *tensor.Tensor) *tensor.Tensor { return tensor.MulScalar(x, c) },
		func(_, _ float32) float32 { return c })
}

// DivScalar returns a / c (a division, which rounds differently from
// multiplying by 1/c).
func DivScalar(a *Var, c float32) *Var {
	div := func(t *tensor.Tensor) *tensor.Tensor {
		return tensor.Map(t, func(v float32) float32 { return v / c })
	}
	return mustApply(&op{
		name: "div_scalar",
		fwd: func(ctx *Context, in []*tensor.Tensor) (*tensor.Tensor, error) {
			return div(in[0]), nil
		},
		bwd: func(ctx *Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
			return []*tensor.Tensor{div(g)}, nil
		},
	}, a)
}

// Sum returns the sum of all elements of a as a 0-d Var.
func Sum(a *Var) *Var {
	return mustApply(&op{
		name: "sum",
		fwd: func(ctx *Context, in []*tensor.Tensor) (*tensor.Tensor, error) {
			ctx.Value = in[0].Shape()
			return tensor.Sum(in[0]), nil
		},
		bwd: func(ctx *Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
			return []*tensor.Tensor{tensor.Full(g.Item(), ctx.Value.([]int)...)}, nil
		},
	}, a)
}

// Mean returns the mean of all elements of a as a 0-d Var.
func Mean(a *Var) *Var {
	n := a.value.Len()
	return MulScalar(Sum(a), 1/float32(n))
}

// SumAxis sums a along axis (negative counts from the end); keepDim keeps
// the axis with size 1. It panics on a bad axis.
func SumAxis(a *Var, axis int, keepDim bool) *Var {
	return mustApply(&op{
		name: "sum_axis",
		fwd: func(ctx *Context, in []*tensor.Tensor) (*tensor.Tensor, error) {
			ctx.Value = in[0].Shape()
			return tensor.SumAxis(in[0], axis, keepDim)
		},
		bwd: func(ctx *Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
			// g repeated along the summed axis.
			shape := ctx.Value.([]int)
			outer, n, inner := splitAtAxis(shape, axis)
			if g.Len() != outer*inner {
				return nil, fmt.Errorf("gradient shape %v does not fit input shape %v summed along axis %d", g.Shape(), shape, axis)
			}
			gx := ctx.GradBuffer(0, nil, shape...)
			gd, od := g.Data(), gx.Data()
			for o := 0; o < outer; o++ {
				src := gd[o*inner : (o+1)*inner]
				for k := 0; k < n; k++ {
					copy(od[(o*n+k)*inner:], src)
				}
			}
			return []*tensor.Tensor{gx}, nil
		},
	}, a)
}

// MeanAxis averages a along axis; see SumAxis.
func MeanAxis(a *Var, axis int, keepDim bool) *Var {
	shape := a.value.Shape()
	ax := axis
	if ax < 0 {
		ax += len(shape)
	}
	if ax < 0 || ax >= len(shape) {
		panic(fmt.Sprintf("autograd: mean_axis: axis %d out of range for shape %v", axis, shape))
	}
	return MulScalar(SumAxis(a, axis, keepDim), 1/float32(shape[ax]))
}

// Max returns the maximum of a along axis. The gradient flows only to the
// first element attaining each maximum, as torch.max(dim) does. It panics
// on a bad axis.
func Max(a *Var, axis int, keepDim bool) *Var {
	return mustApply(&op{
		name: "max",
		fwd: func(ctx *Context, in []*tensor.Tensor) (*tensor.Tensor, error) {
			v, idx, err := tensor.MaxAxis(in[0], axis, keepDim)
			ctx.Value = idx
			ctx.SaveForBackward(in[0])
			return v, err
		},
		bwd: func(ctx *Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
			x := ctx.Saved()[0]
			shape := x.Shape()
			outer, n, inner := splitAtAxis(shape, axis)
			gx := tensor.New(shape...)
			idx := ctx.Value.([]int)
			gd, od := g.Data(), gx.Data()
			for o := 0; o < outer; o++ {
				for i := 0; i < inner; i++ {
					od[(o*n+idx[o*inner+i])*inner+i] = gd[o*inner+i]
				}
			}
			return []*tensor.Tensor{gx}, nil
		},
	}, a)
}

// Reshape returns a with a new shape holding the same elements (one
// dimension may be -1). It panics when the sizes differ.
func Reshape(a *Var, shape ...int) *Var {
	return mustApply(&op{
		name: "reshape",
		fwd: func(ctx *Context, in []*tensor.Tensor) (*tensor.Tensor, error) {
			ctx.Value = in[0].Shape()
			return in[0].Reshape(shape...)
		},
		bwd: func(ctx *Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
			r, err := g.Reshape(ctx.Value.([]int)...)
			return []*tensor.Tensor{r}, err
		},
	}, a)
}

// Transpose returns the transpose of a 2-d Var. It panics on other ranks.
func Transpose(a *Var) *Var {
	return mustApply(&op{
		name: "transpose",
		fwd: func(ctx *Context, in []*tensor.Tensor) (*tensor.Tensor, error) {
			return tensor.Transpose(in[0])
		},
		bwd: func(ctx *Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
			r, err := tensor.Transpose(g)
			return []*tensor.Tensor{r}, err
		},
	}, a)
}

// MatMul returns the matrix product of 2-d Vars a [m,k] and b [k,n]. It
// panics when the shapes do not match.
func MatMul(a, b *Var) *Var {
	return mustApply(&op{
		name: "matmul",
		fwd: func(ctx *Context, in []*tensor.Tensor) (*tensor.Tensor, error) {
			if ctx.AnyNeedsGrad() {
				ctx.SaveForBackward(in[0], in[1])
			}
			return tensor.MatMul(in[0], in[1])
		},
		bwd: func(ctx *Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
			x, y := ctx.Saved()[0], ctx.Saved()[1]
			var ga, gb *tensor.Tensor
			var err error
			if ctx.NeedsInputGrad(0) {
				if ga, err = tensor.MatMulT(g, y, false, true); err != nil {
					return nil, err
				}
			}
			if ctx.NeedsInputGrad(1) {
				if gb, err = tensor.MatMulT(x, g, true, false); err != nil {
					return nil, err
				}
			}
			return []*tensor.Tensor{ga, gb}, nil
		},
	}, a, b)
}

// Where returns a where cond is non-zero and b elsewhere, broadcast. cond
// is a mask and receives no gradient.
func Where(cond *tensor.Tensor, a, b *Var) *Var {
	return mustApply(&op{
		name: "where",
		fwd: func(ctx *Context, in []*tensor.Tensor) (*tensor.Tensor, error) {
			ctx.SaveForBackward(in[0], in[1])
			return tensor.Where(cond, in[0], in[1])
		},
		bwd: func(ctx *Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
			x, y := ctx.Saved()[0], ctx.Saved()[1]
			zero := tensor.Scalar(0)
			var ga, gb *tensor.Tensor
			if ctx.NeedsInputGrad(0) {
				ga = unbroadcast(must(tensor.Where(cond, g, zero)), x)
			}
			if ctx.NeedsInputGrad(1) {
				gb = unbroadcast(must(tensor.Where(cond, zero, g)), y)
			}
			return []*tensor.Tensor{ga, gb}, nil
		},
	}, a, b)
}

func compare(a, b *Var, f func(x, y *tensor.Tensor) (*tensor.Tensor, error)) *Var {
	return Const(must(f(a.value, b.value)))
}

// Greater returns a constant Var that is 1 where a > b and 0 elsewhere.
func Greater(a, b *Var) *Var { return compare(a, b, tensor.Greater) }

// GreaterEqual returns a constant Var that is 1 where a >= b.
func GreaterEqual(a, b *Var) *Var { return compare(a, b, tensor.GreaterEqual) }

// Less returns a constant Var that is 1 where a < b.
func Less(a, b *Var) *Var { return compare(a, b, tensor.Less) }

// Repeat stacks T copies of a along a new leading axis: [T, a.shape...].
// Its gradient is the sum of the output gradient over that axis. It
// panics when T < 1.
func Repeat(a *Var, T int) *Var {
	if T < 1 {
		panic(fmt.Sprintf("autograd: repeat %d times", T))
	}
	return mustApply(&op{
		name: "repeat",
		fwd: func(ctx *Context, in []*tensor.Tensor) (*tensor.Tensor, error) {
			src := in[0].Data()
			out := tensor.New(append([]int{T}, in[0].Shape()...)...)
			od := out.Data()
			n := len(src)
			tensor.ParallelFor(n, T, func(lo, hi int) {
				for t := 0; t < T; t++ {
					copy(od[t*n+lo:t*n+hi], src[lo:hi])
				}
			})
			return out, nil
		},
		bwd: func(ctx *Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
			shape := g.Shape()[1:]
			gx := tensor.New(shape...)
			n := gx.Len()
			gd, od := g.Data(), gx.Data()
			tensor.ParallelFor(n, T, func(lo, hi int) {
				// Sum the T slices block by block, so that each block
				// of the result stays in cache while they are added to
				// it (in order t = 0, 1, ..., as before).
				const block = 2048
				for b := lo; b < hi; b += block {
					e := min(b+block, hi)
					dst := od[b:e]
					for t := 0; t < T; t++ {
						src := gd[t*n+b : t*n+e]
						dst = dst[:len(src)]
						for i, v := range src {
							dst[i] += v
						}
					}
				}
			})
			return []*tensor.Tensor{gx}, nil
		},
	}, a)
}

// splitAtAxis returns the number of elements before axis (outer), along
// it (n) and after it (inner) in a row-major tensor of the given shape;
// a negative axis counts from the end.
func splitAtAxis(shape []int, axis int) (outer, n, inner int) {
	if axis < 0 {
		axis += len(shape)
	}
	outer, inner = 1, 1
	for i, d := range shape {
		if i < axis {
			outer *= d
		} else if i > axis {
			inner *= d
		}
	}
	return outer, shape[axis], inner
}
