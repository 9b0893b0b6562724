package stdp

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/node"
	"github.com/spikego/spikego/strategy"
	"github.com/spikego/spikego/tensor"
)

// LinearConfig configures an STDPLinear. DefaultLinearConfig gives
// BrainCog's defaults.
type LinearConfig struct {
	// In and Out are the input features and the neurons.
	In, Out int
	// Tau is the membrane decay per step of the LIFSTDPNode (0.99).
	Tau float32
	// Inh is the strength of the lateral inhibition in max mode.
	// STDPLinear's default is 10; the example's network uses 25.
	Inh float32
	// ThresholdInit multiplies the first batch's largest input current
	// of each neuron to give its initial threshold (3).
	ThresholdInit float32
	// ThresholdCap bounds the largest threshold: when UpdateThreshold
	// takes it above, every threshold is lowered by the excess (350).
	ThresholdCap float32
	// WeightMax is the largest weight of every neuron after NormWeight
	// (0.1).
	WeightMax float32
	// Steps is the number of time steps Forward runs (the nn.Module
	// path; Run takes T as an argument).
	Steps int
	// K is the number of winners of the WTALayer (1).
	K int
	// Seed seeds the WTALayer's random numbers.
	Seed uint64
}

// DefaultLinearConfig returns BrainCog's STDPLinear defaults from in
// features to out neurons, run for 200 steps.
func DefaultLinearConfig(in, out int) LinearConfig {
	return LinearConfig{
		In: in, Out: out, Tau: 0.99, Inh: 10,
		ThresholdInit: 3, ThresholdCap: 350, WeightMax: 0.1,
		Steps: 200, K: 1,
	}
}

// STDPLinear is BrainCog's STDPLinear (codef.py): a bias-free linear
// layer driving LIFSTDPNode neurons (STDPGrad, membrane detached at every
// step) with winner-take-all over the neurons of each sample and lateral
// inhibition in max mode, scaled by the largest input current of the
// sample, for a static input presented at every step. Its thresholds are
// set once, from the first batch it sees, to ThresholdInit times each
// neuron's largest input current, and then grow with UpdateThreshold.
//
// Like STDPConv it is an nn.Module (Forward: T node steps on the autograd
// tape) with a fast path (Run, Backward) that gives the same spikes and
// the same weight gradient without the tape: the spikes of a sample are
// kept as a sparse list of (neuron, count), and since the input is the
// same at every step, the running sum over steps of the spike-by-input
// outer products is counts ⊗ input, added row by row for the neurons that
// spiked.
type STDPLinear struct {
	cfg  LinearConfig
	lin  *nn.Linear
	node node.Node
	wta  *strategy.WTALayer
	li   *strategy.LateralInhibition

	thr  []float32 // [Out]
	init bool      // thr has been set from a batch

	// State of the last Run.
	x, cur []float32 // input [B,In] and input current [B,Out]
	B      int
	spikes Spikes
	sim    linearSim
}

// NewSTDPLinear returns an STDPLinear with PyTorch's default
// initialisation of the weight drawn from rng, then normalised as
// BrainCog's constructor does (NormWeight).
func NewSTDPLinear(cfg LinearConfig, rng *nn.Rand) (*STDPLinear, error) {
	switch {
	case cfg.In < 1 || cfg.Out < 1:
		return nil, fmt.Errorf("stdp: STDPLinear needs positive sizes, got in=%d out=%d", cfg.In, cfg.Out)
	case cfg.Steps < 1:
		return nil, fmt.Errorf("stdp: STDPLinear needs Steps >= 1, got %d", cfg.Steps)
	case rng == nil:
		return nil, errors.New("stdp: STDPLinear: nil random source")
	case !finite(cfg.Tau) || !finite(cfg.Inh) || !finite(cfg.ThresholdInit) || !finite(cfg.ThresholdCap) || !(cfg.WeightMax > 0) || !finite(cfg.WeightMax):
		return nil, fmt.Errorf("stdp: STDPLinear needs finite constants and a positive WeightMax, got %+v", cfg)
	}
	nd, err := node.New("LIFSTDPNode", node.WithSurrogate("STDPGrad"), node.WithTau(cfg.Tau), node.WithMemDetach(true))
	if err != nil {
		return nil, fmt.Errorf("stdp: STDPLinear: %w", err)
	}
	wta, err := strategy.NewWTALayer(cfg.K, cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("stdp: STDPLinear: %w", err)
	}
	li, err := strategy.NewLateralInhibition(nd, cfg.Inh, strategy.Max)
	if err != nil {
		return nil, fmt.Errorf("stdp: STDPLinear: %w", err)
	}
	lin, err := nn.NewLinear(cfg.In, cfg.Out, false, rng)
	if err != nil {
		return nil, fmt.Errorf("stdp: STDPLinear: %w", err)
	}
	l := &STDPLinear{
		cfg: cfg, lin: lin, node: nd, wta: wta, li: li,
		thr: make([]float32, cfg.Out),
	}
	for i := range l.thr {
		l.thr[i] = 1 // LIFSTDPNode's default threshold, until the first batch
	}
	if err := l.NormWeight(); err != nil {
		return nil, err
	}
	return l, nil
}

// Config returns the layer's configuration.
func (l *STDPLinear) Config() LinearConfig { return l.cfg }

// Weight returns the [Out, In] weight.
func (l *STDPLinear) Weight() *autograd.Var { return l.lin.Weight }

// Node returns the layer's LIFSTDPNode.
func (l *STDPLinear) Node() node.Node { return l.node }

// WTA returns the layer's winner-take-all.
func (l *STDPLinear) WTA() *strategy.WTALayer { return l.wta }

// Threshold returns the neurons' thresholds [Out] (shared, not copied).
func (l *STDPLinear) Threshold() []float32 { return l.thr }

// ThresholdSet reports whether the thresholds have been set from a batch.
func (l *STDPLinear) ThresholdSet() bool { return l.init }

// SetThreshold sets the thresholds, marking them as set (to restore a
// checkpoint). thr must have Out finite values.
func (l *STDPLinear) SetThreshold(thr []float32) error {
	if len(thr) != l.cfg.Out {
		return fmt.Errorf("stdp: STDPLinear.SetThreshold: %d values for %d neurons", len(thr), l.cfg.Out)
	}
	for _, v := range thr {
		if !finite(v) {
			return fmt.Errorf("stdp: STDPLinear.SetThreshold: non-finite threshold %v", v)
		}
	}
	copy(l.thr, thr)
	l.init = true
	return nil
}

// Params returns the weight, "linear.weight" as in BrainCog's state_dict.
func (l *STDPLinear) Params() []nn.NamedVar {
	return []nn.NamedVar{{Name: "linear.weight", Var: l.lin.Weight}}
}

// Buffers returns the thresholds, "node.threshold" [Out].
func (l *STDPLinear) Buffers() []nn.NamedTensor {
	t, _ := tensor.FromSlice(l.thr, len(l.thr))
	return []nn.NamedTensor{{Name: "node.threshold", Tensor: t}}
}

// SetTraining does nothing: the layer behaves the same in both modes, as
// in BrainCog.
func (l *STDPLinear) SetTraining(bool) {}

// Reset returns the neurons to rest.
func (l *STDPLinear) Reset() { l.node.Reset() }

// initThreshold sets the thresholds, once, to ThresholdInit times each
// neuron's largest current over the batch cur [B,Out].
func (l *STDPLinear) initThreshold(cur []float32, B int) {
	if l.init {
		return
	}
	N := l.cfg.Out
	for j := 0; j < N; j++ {
		m := cur[j]
		for b := 1; b < B; b++ {
			if v := cur[b*N+j]; v > m || v != v {
				m = v
			}
		}
		l.thr[j] = m * l.cfg.ThresholdInit
	}
	l.init = true
}

// Forward runs the layer for Steps steps on the static input x [B, In]
// (detached, as BrainCog detaches it) on the autograd tape and returns
// the spike counts [B, Out], as BrainCog's STDPLinear.forward with
// static=True. The first batch ever seen sets the thresholds. The node is
// reset first.
func (l *STDPLinear) Forward(x *autograd.Var) (*autograd.Var, error) {
	if x == nil {
		return nil, errors.New("stdp: STDPLinear.Forward of nil input")
	}
	if x.Value().Dims() != 2 || x.Value().Dim(1) != l.cfg.In || x.Value().Dim(0) == 0 {
		return nil, fmt.Errorf("stdp: STDPLinear: input shape %v, want [B %d]", x.Shape(), l.cfg.In)
	}
	cur, err := l.lin.Forward(autograd.Detach(x))
	if err != nil {
		return nil, fmt.Errorf("stdp: STDPLinear: %w", err)
	}
	l.initThreshold(cur.Value().Data(), x.Value().Dim(0))
	th, _ := tensor.FromSlice(l.thr, l.cfg.Out)
	if err := l.node.SetThreshold(th); err != nil {
		return nil, fmt.Errorf("stdp: STDPLinear: %w", err)
	}
	l.node.Reset()
	var sum *autograd.Var
	for t := 0; t < l.cfg.Steps; t++ {
		s, err := l.node.Step(cur)
		if err != nil {
			return nil, fmt.Errorf("stdp: STDPLinear step %d: %w", t, err)
		}
		if s, err = l.wta.Forward(s); err != nil {
			return nil, fmt.Errorf("stdp: STDPLinear step %d: %w", t, err)
		}
		if _, err := l.li.Apply(s, cur); err != nil {
			return nil, fmt.Errorf("stdp: STDPLinear step %d: %w", t, err)
		}
		if sum == nil {
			sum = s
		} else {
			sum = autograd.Add(sum, s)
		}
	}
	return sum, nil
}

// Run runs the layer for T steps on the static input x [B, In] and
// returns the spike counts of every sample as sparse lists (valid until
// the next Run). It gives the spikes of Forward with a fused kernel: the
// input current x·Wᵀ is one matrix product, then each sample's neurons
// are simulated on their own over the T steps (WTA and inhibition act
// within a sample), drawing the WTALayer's random numbers of the same
// calls. The first batch ever seen sets the thresholds. Run keeps the
// input, the current and the counts for Backward and UpdateThreshold;
// its memory does not depend on T.
func (l *STDPLinear) Run(x *tensor.Tensor, T int) (*Spikes, error) {
	if x == nil {
		return nil, errors.New("stdp: STDPLinear.Run of nil input")
	}
	if T < 1 {
		return nil, fmt.Errorf("stdp: STDPLinear.Run needs T >= 1, got %d", T)
	}
	if x.Dims() != 2 || x.Dim(1) != l.cfg.In || x.Dim(0) == 0 {
		return nil, fmt.Errorf("stdp: STDPLinear: input shape %v, want [B %d]", x.Shape(), l.cfg.In)
	}
	B, N, In := x.Dim(0), l.cfg.Out, l.cfg.In
	l.B = B
	l.x = x.Data()
	if cap(l.cur) < B*N {
		l.cur = make([]float32, B*N)
	}
	l.cur = l.cur[:B*N]
	tensor.Gemm(false, true, B, N, In, 1, l.x, In, l.lin.Weight.Value().Data(), In, 0, l.cur, N)
	l.initThreshold(l.cur, B)
	l.sim.run(l, T)
	l.wta.Skip(uint64(T))
	return &l.spikes, nil
}

// Backward adds to the weight's gradient the gradient of Σ(counts) of
// the last Run, which autograd through STDPGrad gives (upstream gradient
// 1, as the example's backward()): Σ_b counts[b,j]·x[b,:] for every
// neuron j, added in sample order over the neurons that spiked only.
// Neurons are spread over the cores; the result does not depend on them.
func (l *STDPLinear) Backward() error {
	if l.x == nil {
		return errors.New("stdp: STDPLinear.Backward before Run")
	}
	w := l.lin.Weight
	if w.Grad() == nil {
		w.SetGrad(tensor.New(l.cfg.Out, l.cfg.In))
	}
	gd := w.Grad().Data()
	In := l.cfg.In
	byNeuron := l.spikes.byNeuron(l.cfg.Out)
	tensor.ParallelFor(l.cfg.Out, In, func(lo, hi int) {
		for j := lo; j < hi; j++ {
			row := gd[j*In : (j+1)*In]
			for _, e := range byNeuron[j] {
				axpy(row, l.x[int(e.sample)*In:(int(e.sample)+1)*In], e.count)
			}
		}
	})
	return nil
}

// axpy adds a·x to y.
func axpy(y, x []float32, a float32) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] += float32(a * v)
	}
}

// NormGrad is BrainCog's STDPLinear.normgrad: it flips the sign of the
// weight's gradient, so that SGD ascends the spike count. (BrainCog also
// computes offset times the mean spike count, and never uses it.)
func (l *STDPLinear) NormGrad() error {
	g := l.lin.Weight.Grad()
	if g == nil {
		return errors.New("stdp: STDPLinear.NormGrad without a gradient")
	}
	d := g.Data()
	tensor.ParallelFor(len(d), 1, func(lo, hi int) {
		for i, v := range d[lo:hi] {
			d[lo+i] = -v
		}
	})
	return nil
}

// UpdateThreshold is BrainCog's updatethresh: every threshold grows by
// plus times the sum over the batch of the neuron's input current times
// its spike count in the last Run, then, if the largest threshold exceeds
// ThresholdCap, all are lowered by the excess.
func (l *STDPLinear) UpdateThreshold(plus float32) error {
	if l.x == nil {
		return errors.New("stdp: STDPLinear.UpdateThreshold before Run")
	}
	N := l.cfg.Out
	add := make([]float64, N)
	for b := 0; b < l.B; b++ {
		for _, e := range l.spikes.Sample(b) {
			add[e.Neuron] += float64(float32(plus*l.cur[b*N+int(e.Neuron)]) * e.Count)
		}
	}
	mx := float32(math.Inf(-1))
	for j := range l.thr {
		l.thr[j] += float32(add[j])
		mx = max32(mx, l.thr[j])
	}
	if d := mx - l.cfg.ThresholdCap; d > 0 {
		for j := range l.thr {
			l.thr[j] -= d
		}
	}
	return nil
}

// NormWeight is BrainCog's STDPLinear.normweight: it clamps the weight to
// [0, 1] and scales every neuron's row so that its largest weight is
// WeightMax. A row with no positive weight would become NaN in BrainCog;
// here it is an error.
func (l *STDPLinear) NormWeight() error {
	wd := l.lin.Weight.Value().Data()
	In := l.cfg.In
	bad := make([]int, 0, 1)
	var mu sync.Mutex
	tensor.ParallelFor(l.cfg.Out, 2*In, func(lo, hi int) {
		for j := lo; j < hi; j++ {
			row := wd[j*In : (j+1)*In]
			var mx float32
			for i, v := range row {
				v = max32(0, min32(v, 1))
				row[i] = v
				mx = max32(mx, v)
			}
			if mx == 0 {
				mu.Lock()
				bad = append(bad, j)
				mu.Unlock()
				continue
			}
			den := mx / l.cfg.WeightMax
			for i, v := range row {
				row[i] = v / den
			}
		}
	})
	if len(bad) > 0 {
		return fmt.Errorf("stdp: STDPLinear.NormWeight: neuron %d has no positive weight", slices.Min(bad))
	}
	return nil
}
