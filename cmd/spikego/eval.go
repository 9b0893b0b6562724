package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/train"
)

// runEval is "spikego eval -checkpoint PATH [flags]".
func runEval(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval")
	ckpt := fs.String("checkpoint", "run", "checkpoint `file`, or a train output directory holding one")
	data := fs.String("data", "", "Fashion-MNIST IDX `dir` (default as in train; 'sample' forces the embedded sample)")
	batch := fs.Int("batch", 0, "batch `size` (default: the one trained with)")
	limit := fs.Int("test-samples", 0, "evaluate only the first `n` test samples (0: all)")
	usage := flagUsage(fs, []string{"eval [-checkpoint FILE|DIR] [-data DIR] [-batch N]"},
		"Eval loads a checkpoint written by 'spikego train' and reports its accuracy on the test set.")
	if err := parseFlags(fs, args, usage); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{err: fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " ")), usage: usage}
	}
	c, err := train.LoadCheckpoint(*ckpt)
	if err != nil {
		return err
	}
	d, err := loadData(*data)
	if err != nil {
		return err
	}
	set := d.Test
	if *limit > 0 && *limit < set.N {
		set = set.Subset(*limit)
	}
	b := *batch
	if b == 0 {
		b = c.Config.Batch
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	acc, rate, err := train.Evaluate(ctx, c.Model, set, b, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s (%s, T=%d, %d epoch(s)) on %s: test accuracy %.2f%% (%d images, %.0f samples/s)\n",
		*ckpt, c.Config.Model, c.Config.T, c.Epoch, dataName(set), 100*acc, set.N, rate)
	return nil
}

func dataName(s *dataset.Set) string { return s.Name }
