package nn

import (
	"fmt"
	"math"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// Reduction says how a loss combines its per-sample values, like the
// reduction argument of PyTorch's losses. The zero value is ReduceMean,
// PyTorch's default.
type Reduction int

const (
	// ReduceMean averages the per-sample losses into a 0-d result.
	ReduceMean Reduction = iota
	// ReduceSum adds the per-sample losses into a 0-d result.
	ReduceSum
	// ReduceNone returns the per-sample losses unreduced.
	ReduceNone
)

// String returns PyTorch's name of the reduction ("mean", "sum", "none").
func (r Reduction) String() string {
	switch r {
	case ReduceMean:
		return "mean"
	case ReduceSum:
		return "sum"
	case ReduceNone:
		return "none"
	}
	return fmt.Sprintf("Reduction(%d)", int(r))
}

// CrossEntropy returns the mean over the batch of -log softmax(logits)[i,
// labels[i]] for logits [B, C] and class indices labels (len B), the
// counterpart of torch.nn.functional.cross_entropy with its defaults. The
// result is a 0-d Var. It is computed as one operation, stably (the row
// maximum is subtracted before exponentiating and the log-sum-exp is
// accumulated in float64), so logits of any magnitude give a finite loss;
// its gradient with respect to the logits is (softmax(logits) -
// onehot(labels))/B.
//
// It is an error when logits is not 2-d, len(labels) is not B, a label is
// outside [0, C) (there is no ignore_index), or the batch is empty.
func CrossEntropy(logits *autograd.Var, labels []int) (*autograd.Var, error) {
	return CrossEntropyWith(logits, labels, ReduceMean)
}

// CrossEntropyWith is CrossEntropy with a chosen reduction: ReduceMean
// (the default of CrossEntropy), ReduceSum (0-d, gradient softmax -
// onehot) or ReduceNone (the per-sample losses, shape [B]). ReduceSum and
// ReduceNone accept an empty batch.
func CrossEntropyWith(logits *autograd.Var, labels []int, reduction Reduction) (*autograd.Var, error) {
	if logits == nil {
		return nil, fmt.Errorf("nn: cross entropy: nil logits")
	}
	if reduction < ReduceMean || reduction > ReduceNone {
		return nil, fmt.Errorf("nn: cross entropy: unknown %v", reduction)
	}
	f := &crossEntropyFunc{labels: append([]int(nil), labels...), reduction: reduction}
	out, err := autograd.Apply(f, logits)
	if err != nil {
		return nil, fmt.Errorf("nn: cross entropy: %w", err)
	}
	return out, nil
}

// crossEntropyFunc is the fused log-softmax and negative log-likelihood.
// Its Context.Value holds the log-sum-exp of each row ([]float64).
type crossEntropyFunc struct {
	labels    []int
	reduction Reduction
}

func (f *crossEntropyFunc) Forward(ctx *autograd.Context, inputs ...*tensor.Tensor) (*tensor.Tensor, error) {
	x := inputs[0]
	if x.Dims() != 2 {
		return nil, fmt.Errorf("logits must be 2-d [batch, classes], got shape %v", x.Shape())
	}
	b, c := x.Dim(0), x.Dim(1)
	if len(f.labels) != b {
		return nil, fmt.Errorf("%d labels for logits of shape %v", len(f.labels), x.Shape())
	}
	for i, l := range f.labels {
		if l < 0 || l >= c {
			return nil, fmt.Errorf("labels[%d] = %d is outside [0, %d) for logits of shape %v", i, l, c, x.Shape())
		}
	}
	if b == 0 && f.reduction == ReduceMean {
		return nil, fmt.Errorf("mean over an empty batch (logits shape %v)", x.Shape())
	}
	xd := x.Data()
	lse := make([]float64, b)
	losses := make([]float64, b)
	tensor.ParallelFor(b, 4*c, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := xd[i*c : (i+1)*c]
			lse[i] = logSumExp(row)
			losses[i] = lse[i] - float64(row[f.labels[i]])
		}
	})
	if ctx.AnyNeedsGrad() {
		ctx.SaveForBackward(x)
		ctx.Value = lse
	}
	if f.reduction == ReduceNone {
		out := tensor.New(b)
		for i, v := range losses {
			out.Data()[i] = float32(v)
		}
		return out, nil
	}
	var s float64
	for _, v := range losses {
		s += v
	}
	if f.reduction == ReduceMean {
		s /= float64(b)
	}
	return tensor.Scalar(float32(s)), nil
}

// logSumExp returns log(sum(exp(row))) computed stably in float64. A NaN
// in the row gives NaN; so does +Inf (as in PyTorch, whose softmax is then
// undefined).
func logSumExp(row []float32) float64 {
	m := math.Inf(-1)
	for _, v := range row {
		if float64(v) > m {
			m = float64(v)
		}
	}
	var s float64
	for _, v := range row {
		s += math.Exp(float64(v) - m)
	}
	return m + math.Log(s)
}

// FreshGrads marks Backward as returning fresh, unshared gradients
// (see autograd.FreshGrads).
func (*crossEntropyFunc) FreshGrads() {}

func (f *crossEntropyFunc) Backward(ctx *autograd.Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
	x := ctx.Saved()[0]
	lse := ctx.Value.([]float64)
	b, c := x.Dim(0), x.Dim(1)
	gx := ctx.GradBuffer(0, nil, b, c) // every element is written
	xd, gxd, gd := x.Data(), gx.Data(), g.Data()
	tensor.ParallelFor(b, 4*c, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			var s float64
			switch f.reduction {
			case ReduceMean:
				s = float64(gd[0]) / float64(b)
			case ReduceSum:
				s = float64(gd[0])
			default:
				s = float64(gd[i])
			}
			row, grow := xd[i*c:(i+1)*c], gxd[i*c:(i+1)*c]
			for j, v := range row {
				p := math.Exp(float64(v) - lse[i])
				if j == f.labels[i] {
					p--
				}
				grow[j] = float32(s * p)
			}
		}
	})
	return []*tensor.Tensor{gx}, nil
}

// MSE returns the mean squared error mean((a-b)²) of two Vars of the same
// shape as a 0-d Var, the counterpart of torch.nn.functional.mse_loss with
// its defaults (but without broadcasting). The sum is accumulated in
// float64. Gradients flow to whichever of a and b requires one. It is an
// error when the shapes differ or are empty.
func MSE(a, b *autograd.Var) (*autograd.Var, error) {
	if a == nil || b == nil {
		return nil, fmt.Errorf("nn: mse: nil operand")
	}
	out, err := autograd.Apply(mseFunc{}, a, b)
	if err != nil {
		return nil, fmt.Errorf("nn: mse: %w", err)
	}
	return out, nil
}

// mseFunc is mean((a-b)²) as one operation.
type mseFunc struct{}

func (mseFunc) Forward(ctx *autograd.Context, inputs ...*tensor.Tensor) (*tensor.Tensor, error) {
	a, b := inputs[0], inputs[1]
	if !a.SameShape(b) {
		return nil, fmt.Errorf("shapes %v and %v differ", a.Shape(), b.Shape())
	}
	if a.Len() == 0 {
		return nil, fmt.Errorf("mean over empty shape %v", a.Shape())
	}
	var s float64
	bd := b.Data()
	for i, v := range a.Data() {
		d := float64(v) - float64(bd[i])
		s += d * d
	}
	if ctx.AnyNeedsGrad() {
		ctx.SaveForBackward(a, b)
	}
	return tensor.Scalar(float32(s / float64(a.Len()))), nil
}

// FreshGrads marks Backward as returning fresh, unshared gradients
// (see autograd.FreshGrads).
func (mseFunc) FreshGrads() {}

func (mseFunc) Backward(ctx *autograd.Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
	a, b := ctx.Saved()[0], ctx.Saved()[1]
	scale := 2 * g.Item() / float32(a.Len())
	ad, bd := a.Data(), b.Data()
	grads := make([]*tensor.Tensor, 2)
	if ctx.NeedsInputGrad(0) {
		ga := tensor.New(a.Shape()...)
		gad := ga.Data()
		for i := range gad {
			gad[i] = scale * (ad[i] - bd[i])
		}
		grads[0] = ga
	}
	if ctx.NeedsInputGrad(1) {
		gb := tensor.New(b.Shape()...)
		gbd := gb.Data()
		for i := range gbd {
			gbd[i] = scale * (bd[i] - ad[i])
		}
		grads[1] = gb
	}
	return grads, nil
}

// CountCorrect returns how many rows of scores [B, C] have their largest
// element at the column given by labels (len B): the numerator of the
// classification accuracy. The prediction of a row is its argmax with ties
// going to the lowest index and a NaN counting as the largest value, as
// torch.argmax does. scores may be logits, probabilities or spike counts.
// CountCorrect panics when scores is not 2-d or len(labels) is not B.
func CountCorrect(scores *tensor.Tensor, labels []int) int {
	if scores.Dims() != 2 || scores.Dim(0) != len(labels) {
		panic(fmt.Sprintf("nn: CountCorrect: scores of shape %v with %d labels, want [%d, classes]", scores.Shape(), len(labels), len(labels)))
	}
	c := scores.Dim(1)
	if c == 0 {
		return 0
	}
	d := scores.Data()
	n := 0
	for i, l := range labels {
		if argmax(d[i*c:(i+1)*c]) == l {
			n++
		}
	}
	return n
}

// argmax returns the index of the largest element of a non-empty row: the
// first on ties, the first NaN if there is one.
func argmax(row []float32) int {
	best := 0
	for j, v := range row {
		if v != v {
			return j
		}
		if v > row[best] {
			best = j
		}
	}
	return best
}

// OneHot returns the [len(labels), classes] matrix that is 1 at (i,
// labels[i]) and 0 elsewhere, the usual target of MSE on class scores
// (torch.nn.functional.one_hot, in float32). It is an error when a label
// is outside [0, classes).
func OneHot(labels []int, classes int) (*tensor.Tensor, error) {
	if classes < 0 {
		return nil, fmt.Errorf("nn: one-hot: negative number of classes %d", classes)
	}
	t := tensor.New(len(labels), classes)
	for i, l := range labels {
		if l < 0 || l >= classes {
			return nil, fmt.Errorf("nn: one-hot: labels[%d] = %d is outside [0, %d)", i, l, classes)
		}
		t.Data()[i*classes+l] = 1
	}
	return t, nil
}
