package benchrun

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/train"
)

// WorkerFlag is the hidden first argument of "spikego bench" that makes
// it a worker (see WorkerMain) instead of the harness.
const WorkerFlag = "-internal-worker"

// rawRun is what one measured process reports, spikego's worker and the
// peer alike (the peer's JSON holds these fields among others).
type rawRun struct {
	Model        string  `json:"model"`
	Batch        int     `json:"batch"`
	TrainSamples int     `json:"train_samples"`
	TestSamples  int     `json:"test_samples"`
	TrainAcc     float64 `json:"train_acc"`
	TestAcc      float64 `json:"test_acc"`
	// TrainStepSizes and TrainStepTimes are each training step's number
	// of samples and duration in seconds, in order.
	TrainStepSizes []int     `json:"train_step_sizes"`
	TrainStepTimes []float64 `json:"train_step_times"`
	// InferBatchSizes and InferBatchTimes are the same for the test pass.
	InferBatchSizes []int     `json:"infer_batch_sizes"`
	InferBatchTimes []float64 `json:"infer_batch_times"`

	// The peer's versions and environment.
	Torch   string             `json:"torch,omitempty"`
	Python  string             `json:"python,omitempty"`
	Threads int                `json:"threads,omitempty"`
	Env     map[string]*string `json:"env,omitempty"`

	// spikego's, and its own whole-run figure (train.EpochMetrics'
	// TrainSamplesPerS), which the step durations add up to.
	Go                 string             `json:"go,omitempty"`
	GoMaxProcs         int                `json:"gomaxprocs,omitempty"`
	FiringRates        map[string]float64 `json:"firing_rates,omitempty"`
	MetricsTrainPerSec float64            `json:"metrics_train_samples_per_s,omitempty"`
}

// check reports a record that cannot be summarised: missing timings, or
// sizes and durations that do not pair up.
func (r *rawRun) check(what string) error {
	switch {
	case len(r.TrainStepSizes) == 0 || len(r.TrainStepSizes) != len(r.TrainStepTimes):
		return fmt.Errorf("%s: %d training step sizes and %d durations", what, len(r.TrainStepSizes), len(r.TrainStepTimes))
	case len(r.InferBatchSizes) == 0 || len(r.InferBatchSizes) != len(r.InferBatchTimes):
		return fmt.Errorf("%s: %d test batch sizes and %d durations", what, len(r.InferBatchSizes), len(r.InferBatchTimes))
	}
	return nil
}

// WorkerMain is the spikego side of one measurement, run in a process of
// its own by the harness: it trains one reference model for one epoch on
// the given data with its reference settings (train.DefaultConfig, seed
// 0, nothing written to disk), evaluates it on the whole test split, and
// writes to stdout one JSON object with the duration of every training
// step and test batch. Its arguments are
//
//	-model mlp|cnn -train-samples N -data DIR|sample [-seed S]
func WorkerMain(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("spikego bench "+WorkerFlag, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	model := fs.String("model", "", "model")
	n := fs.Int("train-samples", 0, "training samples")
	data := fs.String("data", "", "data directory or sample")
	seed := fs.Uint64("seed", 0, "seed")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("benchrun: worker: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("benchrun: worker: unexpected arguments %s", strings.Join(fs.Args(), " "))
	}
	p, err := ProtocolOf(*model)
	if err != nil {
		return fmt.Errorf("benchrun: worker: -model: %w", err)
	}
	if *data == "" {
		return fmt.Errorf("benchrun: worker: -data is required (a directory, or sample)")
	}
	d, err := loadData(*data)
	if err != nil {
		return fmt.Errorf("benchrun: worker: %w", err)
	}
	cfg := train.DefaultConfig(*model)
	cfg.TrainSamples, cfg.Seed, cfg.SaveEvery = *n, *seed, 0
	if cfg.Batch != p.Batch {
		return fmt.Errorf("benchrun: worker: spikego's %s batch is %d, the protocol's %d", *model, cfg.Batch, p.Batch)
	}
	tr, err := train.New(cfg, d)
	if err != nil {
		return fmt.Errorf("benchrun: worker: %w", err)
	}
	defer tr.Close()
	r := rawRun{Model: *model, Batch: cfg.Batch, Go: runtime.Version(), GoMaxProcs: runtime.GOMAXPROCS(0)}
	// Progress reports after every batch the summed duration of the
	// training steps so far (the same span as train_samples_per_s), and
	// in the test phase the time since the pass began: the differences
	// are the durations of the batches.
	var last time.Duration
	var samples int
	phase := "train"
	err = tr.Run(ctx, func(pr train.Progress) {
		if pr.Phase != phase {
			phase, last, samples = pr.Phase, 0, 0
		}
		dt, dn := (pr.Elapsed - last).Seconds(), pr.Samples-samples
		last, samples = pr.Elapsed, pr.Samples
		if pr.Phase == "train" {
			r.TrainStepSizes = append(r.TrainStepSizes, dn)
			r.TrainStepTimes = append(r.TrainStepTimes, dt)
		} else {
			r.InferBatchSizes = append(r.InferBatchSizes, dn)
			r.InferBatchTimes = append(r.InferBatchTimes, dt)
		}
	}, func(m train.EpochMetrics) {
		r.TrainSamples, r.TestSamples = m.TrainSamples, m.TestSamples
		r.TrainAcc, r.TestAcc, r.FiringRates = m.TrainAcc, m.TestAcc, m.FiringRates
		r.MetricsTrainPerSec = m.TrainSamplesPerS
	})
	if err != nil {
		return fmt.Errorf("benchrun: worker: %w", err)
	}
	if err := r.check("benchrun: worker"); err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("benchrun: worker: writing the result: %w", err)
	}
	return nil
}

// loadData loads both splits from dir, or the embedded sample for
// "sample".
func loadData(dir string) (train.Data, error) {
	open := dataset.Load
	if dir == "sample" {
		open = func(_ string, s dataset.Split) (*dataset.Set, error) { return dataset.Sample(s) }
	}
	var d train.Data
	var err error
	if d.Train, err = open(dir, dataset.Train); err != nil {
		return d, err
	}
	if d.Test, err = open(dir, dataset.Test); err != nil {
		return d, err
	}
	return d, nil
}
