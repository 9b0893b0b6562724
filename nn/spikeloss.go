package nn

import (
	"fmt"
	"math"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// This file holds the losses of a spiking network's output over time: out
// is [T, B, C] (T steps, B samples, C outputs) and holds spikes or, for the
// membrane losses, the membrane potentials of the output layer. Each loss
// returns a 0-d Var built from this package's and autograd's differentiable
// operations, so its gradient reaches out. snnTorch's losses
// (snntorch/functional/loss.py) carry snnTorch's names and defaults.

// LossInput says which output of a network's last layer a spike loss reads.
type LossInput int

const (
	// SpikeInput is the output spikes [T, B, C].
	SpikeInput LossInput = iota
	// MembraneInput is the membrane potential [T, B, C] of the output
	// layer, typically one that does not spike (snnTorch's tutorial 5,
	// SpikingJelly's NonSpikingLIFNode).
	MembraneInput
)

// String returns "spikes" or "membrane".
func (k LossInput) String() string {
	switch k {
	case SpikeInput:
		return "spikes"
	case MembraneInput:
		return "membrane"
	}
	return fmt.Sprintf("LossInput(%d)", int(k))
}

// outputShape checks out [T, B, C] against labels (each in [0, classes), or
// [0, C) when classes is 0) and returns T, B and C. Errors start with
// "nn: <name>: ".
func outputShape(name string, out *autograd.Var, labels []int, classes int) (T, B, C int, err error) {
	if out == nil {
		return 0, 0, 0, fmt.Errorf("nn: %s: nil output", name)
	}
	s := out.Shape()
	if len(s) != 3 {
		return 0, 0, 0, fmt.Errorf("nn: %s: output must be [steps, batch, classes], got shape %v", name, s)
	}
	T, B, C = s[0], s[1], s[2]
	if T == 0 || B == 0 || C == 0 {
		return 0, 0, 0, fmt.Errorf("nn: %s: empty output of shape %v", name, s)
	}
	if len(labels) != B {
		return 0, 0, 0, fmt.Errorf("nn: %s: %d labels for output of shape %v (batch %d)", name, len(labels), s, B)
	}
	if classes == 0 {
		classes = C
	}
	for i, l := range labels {
		if l < 0 || l >= classes {
			return 0, 0, 0, fmt.Errorf("nn: %s: labels[%d] = %d is outside [0, %d)", name, i, l, classes)
		}
	}
	return T, B, C, nil
}

// wrap prefixes an error from a loss's building blocks with the loss name.
func wrap(name string, v *autograd.Var, err error) (*autograd.Var, error) {
	if err != nil {
		return nil, fmt.Errorf("nn: %s: %w", name, err)
	}
	return v, nil
}

// repeatLabels returns labels repeated T times, for the T*B rows of an
// output reshaped to [T*B, C].
func repeatLabels(labels []int, T int) []int {
	r := make([]int, 0, T*len(labels))
	for t := 0; t < T; t++ {
		r = append(r, labels...)
	}
	return r
}

// CrossEntropyRate returns the cross-entropy of the firing rates,
// CrossEntropy(mean_t out[t], labels): the loss of spikego's reference
// models and of BrainCog's examples, in PyTorch
// F.cross_entropy(out.mean(0), labels). It is computed as exactly
// CrossEntropy(autograd.MeanAxis(out, 0, false), labels), bit for bit.
//
// out is [T, B, C] and labels has B entries in [0, C); other shapes,
// counts or labels are errors, as for every loss of this file.
func CrossEntropyRate(out *autograd.Var, labels []int) (*autograd.Var, error) {
	const name = "cross_entropy_rate"
	if _, _, _, err := outputShape(name, out, labels, 0); err != nil {
		return nil, err
	}
	v, err := CrossEntropy(autograd.MeanAxis(out, 0, false), labels)
	return wrap(name, v, err)
}

// MSERate returns the mean squared error between the firing rates and the
// one-hot labels, MSE(mean_t out[t], OneHot(labels, C)): SpikingJelly's
// tutorial loss F.mse_loss(out.mean(0), F.one_hot(labels, C).float()).
func MSERate(out *autograd.Var, labels []int) (*autograd.Var, error) {
	const name = "mse_rate"
	_, _, C, err := outputShape(name, out, labels, 0)
	if err != nil {
		return nil, err
	}
	target, err := OneHot(labels, C)
	if err != nil {
		return nil, fmt.Errorf("nn: %s: %w", name, err)
	}
	v, err := MSE(autograd.MeanAxis(out, 0, false), autograd.Const(target))
	return wrap(name, v, err)
}

// CERateLoss is snnTorch's ce_rate_loss: the cross-entropy of every step,
// averaged over the steps, (1/T) sum_t CrossEntropy(out[t], labels). Unlike
// CrossEntropyRate it applies the softmax to each step's spikes, not to
// their mean. It is computed in one pass over the T*B rows, whose mean is
// the same quantity.
func CERateLoss(spk *autograd.Var, labels []int) (*autograd.Var, error) {
	const name = "ce_rate_loss"
	T, B, C, err := outputShape(name, spk, labels, 0)
	if err != nil {
		return nil, err
	}
	v, err := CrossEntropyWith(autograd.Reshape(spk, T*B, C), repeatLabels(labels, T), ReduceMean)
	return wrap(name, v, err)
}

// CECountLoss is snnTorch's ce_count_loss: the cross-entropy of the spike
// counts, CrossEntropy(sum_t out[t], labels).
func CECountLoss(spk *autograd.Var, labels []int) (*autograd.Var, error) {
	const name = "ce_count_loss"
	if _, _, _, err := outputShape(name, spk, labels, 0); err != nil {
		return nil, err
	}
	v, err := CrossEntropy(autograd.SumAxis(spk, 0, false), labels)
	return wrap(name, v, err)
}

// CECountLossPopulation is snnTorch's ce_count_loss(population_code=True,
// num_classes=numClasses): the C outputs form numClasses equal blocks of
// C/numClasses neurons (class k owns outputs [k*C/numClasses,
// (k+1)*C/numClasses)), each block's spikes are counted over the steps and
// the neurons, and the counts [B, numClasses] go through CrossEntropy.
// numClasses must divide C; labels are in [0, numClasses).
func CECountLossPopulation(spk *autograd.Var, labels []int, numClasses int) (*autograd.Var, error) {
	const name = "ce_count_loss"
	counts, err := populationCounts(name, spk, labels, numClasses)
	if err != nil {
		return nil, err
	}
	v, err := CrossEntropy(counts, labels)
	return wrap(name, v, err)
}

// populationCounts checks a population-coded output and returns its block
// counts [B, numClasses] (summed over the block's neurons, then the steps,
// as snnTorch does).
func populationCounts(name string, spk *autograd.Var, labels []int, numClasses int) (*autograd.Var, error) {
	if numClasses <= 0 {
		return nil, fmt.Errorf("nn: %s: population code needs num_classes > 0, got %d", name, numClasses)
	}
	if spk != nil && len(spk.Shape()) == 3 && spk.Shape()[2]%numClasses != 0 {
		return nil, fmt.Errorf("nn: %s: num_classes %d does not divide the %d outputs of shape %v", name, numClasses, spk.Shape()[2], spk.Shape())
	}
	T, B, C, err := outputShape(name, spk, labels, numClasses)
	if err != nil {
		return nil, err
	}
	blocks := autograd.Reshape(spk, T, B, numClasses, C/numClasses)
	return autograd.SumAxis(autograd.SumAxis(blocks, 3, false), 0, false), nil
}

// CEMaxMembraneLoss is snnTorch's ce_max_membrane_loss: the cross-entropy
// of each output's largest membrane potential over the steps,
// CrossEntropy(max_t mem[t], labels) (SpikingJelly's NonSpikingLIFNode
// decode="max-mem" followed by F.cross_entropy). Where the maximum is
// reached at several steps the gradient goes to the first, as torch.max
// does.
func CEMaxMembraneLoss(mem *autograd.Var, labels []int) (*autograd.Var, error) {
	const name = "ce_max_membrane_loss"
	if _, _, _, err := outputShape(name, mem, labels, 0); err != nil {
		return nil, err
	}
	v, err := CrossEntropy(autograd.Max(mem, 0, false), labels)
	return wrap(name, v, err)
}

// CEPerStepMembraneLoss is the membrane loss of snnTorch's tutorial 5: the
// cross-entropy of every step's membrane potential, summed over the steps,
// sum_t CrossEntropy(mem[t], labels). It is T times CERateLoss applied to
// the membrane, so it asks for a learning rate about T times smaller.
func CEPerStepMembraneLoss(mem *autograd.Var, labels []int) (*autograd.Var, error) {
	const name = "ce_per_step_membrane_loss"
	T, B, C, err := outputShape(name, mem, labels, 0)
	if err != nil {
		return nil, err
	}
	sum, err := CrossEntropyWith(autograd.Reshape(mem, T*B, C), repeatLabels(labels, T), ReduceSum)
	if err != nil {
		return nil, fmt.Errorf("nn: %s: %w", name, err)
	}
	return autograd.DivScalar(sum, float32(B)), nil
}

// CEMeanMembraneLoss is the cross-entropy of the mean membrane potential,
// CrossEntropy(mean_t mem[t], labels): SpikingJelly's NonSpikingLIFNode
// with decode="mean-mem" followed by F.cross_entropy.
func CEMeanMembraneLoss(mem *autograd.Var, labels []int) (*autograd.Var, error) {
	const name = "ce_mean_membrane_loss"
	if _, _, _, err := outputShape(name, mem, labels, 0); err != nil {
		return nil, err
	}
	v, err := CrossEntropy(autograd.MeanAxis(mem, 0, false), labels)
	return wrap(name, v, err)
}

// CELastMembraneLoss is the cross-entropy of the membrane potential at the
// last step, CrossEntropy(mem[T-1], labels): SpikingJelly's
// NonSpikingLIFNode with decode="last_mem" followed by F.cross_entropy.
func CELastMembraneLoss(mem *autograd.Var, labels []int) (*autograd.Var, error) {
	const name = "ce_last_membrane_loss"
	T, _, _, err := outputShape(name, mem, labels, 0)
	if err != nil {
		return nil, err
	}
	last, err := autograd.Apply(stepFunc{t: T - 1}, mem)
	if err != nil {
		return nil, fmt.Errorf("nn: %s: %w", name, err)
	}
	v, err := CrossEntropy(last, labels)
	return wrap(name, v, err)
}

// stepFunc selects step t of a [T, ...] tensor; its gradient is the output
// gradient at step t and zero elsewhere.
type stepFunc struct{ t int }

func (f stepFunc) Forward(ctx *autograd.Context, in ...*tensor.Tensor) (*tensor.Tensor, error) {
	x := in[0]
	s := x.Shape()
	n := x.Len() / s[0]
	out := tensor.New(s[1:]...)
	copy(out.Data(), x.Data()[f.t*n:(f.t+1)*n])
	ctx.Value = s
	return out, nil
}

// FreshGrads marks Backward as returning fresh, unshared gradients
// (see autograd.FreshGrads).
func (stepFunc) FreshGrads() {}

func (f stepFunc) Backward(ctx *autograd.Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
	gx := tensor.New(ctx.Value.([]int)...)
	n := g.Len()
	copy(gx.Data()[f.t*n:(f.t+1)*n], g.Data())
	return []*tensor.Tensor{gx}, nil
}

// rateTargets is snnTorch's spikegen.targets_convert(labels, classes,
// on_target=on, off_target=off) with its default rates: a [B, classes]
// tensor that is on at each label. When on > off snnTorch computes it as
// clamp(one_hot*on, min=off), so the other classes get max(0, off) (-0
// when on < 0), not off; otherwise they get off.
func rateTargets(labels []int, classes int, on, off float32) *tensor.Tensor {
	t := tensor.New(len(labels), classes)
	d := t.Data()
	other := off
	if on > off {
		other = 0
		if on < 0 {
			other = float32(math.Copysign(0, -1)) // 0*on
		}
		if off > 0 {
			other = off
		}
	}
	for i, l := range labels {
		row := d[i*classes : (i+1)*classes]
		for j := range row {
			row[j] = other
		}
		row[l] = on
	}
	return t
}

// countTarget returns snnTorch's int(steps * rate * scale) for a target
// spike count, truncated towards zero, or an error when rate is not finite
// or the count does not fit a float32 exactly.
func countTarget(name, param string, steps int, rate, scale float64) (float32, error) {
	if math.IsNaN(rate) || math.IsInf(rate, 0) {
		return 0, fmt.Errorf("nn: %s: %s = %v is not finite", name, param, rate)
	}
	c := math.Trunc(float64(steps) * rate * scale)
	if math.Abs(c) > 1<<24 {
		return 0, fmt.Errorf("nn: %s: %s = %v gives a target count %v beyond 2^24", name, param, rate, c)
	}
	return float32(c), nil
}

// MSECountLoss is snnTorch's mse_count_loss(correct_rate, incorrect_rate)
// (defaults 1 and 0; its tutorials use 0.8 and 0.2): the mean squared error
// between the spike counts sum_t out[t] and target counts, divided by T:
//
//	MSE(sum_t out[t], target) / T
//
// where target is on = int(T*correctRate) at the label and off =
// int(T*incorrectRate) elsewhere (Python's int, truncating), with
// snnTorch's clamp: when on > off the other classes get max(0, off).
// The rates must be finite.
func MSECountLoss(spk *autograd.Var, labels []int, correctRate, incorrectRate float64) (*autograd.Var, error) {
	const name = "mse_count_loss"
	T, _, C, err := outputShape(name, spk, labels, 0)
	if err != nil {
		return nil, err
	}
	return mseCount(name, autograd.SumAxis(spk, 0, false), labels, T, C, correctRate, incorrectRate, 1)
}

// MSECountLossPopulation is snnTorch's mse_count_loss(correct_rate,
// incorrect_rate, population_code=True, num_classes=numClasses): as
// MSECountLoss on the block counts of CECountLossPopulation, with target
// counts int(T*rate*(C/numClasses)).
func MSECountLossPopulation(spk *autograd.Var, labels []int, numClasses int, correctRate, incorrectRate float64) (*autograd.Var, error) {
	const name = "mse_count_loss"
	counts, err := populationCounts(name, spk, labels, numClasses)
	if err != nil {
		return nil, err
	}
	s := spk.Shape()
	return mseCount(name, counts, labels, s[0], numClasses, correctRate, incorrectRate, float64(s[2])/float64(numClasses))
}

func mseCount(name string, counts *autograd.Var, labels []int, T, classes int, correctRate, incorrectRate, scale float64) (*autograd.Var, error) {
	on, err := countTarget(name, "correct_rate", T, correctRate, scale)
	if err != nil {
		return nil, err
	}
	off, err := countTarget(name, "incorrect_rate", T, incorrectRate, scale)
	if err != nil {
		return nil, err
	}
	mse, err := MSE(counts, autograd.Const(rateTargets(labels, classes, on, off)))
	if err != nil {
		return nil, fmt.Errorf("nn: %s: %w", name, err)
	}
	return autograd.DivScalar(mse, float32(T)), nil
}

// finiteTarget checks a target parameter and rounds it to float32, as
// PyTorch does when a Python float meets a float32 tensor.
func finiteTarget(name, param string, v float64) (float32, error) {
	f := float32(v)
	if math.IsNaN(v) || math.IsInf(float64(f), 0) {
		return 0, fmt.Errorf("nn: %s: %s = %v is not a finite float32", name, param, v)
	}
	return f, nil
}

// MSEMembraneLoss is snnTorch's mse_membrane_loss(on_target, off_target)
// (defaults 1 and 0): the mean squared error between every step's membrane
// potential and a target that is onTarget at the label and offTarget
// elsewhere, averaged over the steps,
//
//	(1/T) sum_t MSE(mem[t], target)
//
// with snnTorch's clamp: when onTarget > offTarget the other classes get
// max(0, offTarget). The targets are rounded to float32. snnTorch's
// time_var_targets option is not provided.
func MSEMembraneLoss(mem *autograd.Var, labels []int, onTarget, offTarget float64) (*autograd.Var, error) {
	const name = "mse_membrane_loss"
	T, B, C, err := outputShape(name, mem, labels, 0)
	if err != nil {
		return nil, err
	}
	on, err := finiteTarget(name, "on_target", onTarget)
	if err != nil {
		return nil, err
	}
	off, err := finiteTarget(name, "off_target", offTarget)
	if err != nil {
		return nil, err
	}
	row := rateTargets(labels, C, on, off).Data()
	target := tensor.New(T, B, C)
	for t := 0; t < T; t++ {
		copy(target.Data()[t*B*C:], row)
	}
	v, err := MSE(mem, autograd.Const(target))
	return wrap(name, v, err)
}

// checkSpikes returns an error naming the first element of spk that is
// neither 0 nor 1.
func checkSpikes(name string, spk *autograd.Var) error {
	for i, v := range spk.Value().Data() {
		if v != 0 && v != 1 {
			return fmt.Errorf("nn: %s: output element %d is %v, not a spike (0 or 1)", name, i, v)
		}
	}
	return nil
}

// firstSpikeFunc maps spikes [T, B, C] to the step of each output's first
// spike, [B, C] (T-1 where there is none): snnTorch's SpikeTime.FirstSpike.
// Its gradient is -g at that step and zero elsewhere. With a target, times
// within tol of their target are replaced by the target, and the gradient
// passes through unchanged (snnTorch's SpikeTime.Tolerance).
type firstSpikeFunc struct {
	target []float32
	tol    float32
}

// firstSpikeState is what firstSpikeFunc's Backward needs: the input
// shape and each output's first-spike step.
type firstSpikeState struct {
	shape []int
	idx   []int
}

func (f firstSpikeFunc) Forward(ctx *autograd.Context, in ...*tensor.Tensor) (*tensor.Tensor, error) {
	x := in[0]
	s := x.Shape()
	T := s[0]
	n := x.Len() / T
	out := tensor.New(s[1:]...)
	idx := make([]int, n)
	xd, od := x.Data(), out.Data()
	for i := range idx {
		idx[i] = T - 1
		for t := 0; t < T; t++ {
			if xd[t*n+i] != 0 {
				idx[i] = t
				break
			}
		}
		od[i] = float32(idx[i])
		if f.target != nil && float32(math.Abs(float64(od[i]-f.target[i]))) < f.tol {
			od[i] = f.target[i]
		}
	}
	ctx.Value = firstSpikeState{shape: s, idx: idx}
	return out, nil
}

// FreshGrads marks Backward as returning fresh, unshared gradients
// (see autograd.FreshGrads).
func (firstSpikeFunc) FreshGrads() {}

func (f firstSpikeFunc) Backward(ctx *autograd.Context, g *tensor.Tensor) ([]*tensor.Tensor, error) {
	st := ctx.Value.(firstSpikeState)
	gx := tensor.New(st.shape...)
	n := len(st.idx)
	gd, gxd := g.Data(), gx.Data()
	for i, t := range st.idx {
		gxd[t*n+i] = -gd[i]
	}
	return []*tensor.Tensor{gx}, nil
}

// MSETemporalLoss is snnTorch's mse_temporal_loss(on_target, off_target,
// tolerance) (defaults 0, -1 and 0): the mean squared error between each
// output's first-spike step t_first (T-1 for an output that never fires)
// and a target step, both divided by T,
//
//	MSE(t_first / T, target / T)
//
// where target is onTarget at the label and offTarget elsewhere, with
// snnTorch's clamp (when onTarget > offTarget the other classes get
// max(0, offTarget)), and a negative target counts from the end (T +
// target). Outputs whose t_first is within tolerance of their target
// (strictly) count as on target. The gradient of t_first with respect to
// the spikes is -1 at the first spike (at step T-1 where there is none):
// an earlier, stronger spike lowers it.
//
// snnTorch's defaults give a target of 0 for every class (its clamp turns
// off_target=-1 into 0; snnTorch issue #253, PR #361), so that every
// output is pushed to fire at the first step, whatever its docstring
// says. For "label at step 0, others at the last step" pass onTarget=0
// and offTarget=T-1 explicitly. spk must hold spikes (0 or 1); snnTorch's
// multi_spike and target_is_time options are not provided.
func MSETemporalLoss(spk *autograd.Var, labels []int, onTarget, offTarget, tolerance float64) (*autograd.Var, error) {
	const name = "mse_temporal_loss"
	T, _, C, err := outputShape(name, spk, labels, 0)
	if err != nil {
		return nil, err
	}
	if err := checkSpikes(name, spk); err != nil {
		return nil, err
	}
	on, err := finiteTarget(name, "on_target", onTarget)
	if err != nil {
		return nil, err
	}
	off, err := finiteTarget(name, "off_target", offTarget)
	if err != nil {
		return nil, err
	}
	if !(tolerance >= 0) || math.IsInf(tolerance, 0) {
		return nil, fmt.Errorf("nn: %s: tolerance = %v must be finite and >= 0", name, tolerance)
	}
	target := rateTargets(labels, C, on, off)
	td := target.Data()
	for i, v := range td {
		if v < 0 {
			td[i] = float32(T) + v
		}
	}
	f := firstSpikeFunc{}
	if tolerance != 0 {
		f = firstSpikeFunc{target: td, tol: float32(tolerance)}
	}
	times, err := autograd.Apply(f, spk)
	if err != nil {
		return nil, fmt.Errorf("nn: %s: %w", name, err)
	}
	scaled := tensor.New(target.Shape()...)
	for i, v := range td {
		scaled.Data()[i] = v / float32(T)
	}
	v, err := MSE(autograd.DivScalar(times, float32(T)), autograd.Const(scaled))
	return wrap(name, v, err)
}

// CETemporalLoss is snnTorch's ce_temporal_loss(inverse) (default
// "negate"): the cross-entropy of the inverted first-spike steps t_first
// [B, C] (see MSETemporalLoss), CrossEntropy(-t_first, labels) for inverse
// "negate" or CrossEntropy(1/(t_first+1), labels) for "reciprocal", so
// that the label's output is pushed to fire first. spk must hold spikes (0
// or 1).
func CETemporalLoss(spk *autograd.Var, labels []int, inverse string) (*autograd.Var, error) {
	const name = "ce_temporal_loss"
	if inverse != "negate" && inverse != "reciprocal" {
		return nil, fmt.Errorf("nn: %s: inverse must be \"negate\" or \"reciprocal\", got %q", name, inverse)
	}
	if _, _, _, err := outputShape(name, spk, labels, 0); err != nil {
		return nil, err
	}
	if err := checkSpikes(name, spk); err != nil {
		return nil, err
	}
	times, err := autograd.Apply(firstSpikeFunc{}, spk)
	if err != nil {
		return nil, fmt.Errorf("nn: %s: %w", name, err)
	}
	var logits *autograd.Var
	if inverse == "negate" {
		logits = autograd.Neg(times)
	} else {
		logits = autograd.Div(autograd.Const(tensor.Scalar(1)), autograd.AddScalar(times, 1))
	}
	v, err := CrossEntropy(logits, labels)
	return wrap(name, v, err)
}
