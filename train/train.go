package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/checkpoint"
	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/internal/rundir"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/node"
	"github.com/spikego/spikego/optim"
	"github.com/spikego/spikego/snn"
	"github.com/spikego/spikego/tensor"
)

// ErrInterrupted is returned by Run when its context was cancelled; the
// state at that point was saved when an output directory was given.
var ErrInterrupted = errors.New("train: interrupted")

// ErrRunExists is wrapped by the error New returns when the output
// directory holds a run and neither Resume nor Overwrite is set.
var ErrRunExists = errors.New("the output directory holds a run")

// ErrNothingToResume is wrapped by the error New returns when Resume is
// set and the output directory holds no checkpoint.
var ErrNothingToResume = errors.New("nothing to resume")

// Data is the training and test data.
type Data struct {
	Train, Test *dataset.Set
}

// Progress describes the state of a running epoch, for progress bars.
type Progress struct {
	// Phase is "train" or "test".
	Phase          string
	Epoch, Epochs  int
	Batch, Batches int
	// Samples is the number of samples done in this phase.
	Samples int
	// Loss and Acc are running means over this phase (Loss is 0 in test).
	Loss, Acc float64
	// SamplesPerSec is the throughput of this phase so far.
	SamplesPerSec float64
	Elapsed, ETA  time.Duration
}

// EpochMetrics is the summary of one epoch, written as one JSON object per
// line to metrics.jsonl. TrainSamplesPerS is the number of training
// samples divided by the summed time of the training steps (each from the
// batch's slicing and conversion to the optimizer's update), warm-up
// included; TestSamplesPerS likewise for the evaluation pass. WallS is the
// epoch's wall time, evaluation included. FiringRates maps each spiking
// layer to its fraction of neuron-steps that spiked during training.
type EpochMetrics struct {
	Epoch            int                `json:"epoch"`
	TrainLoss        float64            `json:"train_loss"`
	TrainAcc         float64            `json:"train_acc"`
	TestAcc          float64            `json:"test_acc"`
	TrainSamplesPerS float64            `json:"train_samples_per_s"`
	TestSamplesPerS  float64            `json:"test_samples_per_s"`
	WallS            float64            `json:"wall_s"`
	FiringRates      map[string]float64 `json:"firing_rates"`
	LR               float64            `json:"lr"`
	TrainSamples     int                `json:"train_samples"`
	TestSamples      int                `json:"test_samples"`
}

// Trainer trains one model on one dataset. With an output directory it
// holds that directory's lock until Close.
type Trainer struct {
	cfg     Config
	data    Data
	model   nn.Module
	inShape []int // of one sample
	monitor *node.Monitor
	loss    Loss
	opt     optim.Optimizer
	sched   optim.Scheduler
	custom  bool // built by NewWith: the checkpoint cannot rebuild it
	params  []*autograd.Var
	named   []nn.NamedVar
	dataIDs dataIDs
	// epoch and batch are where training stands: the next batch to run.
	epoch, batch int
	// partial carries the running sums of an epoch resumed midway.
	partial epochSums
	// history holds the metrics of the completed epochs, windows those of
	// every batch window.
	history  []EpochMetrics
	windows  []WindowMetrics
	dir      *rundir.Dir
	lastSave time.Time
}

// epochSums are the running sums of one epoch's training phase.
type epochSums struct {
	loss    float64
	correct int
	samples int
	seconds float64
	spikes  []float64 // per layer: spikes and neuron-steps counted
	seen    []float64
	// the sums of the batch window in progress
	wLoss    float64
	wCorrect int
	wSamples int
}

// Setup is what NewWith trains: any model, with its optimizer, loss and
// learning-rate schedule.
type Setup struct {
	// Model maps a batch of images [B, ...] to outputs [T, B, C] (or
	// [B, C]). Its input shape is its InputShape method's, if it has
	// one (as snn.Net), else that of the images.
	Model nn.Module
	// Optimizer updates the model's parameters.
	Optimizer optim.Optimizer
	// Loss is the loss on the output (nil: nn.CrossEntropyRate).
	Loss Loss
	// Scheduler, if not nil, is stepped after every epoch.
	Scheduler optim.Scheduler
}

// New builds the model (cfg.Model or cfg.Arch), optimizer, loss and
// schedule that cfg describes and returns a Trainer for them (see NewWith).
// One training step must fit in the machine's memory.
func New(cfg Config, data Data) (*Trainer, error) {
	cfg, err := cfg.WithDefaults()
	if err != nil {
		return nil, err
	}
	m, err := buildModel(cfg)
	if err != nil {
		return nil, err
	}
	if err := checkMemory(cfg, cfg.Batch); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	loss, err := lossByName(cfg.Loss)
	if err != nil {
		return nil, err
	}
	if loss.Input() == nn.MembraneInput && !endsNonSpiking(m) {
		return nil, fmt.Errorf("train: loss %s reads the membrane potential of the output layer: end the network with a non-spiking node, such as lif(nonspiking=true)", loss)
	}
	s := Setup{Model: m, Loss: loss.Loss}
	if s.Optimizer, s.Scheduler, err = buildOptimizer(cfg, nn.ParamVars(m)); err != nil {
		return nil, err
	}
	return newTrainer(s, cfg, data, false)
}

// NewWith returns a Trainer for a model, optimizer and loss built by the
// caller; cfg gives the rest (batch, epochs, samples, seed, output
// directory, ...), and its model, optimizer and loss settings are only
// recorded. With an output directory it locks the directory (another run
// holding it is an error), and then either continues the run in it
// (cfg.Resume: the settings that decide the numbers and the data must be
// those the run was started with, and the checkpoint must fit the model
// and optimizer; only Epochs may grow, unless the schedule depends on it),
// discards it (cfg.Overwrite), or, if it holds a run and neither is set,
// refuses with an error wrapping ErrRunExists. Call Close when done.
func NewWith(s Setup, cfg Config, data Data) (*Trainer, error) {
	if s.Model == nil || s.Optimizer == nil {
		return nil, errors.New("train: NewWith needs a model and an optimizer")
	}
	cfg, err := cfg.WithDefaults()
	if err != nil {
		return nil, err
	}
	return newTrainer(s, cfg, data, true)
}

func newTrainer(s Setup, cfg Config, data Data, custom bool) (_ *Trainer, err error) {
	if data.Train == nil || data.Test == nil {
		return nil, errors.New("train: need training and test data")
	}
	if s.Loss == nil {
		s.Loss = nn.CrossEntropyRate
	}
	t := &Trainer{cfg: cfg, data: data, model: s.Model, loss: s.Loss, opt: s.Optimizer, sched: s.Scheduler, custom: custom,
		params: nn.ParamVars(s.Model), named: s.Model.Params(), monitor: node.NewMonitor(s.Model, false)}
	t.inShape = inputShape(s.Model, data.Train)
	if err := t.checkInput(); err != nil {
		return nil, err
	}
	t.dataIDs = dataIDs{Train: identify(t.trainSet()), Test: identify(t.testSet())}
	if cfg.OutDir == "" {
		if cfg.Resume {
			return nil, errors.New("train: resume needs an output directory")
		}
		return t, nil
	}
	if t.dir, err = rundir.Open(cfg.OutDir); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	defer func() {
		if err != nil {
			t.dir.Close()
		}
	}()
	exists, err := runExists(cfg.OutDir)
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.Resume && !exists:
		return nil, fmt.Errorf("train: %s: %w (no %s)", cfg.OutDir, ErrNothingToResume, CheckpointFile)
	case cfg.Resume:
		if err := t.restore(); err != nil {
			return nil, err
		}
	case exists && !cfg.Overwrite:
		return nil, fmt.Errorf("train: %s: %w", cfg.OutDir, ErrRunExists)
	case exists:
		if err := t.discardRun(); err != nil {
			return nil, err
		}
	}
	t.lastSave = time.Now()
	return t, nil
}

// endsNonSpiking reports whether the network's last layer is a node that
// outputs its membrane potential.
func endsNonSpiking(n *snn.Net) bool {
	mods := n.Sequential().Modules
	if len(mods) == 0 {
		return false
	}
	ns, ok := mods[len(mods)-1].(interface{ NonSpiking() bool })
	return ok && ns.NonSpiking()
}

// inputShape returns the shape of one input sample of m: its own, if it
// says, else that of the images [1, rows, cols].
func inputShape(m nn.Module, s *dataset.Set) []int {
	if in, ok := m.(interface{ InputShape() []int }); ok {
		return in.InputShape()
	}
	return []int{1, s.Rows, s.Cols}
}

// Close releases the output directory. The Trainer must not be used
// after.
func (t *Trainer) Close() error {
	if t.dir == nil {
		return nil
	}
	err := t.dir.Close()
	t.dir = nil
	return err
}

// runFiles are the files of a run that Overwrite discards.
var runFiles = []string{CheckpointFile, legacyOptimizerFile, MetricsFile, WindowsFile, "curves.png", "raster.png"}

// runExists reports whether dir holds a run's checkpoint or metrics.
func runExists(dir string) (bool, error) {
	for _, name := range []string{CheckpointFile, MetricsFile} {
		_, err := os.Stat(dir + string(os.PathSeparator) + name)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return false, fmt.Errorf("train: %w", err)
		}
	}
	return false, nil
}

func (t *Trainer) discardRun() error {
	for _, name := range runFiles {
		if err := os.Remove(t.dir.Join(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("train: discarding the earlier run: %w", err)
		}
	}
	return rundir.SyncDir(t.dir.Path())
}

// checkInput verifies that the images have the size the model takes.
func (t *Trainer) checkInput() error {
	want := 1
	for _, d := range t.inShape {
		want *= d
	}
	name := t.cfg.Model
	if name == "" {
		name = "of the architecture"
	}
	for _, s := range []*dataset.Set{t.data.Train, t.data.Test} {
		if s.ImageSize() != want {
			return fmt.Errorf("train: %s holds %dx%d images; model %s needs %d pixels per image (input %v)", s.Name, s.Rows, s.Cols, name, want, t.inShape)
		}
		if s.N == 0 {
			return fmt.Errorf("train: %s holds no images", s.Name)
		}
	}
	return nil
}

// buildOptimizer returns the optimizer and schedule cfg describes.
func buildOptimizer(cfg Config, params []*autograd.Var) (optim.Optimizer, optim.Scheduler, error) {
	var opt optim.Optimizer
	var err error
	switch cfg.Optimizer {
	case "adam":
		o := optim.DefaultAdam()
		o.LR, o.WeightDecay = cfg.LR, cfg.WeightDecay
		opt, err = optim.NewAdam(params, o)
	case "adamw":
		o := optim.DefaultAdamW()
		o.LR, o.WeightDecay = cfg.LR, cfg.WeightDecay
		opt, err = optim.NewAdamW(params, o)
	case "sgd":
		opt, err = optim.NewSGD(params, optim.SGDOptions{LR: cfg.LR, Momentum: cfg.Momentum, WeightDecay: cfg.WeightDecay})
	}
	if err != nil {
		return nil, nil, err
	}
	var sched optim.Scheduler
	switch cfg.Schedule {
	case "cosine":
		sched, err = optim.NewCosineAnnealingLR(opt, cfg.Epochs, 0)
	case "step":
		sched, err = optim.NewStepLR(opt, cfg.StepSize, cfg.Gamma)
	}
	return opt, sched, err
}

// restore loads the checkpoint in the output directory: model, optimizer,
// position and history, after checking that it belongs to this run.
func (t *Trainer) restore() error {
	path := t.dir.Join(CheckpointFile)
	f, err := checkpoint.Read(path)
	if err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	s, err := parseRunState(f.Meta)
	if err != nil {
		return fmt.Errorf("train: resume %s: %w", path, err)
	}
	if s.legacy {
		return fmt.Errorf("train: resume %s: written by an earlier spikego (format spikego-checkpoint-1), which kept the optimizer state apart; it can be evaluated but not resumed", path)
	}
	if s.custom != t.custom {
		return fmt.Errorf("train: resume %s: the run's model was built %s; this one %s", path, builtBy(s.custom), builtBy(t.custom))
	}
	if err := compareConfig(s.cfg, t.cfg); err != nil {
		return fmt.Errorf("train: resume %s: %w", path, err)
	}
	if err := compareData(*s.data, t.dataIDs); err != nil {
		return fmt.Errorf("train: resume %s: %w", path, err)
	}
	if err := t.validatePartial(s.progress); err != nil {
		return fmt.Errorf("train: resume %s: %w", path, err)
	}
	if err := f.LoadInto(t.model, t.opt); err != nil {
		return fmt.Errorf("train: resume %s: %w", path, err)
	}
	if err := t.setRandomStates(s.random); err != nil {
		return fmt.Errorf("train: resume %s: %w", path, err)
	}
	t.epoch, t.batch, t.history, t.windows = s.progress.Epoch, s.progress.NextBatch, s.history, s.windows
	if q := s.progress.Partial; q != nil {
		t.partial = q.sums()
	}
	if t.sched != nil {
		for i := 0; i < t.epoch; i++ {
			t.sched.Step()
		}
	}
	// metrics.jsonl may lag the checkpoint (a crash between the two
	// writes) or hold lines of no checkpoint: make it the checkpoint's.
	return t.writeMetrics()
}

func builtBy(custom bool) string {
	if custom {
		return "by the program (NewWith)"
	}
	return "from its settings (New)"
}

// compareConfig lists every setting of want (the run's) that got (the
// resumed run's) changes. Epochs may grow, except under a schedule that
// depends on the number of epochs.
func compareConfig(want, got Config) error {
	var diffs []string
	add := func(name string, w, g any) {
		if fmt.Sprint(w) != fmt.Sprint(g) {
			diffs = append(diffs, fmt.Sprintf("%s %v (asked: %v)", name, w, g))
		}
	}
	add("model", want.Model, got.Model)
	add("architecture", want.Arch, got.Arch)
	add("loss", want.Loss, got.Loss)
	add("momentum", want.Momentum, got.Momentum)
	add("weight decay", want.WeightDecay, got.WeightDecay)
	add("gradient clipping", want.ClipNorm, got.ClipNorm)
	add("node", want.Node, got.Node)
	add("surrogate", orDefault(want.Surrogate), orDefault(got.Surrogate))
	add("T", want.T, got.T)
	add("batch", want.Batch, got.Batch)
	add("learning rate", want.LR, got.LR)
	add("optimizer", want.Optimizer, got.Optimizer)
	add("schedule", orNone(want.Schedule), orNone(got.Schedule))
	add("train samples", want.TrainSamples, got.TrainSamples)
	add("test samples", want.TestSamples, got.TestSamples)
	add("seed", want.Seed, got.Seed)
	if want.Schedule == "step" {
		add("step size", want.StepSize, got.StepSize)
		add("gamma", want.Gamma, got.Gamma)
	}
	if want.Schedule == "cosine" {
		add("epochs (the cosine schedule spans them)", want.Epochs, got.Epochs)
	}
	if len(diffs) == 0 {
		return nil
	}
	return fmt.Errorf("the run was started with other settings: %s; resume with the run's settings, or start a new run in another directory", strings.Join(diffs, ", "))
}

func orDefault(s string) string {
	if s == "" {
		return "the node's default"
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func compareData(want, got dataIDs) error {
	for _, c := range []struct {
		split     string
		want, got dataID
	}{{"training", want.Train, got.Train}, {"test", want.Test, got.Test}} {
		if c.want.N != c.got.N || c.want.CRC != c.got.CRC || c.want.Rows != c.got.Rows || c.want.Cols != c.got.Cols {
			return fmt.Errorf("the run's %s data was %s (%d images, CRC %08x); this data is %s (%d images, CRC %08x)",
				c.split, c.want.Name, c.want.N, c.want.CRC, c.got.Name, c.got.N, c.got.CRC)
		}
	}
	return nil
}

// Config returns the settings in use, defaults filled in.
func (t *Trainer) Config() Config { return t.cfg }

// Model returns the model being trained.
func (t *Trainer) Model() nn.Module { return t.model }

// Monitor returns the monitor of the model's nodes: their names, firing
// rates and latest spikes.
func (t *Trainer) Monitor() *node.Monitor { return t.monitor }

// InputShape returns the shape of one input sample.
func (t *Trainer) InputShape() []int { return append([]int(nil), t.inShape...) }

// Epoch returns the number of completed epochs.
func (t *Trainer) Epoch() int { return t.epoch }

// History returns the metrics of the completed epochs.
func (t *Trainer) History() []EpochMetrics { return append([]EpochMetrics(nil), t.history...) }

// Windows returns the training metrics of every batch window so far.
func (t *Trainer) Windows() []WindowMetrics { return append([]WindowMetrics(nil), t.windows...) }

// windowBatches is the number of batches of a window: a twentieth of an
// epoch of n batches, at least one.
func windowBatches(n int) int { return max(1, n/20) }

// trainSet returns the training samples in use.
func (t *Trainer) trainSet() *dataset.Set {
	s := t.data.Train
	if t.cfg.TrainSamples > 0 && t.cfg.TrainSamples < s.N {
		s = s.Subset(t.cfg.TrainSamples)
	}
	return s
}

func (t *Trainer) testSet() *dataset.Set {
	s := t.data.Test
	if t.cfg.TestSamples > 0 && t.cfg.TestSamples < s.N {
		s = s.Subset(t.cfg.TestSamples)
	}
	return s
}

// perm returns the training order of an epoch: a seeded shuffle, the same
// on resume.
func (t *Trainer) perm(epoch int) []int {
	return dataset.Perm(t.trainSet().N, t.cfg.Seed*1000003+uint64(epoch))
}

// Run trains for the remaining epochs, evaluating on the test set after
// each, and calls onEpoch with each epoch's metrics. With an output
// directory, each completed epoch is saved (checkpoint, then
// metrics.jsonl), and so is the position reached every SaveEvery and when
// ctx is cancelled; Run then returns ErrInterrupted. If a loss, gradient,
// weight or running statistic becomes NaN or infinite, Run stops with a
// *DivergedError and saves nothing more: the last checkpoint stays the
// last good one. onProgress, if not nil, is called after every batch.
func (t *Trainer) Run(ctx context.Context, onProgress func(Progress), onEpoch func(EpochMetrics)) error {
	for t.epoch < t.cfg.Epochs {
		start := time.Now()
		sums, err := t.trainEpoch(ctx, onProgress)
		if err != nil {
			if errors.Is(err, ErrInterrupted) && t.dir != nil {
				if serr := t.save(sums); serr != nil {
					return errors.Join(err, serr)
				}
			}
			return err
		}
		acc, rate, err := Evaluate(ctx, t.model, t.testSet(), t.cfg.Batch, func(p Progress) {
			if onProgress != nil {
				p.Epoch, p.Epochs = t.epoch+1, t.cfg.Epochs
				onProgress(p)
			}
		})
		if err != nil {
			if errors.Is(err, ErrInterrupted) && t.dir != nil {
				// Training of this epoch is complete: keep it, so that a
				// resumed run goes straight to the evaluation.
				t.partial = sums
				if serr := t.save(sums); serr != nil {
					return errors.Join(err, serr)
				}
			}
			return err
		}
		em := EpochMetrics{
			Epoch:            t.epoch + 1,
			TrainLoss:        sums.loss / float64(max(sums.samples, 1)),
			TrainAcc:         float64(sums.correct) / float64(max(sums.samples, 1)),
			TestAcc:          acc,
			TrainSamplesPerS: float64(sums.samples) / math.Max(sums.seconds, 1e-9),
			TestSamplesPerS:  rate,
			WallS:            time.Since(start).Seconds(),
			FiringRates:      map[string]float64{},
			LR:               float64(t.opt.LR()),
			TrainSamples:     sums.samples,
			TestSamples:      t.testSet().N,
		}
		for i, name := range t.monitor.Names() {
			if sums.seen[i] > 0 {
				em.FiringRates[name] = sums.spikes[i] / sums.seen[i]
			}
		}
		t.epoch++
		t.batch = 0
		t.partial = epochSums{}
		t.history = append(t.history, em)
		if t.sched != nil {
			t.sched.Step()
		}
		if t.dir != nil {
			if err := t.save(epochSums{}); err != nil {
				return err
			}
			t.lastSave = time.Now()
		}
		if onEpoch != nil {
			onEpoch(em)
		}
	}
	return nil
}

// DivergedError reports a value that became NaN or infinite during
// training.
type DivergedError struct {
	// Epoch and Batch (both from 1) locate the step.
	Epoch, Batch int
	// What is "loss", "gradient", "weight" or "running statistic".
	What string
	// Tensor is the state_dict name of the tensor, "" for the loss.
	Tensor string
	// NaN and Inf count the bad values.
	NaN, Inf int
	// LR is the learning rate of the step.
	LR float32
	// Saved tells whether a checkpoint from before the step exists.
	Saved bool
}

func (e *DivergedError) Error() string {
	where := "the loss became non-finite"
	if e.Tensor != "" {
		where = fmt.Sprintf("%s %s became non-finite (%d NaN, %d infinite)", e.What, e.Tensor, e.NaN, e.Inf)
	}
	kept := "nothing was saved"
	if e.Saved {
		kept = "the last checkpoint, from before it, is kept"
	}
	return fmt.Sprintf("train: training diverged at epoch %d, batch %d: %s; %s. Lower the learning rate (it is %g) or the surrogate's alpha, or check the input data",
		e.Epoch, e.Batch, where, kept, e.LR)
}

// trainEpoch runs the training phase of the current epoch from t.batch.
func (t *Trainer) trainEpoch(ctx context.Context, onProgress func(Progress)) (epochSums, error) {
	set := t.trainSet()
	loader := dataset.NewLoader(set, t.cfg.Batch, t.perm(t.epoch))
	layers := len(t.monitor.Names())
	sums := t.partial
	if sums.spikes == nil {
		sums.spikes, sums.seen = make([]float64, layers), make([]float64, layers)
	}
	t.model.SetTraining(true)
	inShape := append([]int{0}, t.inShape...)
	batches := loader.Len()
	for b := 0; ; b++ {
		if b >= t.batch && ctx.Err() != nil {
			return sums, ErrInterrupted
		}
		if b >= t.batch && b > 0 && t.dir != nil && t.cfg.SaveEvery > 0 && time.Since(t.lastSave) >= t.cfg.SaveEvery {
			if err := t.save(sums); err != nil {
				return sums, err
			}
			t.lastSave = time.Now()
		}
		// A step is timed from the batch's slicing and conversion to the
		// optimizer's update, as docs/BENCHMARK.md measures it.
		stepStart := time.Now()
		x, y, ok := loader.Next()
		if !ok {
			break
		}
		if b < t.batch {
			continue // resumed: these batches were done before
		}
		inShape[0] = len(y)
		xt, err := tensor.FromSlice(x, inShape...)
		if err != nil {
			return sums, err
		}
		t.monitor.Reset()
		out, err := t.model.Forward(autograd.Const(xt))
		if err != nil {
			return sums, err
		}
		out = overTime(out)
		loss, err := t.loss(out, y)
		if err != nil {
			return sums, err
		}
		lv := float64(loss.Value().Item())
		if math.IsNaN(lv) || math.IsInf(lv, 0) {
			return sums, t.diverged(b, "loss", "", nil)
		}
		t.opt.ZeroGrad()
		if err := autograd.Backward(loss, nil); err != nil {
			return sums, err
		}
		for _, p := range t.named {
			if g := p.Var.Grad(); g != nil && !tensor.AllFinite(g.Data()) {
				return sums, t.diverged(b, "gradient", p.Name, g.Data())
			}
		}
		if t.cfg.ClipNorm > 0 {
			if _, err := optim.ClipGradNorm(t.params, t.cfg.ClipNorm, 2); err != nil {
				return sums, err
			}
		}
		if err := t.opt.Step(); err != nil {
			return sums, err
		}
		if err := t.checkState(b); err != nil {
			return sums, err
		}
		sums.seconds += time.Since(stepStart).Seconds()
		correct := nn.CountCorrect(scores(out), y)
		sums.loss += lv * float64(len(y))
		sums.correct += correct
		sums.samples += len(y)
		sums.wLoss += lv * float64(len(y))
		sums.wCorrect += correct
		sums.wSamples += len(y)
		if w := windowBatches(batches); (b+1)%w == 0 || b+1 == batches {
			t.windows = append(t.windows, WindowMetrics{
				Epoch: float64(t.epoch) + float64(b+1)/float64(batches),
				Loss:  sums.wLoss / float64(sums.wSamples),
				Acc:   float64(sums.wCorrect) / float64(sums.wSamples),
			})
			sums.wLoss, sums.wCorrect, sums.wSamples = 0, 0, 0
		}
		for i, r := range t.monitor.FiringRates() {
			n := float64(len(y)) // weight each batch by its size
			sums.spikes[i] += r * n
			sums.seen[i] += n
		}
		t.batch = b + 1
		if onProgress != nil {
			rate := float64(sums.samples) / math.Max(sums.seconds, 1e-9)
			left := set.N - min((b+1)*t.cfg.Batch, set.N)
			onProgress(Progress{
				Phase: "train", Epoch: t.epoch + 1, Epochs: t.cfg.Epochs,
				Batch: b + 1, Batches: batches, Samples: sums.samples,
				Loss: sums.loss / float64(sums.samples), Acc: float64(sums.correct) / float64(sums.samples),
				SamplesPerSec: rate,
				Elapsed:       time.Duration(sums.seconds * float64(time.Second)),
				ETA:           time.Duration(float64(left) / rate * float64(time.Second)),
			})
		}
	}
	return sums, nil
}

// checkState verifies after an optimizer step that every weight and
// buffer is finite.
func (t *Trainer) checkState(b int) error {
	for _, p := range t.named {
		if d := p.Var.Value().Data(); !tensor.AllFinite(d) {
			return t.diverged(b, "weight", p.Name, d)
		}
	}
	for _, buf := range t.model.Buffers() {
		if d := buf.Tensor.Data(); !tensor.AllFinite(d) {
			return t.diverged(b, "running statistic", buf.Name, d)
		}
	}
	return nil
}

func (t *Trainer) diverged(b int, what, name string, data []float32) error {
	nan, inf := checkpoint.CountNonFinite(data)
	saved := false
	if t.dir != nil {
		_, err := os.Stat(t.dir.Join(CheckpointFile))
		saved = err == nil
	}
	return &DivergedError{Epoch: t.epoch + 1, Batch: b + 1, What: what, Tensor: name, NaN: nan, Inf: inf, LR: t.opt.LR(), Saved: saved}
}

// overTime returns a model's output with a time axis: out [T,B,C] as it
// is, out [B,C] (a model without time) as [1,B,C].
func overTime(out *autograd.Var) *autograd.Var {
	if out.Value().Dims() == 2 {
		return autograd.Reshape(out, append([]int{1}, out.Shape()...)...)
	}
	return out
}

// scores returns the per-class scores of an output over time [T,B,C]: its
// mean over time (firing rates, or mean membrane potentials).
func scores(out *autograd.Var) *tensor.Tensor {
	s, err := tensor.MeanAxis(out.Value(), 0, false)
	if err != nil {
		panic(err) // out has three axes
	}
	return s
}

// Evaluate returns the accuracy of model on set (in evaluation mode,
// without a tape; the mode is restored) and its throughput in samples per
// second. A sample counts as correct when the class with the highest mean
// output over time is its label.
func Evaluate(ctx context.Context, model nn.Module, set *dataset.Set, batch int, onProgress func(Progress)) (acc, samplesPerSec float64, err error) {
	if batch < 1 {
		return 0, 0, fmt.Errorf("train: batch must be at least 1, got %d", batch)
	}
	if tm, ok := model.(interface{ Training() bool }); ok && !tm.Training() {
		defer model.SetTraining(false)
	} else {
		defer model.SetTraining(true)
	}
	model.SetTraining(false)
	loader := dataset.NewLoader(set, batch, nil)
	inShape := append([]int{0}, inputShape(model, set)...)
	correct, seen := 0, 0
	start := time.Now()
	// The batches reuse the memory of the one before; the last batch's
	// values are left to the garbage collector.
	scope := autograd.NewScope()
	err = autograd.NoGrad(func() error {
		for b := 0; ; b++ {
			x, y, ok := loader.Next()
			if !ok {
				return nil
			}
			if ctx.Err() != nil {
				return ErrInterrupted
			}
			inShape[0] = len(y)
			xt, err := tensor.FromSlice(x, inShape...)
			if err != nil {
				return err
			}
			scope.Release()
			out, err := model.Forward(scope.Const(xt))
			if err != nil {
				return err
			}
			correct += nn.CountCorrect(scores(overTime(out)), y)
			seen += len(y)
			if onProgress != nil {
				el := time.Since(start)
				rate := float64(seen) / math.Max(el.Seconds(), 1e-9)
				onProgress(Progress{
					Phase: "test", Batch: b + 1, Batches: loader.Len(), Samples: seen,
					Acc: float64(correct) / float64(seen), SamplesPerSec: rate, Elapsed: el,
					ETA: time.Duration(float64(set.N-seen) / rate * float64(time.Second)),
				})
			}
		}
	}, nn.ParamVars(model)...)
	if err != nil {
		return 0, 0, err
	}
	el := time.Since(start).Seconds()
	return float64(correct) / float64(max(seen, 1)), float64(seen) / math.Max(el, 1e-9), nil
}
