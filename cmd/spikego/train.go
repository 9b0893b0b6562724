package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/models"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/surrogate"
	"github.com/spikego/spikego/tensor"
	"github.com/spikego/spikego/train"
	"github.com/spikego/spikego/viz"
)

// runTrain is "spikego train [flags]".
func runTrain(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("train")
	var cfg train.Config
	var lr float64
	fs.StringVar(&cfg.Model, "model", "mlp", "reference `model`: mlp or cnn")
	fs.StringVar(&cfg.Node, "node", "LIFNode", "neuron `kind`: IFNode, LIFNode, LIFSTDPNode or PLIFNode")
	fs.StringVar(&cfg.Surrogate, "surrogate", "", "surrogate spike `function` by BrainCog's name (default: the node's, QGateGrad for LIFNode); one of "+strings.Join(surrogate.Names(), ", "))
	fs.IntVar(&cfg.T, "T", 0, "time `steps` (default: the model's, mlp 8, cnn 4)")
	fs.IntVar(&cfg.Epochs, "epochs", 1, "`number` of epochs")
	fs.IntVar(&cfg.Batch, "batch", 0, "batch `size` (default: the model's, mlp 128, cnn 64)")
	fs.Float64Var(&lr, "lr", 1e-3, "learning `rate`")
	fs.StringVar(&cfg.Optimizer, "optimizer", "adam", "`optimizer`: adam, adamw or sgd")
	fs.StringVar(&cfg.Schedule, "schedule", "", "learning-rate `schedule`: none, cosine or step")
	fs.IntVar(&cfg.TrainSamples, "train-samples", 0, "use only the first `n` training samples (shuffled) per epoch (0: all)")
	fs.IntVar(&cfg.TestSamples, "test-samples", 0, "evaluate only the first `n` test samples (0: all)")
	seed := fs.Uint64("seed", 0, "random `seed` for initialisation and shuffling")
	data := fs.String("data", "", "Fashion-MNIST IDX `dir`; default "+dataset.DefaultDir+" if present, else the embedded sample; 'sample' forces the sample")
	fs.StringVar(&cfg.OutDir, "out", "run", "output `dir` for metrics.jsonl, checkpoints and figures")
	fs.BoolVar(&cfg.Resume, "resume", false, "continue from the checkpoint in -out")
	quiet := fs.Bool("quiet", false, "no progress bar, only the epoch summaries")
	usage := flagUsage(fs, []string{"train [-model mlp|cnn] [-epochs N] [-data DIR] [-out DIR] [flags]"},
		`Train trains a spiking network by backpropagation through time on
Fashion-MNIST and evaluates it on the test set after every epoch. Each
epoch's summary is printed and appended to DIR/metrics.jsonl; the model
is saved to DIR/checkpoint.safetensors (PyTorch state_dict names), with
learning curves (curves.png) and a spike raster (raster.png). Ctrl-C
stops cleanly after saving; -resume continues.

With only -model given, every setting is the reference model's
(docs/BENCHMARK.md): T, batch size, Adam with learning rate 1e-3.`)
	if err := parseFlags(fs, args, usage); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{err: fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " ")), usage: usage}
	}
	// Zero means "the model's default" inside train.Config; on the command
	// line these flags have explicit defaults, so zero is a mistake.
	switch {
	case cfg.Epochs < 1:
		return &usageError{err: fmt.Errorf("-epochs must be at least 1, got %d", cfg.Epochs), usage: usage}
	case !(lr > 0):
		return &usageError{err: fmt.Errorf("-lr must be positive, got %v", lr), usage: usage}
	case cfg.T < 0 || cfg.Batch < 0:
		return &usageError{err: fmt.Errorf("-T and -batch must be positive"), usage: usage}
	}
	cfg.Seed = *seed
	cfg.LR = float32(lr)
	if cfg.Schedule == "none" {
		cfg.Schedule = ""
	}
	cfg, err := cfg.WithDefaults()
	if err != nil {
		return &usageError{err: err, usage: usage}
	}
	d, err := loadData(*data)
	if err != nil {
		return err
	}
	tr, err := train.New(cfg, d)
	if err != nil {
		return err
	}
	cfg = tr.Config()
	fmt.Fprintf(stdout, "spikego train: model %s, %s with %s, T=%d, batch %d, %s lr %g, %d epoch(s)\n",
		cfg.Model, cfg.Node, surrogateName(cfg), cfg.T, cfg.Batch, cfg.Optimizer, cfg.LR, cfg.Epochs)
	fmt.Fprintf(stdout, "data: %s: %d training, %d test images\n", d.Train.Name, min(d.Train.N, nonZero(cfg.TrainSamples, d.Train.N)), min(d.Test.N, nonZero(cfg.TestSamples, d.Test.N)))
	if cfg.Resume {
		fmt.Fprintf(stdout, "resuming from %s after %d completed epoch(s)\n", filepath.Join(cfg.OutDir, train.CheckpointFile), tr.Epoch())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	bar := newProgressBar(stderr, *quiet)
	start := time.Now()
	err = tr.Run(ctx, bar.update, func(m train.EpochMetrics) {
		bar.clear()
		fmt.Fprintf(stdout, "epoch %d/%d: train loss %.4f, train acc %.2f%%, test acc %.2f%%, %.0f train samples/s, %.0f test samples/s, %.1fs; firing rates %s\n",
			m.Epoch, cfg.Epochs, m.TrainLoss, 100*m.TrainAcc, 100*m.TestAcc, m.TrainSamplesPerS, m.TestSamplesPerS, m.WallS, formatRates(tr.Model().Layers(), m.FiringRates))
	})
	bar.clear()
	if errors.Is(err, train.ErrInterrupted) {
		fmt.Fprintf(stdout, "interrupted after %s; state saved in %s (continue with -resume)\n", time.Since(start).Round(time.Second), cfg.OutDir)
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "done in %s: checkpoint %s, metrics %s\n", time.Since(start).Round(100*time.Millisecond),
		filepath.Join(cfg.OutDir, train.CheckpointFile), filepath.Join(cfg.OutDir, train.MetricsFile))
	return writeFigures(stdout, cfg.OutDir, tr, d)
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

// loadData opens the training and test sets: an explicit directory, the
// embedded sample ("sample"), or the default (the Debian package's files,
// else the sample).
func loadData(dir string) (train.Data, error) {
	var d train.Data
	var err error
	open := dataset.Open
	if dir == "sample" {
		open = func(_ string, s dataset.Split) (*dataset.Set, error) { return dataset.Sample(s) }
	} else if dir != "" {
		open = dataset.Load
	}
	if d.Train, err = open(dir, dataset.Train); err != nil {
		return d, err
	}
	if d.Test, err = open(dir, dataset.Test); err != nil {
		return d, err
	}
	return d, nil
}

// writeFigures draws the learning curves from metrics.jsonl and a spike
// raster of a few test images into the output directory.
func writeFigures(stdout io.Writer, dir string, tr *train.Trainer, d train.Data) error {
	ms, err := train.ReadMetrics(dir)
	if err != nil {
		return err
	}
	points := make([]viz.EpochPoint, len(ms))
	for i, m := range ms {
		points[i] = viz.EpochPoint{Epoch: m.Epoch, TrainLoss: m.TrainLoss, TrainAcc: m.TrainAcc, TestAcc: m.TestAcc}
	}
	curves := filepath.Join(dir, "curves.png")
	if err := writeFile(curves, func(w io.Writer) error { return viz.LearningCurves(w, points, 0, 0) }); err != nil {
		return err
	}
	panels, err := rasterPanels(tr.Model(), d.Test, 3)
	if err != nil {
		return err
	}
	raster := filepath.Join(dir, "raster.png")
	if err := writeFile(raster, func(w io.Writer) error {
		return viz.SpikeRaster(w, "Spikes of the first test images", panels, len(tr.Model().Layers()), 0, 0)
	}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "figures: %s, %s\n", curves, raster)
	return nil
}

// rasterPanels runs the model on the first n test images and returns one
// raster panel per image and spiking layer.
func rasterPanels(m models.Model, test *dataset.Set, n int) ([]viz.RasterPanel, error) {
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
	m.SetTraining(false)
	defer m.SetTraining(true)
	if err := autograd.NoGrad(func() error {
		_, err := m.Forward(autograd.Const(xt))
		return err
	}, nn.ParamVars(m)...); err != nil {
		return nil, err
	}
	var panels []viz.RasterPanel
	layers := m.Layers()
	for img := 0; img < n; img++ {
		for l, s := range m.Spikes() {
			shape := s.Shape() // [T, n, ...]
			T, per := shape[0], s.Len()/(shape[0]*shape[1])
			data := make([]float32, T*per)
			for t := 0; t < T; t++ {
				copy(data[t*per:(t+1)*per], s.Data()[(t*n+img)*per:(t*n+img+1)*per])
			}
			panels = append(panels, viz.RasterPanel{
				Title: fmt.Sprintf("%s, image %d, %s", layers[l], img, dataset.ClassNames[y[img]]),
				Steps: T, Neurons: per, Spikes: data,
			})
		}
	}
	return panels, nil
}

// writeFile writes what fn produces to path atomically.
func writeFile(path string, fn func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := fn(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
