package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/internal/benchrun"
)

// runBench is "spikego bench [flags]"; with benchrun.WorkerFlag first it
// is one of the harness' measurements instead (hidden from the usage).
func runBench(args []string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(args) > 0 && args[0] == benchrun.WorkerFlag {
		return benchrun.WorkerMain(ctx, args[1:], stdout)
	}
	fs := newFlagSet("bench")
	models := fs.String("models", strings.Join(benchrun.Models(), ","), "comma-separated `models` to measure: mlp, cnn")
	runs := fs.Int("runs", benchrun.DefaultRuns, "`number` of runs of each program and setting")
	samples := fs.String("train-samples", "", "training images per run: `n` for every model, or per model as mlp=N,cnn=M (default: mlp 60000, cnn 10000)")
	data := fs.String("data", "", "Fashion-MNIST IDX `dir` for both programs; default "+dataset.DefaultDir+" if present, else the embedded sample; 'sample' forces the sample")
	skipPeer := fs.Bool("skip-peer", false, "measure spikego only")
	python := fs.String("python", "", "Python `interpreter` of the peer (default: /usr/bin/python3, else python3 on PATH, the first that imports torch)")
	peer := fs.String("peer", "", "the peer `script` (default: "+benchrun.PeerScript+" in the source tree around the working directory)")
	threads := fs.Int("peer-threads", benchrun.DefaultPeerThreads, "torch `threads` of the peer")
	out := fs.String("out", "", "also write results.json and table.md (Markdown) into this `dir`, replacing earlier ones")
	usage := flagUsage(fs, []string{"bench [-models mlp,cnn] [-runs N] [-train-samples N|mlp=N,cnn=M] [-skip-peer] [-out DIR] [flags]"},
		`Bench measures spikego beside the PyTorch peer of its reference models
(`+benchrun.PeerScript+`) on the same data: training and inference samples
per second after warm-up and over the whole run, peak RSS, test accuracy
and process wall time, each the median (and range) of several runs in
processes of their own, with the ratios of spikego to the better of the
peer's two settings (OMP_WAIT_POLICY=PASSIVE and the default). It prints
one Markdown table with the date, commit, CPU and load average.

Without Python and torch (or outside spikego's source tree, without
-peer) it measures spikego alone and says so. The default run takes about
9 minutes on 2 quiet cores; -models mlp -runs 1 -train-samples 10000 gives
a rough figure in about a minute. See bench/README.md for the definitions.`)
	if err := parseFlags(fs, args, usage); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{err: fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " ")), usage: usage}
	}
	o := benchrun.Options{Runs: *runs, Data: *data, SkipPeer: *skipPeer, Python: *python, PeerScript: *peer, PeerThreads: *threads, Log: stderr}
	for _, m := range strings.Split(*models, ",") {
		if m = strings.TrimSpace(m); m != "" {
			o.Models = append(o.Models, m)
		}
	}
	var err error
	if o.TrainSamples, err = parseTrainSamples(*samples, o.Models); err != nil {
		return &usageError{err: err, usage: usage}
	}
	switch {
	case *runs < 1:
		return &usageError{err: fmt.Errorf("--runs must be at least 1, got %d", *runs), usage: usage}
	case *threads < 1:
		return &usageError{err: fmt.Errorf("--peer-threads must be at least 1, got %d", *threads), usage: usage}
	case len(o.Models) == 0:
		return &usageError{err: fmt.Errorf("--models: no model given"), usage: usage}
	}
	for _, m := range o.Models {
		if _, err := benchrun.ProtocolOf(m); err != nil {
			return &usageError{err: fmt.Errorf("--models: unknown model %q: want mlp or cnn", m), usage: usage}
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench: finding the spikego binary to run: %w", err)
	}
	o.Worker = []string{exe, "bench", benchrun.WorkerFlag}
	rep, err := benchrun.Run(ctx, o)
	if err != nil {
		return err
	}
	io.WriteString(stdout, rep.Markdown())
	if *out != "" {
		paths, err := rep.WriteFiles(*out)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nwrote %s\n", strings.Join(paths, ", "))
	}
	return nil
}

// parseTrainSamples reads -train-samples: "" (the defaults), one number
// for every model, or model=n pairs separated by commas.
func parseTrainSamples(s string, models []string) (map[string]int, error) {
	out := map[string]int{}
	s = strings.TrimSpace(s)
	if s == "" {
		return out, nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 {
			return nil, fmt.Errorf("--train-samples must be at least 1, got %d", n)
		}
		for _, m := range models {
			out[m] = n
		}
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		m, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("--train-samples: %q is neither a number nor model=n", part)
		}
		if _, err := benchrun.ProtocolOf(m); err != nil {
			return nil, fmt.Errorf("--train-samples: unknown model %q: want mlp or cnn", m)
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("--train-samples: %s=%s: want a whole number of at least 1", m, v)
		}
		out[m] = n
	}
	return out, nil
}
