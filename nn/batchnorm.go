package nn

import (
	"fmt"
	"math"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// Defaults of PyTorch's batch normalisation layers.
const (
	// DefaultBatchNormEps is the default Eps of the BatchNorm layers.
	DefaultBatchNormEps = 1e-5
	// DefaultBatchNormMomentum is the default Momentum of the BatchNorm
	// layers.
	DefaultBatchNormMomentum = 0.1
)

// BatchNorm normalises every channel of an [N, C, ...] input, the common
// part of BatchNorm1d and BatchNorm2d (torch.nn.modules.batchnorm._BatchNorm
// with affine and track_running_stats true):
//
//	y = (x - mean) / sqrt(var + Eps) · weight + bias
//
// per channel. In training mode mean and var are the statistics of the
// batch (the biased variance), and the running statistics move towards
// them:
//
//	running_mean = (1 - Momentum)·running_mean + Momentum·mean
//	running_var  = (1 - Momentum)·running_var  + Momentum·unbiased var
//
// In evaluation mode the running statistics are used instead.
//
// For spiking networks that fold T time steps into the batch, see
// SetTimeSteps.
//
// A BatchNorm is not safe for concurrent use in training mode, since its
// forward pass updates the running statistics.
type BatchNorm struct {
	// Weight is the [C] scale γ, initially 1.
	Weight *autograd.Var
	// Bias is the [C] shift β, initially 0.
	Bias *autograd.Var
	// RunningMean is the [C] running mean, initially 0.
	RunningMean *tensor.Tensor
	// RunningVar is the [C] running variance, initially 1.
	RunningVar *tensor.Tensor
	// NumBatchesTracked is a 0-d tensor counting the updates of the
	// running statistics (a float32 here; PyTorch stores an int64).
	NumBatchesTracked *tensor.Tensor
	// Eps is added to the variance before the square root.
	Eps float64
	// Momentum is the weight of the newest statistics in the running
	// averages.
	Momentum float64

	channels  int
	timeSteps int
	repeat    int
	training  bool
	// bufs recycles the outputs and gradients between training steps.
	bufs *autograd.Pool
}

// newBatchNorm returns a BatchNorm over channels channels with PyTorch's
// defaults, in training mode.
func newBatchNorm(kind string, channels int) (*BatchNorm, error) {
	if channels < 1 {
		return nil, fmt.Errorf("nn: %s: number of channels must be positive, got %d", kind, channels)
	}
	return &BatchNorm{
		Weight:            autograd.NewVar(tensor.Full(1, channels), true),
		Bias:              autograd.NewVar(tensor.New(channels), true),
		RunningMean:       tensor.New(channels),
		RunningVar:        tensor.Full(1, channels),
		NumBatchesTracked: tensor.Scalar(0),
		Eps:               DefaultBatchNormEps,
		Momentum:          DefaultBatchNormMomentum,
		channels:          channels,
		timeSteps:         1,
		repeat:            1,
		training:          true,
		bufs:              new(autograd.Pool),
	}, nil
}

// NumFeatures returns the number of channels C.
func (b *BatchNorm) NumFeatures() int { return b.channels }

// SetTimeSteps makes the layer treat its input [T·B, C, ...] as T
// consecutive groups of B samples (time step 0 first), normalising each
// group with its own batch statistics in training mode and updating the
// running statistics once per group, in order; NumBatchesTracked grows by
// T per call. This is exactly what calling the layer separately at every
// time step does, as BrainCog and snnTorch do, in one pass. Evaluation
// mode is unaffected. T = 1 (the default) restores plain batch
// normalisation. It is an error when T < 1; a batch whose size is not a
// multiple of T is rejected by Forward.
func (b *BatchNorm) SetTimeSteps(t int) error {
	if t < 1 {
		return fmt.Errorf("nn: BatchNorm: time steps must be positive, got %d", t)
	}
	b.timeSteps = t
	return nil
}

// SetRepeat declares that each call stands for r identical calls: the
// same input presented at r time steps, as a static input is to the first
// layer of a spiking network. In training mode the running statistics of
// every group are then updated r times, and NumBatchesTracked grows by r
// per group, exactly as r separate calls on the same input would leave
// them; the output is that of one call, and a caller that uses it at r
// time steps passes the sum of their gradients (node.ForwardRepeat does).
// This saves normalising r copies of the same data. r = 1 (the default)
// is a plain call. It is an error when r < 1.
func (b *BatchNorm) SetRepeat(r int) error {
	if r < 1 {
		return fmt.Errorf("nn: BatchNorm: repeat must be positive, got %d", r)
	}
	b.repeat = r
	return nil
}

// Repeat returns the number set by SetRepeat.
func (b *BatchNorm) Repeat() int { return b.repeat }

// TimeSteps returns the number of time steps set by SetTimeSteps.
func (b *BatchNorm) TimeSteps() int { return b.timeSteps }

// Training reports whether the layer is in training mode.
func (b *BatchNorm) Training() bool { return b.training }

// SetTraining switches between batch statistics (true) and running
// statistics (false).
func (b *BatchNorm) SetTraining(training bool) { b.training = training }

// Params returns "weight" and "bias".
func (b *BatchNorm) Params() []NamedVar {
	return []NamedVar{{"weight", b.Weight}, {"bias", b.Bias}}
}

// Buffers returns "running_mean", "running_var" and
// "num_batches_tracked".
func (b *BatchNorm) Buffers() []NamedTensor {
	return []NamedTensor{
		{"running_mean", b.RunningMean},
		{"running_var", b.RunningVar},
		{"num_batches_tracked", b.NumBatchesTracked},
	}
}

// Forward normalises x [N, C, ...] (any rank of at least 2).
func (b *BatchNorm) Forward(x *autograd.Var) (*autograd.Var, error) {
	return b.forward("BatchNorm", x, 2, -1)
}

// ForwardTime normalises T time steps of a batch, as BrainCog applies the
// layer at every step: x is [T·B, C, ...] (step 0 first), each step
// normalised with its own batch statistics (SetTimeSteps(T) for this call),
// or, when static, [B, C, ...] standing for the same input at all T steps,
// normalised once and counted T times in the running statistics
// (SetRepeat(T) for this call). The output is static when the input is.
// The settings of SetTimeSteps and SetRepeat are not used.
func (b *BatchNorm) ForwardTime(x *autograd.Var, T int, static bool) (*autograd.Var, bool, error) {
	return b.forwardTime("BatchNorm", x, 2, -1, T, static)
}

func (b *BatchNorm) forwardTime(kind string, x *autograd.Var, minRank, maxRank, T int, static bool) (*autograd.Var, bool, error) {
	if T < 1 {
		return nil, false, fmt.Errorf("nn: BatchNorm(%d): time steps must be positive, got %d", b.channels, T)
	}
	timeSteps, repeat := T, 1
	if static {
		timeSteps, repeat = 1, T
	}
	y, err := b.forwardWith(kind, x, minRank, maxRank, timeSteps, repeat)
	return y, static, err
}

// forward checks the rank of x against [minRank, maxRank] (maxRank < 0:
// no limit) and applies the layer with its time settings.
func (b *BatchNorm) forward(kind string, x *autograd.Var, minRank, maxRank int) (*autograd.Var, error) {
	return b.forwardWith(kind, x, minRank, maxRank, b.timeSteps, b.repeat)
}

// forwardWith is forward with the time steps and repeat count given.
func (b *BatchNorm) forwardWith(kind string, x *autograd.Var, minRank, maxRank, timeSteps, repeat int) (*autograd.Var, error) {
	if x == nil {
		return nil, fmt.Errorf("nn: %s(%d): nil input", kind, b.channels)
	}
	xs := x.Value()
	if xs.Dims() < minRank || (maxRank >= 0 && xs.Dims() > maxRank) || xs.Dim(1) != b.channels {
		want := fmt.Sprintf("[N %d ...]", b.channels)
		switch {
		case minRank == maxRank && minRank == 4:
			want = fmt.Sprintf("[N %d H W]", b.channels)
		case minRank == 2 && maxRank == 3:
			want = fmt.Sprintf("[N %d] or [N %d L]", b.channels, b.channels)
		}
		return nil, fmt.Errorf("nn: %s(%d): input shape %v, want %s", kind, b.channels, xs.Shape(), want)
	}
	if b.Weight.Value().Len() != b.channels || b.Bias.Value().Len() != b.channels ||
		b.RunningMean.Len() != b.channels || b.RunningVar.Len() != b.channels || b.NumBatchesTracked.Len() != 1 {
		return nil, fmt.Errorf("nn: %s(%d): parameters or buffers have the wrong size (weight %v, bias %v, running_mean %v, running_var %v, num_batches_tracked %v)",
			kind, b.channels, b.Weight.Shape(), b.Bias.Shape(), b.RunningMean.Shape(), b.RunningVar.Shape(), b.NumBatchesTracked.Shape())
	}
	n := xs.Dim(0)
	groups := 1
	if b.training {
		groups = timeSteps
		if n%groups != 0 {
			return nil, fmt.Errorf("nn: %s(%d): input shape %v: batch %d is not divisible by %d time steps", kind, b.channels, xs.Shape(), n, groups)
		}
		inner := xs.Len() / max(n*b.channels, 1)
		if (n/groups)*inner < 2 {
			return nil, fmt.Errorf("nn: %s(%d): input shape %v: expected more than 1 value per channel when training (time steps %d)", kind, b.channels, xs.Shape(), groups)
		}
	}
	return autograd.Apply(&batchNormFunc{b: b, groups: groups, repeat: repeat}, x, b.Weight, b.Bias)
}

// BatchNorm1d is batch normalisation of [N, F] or [N, F, L] inputs, the
// counterpart of torch.nn.BatchNorm1d; statistics are taken over N (and
// L) for every feature F. See BatchNorm.
type BatchNorm1d struct {
	BatchNorm
}

// NewBatchNorm1d returns a BatchNorm1d over features features with
// PyTorch's defaults (Eps 1e-5, Momentum 0.1, weight 1, bias 0), in
// training mode.
func NewBatchNorm1d(features int) (*BatchNorm1d, error) {
	b, err := newBatchNorm("BatchNorm1d", features)
	if err != nil {
		return nil, err
	}
	return &BatchNorm1d{*b}, nil
}

// Forward normalises x [N, F] or [N, F, L].
func (b *BatchNorm1d) Forward(x *autograd.Var) (*autograd.Var, error) {
	return b.forward("BatchNorm1d", x, 2, 3)
}

// ForwardTime is BatchNorm.ForwardTime for [N, F] and [N, F, L] inputs.
func (b *BatchNorm1d) ForwardTime(x *autograd.Var, T int, static bool) (*autograd.Var, bool, error) {
	return b.forwardTime("BatchNorm1d", x, 2, 3, T, static)
}

// BatchNorm2d is batch normalisation of [N, C, H, W] inputs, the
// counterpart of torch.nn.BatchNorm2d; statistics are taken over N, H and
// W for every channel C. See BatchNorm.
type BatchNorm2d struct {
	BatchNorm
}

// NewBatchNorm2d returns a BatchNorm2d over channels channels with
// PyTorch's defaults (Eps 1e-5, Momentum 0.1, weight 1, bias 0), in
// training mode.
func NewBatchNorm2d(channels int) (*BatchNorm2d, error) {
	b, err := newBatchNorm("BatchNorm2d", channels)
	if err != nil {
		return nil, err
	}
	return &BatchNorm2d{*b}, nil
}

// Forward normalises x [N, C, H, W].
func (b *BatchNorm2d) Forward(x *autograd.Var) (*autograd.Var, error) {
	return b.forward("BatchNorm2d", x, 4, 4)
}

// ForwardTime is BatchNorm.ForwardTime for [N, C, H, W] inputs.
func (b *BatchNorm2d) ForwardTime(x *autograd.Var, T int, static bool) (*autograd.Var, bool, error) {
	return b.forwardTime("BatchNorm2d", x, 4, 4, T, static)
}

// batchNormFunc is the fused autograd Function of BatchNorm: inputs x,
// weight and bias. In training mode the batch is split into groups
// consecutive groups, each normalised with its own statistics.
type batchNormFunc struct {
	b      *BatchNorm
	groups int
	repeat int // each call counts this many times in the running statistics
}

// bnSaved is what batchNormFunc keeps for Backward: per group and
// channel (index t·C + c), the mean subtracted and the inverse standard
// deviation applied.
type bnSaved struct {
	mean, invStd []float32
	batchStats   bool
}

// Forward normalises x channel by channel (and group by group in training
// mode) and, in training mode, updates the running statistics and the
// counter of the layer.
func (f *batchNormFunc) Forward(ctx *autograd.Context, in ...*tensor.Tensor) (*tensor.Tensor, error) {
	b := f.b
	x, w, bias := in[0], in[1], in[2]
	c := b.channels
	n := x.Dim(0)
	inner := x.Len() / max(n*c, 1)
	groups := f.groups
	bs := n / groups // samples per group
	m := bs * inner  // values per group and channel
	// Every element of y and of the statistics is written below.
	y := ctx.Buffer(b.bufs, x.Shape()...)
	stats := ctx.Buffer(b.bufs, 2*groups*c).Data()
	sv := &bnSaved{
		mean:       stats[:groups*c],
		invStd:     stats[groups*c:],
		batchStats: b.training,
	}
	xd, yd, wd, bd := x.Data(), y.Data(), w.Data(), bias.Data()
	rm, rv := b.RunningMean.Data(), b.RunningVar.Data()
	mom := b.Momentum
	// Channels are independent: split them across goroutines.
	tensor.ParallelFor(c, 3*n*inner, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			for t := 0; t < groups; t++ {
				var mean, invStd float64
				if b.training {
					// One pass over the group: sums of d = x - shift
					// and d² in float64, with shift one of the values,
					// so that Σd² - (Σd)²/m = Σ(x - mean)² loses no
					// precision to a mean that is large against the
					// spread (d is exact in float64, and Σd² is at
					// most (spread + |mean - shift|)²·m).
					off0 := (t*bs*c + ch) * inner
					shift := float64(xd[off0])
					s1, s2 := bnMoments(xd[off0:], inner, bs, c*inner, shift)
					mean = shift + s1/float64(m)
					sq := max(s2-s1*s1/float64(m), 0)
					variance := sq / float64(m)
					invStd = 1 / math.Sqrt(variance+b.Eps)
					// Running statistics, group 0 first, as T
					// separate calls would update them.
					unbiased := sq / float64(max(m-1, 1))
					for r := 0; r < f.repeat; r++ {
						rm[ch] = float32((1-mom)*float64(rm[ch]) + mom*mean)
						rv[ch] = float32((1-mom)*float64(rv[ch]) + mom*unbiased)
					}
				} else {
					mean = float64(rm[ch])
					invStd = 1 / math.Sqrt(float64(rv[ch])+b.Eps)
				}
				sv.mean[t*c+ch] = float32(mean)
				sv.invStd[t*c+ch] = float32(invStd)
				// y = (x - mean)·(γ·invStd) + β; subtracting first keeps
				// precision when |mean| is large against the spread.
				mf, sc, sh := float32(mean), float32(float64(wd[ch])*invStd), bd[ch]
				off0 := (t*bs*c + ch) * inner
				bnNorm(xd[off0:], yd[off0:], inner, bs, c*inner, mf, sc, sh)
			}
		}
	})
	if b.training {
		b.NumBatchesTracked.Data()[0] += float32(groups * f.repeat)
	}
	if ctx.AnyNeedsGrad() {
		ctx.SaveForBackward(x, w)
		ctx.Value = sv
	}
	return y, nil
}

// FreshGrads marks Backward as returning fresh, unshared gradients
// (see autograd.FreshGrads).
func (*batchNormFunc) FreshGrads() {}

// Backward is the standard batch-norm gradient, per group and channel
// with x̂ = (x - mean)·invStd over the group's m values:
//
//	gβ = Σ g,  gγ = Σ g·x̂,
//	gx = γ·invStd·(g - (Σ g + x̂·Σ g·x̂)/m)   (batch statistics)
//	gx = γ·invStd·g                          (running statistics)
func (f *batchNormFunc) Backward(ctx *autograd.Context, grad *tensor.Tensor) ([]*tensor.Tensor, error) {
	b := f.b
	saved := ctx.Saved()
	x, w := saved[0], saved[1]
	sv := ctx.Value.(*bnSaved)
	if !grad.SameShape(x) {
		return nil, fmt.Errorf("nn: BatchNorm(%d) backward: gradient shape %v, want %v", b.channels, grad.Shape(), x.Shape())
	}
	c := b.channels
	n := x.Dim(0)
	inner := x.Len() / max(n*c, 1)
	groups := f.groups
	bs := n / groups
	m := float64(bs * inner)
	needX, needW, needB := ctx.NeedsInputGrad(0), ctx.NeedsInputGrad(1), ctx.NeedsInputGrad(2)
	// Every element of the gradients is written below.
	var gx, gw, gb *tensor.Tensor
	if needX {
		gx = ctx.GradBuffer(0, b.bufs, x.Shape()...)
	}
	if needW {
		gw = ctx.GradBuffer(1, b.bufs, c)
	}
	if needB {
		gb = ctx.GradBuffer(2, b.bufs, c)
	}
	xd, gd, wd := x.Data(), grad.Data(), w.Data()
	tensor.ParallelFor(c, 3*n*inner, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			var sumGAll, sumGXAll float64
			for t := 0; t < groups; t++ {
				mean, invStd := sv.mean[t*c+ch], float64(sv.invStd[t*c+ch])
				// Σ g and Σ g·(x - mean)
				off0 := (t*bs*c + ch) * inner
				sumG, sumGX := bnGradSums(gd[off0:], xd[off0:], inner, bs, c*inner, mean)
				sumGX *= invStd // Σ g·x̂
				sumGAll += sumG
				sumGXAll += sumGX
				if !needX {
					continue
				}
				k := float64(wd[ch]) * invStd
				// gx = k·g - a - bx·(x - mean) with a = k·Σg/m and
				// bx = k·invStd·Σ g·x̂/m; a = bx = 0 with running stats.
				var a, bx float64
				if sv.batchStats {
					a = k * sumG / m
					bx = k * invStd * sumGX / m
				}
				kf, af, bf := float32(k), float32(a), float32(bx)
				bnGradX(gd[off0:], xd[off0:], gx.Data()[off0:], inner, bs, c*inner, mean, kf, af, bf)
			}
			if needW {
				gw.Data()[ch] = float32(sumGXAll)
			}
			if needB {
				gb.Data()[ch] = float32(sumGAll)
			}
		}
	})
	return []*tensor.Tensor{gx, gw, gb}, nil
}
