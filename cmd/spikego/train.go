package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spikego/spikego/arch"
	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/internal/rundir"
	"github.com/spikego/spikego/models"
	"github.com/spikego/spikego/snn"
	"github.com/spikego/spikego/surrogate"
	"github.com/spikego/spikego/tensor"
	"github.com/spikego/spikego/train"
	"github.com/spikego/spikego/viz"
)

// defaultOut is the output directory when -out is not given.
const defaultOut = "run"

// runTrain is "spikego train [flags]".
func runTrain(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("train")
	def := train.DefaultConfig("mlp")
	var cfg train.Config
	var lr, momentum, wd, clip, gamma float64
	fs.StringVar(&cfg.Model, "model", "mlp", "reference `model`: mlp or cnn (the specs "+models.MLPSpec+" and "+models.CNNSpec+")")
	fs.StringVar(&cfg.Arch, "arch", "", "the network as a `spec`, instead of -model: layers such as conv(32,3,pad=1) bn lif maxpool(2) flatten linear(10) lif (see the README)")
	fs.StringVar(&cfg.Node, "node", def.Node, "neuron `kind` of the spec's node layers: IFNode, LIFNode, LIFSTDPNode or PLIFNode")
	fs.StringVar(&cfg.Surrogate, "surrogate", "", "surrogate spike `function` of the node layers, by BrainCog's, SpikingJelly's or snnTorch's name (default: the node's, QGateGrad for LIFNode); one of "+strings.Join(surrogate.Names(), ", "))
	fs.IntVar(&cfg.T, "T", 0, "time `steps` (default: mlp 8, cnn 4, -arch 8)")
	fs.IntVar(&cfg.Epochs, "epochs", def.Epochs, "`number` of epochs (with -resume: the total to reach)")
	fs.IntVar(&cfg.Batch, "batch", 0, "batch `size` (default: mlp 128, cnn 64, -arch 128)")
	fs.StringVar(&cfg.Loss, "loss", def.Loss, "`loss` on the output over time: one of "+strings.Join(train.LossNames(), ", "))
	fs.Float64Var(&lr, "lr", float64(def.LR), "learning `rate`")
	fs.StringVar(&cfg.Optimizer, "optimizer", def.Optimizer, "`optimizer`: adam, adamw or sgd")
	fs.Float64Var(&momentum, "momentum", float64(def.Momentum), "SGD's `momentum`")
	fs.Float64Var(&wd, "weight-decay", 0, "weight `decay` (default: 0.01 for adamw, else none)")
	fs.Float64Var(&clip, "clip-norm", 0, "clip the gradients' total 2-norm to this `norm` before each step (0: no clipping)")
	fs.StringVar(&cfg.Schedule, "schedule", "", "learning-rate `schedule`: none, cosine or step")
	fs.IntVar(&cfg.StepSize, "step-size", def.StepSize, "with -schedule step: `epochs` between two decays")
	fs.Float64Var(&gamma, "gamma", float64(def.Gamma), "with -schedule step: the learning rate's `factor` at each decay")
	fs.IntVar(&cfg.TrainSamples, "train-samples", 0, "use only the first `n` training samples (shuffled) per epoch (0: all)")
	fs.IntVar(&cfg.TestSamples, "test-samples", 0, "evaluate only the first `n` test samples (0: all)")
	seed := fs.Uint64("seed", 0, "random `seed` for initialisation and shuffling")
	data := fs.String("data", "", "Fashion-MNIST IDX `dir`; default "+dataset.DefaultDir+" if present, else the embedded sample; 'sample' forces the sample")
	fs.StringVar(&cfg.OutDir, "out", defaultOut, "output `dir` for metrics.jsonl, the checkpoint and figures (default: run, or run-2, run-3, ... if run holds an earlier run)")
	fs.BoolVar(&cfg.Resume, "resume", false, "continue the run in -out; settings not given are the run's")
	fs.BoolVar(&cfg.Overwrite, "overwrite", false, "discard the run in -out and start afresh")
	fs.DurationVar(&cfg.SaveEvery, "save-every", 5*time.Minute, "also save the checkpoint inside an epoch after this much `time` (0: only after each epoch)")
	quiet := fs.Bool("quiet", false, "no progress bar, only the epoch summaries")
	usage := flagUsage(fs, []string{"train [-model mlp|cnn] [-epochs N] [-data DIR] [-out DIR] [flags]", "train -out DIR -resume [-epochs N]"},
		`Train trains a spiking network by backpropagation through time on
Fashion-MNIST and evaluates it on the test set after every epoch. Each
epoch's summary is printed and written to DIR/metrics.jsonl; the model,
the optimizer state and the position reached are saved in one file,
DIR/checkpoint.safetensors (PyTorch state_dict names), after every epoch,
every -save-every, and on Ctrl-C; learning curves (curves.png) and a spike
raster (raster.png) are drawn at the end.

Every file is replaced atomically, so a crash or kill -9 loses at most
the work since the last save; -resume continues from it and ends with
exactly the weights of an uninterrupted run. A directory that holds a run
is never silently mixed with another: continue it (-resume), discard it
(-overwrite) or choose another -out. Two runs cannot share a directory.

With only -model given, every setting is the reference model's
(docs/BENCHMARK.md): T, batch size, Adam with learning rate 1e-3.`)
	if err := parseFlags(fs, args, usage); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{err: fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " ")), usage: usage}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	// Zero means "the model's default" inside train.Config; on the command
	// line these flags have explicit defaults, so zero is a mistake.
	switch {
	case cfg.Epochs < 1:
		return &usageError{err: fmt.Errorf("--epochs must be at least 1, got %d", cfg.Epochs), usage: usage}
	case set["T"] && cfg.T < 1, cfg.T < 0:
		return &usageError{err: fmt.Errorf("--T must be at least 1, got %d", cfg.T), usage: usage}
	case set["batch"] && cfg.Batch < 1, cfg.Batch < 0:
		return &usageError{err: fmt.Errorf("--batch must be at least 1, got %d", cfg.Batch), usage: usage}
	case cfg.TrainSamples < 0 || cfg.TestSamples < 0:
		return &usageError{err: fmt.Errorf("--train-samples and --test-samples must not be negative"), usage: usage}
	case cfg.SaveEvery < 0:
		return &usageError{err: fmt.Errorf("--save-every must not be negative, got %v", cfg.SaveEvery), usage: usage}
	case cfg.Resume && cfg.Overwrite:
		return &usageError{err: errors.New("--resume continues the run in --out and --overwrite discards it: give one"), usage: usage}
	}
	if err := checkFloat32("--lr", lr); err != nil {
		return &usageError{err: err, usage: usage}
	}
	if err := checkFloat32("--gamma", gamma); err != nil {
		return &usageError{err: err, usage: usage}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"--momentum", momentum}, {"--weight-decay", wd}, {"--clip-norm", clip}} {
		if f.v != 0 {
			if err := checkFloat32(f.name, f.v); err != nil {
				return &usageError{err: err, usage: usage}
			}
		}
	}
	if set["arch"] {
		if set["model"] {
			return &usageError{err: errors.New("--model and --arch both describe the network: give one"), usage: usage}
		}
		cfg.Model = ""
	}
	cfg.Seed = *seed
	cfg.LR, cfg.Momentum, cfg.WeightDecay, cfg.ClipNorm, cfg.Gamma = float32(lr), float32(momentum), float32(wd), float32(clip), float32(gamma)
	if cfg.Schedule == "none" {
		cfg.Schedule = ""
	}
	if cfg.Resume {
		saved, err := train.ReadRunConfig(cfg.OutDir)
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s holds no run to resume (no %s); start it without --resume", cfg.OutDir, train.CheckpointFile)
		}
		if err != nil {
			return err
		}
		cfg = mergeFlags(saved, cfg, set)
	} else if !set["out"] && !cfg.Overwrite {
		cfg.OutDir = freeRunDir(defaultOut)
		if cfg.OutDir != defaultOut {
			fmt.Fprintf(stdout, "%s/ holds an earlier run (continue it with --out %s --resume); this run writes to %s/\n", defaultOut, defaultOut, cfg.OutDir)
		}
	}
	cfg, err := cfg.WithDefaults()
	if err != nil {
		return &usageError{err: err, usage: usage}
	}
	d, err := loadData(*data, true)
	if err != nil {
		return err
	}
	// Ctrl-C from here on stops the run cleanly (before, it only ends a
	// process that has nothing to lose).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tr, err := train.New(cfg, d)
	var archErr *arch.Error
	if errors.As(err, &archErr) {
		return &usageError{err: err, usage: usage}
	}
	if errors.Is(err, train.ErrRunExists) {
		return fmt.Errorf("%s holds a run already (%s); continue it with --resume (and --epochs N to train further), write to a fresh --out directory, or discard it with --overwrite",
			cfg.OutDir, describeRun(cfg.OutDir))
	}
	if err != nil {
		return err
	}
	defer tr.Close()
	cfg = tr.Config()
	fmt.Fprintf(stdout, "spikego train: model %s, %s with %s, T=%d, batch %d, loss %s, %s lr %g, %d epoch(s)\n",
		modelName(cfg), cfg.Node, surrogateName(cfg), cfg.T, cfg.Batch, cfg.Loss, cfg.Optimizer, cfg.LR, cfg.Epochs)
	fmt.Fprintf(stdout, "data: %s: %d training, %d test images\n", d.Train.Name, min(d.Train.N, nonZero(cfg.TrainSamples, d.Train.N)), min(d.Test.N, nonZero(cfg.TestSamples, d.Test.N)))
	if cfg.Resume {
		if tr.Epoch() == cfg.Epochs {
			fmt.Fprintf(stdout, "%s already holds all %d epoch(s): nothing to train (give --epochs N to train further)\n", cfg.OutDir, cfg.Epochs)
		} else {
			fmt.Fprintf(stdout, "resuming from %s after %d completed epoch(s)\n", filepath.Join(cfg.OutDir, train.CheckpointFile), tr.Epoch())
		}
	}
	bar := newProgressBar(stderr, *quiet)
	start := time.Now()
	err = tr.Run(ctx, bar.update, func(m train.EpochMetrics) {
		bar.clear()
		fmt.Fprintf(stdout, "epoch %d/%d: train loss %.4f, train acc %.2f%%, test acc %.2f%%, %.0f train samples/s, %.0f test samples/s, %.1fs; firing rates %s\n",
			m.Epoch, cfg.Epochs, m.TrainLoss, 100*m.TrainAcc, 100*m.TestAcc, m.TrainSamplesPerS, m.TestSamplesPerS, m.WallS, formatRates(tr.Monitor().Names(), m.FiringRates))
	})
	bar.clear()
	if errors.Is(err, train.ErrInterrupted) {
		fmt.Fprintf(stdout, "interrupted after %s; state saved in %s (continue with: spikego train --out %s --resume)\n", time.Since(start).Round(time.Second), cfg.OutDir, cfg.OutDir)
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "done in %s: checkpoint %s, metrics %s\n", time.Since(start).Round(100*time.Millisecond),
		filepath.Join(cfg.OutDir, train.CheckpointFile), filepath.Join(cfg.OutDir, train.MetricsFile))
	return writeFigures(stdout, cfg.OutDir, tr, d)
}

// mergeFlags returns the saved settings of a run with the flags given on
// the command line applied over them; train.New then refuses any that
// change what the run computes.
func mergeFlags(saved, flags train.Config, set map[string]bool) train.Config {
	c := saved
	c.OutDir, c.Resume, c.SaveEvery = flags.OutDir, true, flags.SaveEvery
	apply := map[string]func(){
		"model": func() { c.Model = flags.Model }, "node": func() { c.Node = flags.Node },
		"surrogate": func() { c.Surrogate = flags.Surrogate }, "T": func() { c.T = flags.T },
		"epochs": func() { c.Epochs = flags.Epochs }, "batch": func() { c.Batch = flags.Batch },
		"lr": func() { c.LR = flags.LR }, "optimizer": func() { c.Optimizer = flags.Optimizer },
		"schedule": func() { c.Schedule = flags.Schedule }, "train-samples": func() { c.TrainSamples = flags.TrainSamples },
		"test-samples": func() { c.TestSamples = flags.TestSamples }, "seed": func() { c.Seed = flags.Seed },
		"arch": func() { c.Arch, c.Model = flags.Arch, flags.Model }, "loss": func() { c.Loss = flags.Loss },
		"momentum": func() { c.Momentum = flags.Momentum }, "weight-decay": func() { c.WeightDecay = flags.WeightDecay },
		"clip-norm": func() { c.ClipNorm = flags.ClipNorm }, "step-size": func() { c.StepSize = flags.StepSize },
		"gamma": func() { c.Gamma = flags.Gamma },
	}
	for name, f := range apply {
		if set[name] {
			f()
		}
	}
	return c
}

// freeRunDir returns base if it holds no run, else the first of base-2,
// base-3, ... that does not.
func freeRunDir(base string) string {
	dir := base
	for i := 2; ; i++ {
		if !holdsRun(dir) {
			return dir
		}
		dir = fmt.Sprintf("%s-%d", base, i)
	}
}

func holdsRun(dir string) bool {
	for _, f := range []string{train.CheckpointFile, train.MetricsFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}

// describeRun says what the run in dir is, for messages.
func describeRun(dir string) string {
	c, err := train.LoadCheckpoint(dir)
	if err != nil {
		return "its checkpoint does not load: " + err.Error()
	}
	return fmt.Sprintf("model %s, %d of %d epoch(s) done", modelName(c.Config), c.Epoch, c.Config.Epochs)
}

// checkFloat32 verifies that a flag's value is a positive, normal float32:
// the type the optimizers compute in.
func checkFloat32(flagName string, v float64) error {
	switch {
	case !(v > 0) || math.IsInf(v, 0):
		return fmt.Errorf("%s must be positive and finite, got %v", flagName, v)
	case v < math.SmallestNonzeroFloat32 || float32(v) == 0:
		return fmt.Errorf("%s %v underflows float32, the precision spikego trains in (smallest positive: %.2g)", flagName, v, math.SmallestNonzeroFloat32)
	case v < 0x1p-126:
		return fmt.Errorf("%s %v is a float32 subnormal, with too few significant digits (smallest normal: %.3g)", flagName, v, 0x1p-126)
	case v > math.MaxFloat32:
		return fmt.Errorf("%s %v overflows float32 (largest: %.3g)", flagName, v, math.MaxFloat32)
	}
	return nil
}

// modelName names the network for messages: the model, or its spec.
func modelName(cfg train.Config) string {
	if cfg.Arch != "" {
		return fmt.Sprintf("arch %q", cfg.Arch)
	}
	return cfg.Model
}

func nonZero(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func surrogateName(cfg train.Config) string {
	if cfg.Surrogate != "" {
		return cfg.Surrogate
	}
	return "its default surrogate"
}

func formatRates(layers []string, rates map[string]float64) string {
	parts := make([]string, 0, len(layers))
	for _, l := range layers {
		parts = append(parts, fmt.Sprintf("%s %.3f", l, rates[l]))
	}
	return strings.Join(parts, ", ")
}

// loadData opens the test set and, when withTrain, the training set: from
// an explicit directory, the embedded sample ("sample"), or the default
// (the Debian package's files, else the sample).
func loadData(dir string, withTrain bool) (train.Data, error) {
	var d train.Data
	var err error
	open := dataset.Open
	if dir == "sample" {
		open = func(_ string, s dataset.Split) (*dataset.Set, error) { return dataset.Sample(s) }
	} else if dir != "" {
		open = dataset.Load
	}
	if withTrain {
		if d.Train, err = open(dir, dataset.Train); err != nil {
			return d, err
		}
	}
	if d.Test, err = open(dir, dataset.Test); err != nil {
		return d, err
	}
	return d, nil
}

// writeFigures draws the learning curves from the run's history and a
// spike raster of a few test images into the output directory.
func writeFigures(stdout io.Writer, dir string, tr *train.Trainer, d train.Data) error {
	ms := tr.History()
	points := make([]viz.EpochPoint, len(ms))
	for i, m := range ms {
		points[i] = viz.EpochPoint{Epoch: m.Epoch, TrainLoss: m.TrainLoss, TrainAcc: m.TrainAcc, TestAcc: m.TestAcc}
	}
	var windows []viz.WindowPoint
	for _, w := range tr.Windows() {
		windows = append(windows, viz.WindowPoint{Epoch: w.Epoch, Loss: w.Loss, Acc: w.Acc})
	}
	curves := filepath.Join(dir, "curves.png")
	if err := writeFile(curves, func(w io.Writer) error { return viz.TrainingCurves(w, points, windows, 0, 0) }); err != nil {
		return err
	}
	net, ok := tr.Model().(*snn.Net)
	if !ok {
		fmt.Fprintf(stdout, "figures: %s\n", curves)
		return nil
	}
	panels, err := rasterPanels(net, d.Test, 3)
	if err != nil {
		return err
	}
	raster := filepath.Join(dir, "raster.png")
	if err := writeFile(raster, func(w io.Writer) error {
		return viz.SpikeRaster(w, "Spikes of the first test images", panels, len(net.Layers()), 0, 0)
	}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "figures: %s, %s\n", curves, raster)
	return nil
}

// rasterPanels runs the network on the first n test images and returns one
// raster panel per image and spiking layer.
func rasterPanels(m *snn.Net, test *dataset.Set, n int) ([]viz.RasterPanel, error) {
	n = min(n, test.N)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	x := make([]float32, n*test.ImageSize())
	y := make([]int, n)
	test.Batch(idx, x, y)
	xt, err := tensor.FromSlice(x, append([]int{n}, m.InputShape()...)...)
	if err != nil {
		return nil, err
	}
	out, err := m.Infer(xt)
	if err != nil {
		return nil, err
	}
	scores, err := snn.Scores(out, m.Temporal())
	if err != nil {
		return nil, err
	}
	pred, err := tensor.ArgMaxRows(scores)
	if err != nil {
		return nil, err
	}
	classes := dataset.ClassNames()
	var panels []viz.RasterPanel
	layers := m.Layers()
	spikes := m.Spikes()
	for img := 0; img < n; img++ {
		for l, s := range spikes {
			shape := s.Shape() // [T, n, ...]
			T, per := shape[0], s.Len()/(shape[0]*shape[1])
			data := make([]float32, T*per)
			for t := 0; t < T; t++ {
				copy(data[t*per:(t+1)*per], s.Data()[(t*n+img)*per:(t*n+img+1)*per])
			}
			p := viz.RasterPanel{
				Title: fmt.Sprintf("%s, image %d, %s", layers[l], img, classes[y[img]]),
				Steps: T, Neurons: per, Spikes: data,
			}
			if l == len(spikes)-1 && per == len(classes) { // the output layer: one neuron per class
				p.NeuronLabels, p.Marked, p.Mark, p.MarkName = classes, true, pred[img], "predicted class"
				verdict := "wrong"
				if pred[img] == y[img] {
					verdict = "right"
				}
				p.Note = fmt.Sprintf("predicted %s, label %s (%s)", classes[pred[img]], classes[y[img]], verdict)
				if scores.Data()[img*per+pred[img]] == 0 {
					p.Note = fmt.Sprintf("no output spikes: predicted %s (first of a tie), label %s", classes[pred[img]], classes[y[img]])
				}
			}
			panels = append(panels, p)
		}
	}
	return panels, nil
}

// writeFile writes what fn produces to path atomically.
func writeFile(path string, fn func(io.Writer) error) error {
	return rundir.WriteFile(path, fn)
}
