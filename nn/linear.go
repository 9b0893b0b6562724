package nn

import (
	"errors"
	"fmt"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// Linear is a fully connected layer, y = x·Wᵀ + b, the counterpart of
// torch.nn.Linear. Its parameters use PyTorch's layout and state_dict
// names: "weight" [out, in] and, when present, "bias" [out].
//
// Forward accepts an input of shape [..., in] with any number of leading
// dimensions (including none) and returns [..., out]: the leading
// dimensions are treated as rows of one matrix, so a multi-step input
// [T, B, in] is handled in a single matrix product.
//
// When the input is spikes (every element 0 or 1), the forward pass and
// the weight gradient are event-driven: they add up the weight columns of
// the inputs that fired instead of multiplying by zeros (see Sparse and
// the package documentation).
//
// A Linear may be used from several goroutines at once as long as its
// parameters are not being changed meanwhile. It must not be copied after
// first use (it holds a mutex); pass *Linear around.
type Linear struct {
	// Weight is the [out, in] weight matrix; it requires a gradient.
	Weight *autograd.Var
	// Bias is the [out] bias vector, or nil for a layer without bias.
	Bias *autograd.Var
	// Sparse chooses between the event-driven and the dense kernels for
	// binary inputs; the zero value, SparseAuto, decides from the
	// input's density at every call.
	Sparse SparseMode

	in, out int

	// spikes keeps the event-driven kernels' buffers, bufs the outputs
	// and gradients between training steps.
	spikes spikePool
	bufs   autograd.Pool
}

// NewLinear returns a Linear layer mapping in features to out features,
// with a bias when bias is true. Weight and bias are drawn from
// U(-1/sqrt(in), 1/sqrt(in)) using rng, weight first and then bias, which
// is the distribution of PyTorch's default initialisation
// (kaiming_uniform_ with a=sqrt(5) for the weight). With in == 0 the
// parameters are zero. It is an error when a size is negative or rng is
// nil.
func NewLinear(in, out int, bias bool, rng *Rand) (*Linear, error) {
	if in < 0 || out < 0 {
		return nil, fmt.Errorf("nn: Linear: negative size (in=%d, out=%d)", in, out)
	}
	if rng == nil {
		return nil, errors.New("nn: Linear: nil *Rand")
	}
	bound := KaimingUniformBound(in)
	w := tensor.New(out, in)
	rng.FillUniform(w.Data(), bound)
	l := &Linear{Weight: autograd.NewVar(w, true), in: in, out: out}
	if bias {
		b := tensor.New(out)
		rng.FillUniform(b.Data(), bound)
		l.Bias = autograd.NewVar(b, true)
	}
	return l, nil
}

// InFeatures returns the size of the input's last dimension.
func (l *Linear) InFeatures() int { return l.in }

// OutFeatures returns the size of the output's last dimension.
func (l *Linear) OutFeatures() int { return l.out }

// Forward returns x·Wᵀ + b for x of shape [..., in], with shape [..., out].
// It is an error when x is a scalar or its last dimension is not in.
func (l *Linear) Forward(x *autograd.Var) (*autograd.Var, error) {
	if x == nil {
		return nil, fmt.Errorf("nn: Linear(%d, %d): nil input", l.in, l.out)
	}
	y, err := autograd.Apply(linearFunc{l: l}, x, l.Weight, l.Bias)
	if err != nil {
		return nil, fmt.Errorf("nn: Linear(%d, %d): %w", l.in, l.out, err)
	}
	return y, nil
}

// Params returns the weight and, when present, the bias.
func (l *Linear) Params() []NamedVar {
	ps := []NamedVar{{Name: "weight", Var: l.Weight}}
	if l.Bias != nil {
		ps = append(ps, NamedVar{Name: "bias", Var: l.Bias})
	}
	return ps
}

// Buffers returns nil: Linear has no buffers.
func (l *Linear) Buffers() []NamedTensor { return nil }

// SetTraining does nothing: Linear behaves the same in both modes.
func (l *Linear) SetTraining(bool) {}

// String describes the layer as PyTorch prints it.
func (l *Linear) String() string {
	return fmt.Sprintf("Linear(in_features=%d, out_features=%d, bias=%v)", l.in, l.out, l.Bias != nil)
}

// linearFunc is y = x·Wᵀ + b as one autograd operation. Its inputs are x
// [..., in], W [out, in] and the optional b [out] (nil without bias). l,
// when not nil, is the layer whose SparseMode and scratch pool it uses;
// the zero linearFunc works in SparseAuto mode without a pool.
type linearFunc struct {
	l *Linear
}

// setup returns f's mode and buffers.
func (f linearFunc) setup() (SparseMode, *spikePool, *autograd.Pool) {
	if f.l == nil {
		return SparseAuto, nil, nil
	}
	return f.l.Sparse, &f.l.spikes, &f.l.bufs
}

// linearDims checks the shapes of a linear operation and returns the
// number of rows of x, in and out.
func linearDims(x, w, b *tensor.Tensor) (rows, in, out int, err error) {
	if w.Dims() != 2 {
		return 0, 0, 0, fmt.Errorf("weight must be 2-d [out, in], got shape %v", w.Shape())
	}
	out, in = w.Dim(0), w.Dim(1)
	if x.Dims() == 0 || x.Dim(-1) != in {
		return 0, 0, 0, fmt.Errorf("input shape %v does not end in in_features %d (weight shape %v)", x.Shape(), in, w.Shape())
	}
	if b != nil && (b.Dims() != 1 || b.Dim(0) != out) {
		return 0, 0, 0, fmt.Errorf("bias shape %v, want [%d] (weight shape %v)", b.Shape(), out, w.Shape())
	}
	return leadingRows(x), in, out, nil
}

// leadingRows returns the product of all but the last dimension of x.
func leadingRows(x *tensor.Tensor) int {
	rows := 1
	for i := 0; i < x.Dims()-1; i++ {
		rows *= x.Dim(i)
	}
	return rows
}

// Forward computes y = x·Wᵀ + b, by the event-driven kernel when x is
// binary and sparse enough (see linearSparseForward), otherwise with a
// single GEMM: the rows of y are first set to b (or left zero) and the
// product is accumulated onto them.
func (f linearFunc) Forward(ctx *autograd.Context, inputs ...*tensor.Tensor) (*tensor.Tensor, error) {
	x, w, b := inputs[0], inputs[1], inputs[2]
	rows, in, out, err := linearDims(x, w, b)
	if err != nil {
		return nil, err
	}
	shape := x.Shape()
	shape[len(shape)-1] = out
	mode, pool, bufs := f.setup()
	y := ctx.Buffer(bufs, shape...) // every element is written below
	yd := y.Data()
	var bd []float32
	if b != nil {
		bd = b.Data()
	}
	var keep func(n int) []int32
	if ctx.NeedsInputGrad(1) {
		keep = func(n int) []int32 { return int32s(ctx.Buffer(bufs, n).Data()) }
	}
	done, lists := linearSparseForward(pool, mode, keep, x.Data(), w.Data(), bd, yd, rows, in, out)
	if !done {
		var beta float32 // y is overwritten, or the product added to the bias
		if b != nil {
			tensor.ParallelFor(rows, out, func(lo, hi int) {
				for r := lo; r < hi; r++ {
					copy(yd[r*out:(r+1)*out], bd)
				}
			})
			beta = 1
		}
		tensor.Gemm(false, true, rows, out, in, 1, x.Data(), in, w.Data(), in, beta, yd, out)
	}
	if ctx.AnyNeedsGrad() {
		ctx.SaveForBackward(x, w)
		if lists.idx != nil {
			ctx.Value = lists
		}
	}
	return y, nil
}

// FreshGrads marks Backward as returning fresh, unshared gradients
// (see autograd.FreshGrads).
func (linearFunc) FreshGrads() {}

// Backward computes, each only when its input needs it, gx = g·W,
// gW = gᵀ·x and gb = the column sums of g. gW is event-driven when
// Forward kept the lists of a binary, sparse enough x.
func (f linearFunc) Backward(ctx *autograd.Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
	saved := ctx.Saved()
	x, w := saved[0], saved[1]
	out, in := w.Dim(0), w.Dim(1)
	rows := leadingRows(x)
	gd := g.Data()
	_, pool, bufs := f.setup()
	grads := make([]*tensor.Tensor, 3)
	// Every gradient is overwritten (the GEMMs with beta = 0), so their
	// buffers need no clearing.
	if ctx.NeedsInputGrad(0) {
		gx := ctx.GradBuffer(0, bufs, x.Shape()...)
		tensor.Gemm(false, false, rows, in, out, 1, gd, out, w.Data(), in, 0, gx.Data(), in)
		grads[0] = gx
	}
	if ctx.NeedsInputGrad(1) {
		gw := ctx.GradBuffer(1, bufs, out, in)
		if lists, ok := ctx.Value.(spikeRows); ok {
			linearSparseWeightGrad(pool, lists, gd, gw.Data())
		} else {
			tensor.Gemm(true, false, out, in, rows, 1, gd, out, x.Data(), in, 0, gw.Data(), in)
		}
		grads[1] = gw
	}
	if ctx.NeedsInputGrad(2) {
		gb := ctx.GradBuffer(2, bufs, out)
		columnSums(gb.Data(), gd, rows, out)
		grads[2] = gb
	}
	return grads, nil
}

// columnSums sets dst[j] to the sum over rows of g[r*cols+j], accumulated
// in float64 and rounded once.
func columnSums(dst, g []float32, rows, cols int) {
	const block = 16
	blocks := (cols + block - 1) / block
	tensor.ParallelFor(blocks, rows*block, func(lo, hi int) {
		for j0 := lo * block; j0 < min(hi*block, cols); j0 += block {
			j1 := min(j0+block, cols)
			var acc [block]float64
			for r := 0; r < rows; r++ {
				for j, v := range g[r*cols+j0 : r*cols+j1] {
					acc[j] += float64(v)
				}
			}
			for j := j0; j < j1; j++ {
				dst[j] = float32(acc[j-j0])
			}
		}
	})
}
