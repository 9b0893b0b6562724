package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/spikego/spikego/arch"
	"github.com/spikego/spikego/train"
)

// runEval is "spikego eval -checkpoint PATH [flags]".
func runEval(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval")
	ckpt := fs.String("checkpoint", defaultOut, "checkpoint `file`, or a train output directory holding one")
	data := fs.String("data", "", "Fashion-MNIST IDX `dir` (default as in train; 'sample' forces the embedded sample)")
	batch := fs.Int("batch", 0, "batch `size` (default: the one trained with, or the model's)")
	limit := fs.Int("test-samples", 0, "evaluate only the first `n` test samples (0: all)")
	var cfg train.Config
	fs.StringVar(&cfg.Model, "model", "", "load `file` as a plain PyTorch state_dict of this model (mlp or cnn), ignoring any spikego metadata")
	fs.StringVar(&cfg.Arch, "arch", "", "load `file` as a plain state_dict of the network this spec describes (see spikego train -arch)")
	fs.StringVar(&cfg.Node, "node", "", "with -model: the neuron `kind` (default LIFNode)")
	fs.StringVar(&cfg.Surrogate, "surrogate", "", "with -model: the surrogate `function` (default: the node's)")
	fs.IntVar(&cfg.T, "T", 0, "with -model: time `steps` (default: the model's)")
	usage := flagUsage(fs, []string{"eval [-checkpoint FILE|DIR] [-data DIR] [-batch N]", "eval -checkpoint FILE -model mlp|cnn [-T N] [-node KIND] [-surrogate NAME]", "eval -checkpoint FILE -arch SPEC [-T N]"},
		`Eval reports a model's accuracy on the test set. It loads a checkpoint
written by 'spikego train' (which records the model), or, with -model, a
plain state_dict saved by PyTorch for the equivalent torch.nn.Sequential
(safetensors.torch.save_file(model.state_dict(), FILE)).

A checkpoint holding NaN or infinite values is refused.`)
	if err := parseFlags(fs, args, usage); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{err: fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " ")), usage: usage}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case *batch < 0 || (set["batch"] && *batch == 0):
		return &usageError{err: fmt.Errorf("--batch must be at least 1, got %d", *batch), usage: usage}
	case *limit < 0:
		return &usageError{err: fmt.Errorf("--test-samples must not be negative, got %d", *limit), usage: usage}
	case cfg.T < 0 || (set["T"] && cfg.T == 0):
		return &usageError{err: fmt.Errorf("--T must be at least 1, got %d", cfg.T), usage: usage}
	case cfg.Model != "" && cfg.Arch != "":
		return &usageError{err: errors.New("--model and --arch both describe the network: give one"), usage: usage}
	case cfg.Model == "" && cfg.Arch == "" && (set["node"] || set["surrogate"] || set["T"]):
		return &usageError{err: errors.New("--node, --surrogate and --T describe a plain state_dict's model: give --model or --arch too (a spikego checkpoint records them)"), usage: usage}
	}
	if _, err := os.Stat(*ckpt); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	var c *train.Checkpoint
	var err error
	plain := cfg.Model != "" || cfg.Arch != ""
	if plain {
		cfg.Batch = *batch
		if cfg, err = cfg.WithDefaults(); err != nil {
			return &usageError{err: err, usage: usage}
		}
		c, err = train.LoadWeights(*ckpt, cfg)
		var archErr *arch.Error
		if errors.As(err, &archErr) {
			return &usageError{err: err, usage: usage}
		}
	} else {
		c, err = train.LoadCheckpoint(*ckpt)
	}
	if err != nil {
		return err
	}
	d, err := loadData(*data, false)
	if err != nil {
		return err
	}
	testSet := d.Test
	if *limit > 0 && *limit < testSet.N {
		testSet = testSet.Subset(*limit)
	}
	if want := c.Model.InputShape(); testSet.ImageSize() != product(want) {
		return fmt.Errorf("%s holds %dx%d images; model %s needs 28x28", testSet.Name, testSet.Rows, testSet.Cols, modelName(c.Config))
	}
	b := *batch
	if b == 0 {
		b = c.Config.Batch
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	acc, rate, err := train.Evaluate(ctx, c.Model, testSet, b, nil)
	if errors.Is(err, train.ErrInterrupted) {
		fmt.Fprintln(stdout, "interrupted")
		return nil
	}
	if err != nil {
		return err
	}
	trained := fmt.Sprintf("%d epoch(s)", c.Epoch)
	if plain {
		trained = "state_dict"
	}
	fmt.Fprintf(stdout, "%s (%s, T=%d, %s) on %s: test accuracy %.2f%% (%d images, %.0f samples/s)\n",
		*ckpt, modelName(c.Config), c.Config.T, trained, testSet.Name, 100*acc, testSet.N, rate)
	return nil
}

func product(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
