package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/models"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/optim"
	"github.com/spikego/spikego/tensor"
)

// ErrInterrupted is returned by Run when its context was cancelled; the
// state at that point was saved when an output directory was given.
var ErrInterrupted = errors.New("train: interrupted")

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

// Trainer trains one model on one dataset.
type Trainer struct {
	cfg    Config
	data   Data
	model  models.Model
	opt    optim.Optimizer
	sched  optim.Scheduler
	params []*autograd.Var
	// epoch and batch are where training stands: the next batch to run.
	epoch, batch int
	// partial carries the running sums of an epoch resumed midway.
	partial epochSums
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

// New builds the model and optimizer that cfg describes. With cfg.Resume
// it continues from the checkpoint in cfg.OutDir.
func New(cfg Config, data Data) (*Trainer, error) {
	cfg, err := cfg.WithDefaults()
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
	if cfg.OutDir != "" && !cfg.Resume {
		if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
	}
	t := &Trainer{cfg: cfg, data: data, model: m, params: nn.ParamVars(m)}
	if err := t.buildOptimizer(); err != nil {
		return nil, err
	}
	if cfg.Resume {
		if cfg.OutDir == "" {
			return nil, errors.New("train: resume needs an output directory")
		}
		if err := t.restore(); err != nil {
			return nil, err
		}
	}
	return t, nil
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

// Config returns the settings in use, defaults filled in.
func (t *Trainer) Config() Config { return t.cfg }

// Model returns the model being trained.
func (t *Trainer) Model() models.Model { return t.model }

// Epoch returns the number of completed epochs.
func (t *Trainer) Epoch() int { return t.epoch }

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
// each, and calls onEpoch with each epoch's metrics (which are also
// appended to metrics.jsonl, with a checkpoint, when OutDir is set).
// onProgress, if not nil, is called after every batch. When ctx is
// cancelled, Run saves the state reached and returns ErrInterrupted.
func (t *Trainer) Run(ctx context.Context, onProgress func(Progress), onEpoch func(EpochMetrics)) error {
	for t.epoch < t.cfg.Epochs {
		start := time.Now()
		sums, err := t.trainEpoch(ctx, onProgress)
		if err != nil {
			if errors.Is(err, ErrInterrupted) && t.cfg.OutDir != "" {
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
			if errors.Is(err, ErrInterrupted) && t.cfg.OutDir != "" {
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
		if t.sched != nil {
			t.sched.Step()
		}
		if t.cfg.OutDir != "" {
			if err := appendMetrics(t.cfg.OutDir, em); err != nil {
				return err
			}
			if err := t.save(epochSums{}); err != nil {
				return err
			}
		}
		if onEpoch != nil {
			onEpoch(em)
		}
	}
	return nil
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
		loss, err := nn.CrossEntropy(out, y)
		if err != nil {
			return sums, err
		}
		t.opt.ZeroGrad()
		if err := autograd.Backward(loss, nil); err != nil {
			return sums, err
		}
		if err := t.opt.Step(); err != nil {
			return sums, err
		}
		lv := float64(loss.Value().Item())
		if math.IsNaN(lv) {
			return sums, fmt.Errorf("train: loss is NaN at epoch %d batch %d", t.epoch+1, b+1)
		}
		sums.seconds += time.Since(stepStart).Seconds()
		sums.loss += lv * float64(len(y))
		sums.correct += nn.CountCorrect(out.Value(), y)
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
			correct += nn.CountCorrect(out.Value(), y)
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
