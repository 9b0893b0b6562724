package nn

import (
	"fmt"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// poolGeom checks a pooling input x [N, C, H, W] and returns the geometry
// of one [H, W] plane (c = 1) and the number of planes N·C. name is the
// layer's description for error messages.
func poolGeom(name string, x *tensor.Tensor, kernel, stride, padding int) (convGeom, int, error) {
	if x.Dims() != 4 {
		return convGeom{}, 0, fmt.Errorf("nn: %s: input shape %v, want [N C H W]", name, x.Shape())
	}
	h, w := x.Dim(2), x.Dim(3)
	if h+2*padding < kernel || w+2*padding < kernel {
		return convGeom{}, 0, fmt.Errorf("nn: %s: input shape %v is smaller than the %d×%d window with padding %d",
			name, x.Shape(), kernel, kernel, padding)
	}
	return newConvGeom(1, h, w, kernel, stride, padding), x.Dim(0) * x.Dim(1), nil
}

// MaxPool2d takes the maximum over square windows of every channel of a
// [N, C, H, W] input, the counterpart of torch.nn.MaxPool2d with padding
// 0, dilation 1 and ceil_mode false: the output is [N, C, Ho, Wo] with
// Ho = (H - kernel)/stride + 1 rounded down, likewise Wo. The gradient of
// each output flows to the first position (in row-major order within the
// window) that holds the maximum, as in PyTorch; a NaN counts as a
// maximum.
type MaxPool2d struct {
	kernel, stride int
	bufs           *autograd.Pool // outputs and gradients, between steps
}

// NewMaxPool2d returns a max pooling layer with a kernel×kernel window
// moved by stride (PyTorch's default is stride = kernel).
func NewMaxPool2d(kernel, stride int) (*MaxPool2d, error) {
	if kernel < 1 || stride < 1 {
		return nil, fmt.Errorf("nn: MaxPool2d: kernel and stride must be positive, got kernel=%d stride=%d", kernel, stride)
	}
	return &MaxPool2d{kernel: kernel, stride: stride, bufs: new(autograd.Pool)}, nil
}

// KernelSize returns the side of the window.
func (p *MaxPool2d) KernelSize() int { return p.kernel }

// Stride returns the step of the window.
func (p *MaxPool2d) Stride() int { return p.stride }

// String describes the layer as PyTorch prints it.
func (p *MaxPool2d) String() string {
	return fmt.Sprintf("MaxPool2d(kernel_size=%d, stride=%d, padding=0)", p.kernel, p.stride)
}

// Forward pools x [N, C, H, W] into [N, C, Ho, Wo].
func (p *MaxPool2d) Forward(x *autograd.Var) (*autograd.Var, error) {
	if x == nil {
		return nil, fmt.Errorf("nn: %v: nil input", p)
	}
	return autograd.Apply(&maxPoolFunc{p: p}, x)
}

// Params returns nil: pooling has no parameters.
func (p *MaxPool2d) Params() []NamedVar { return nil }

// Buffers returns nil: pooling has no buffers.
func (p *MaxPool2d) Buffers() []NamedTensor { return nil }

// SetTraining does nothing: pooling behaves the same in both modes.
func (p *MaxPool2d) SetTraining(bool) {}

// maxPoolFunc is the autograd Function of MaxPool2d. Forward records, for
// every output, the index within its input plane of the maximum it took.
type maxPoolFunc struct {
	p *MaxPool2d
}

// maxPoolSaved is what maxPoolFunc keeps for Backward: the index of
// every output's maximum within its input plane (argmax), or, for 2×2
// windows with stride 2, its position 0..3 within the window in
// row-major order (arg2x2), a quarter of the size.
type maxPoolSaved struct {
	g      convGeom
	planes int
	argmax []int32
	arg2x2 []uint8
	shape  []int
}

// Forward pools every plane and records the argmax of every window.
func (f *maxPoolFunc) Forward(ctx *autograd.Context, in ...*tensor.Tensor) (*tensor.Tensor, error) {
	x := in[0]
	g, planes, err := poolGeom(f.p.String(), x, f.p.kernel, f.p.stride, 0)
	if err != nil {
		return nil, err
	}
	if g.hwIn > 1<<31-1 {
		return nil, fmt.Errorf("nn: %v: input shape %v: plane too large for int32 indices", f.p, x.Shape())
	}
	if _, err := tensor.Numel(x.Dim(0), x.Dim(1), g.ho, g.wo); err != nil {
		return nil, fmt.Errorf("nn: %v: input shape %v: %w", f.p, x.Shape(), err)
	}
	// Every output and recorded argmax is written below.
	y := ctx.Buffer(f.p.bufs, x.Dim(0), x.Dim(1), g.ho, g.wo)
	needs := ctx.AnyNeedsGrad()
	xd, yd := x.Data(), y.Data()
	if g.k == 2 && g.stride == 2 {
		var arg []uint8
		if needs {
			arg = uint8s(ctx.Buffer(f.p.bufs, (y.Len()+3)/4).Data())[:y.Len()]
		}
		tensor.ParallelFor(planes, 4*g.hwOut, func(lo, hi int) {
			maxPool2x2Planes(&g, xd, yd, arg, lo, hi)
		})
		if needs {
			ctx.Value = &maxPoolSaved{g: g, planes: planes, arg2x2: arg, shape: x.Shape()}
		}
		return y, nil
	}
	var arg []int32
	if needs {
		arg = int32s(ctx.Buffer(f.p.bufs, y.Len()).Data())
	}
	k, s := g.k, g.stride
	tensor.ParallelFor(planes, g.hwOut*k*k, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			xp := xd[pl*g.hwIn : (pl+1)*g.hwIn]
			yp := yd[pl*g.hwOut : (pl+1)*g.hwOut]
			var ap []int32
			if needs {
				ap = arg[pl*g.hwOut : (pl+1)*g.hwOut]
			}
			for oh := 0; oh < g.ho; oh++ {
				for ow := 0; ow < g.wo; ow++ {
					start := oh*s*g.w + ow*s
					best, bi := xp[start], start
					for ki := 0; ki < k; ki++ {
						row := start + ki*g.w
						for j, v := range xp[row : row+k] {
							// The first maximum wins; NaN propagates,
							// as in PyTorch's CPU kernel.
							if v > best || v != v {
								best, bi = v, row+j
							}
						}
					}
					yp[oh*g.wo+ow] = best
					if ap != nil {
						ap[oh*g.wo+ow] = int32(bi)
					}
				}
			}
		}
	})
	if needs {
		ctx.Value = &maxPoolSaved{g: g, planes: planes, argmax: arg, shape: x.Shape()}
	}
	return y, nil
}

// FreshGrads marks Backward as returning fresh, unshared gradients
// (see autograd.FreshGrads).
func (*maxPoolFunc) FreshGrads() {}

// Backward routes each output gradient to the recorded argmax.
func (f *maxPoolFunc) Backward(ctx *autograd.Context, grad *tensor.Tensor) ([]*tensor.Tensor, error) {
	sv := ctx.Value.(*maxPoolSaved)
	g := sv.g
	if grad.Len() != sv.planes*g.hwOut {
		return nil, fmt.Errorf("nn: %v backward: gradient shape %v does not match the output of input %v", f.p, grad.Shape(), sv.shape)
	}
	gx := ctx.GradBuffer(0, f.p.bufs, sv.shape...)
	gxd, gd := gx.Data(), grad.Data()
	if sv.arg2x2 != nil {
		// The kernels write every window; only rows or columns beyond
		// the last window need clearing.
		if g.h != 2*g.ho || g.w != 2*g.wo {
			clear(gxd)
		}
		tensor.ParallelFor(sv.planes, 4*g.hwOut, func(lo, hi int) {
			maxUnpool2x2Planes(&g, gxd, gd, sv.arg2x2, lo, hi)
		})
		return []*tensor.Tensor{gx}, nil
	}
	clear(gxd)
	tensor.ParallelFor(sv.planes, g.hwOut, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			gxp := gxd[pl*g.hwIn : (pl+1)*g.hwIn]
			gp := gd[pl*g.hwOut : (pl+1)*g.hwOut]
			for j, a := range sv.argmax[pl*g.hwOut : (pl+1)*g.hwOut] {
				gxp[a] += gp[j]
			}
		}
	})
	return []*tensor.Tensor{gx}, nil
}

// maxPool2x2Planes pools planes [lo, hi) of x into y with 2×2 windows
// moved by 2, recording the position of every maximum in arg unless arg
// is nil (see maxPool2x2Arg).
func maxPool2x2Planes(g *convGeom, xd, yd []float32, arg []uint8, lo, hi int) {
	if haveAVX2 && g.wo >= 4 {
		var discard []uint8
		argStride := g.wo
		if arg == nil {
			discard, argStride = make([]uint8, g.wo), 0
		}
		// With an even height, the output rows of consecutive planes
		// read evenly spaced input row pairs: one call covers them all.
		n, rows := 1, (hi-lo)*g.ho
		if g.h != 2*g.ho {
			n, rows = hi-lo, g.ho
		}
		for i := range n {
			pl := lo + i
			a := discard
			if arg != nil {
				a = arg[pl*g.hwOut : pl*g.hwOut+rows*g.wo]
			}
			// The slices span what the kernel reads and writes.
			maxPool2x2AVX2(&xd[pl*g.hwIn : pl*g.hwIn+2*rows*g.w][0], &yd[pl*g.hwOut : pl*g.hwOut+rows*g.wo][0],
				&a[0], argStride, rows, g.wo, g.w)
		}
		return
	}
	for pl := lo; pl < hi; pl++ {
		xp := xd[pl*g.hwIn : (pl+1)*g.hwIn]
		yp := yd[pl*g.hwOut : (pl+1)*g.hwOut]
		if arg != nil {
			maxPool2x2Arg(xp, yp, arg[pl*g.hwOut:(pl+1)*g.hwOut], g.w, g.wo)
		} else {
			maxPool2x2(xp, yp, g.w, g.wo)
		}
	}
}

// maxUnpool2x2Planes routes the gradient g of planes [lo, hi) of a 2×2,
// stride-2 max pooling to the positions recorded in arg, in gx: it writes
// every position of every window, 0 + g at the recorded one and +0 at
// the others (what adding g onto zeros gives), and leaves the rows and
// columns beyond the last window as they are.
func maxUnpool2x2Planes(g *convGeom, gxd, gd []float32, arg []uint8, lo, hi int) {
	if haveAVX2 && g.wo >= 4 {
		n, rows := 1, (hi-lo)*g.ho
		if g.h != 2*g.ho {
			n, rows = hi-lo, g.ho
		}
		for i := range n {
			pl := lo + i
			maxUnpool2x2AVX2(&gxd[pl*g.hwIn : pl*g.hwIn+2*rows*g.w][0], &gd[pl*g.hwOut : pl*g.hwOut+rows*g.wo][0],
				&arg[pl*g.hwOut : pl*g.hwOut+rows*g.wo][0], rows, g.wo, g.w)
		}
		return
	}
	for pl := lo; pl < hi; pl++ {
		maxUnpool2x2(gxd[pl*g.hwIn:(pl+1)*g.hwIn], gd[pl*g.hwOut:(pl+1)*g.hwOut],
			arg[pl*g.hwOut:(pl+1)*g.hwOut], g.w, g.wo)
	}
}

// maxPool2x2Arg pools one input plane xp (rows of width w) with 2×2
// windows moved by 2 into yp (rows of width wo, len(yp)/wo rows), and
// records in arg the position 0..3 of each maximum within its window
// (row-major). It follows the general loop exactly: the first maximum
// wins, and a NaN counts as a maximum (the last NaN of the window wins).
func maxPool2x2Arg(xp, yp []float32, arg []uint8, w, wo int) {
	ho := len(yp) / wo
	for oh := 0; oh < ho; oh++ {
		r0 := xp[2*oh*w : 2*oh*w+2*wo]
		r1 := xp[(2*oh+1)*w : (2*oh+1)*w+2*wo]
		y := yp[oh*wo : (oh+1)*wo]
		a := arg[oh*wo : (oh+1)*wo]
		for ow := range y {
			i := 2 * ow
			x0, x1 := r0[i], r0[i+1]
			x2, x3 := r1[i], r1[i+1]
			best, bi := x0, uint8(0)
			if x1 > best || x1 != x1 {
				best, bi = x1, 1
			}
			if x2 > best || x2 != x2 {
				best, bi = x2, 2
			}
			if x3 > best || x3 != x3 {
				best, bi = x3, 3
			}
			y[ow] = best
			a[ow] = bi
		}
	}
}

// maxPool2x2 is maxPool2x2Arg without the argmax.
func maxPool2x2(xp, yp []float32, w, wo int) {
	ho := len(yp) / wo
	for oh := 0; oh < ho; oh++ {
		r0 := xp[2*oh*w : 2*oh*w+2*wo]
		r1 := xp[(2*oh+1)*w : (2*oh+1)*w+2*wo]
		y := yp[oh*wo : (oh+1)*wo]
		for ow := range y {
			i := 2 * ow
			x0, x1 := r0[i], r0[i+1]
			x2, x3 := r1[i], r1[i+1]
			best := x0
			if x1 > best || x1 != x1 {
				best = x1
			}
			if x2 > best || x2 != x2 {
				best = x2
			}
			if x3 > best || x3 != x3 {
				best = x3
			}
			y[ow] = best
		}
	}
}

// maxUnpool2x2 routes every output gradient of one plane, gp (rows of
// width wo), to the input position recorded by maxPool2x2Arg in gxp (rows
// of width w): it writes 0 + g there (so -0 becomes +0, as adding onto
// zeros does) and +0 at the other three positions of the window.
func maxUnpool2x2(gxp, gp []float32, arg []uint8, w, wo int) {
	ho := len(gp) / wo
	for oh := 0; oh < ho; oh++ {
		r0 := gxp[2*oh*w : 2*oh*w+2*wo]
		r1 := gxp[(2*oh+1)*w : (2*oh+1)*w+2*wo]
		g := gp[oh*wo : (oh+1)*wo]
		a := arg[oh*wo : (oh+1)*wo]
		for ow, v := range g {
			var q [4]float32
			q[a[ow]&3] = 0 + v
			r0[2*ow], r0[2*ow+1] = q[0], q[1]
			r1[2*ow], r1[2*ow+1] = q[2], q[3]
		}
	}
}

// AvgPool2d averages square windows of every channel of a [N, C, H, W]
// input, the counterpart of torch.nn.AvgPool2d with ceil_mode false and
// count_include_pad true (PyTorch's defaults): the input is padded with
// zeros, and every window is divided by kernel², padding included. The
// output is [N, C, Ho, Wo] with Ho = (H + 2·padding - kernel)/stride + 1
// rounded down, likewise Wo.
type AvgPool2d struct {
	kernel, stride, padding int
}

// NewAvgPool2d returns an average pooling layer with a kernel×kernel
// window moved by stride over the input padded with padding zeros on each
// side. As in PyTorch, padding may be at most kernel/2.
func NewAvgPool2d(kernel, stride, padding int) (*AvgPool2d, error) {
	switch {
	case kernel < 1 || stride < 1:
		return nil, fmt.Errorf("nn: AvgPool2d: kernel and stride must be positive, got kernel=%d stride=%d", kernel, stride)
	case padding < 0 || padding > kernel/2:
		return nil, fmt.Errorf("nn: AvgPool2d: padding %d must be between 0 and half the kernel size %d", padding, kernel)
	}
	return &AvgPool2d{kernel: kernel, stride: stride, padding: padding}, nil
}

// KernelSize returns the side of the window.
func (p *AvgPool2d) KernelSize() int { return p.kernel }

// Stride returns the step of the window.
func (p *AvgPool2d) Stride() int { return p.stride }

// Padding returns the number of zeros added on each side of the input.
func (p *AvgPool2d) Padding() int { return p.padding }

// String describes the layer as PyTorch prints it.
func (p *AvgPool2d) String() string {
	return fmt.Sprintf("AvgPool2d(kernel_size=%d, stride=%d, padding=%d)", p.kernel, p.stride, p.padding)
}

// Forward pools x [N, C, H, W] into [N, C, Ho, Wo].
func (p *AvgPool2d) Forward(x *autograd.Var) (*autograd.Var, error) {
	if x == nil {
		return nil, fmt.Errorf("nn: %v: nil input", p)
	}
	return autograd.Apply(&avgPoolFunc{p: p}, x)
}

// Params returns nil: pooling has no parameters.
func (p *AvgPool2d) Params() []NamedVar { return nil }

// Buffers returns nil: pooling has no buffers.
func (p *AvgPool2d) Buffers() []NamedTensor { return nil }

// SetTraining does nothing: pooling behaves the same in both modes.
func (p *AvgPool2d) SetTraining(bool) {}

// avgPoolFunc is the autograd Function of AvgPool2d.
type avgPoolFunc struct {
	p *AvgPool2d
}

// avgPoolSaved is what avgPoolFunc keeps for Backward.
type avgPoolSaved struct {
	g      convGeom
	planes int
	shape  []int
}

// Forward averages every window, dividing by kernel² padding included.
func (f *avgPoolFunc) Forward(ctx *autograd.Context, in ...*tensor.Tensor) (*tensor.Tensor, error) {
	x := in[0]
	g, planes, err := poolGeom(f.p.String(), x, f.p.kernel, f.p.stride, f.p.padding)
	if err != nil {
		return nil, err
	}
	y, err := tensor.Zeros(x.Dim(0), x.Dim(1), g.ho, g.wo)
	if err != nil {
		return nil, fmt.Errorf("nn: %v: input shape %v: %w", f.p, x.Shape(), err)
	}
	xd, yd := x.Data(), y.Data()
	scale := 1 / float32(g.k*g.k)
	tensor.ParallelFor(planes, g.hwOut*g.k*g.k, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			xp := xd[pl*g.hwIn : (pl+1)*g.hwIn]
			yp := yd[pl*g.hwOut : (pl+1)*g.hwOut]
			for oh := 0; oh < g.ho; oh++ {
				ih0, ih1 := g.window(oh, g.h)
				for ow := 0; ow < g.wo; ow++ {
					iw0, iw1 := g.window(ow, g.w)
					var sum float32
					for ih := ih0; ih < ih1; ih++ {
						for _, v := range xp[ih*g.w+iw0 : ih*g.w+iw1] {
							sum += v
						}
					}
					yp[oh*g.wo+ow] = sum * scale
				}
			}
		}
	})
	if ctx.AnyNeedsGrad() {
		ctx.Value = &avgPoolSaved{g: g, planes: planes, shape: x.Shape()}
	}
	return y, nil
}

// FreshGrads marks Backward as returning fresh, unshared gradients
// (see autograd.FreshGrads).
func (*avgPoolFunc) FreshGrads() {}

// Backward spreads each output gradient, divided by kernel², over the
// real (unpadded) positions of its window.
func (f *avgPoolFunc) Backward(ctx *autograd.Context, grad *tensor.Tensor) ([]*tensor.Tensor, error) {
	sv := ctx.Value.(*avgPoolSaved)
	g := sv.g
	if grad.Len() != sv.planes*g.hwOut {
		return nil, fmt.Errorf("nn: %v backward: gradient shape %v does not match the output of input %v", f.p, grad.Shape(), sv.shape)
	}
	gx := tensor.New(sv.shape...)
	gxd, gd := gx.Data(), grad.Data()
	scale := 1 / float32(g.k*g.k)
	tensor.ParallelFor(sv.planes, g.hwOut*g.k*g.k, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			gxp := gxd[pl*g.hwIn : (pl+1)*g.hwIn]
			gp := gd[pl*g.hwOut : (pl+1)*g.hwOut]
			for oh := 0; oh < g.ho; oh++ {
				ih0, ih1 := g.window(oh, g.h)
				for ow := 0; ow < g.wo; ow++ {
					iw0, iw1 := g.window(ow, g.w)
					v := gp[oh*g.wo+ow] * scale
					for ih := ih0; ih < ih1; ih++ {
						row := gxp[ih*g.w+iw0 : ih*g.w+iw1]
						for j := range row {
							row[j] += v
						}
					}
				}
			}
		}
	})
	return []*tensor.Tensor{gx}, nil
}
