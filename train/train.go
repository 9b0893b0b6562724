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
	"github.com/spikego/spikego/models"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/optim"
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
	model   models.Model
	opt     optim.Optimizer
	sched   optim.Scheduler
	params  []*autograd.Var
	named   []nn.NamedVar
	dataIDs dataIDs
	// epoch and batch are where training stands: the next batch to run.
	epoch, batch int
	// partial carries the running sums of an epoch resumed midway.
	partial epochSums
	// history holds the metrics of the completed epochs.
	history  []EpochMetrics
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
}

// New builds the model and optimizer that cfg describes. With an output
// directory it locks the directory (another run holding it is an error),
// and then either continues the run in it (cfg.Resume: every setting that
// decides the numbers, and the data, must be those the run was started
// with; only Epochs may grow, unless the schedule depends on it), discards
// it (cfg.Overwrite), or, if it holds a run and neither is set, refuses
// with an error wrapping ErrRunExists. The data must fit the model, and one
// training step must fit in memory. Call Close when done.
func New(cfg Config, data Data) (_ *Trainer, err error) {
	cfg, err = cfg.WithDefaults()
	if err != nil {
		return nil, err
	}
	if data.Train == nil || data.Test == nil {
		return nil, errors.New("train: need training and test data")
	}
	m, err := buildModel(cfg)
	if err != nil {
		return nil, err
	}
	if err := checkInput(m, cfg.Model, data); err != nil {
		return nil, err
	}
	if err := checkMemory(cfg, cfg.Batch); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	t := &Trainer{cfg: cfg, data: data, model: m, params: nn.ParamVars(m), named: m.Params()}
	t.dataIDs = dataIDs{Train: identify(t.trainSet()), Test: identify(t.testSet())}
	if err := t.buildOptimizer(); err != nil {
		return nil, err
	}
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
var runFiles = []string{CheckpointFile, legacyOptimizerFile, MetricsFile, "curves.png", "raster.png"}

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
func checkInput(m models.Model, name string, data Data) error {
	want := 1
	for _, d := range m.InputShape() {
		want *= d
	}
	for _, s := range []*dataset.Set{data.Train, data.Test} {
		if s.ImageSize() != want {
			return fmt.Errorf("train: %s holds %dx%d images; model %s needs %d pixels per image (28x28)", s.Name, s.Rows, s.Cols, name, want)
		}
		if s.N == 0 {
			return fmt.Errorf("train: %s holds no images", s.Name)
		}
	}
	return nil
}

func (t *Trainer) buildOptimizer() error {
	var err error
	switch t.cfg.Optimizer {
	case "adam":
		o := optim.DefaultAdam()
		o.LR = t.cfg.LR
		t.opt, err = optim.NewAdam(t.params, o)
	case "adamw":
		o := optim.DefaultAdamW()
		o.LR = t.cfg.LR
		t.opt, err = optim.NewAdamW(t.params, o)
	case "sgd":
		t.opt, err = optim.NewSGD(t.params, t.cfg.LR, optim.SGDOptions{Momentum: 0.9})
	}
	if err != nil {
		return err
	}
	switch t.cfg.Schedule {
	case "cosine":
		t.sched, err = optim.NewCosineAnnealingLR(t.opt, t.cfg.Epochs, 0)
	case "step":
		t.sched, err = optim.NewStepLR(t.opt, 30, 0.1)
	}
	return err
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
	t.epoch, t.batch, t.history = s.progress.Epoch, s.progress.NextBatch, s.history
	if q := s.progress.Partial; q != nil {
		t.partial = epochSums{q.Loss, q.Correct, q.Samples, q.Seconds, q.Spikes, q.Seen}
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
func (t *Trainer) Model() models.Model { return t.model }

// Epoch returns the number of completed epochs.
func (t *Trainer) Epoch() int { return t.epoch }

// History returns the metrics of the completed epochs.
func (t *Trainer) History() []EpochMetrics { return append([]EpochMetrics(nil), t.history...) }

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
		for i, name := range t.model.Layers() {
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
	layers := len(t.model.Layers())
	sums := t.partial
	if sums.spikes == nil {
		sums.spikes, sums.seen = make([]float64, layers), make([]float64, layers)
	}
	t.model.SetTraining(true)
	inShape := append([]int{0}, t.model.InputShape()...)
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
		t.model.ResetStats()
		out, err := t.model.Forward(autograd.Const(xt))
		if err != nil {
			return sums, err
		}
		rates := models.Rates(out)
		loss, err := nn.CrossEntropy(rates, y)
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
		if err := t.opt.Step(); err != nil {
			return sums, err
		}
		if err := t.checkState(b); err != nil {
			return sums, err
		}
		sums.seconds += time.Since(stepStart).Seconds()
		sums.loss += lv * float64(len(y))
		sums.correct += nn.CountCorrect(rates.Value(), y)
		sums.samples += len(y)
		for i, r := range t.model.FiringRates() {
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

// Evaluate returns the accuracy of model on set (in evaluation mode,
// without a tape) and its throughput in samples per second.
func Evaluate(ctx context.Context, model models.Model, set *dataset.Set, batch int, onProgress func(Progress)) (acc, samplesPerSec float64, err error) {
	if batch < 1 {
		return 0, 0, fmt.Errorf("train: batch must be at least 1, got %d", batch)
	}
	model.SetTraining(false)
	defer model.SetTraining(true)
	loader := dataset.NewLoader(set, batch, nil)
	inShape := append([]int{0}, model.InputShape()...)
	correct, seen := 0, 0
	start := time.Now()
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
			out, err := model.Forward(autograd.Const(xt))
			if err != nil {
				return err
			}
			correct += nn.CountCorrect(models.Rates(out).Value(), y)
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
