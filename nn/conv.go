package nn

import (
	"errors"
	"fmt"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// Conv2d is a 2-d convolution over [N, C, H, W] inputs with a square
// kernel, the counterpart of torch.nn.Conv2d (dilation 1, groups 1, zero
// padding). Its weight is [out, in, k, k] and its optional bias [out], as
// in PyTorch, so state dicts carry over unchanged.
//
// The forward pass lowers every sample to a column matrix (im2col) and
// multiplies it by the weight with tensor.Gemm, samples spread over the
// available cores. The backward pass recomputes the column matrices from
// the saved input rather than keeping them alive between the passes.
// Column buffers, outputs and gradients are recycled between calls (see
// autograd.Pool), so that a training step allocates no large buffer once
// warmed up.
//
// When a sample of the input is spikes (every element 0 or 1), its
// forward pass is event-driven: every output position adds up the filter
// taps of the inputs that fired in its window. When every sample of the
// batch was, the weight gradient is event-driven as well (see Sparse and
// the package documentation).
//
// A Conv2d may be used from several goroutines at once as long as its
// parameters are not being changed meanwhile. It must not be copied after
// first use (it holds pools); pass *Conv2d around.
type Conv2d struct {
	// Weight is the [out, in, k, k] filter bank.
	Weight *autograd.Var
	// Bias is the [out] bias, or nil for a layer built without one.
	Bias *autograd.Var
	// Sparse chooses between the event-driven and the dense kernels for
	// binary inputs; the zero value, SparseAuto, decides from each
	// sample's density.
	Sparse SparseMode

	in, out, kernel, stride, padding int

	// bufs recycles the outputs and gradients, the per-worker column
	// buffers and the partial gradients of the backward pass.
	bufs autograd.Pool
	// spikeCall and spikeWork keep the event-driven kernels' buffers:
	// those of a whole call, and those of one worker.
	spikeCall, spikeWork spikePool
}

// NewConv2d returns a convolution from in to out channels with a
// kernel×kernel window moved by stride over the input padded with padding
// zeros on each side, with a bias when bias is true. Like PyTorch, it
// draws the weight and then the bias from U(-b, b) with
// b = 1/sqrt(in·kernel·kernel), using rng.
func NewConv2d(in, out, kernel, stride, padding int, bias bool, rng *Rand) (*Conv2d, error) {
	switch {
	case in < 1 || out < 1:
		return nil, fmt.Errorf("nn: Conv2d: channels must be positive, got in=%d out=%d", in, out)
	case kernel < 1:
		return nil, fmt.Errorf("nn: Conv2d: kernel size must be positive, got %d", kernel)
	case stride < 1:
		return nil, fmt.Errorf("nn: Conv2d: stride must be positive, got %d", stride)
	case padding < 0:
		return nil, fmt.Errorf("nn: Conv2d: padding must not be negative, got %d", padding)
	case rng == nil:
		return nil, errors.New("nn: Conv2d: nil random source")
	}
	w, err := tensor.Zeros(out, in, kernel, kernel)
	if err != nil {
		return nil, fmt.Errorf("nn: Conv2d: %w", err)
	}
	bound := KaimingUniformBound(in * kernel * kernel)
	rng.FillUniform(w.Data(), bound)
	l := &Conv2d{
		Weight: autograd.NewVar(w, true),
		in:     in, out: out, kernel: kernel, stride: stride, padding: padding,
	}
	if bias {
		b := tensor.New(out)
		rng.FillUniform(b.Data(), bound)
		l.Bias = autograd.NewVar(b, true)
	}
	return l, nil
}

// InChannels returns the number of input channels.
func (l *Conv2d) InChannels() int { return l.in }

// OutChannels returns the number of output channels.
func (l *Conv2d) OutChannels() int { return l.out }

// KernelSize returns the side of the square kernel.
func (l *Conv2d) KernelSize() int { return l.kernel }

// Stride returns the step of the window.
func (l *Conv2d) Stride() int { return l.stride }

// Padding returns the number of zeros added on each side of the input.
func (l *Conv2d) Padding() int { return l.padding }

// OutputSize returns the spatial size of the output for an h×w input.
func (l *Conv2d) OutputSize(h, w int) (ho, wo int) {
	return (h+2*l.padding-l.kernel)/l.stride + 1, (w+2*l.padding-l.kernel)/l.stride + 1
}

// String describes the layer as PyTorch prints it.
func (l *Conv2d) String() string {
	return fmt.Sprintf("Conv2d(%d, %d, kernel_size=(%d, %d), stride=(%d, %d), padding=(%d, %d), bias=%v)",
		l.in, l.out, l.kernel, l.kernel, l.stride, l.stride, l.padding, l.padding, l.Bias != nil)
}

// Forward convolves x [N, in, H, W] into [N, out, Ho, Wo] with
// Ho = (H + 2·padding - kernel)/stride + 1 (rounded down), likewise Wo.
func (l *Conv2d) Forward(x *autograd.Var) (*autograd.Var, error) {
	if x == nil {
		return nil, fmt.Errorf("nn: %v: nil input", l)
	}
	y, err := autograd.Apply(&conv2dFunc{l: l}, x, l.Weight, l.Bias)
	if err != nil {
		return nil, err
	}
	return y, nil
}

// Params returns "weight" and, when the layer has one, "bias".
func (l *Conv2d) Params() []NamedVar {
	ps := []NamedVar{{"weight", l.Weight}}
	if l.Bias != nil {
		ps = append(ps, NamedVar{"bias", l.Bias})
	}
	return ps
}

// Buffers returns nil: a convolution has no buffers.
func (l *Conv2d) Buffers() []NamedTensor { return nil }

// SetTraining does nothing: a convolution behaves the same in both modes.
func (l *Conv2d) SetTraining(bool) {}

// geom checks x against the layer and returns the geometry of one sample.
func (l *Conv2d) geom(x *tensor.Tensor) (convGeom, error) {
	if x.Dims() != 4 || x.Dim(1) != l.in {
		return convGeom{}, fmt.Errorf("nn: %v: input shape %v, want [N %d H W]", l, x.Shape(), l.in)
	}
	h, w := x.Dim(2), x.Dim(3)
	if h+2*l.padding < l.kernel || w+2*l.padding < l.kernel {
		return convGeom{}, fmt.Errorf("nn: %v: input shape %v is smaller than the %d×%d kernel with padding %d",
			l, x.Shape(), l.kernel, l.kernel, l.padding)
	}
	return newConvGeom(l.in, h, w, l.kernel, l.stride, l.padding), nil
}

// scratchLen is the length of the per-worker buffers for geometry g: one
// column matrix. Forward and backward share one size so that buffers
// recycled by one pass fit the other.
func (l *Conv2d) scratchLen(g *convGeom) int { return g.rows * g.hwOut }

// getScratch returns a recycled buffer of n floats (contents undefined);
// give it back with putScratch.
func (l *Conv2d) getScratch(n int) []float32 { return l.bufs.Get(n) }

// putScratch gives back a buffer from getScratch (nil is ignored).
func (l *Conv2d) putScratch(b []float32) {
	if b != nil {
		l.bufs.Put(b)
	}
}

// conv2dFunc is the autograd Function of Conv2d: inputs x, weight and an
// optional bias.
type conv2dFunc struct {
	l *Conv2d
}

// Forward computes the convolution sample by sample: out_n = W·cols_n + b.
func (f *conv2dFunc) Forward(ctx *autograd.Context, in ...*tensor.Tensor) (*tensor.Tensor, error) {
	l := f.l
	x, w, b := in[0], in[1], in[2]
	g, err := l.geom(x)
	if err != nil {
		return nil, err
	}
	if w.Len() != l.out*g.rows {
		return nil, fmt.Errorf("nn: %v: weight shape %v, want [%d %d %d %d]", l, w.Shape(), l.out, l.in, l.kernel, l.kernel)
	}
	if b != nil && b.Len() != l.out {
		return nil, fmt.Errorf("nn: %v: bias shape %v, want [%d]", l, b.Shape(), l.out)
	}
	n := x.Dim(0)
	if _, err := tensor.Numel(n, l.out, g.ho, g.wo); err != nil {
		return nil, fmt.Errorf("nn: %v: input shape %v: %w", l, x.Shape(), err)
	}
	// Every sample's output is written below, by the event-driven path
	// or by Gemm (with beta = 0, or onto the bias).
	y := ctx.Buffer(&l.bufs, n, l.out, g.ho, g.wo)
	xd, wd, yd := x.Data(), w.Data(), y.Data()
	var bd []float32
	if b != nil {
		bd = b.Data()
	}
	outSize := l.out * g.hwOut
	cs := l.spikeCall.get()
	defer l.spikeCall.put(cs)
	sp := newConvSparse(cs, l, &g, xd, wd, bd)
	// ones[i]: the number of ones of sample i when it took the
	// event-driven path, else -1.
	var ones []int32
	if sp != nil {
		ones = cs.ints(2, n) // slots 0 and 1 are newConvSparse's
	}
	tensor.ParallelFor(n, l.out*g.rows*g.hwOut, func(lo, hi int) {
		var colBuf []float32
		var ws *spikeScratch
		if sp != nil {
			ws = l.spikeWork.get()
			defer l.spikeWork.put(ws)
		}
		for i := lo; i < hi; i++ {
			cols := xd[i*g.inSize : (i+1)*g.inSize]
			yi := yd[i*outSize : (i+1)*outSize]
			if sp != nil {
				k, ok := sp.forward(ws, cols, yi)
				if ok {
					ones[i] = int32(k)
					continue
				}
				ones[i] = -1
			}
			if colBuf == nil && !g.identity() {
				colBuf = l.getScratch(l.scratchLen(&g))
			}
			if colBuf != nil {
				im2col(&g, cols, colBuf)
				cols = colBuf
			}
			var beta float32
			if bd != nil {
				for o, v := range bd {
					row := yi[o*g.hwOut : (o+1)*g.hwOut]
					for j := range row {
						row[j] = v
					}
				}
				beta = 1
			}
			tensor.Gemm(false, false, l.out, g.hwOut, g.rows, 1, wd, g.rows, cols, g.hwOut, beta, yi, g.hwOut)
		}
		l.putScratch(colBuf)
	})
	if ctx.AnyNeedsGrad() {
		ctx.SaveForBackward(x, w)
		ctx.Value = convSaved{g: g, sparseGrad: sp != nil && convGradIsSparse(l.Sparse, ones, g.inSize)}
	}
	return y, nil
}

// convSaved is what conv2dFunc's Forward keeps for Backward besides x and
// W: the geometry, and whether the weight gradient is event-driven.
type convSaved struct {
	g          convGeom
	sparseGrad bool
}

// convGradIsSparse reports whether the weight gradient of a batch whose
// samples of size inSize took the event-driven path with ones[i] ones
// (-1: they did not) is event-driven in mode: when every sample did and,
// in SparseAuto mode, the batch's density is at most the crossover.
func convGradIsSparse(mode SparseMode, ones []int32, inSize int) bool {
	total := 0
	for _, k := range ones {
		if k < 0 {
			return false
		}
		total += int(k)
	}
	return sparseGrad(mode, float64(total)/float64(max(1, len(ones)*inSize)), convGradSparseMax)
}

// FreshGrads marks Backward as returning fresh, unshared gradients
// (see autograd.FreshGrads).
func (*conv2dFunc) FreshGrads() {}

// convGradBlocks is the largest number of blocks of consecutive samples
// whose weight and bias gradients the backward pass accumulates
// separately (on as many goroutines as there are cores) before adding
// them in block order. The blocks depend on the batch and the layer only,
// never on the number of cores, so neither do the bits of the gradients.
const convGradBlocks = 32

// convGradPartMax bounds the memory of the partial gradients, in floats:
// layers whose weight gradient is large get fewer blocks (and rely on the
// parallelism inside tensor.Gemm).
const convGradPartMax = 1 << 21

// convXGradGroupMax bounds the scratch memory of the grouped input
// gradient, in floats per goroutine: the column matrices and the
// gathered output gradients of the group's samples.
const convXGradGroupMax = 1 << 20

// convXGradGroup writes the input gradients of the m samples whose output
// gradients are grad [m, out, Ho·Wo] into gx [m, C, H, W]: it gathers the
// gradients side by side into one matrix [out, m·Ho·Wo], multiplies it by
// Wᵀ in one GEMM and hands each sample's columns to col2im. Each element
// is the sum of the per-sample product, in the same order. buf holds at
// least (rows+out)·m·Ho·Wo floats.
func convXGradGroup(g *convGeom, out int, w, grad, gx, buf []float32) {
	hw := g.hwOut
	m := len(grad) / (out * hw)
	ld := m * hw
	cols, gt := buf[:g.rows*ld], buf[g.rows*ld:(g.rows+out)*ld]
	for o := range out {
		for j := range m {
			copy(gt[o*ld+j*hw:o*ld+(j+1)*hw], grad[(j*out+o)*hw:(j*out+o+1)*hw])
		}
	}
	tensor.Gemm(true, false, g.rows, ld, out, 1, w, g.rows, gt, ld, 0, cols, ld)
	for j := range m {
		col2imSetStride(g, cols[j*hw:], ld, gx[j*g.inSize:(j+1)*g.inSize])
	}
}

// convGradBlockCount returns the number of sample blocks of a backward
// pass over n samples whose partial weight and bias gradients hold
// partLen floats.
func convGradBlockCount(n, partLen int) int {
	b := min(n, convGradBlocks)
	if partLen > 0 {
		b = min(b, convGradPartMax/partLen)
	}
	return max(b, 1)
}

// Backward returns the gradients of x, weight and bias, each only when
// needed: gW = Σ_n g_n·cols_nᵀ, gb = Σ_n g_n·1 and gx_n = col2im(Wᵀ·g_n),
// with cols_n recomputed from the saved input. The samples are cut into
// blocks (see convGradBlocks), processed in parallel; the weight and bias
// gradients of each block are accumulated sample by sample from zero and
// the blocks' sums added in block order, so that the result depends on
// neither goroutine scheduling nor the number of cores. The transposes are
// left to tensor.Gemm, which applies them while packing its operands.
func (f *conv2dFunc) Backward(ctx *autograd.Context, grad *tensor.Tensor) ([]*tensor.Tensor, error) {
	l := f.l
	saved := ctx.Saved()
	x, w := saved[0], saved[1]
	st := ctx.Value.(convSaved)
	g := st.g
	n := x.Dim(0)
	outSize := l.out * g.hwOut
	if grad.Len() != n*outSize {
		return nil, fmt.Errorf("nn: %v backward: gradient shape %v, want [%d %d %d %d]", l, grad.Shape(), n, l.out, g.ho, g.wo)
	}
	needX, needW, needB := ctx.NeedsInputGrad(0), ctx.NeedsInputGrad(1), ctx.NeedsInputGrad(2)
	// gx is written sample by sample below; gw and gb are cleared
	// where they are accumulated.
	var gx, gw, gb *tensor.Tensor
	if needX {
		gx = ctx.GradBuffer(0, &l.bufs, x.Shape()...)
	}
	if needW {
		gw = ctx.GradBuffer(1, &l.bufs, w.Shape()...)
	}
	if needB {
		gb = ctx.GradBuffer(2, &l.bufs, l.out)
		clear(gb.Data())
	}
	// Block 0 accumulates straight into gw and gb, every later block
	// into its own partial weight and bias gradients, parts[(b-1)*partLen:].
	// The event-driven weight gradient, when it applies, uses the same
	// blocks, so that its sums are the dense path's.
	wLen, partLen := 0, 0
	if needW {
		wLen = l.out * g.rows
	}
	if needB {
		partLen = l.out
	}
	blocks := convGradBlockCount(n, wLen+partLen)
	if needW && st.sparseGrad && convSparseWeightGrad(&l.spikeCall, &l.spikeWork, &g, l.out, x.Data(), grad.Data(), gw.Data(), n, blocks) {
		needW, wLen = false, 0 // done
	} else if needW {
		clear(gw.Data())
	}
	if n == 0 || (!needX && !needW && !needB) {
		return []*tensor.Tensor{gx, gw, gb}, nil
	}
	partLen += wLen
	var parts []float32
	if blocks > 1 && partLen > 0 {
		parts = l.getScratch((blocks - 1) * partLen)
	}
	colLen := g.rows * g.hwOut
	xd, gd, wd := x.Data(), grad.Data(), w.Data()
	gemms := 0
	if needW {
		gemms++
	}
	if needX {
		gemms++
	}
	perSample := max(gemms*l.out*g.rows*g.hwOut, outSize)
	// The input gradients of up to group samples of a block come from one
	// product Wᵀ·[g_i … g_j], whose columns are those of the samples side
	// by side: the same sums as one product per sample, in a GEMM large
	// enough to run near the kernel's speed.
	group := 1
	if needX && !g.identity() {
		group = min((n+blocks-1)/blocks, max(1, convXGradGroupMax/((g.rows+l.out)*g.hwOut)))
	}
	scratch := colLen
	if group > 1 {
		scratch = max(colLen, (g.rows+l.out)*group*g.hwOut)
	}
	tensor.ParallelFor(blocks, (n+blocks-1)/blocks*perSample, func(lo, hi int) {
		buf := l.getScratch(scratch)
		cols := buf[:colLen]
		for blk := lo; blk < hi; blk++ {
			var pw, pb []float32
			if blk == 0 {
				if needW {
					pw = gw.Data()
				}
				if needB {
					pb = gb.Data()
				}
			} else {
				part := parts[(blk-1)*partLen : blk*partLen]
				clear(part)
				pw, pb = part[:wLen], part[wLen:]
			}
			first, end := blk*n/blocks, (blk+1)*n/blocks
			for i := first; i < end; i++ {
				xi := xd[i*g.inSize : (i+1)*g.inSize]
				gi := gd[i*outSize : (i+1)*outSize]
				if needB {
					for o := range pb {
						var s float32
						for _, v := range gi[o*g.hwOut : (o+1)*g.hwOut] {
							s += v
						}
						pb[o] += s
					}
				}
				if needW {
					src := xi
					if !g.identity() {
						im2col(&g, xi, cols)
						src = cols
					}
					tensor.Gemm(false, true, l.out, g.rows, g.hwOut, 1, gi, g.hwOut, src, g.hwOut, 1, pw, g.rows)
				}
				if needX && group == 1 {
					gxi := gx.Data()[i*g.inSize : (i+1)*g.inSize]
					if g.identity() {
						tensor.Gemm(true, false, g.rows, g.hwOut, l.out, 1, wd, g.rows, gi, g.hwOut, 0, gxi, g.hwOut)
						continue
					}
					tensor.Gemm(true, false, g.rows, g.hwOut, l.out, 1, wd, g.rows, gi, g.hwOut, 0, cols, g.hwOut)
					col2imSet(&g, cols, gxi)
				}
			}
			for i := first; group > 1 && i < end; i += group {
				convXGradGroup(&g, l.out, wd, gd[i*outSize:min(i+group, end)*outSize], gx.Data()[i*g.inSize:], buf)
			}
		}
		l.putScratch(buf)
	})
	if parts != nil {
		// Add the blocks' sums in block order, element by element.
		tensor.ParallelFor(partLen, blocks, func(lo, hi int) {
			for b := 1; b < blocks; b++ {
				part := parts[(b-1)*partLen : b*partLen]
				if e := min(hi, wLen); lo < e {
					addTo(gw.Data()[lo:e], part[lo:e])
				}
				if s := max(lo, wLen); s < hi {
					addTo(gb.Data()[s-wLen:hi-wLen], part[s:hi])
				}
			}
		})
		l.putScratch(parts)
	}
	return []*tensor.Tensor{gx, gw, gb}, nil
}

// addTo adds src to dst element by element.
func addTo(dst, src []float32) {
	src = src[:len(dst)]
	for j, v := range src {
		dst[j] += v
	}
}
