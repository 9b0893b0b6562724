package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/internal/rundir"
	"github.com/spikego/spikego/safetensors"
	"github.com/spikego/spikego/stdp"
	"github.com/spikego/spikego/tensor"
	"github.com/spikego/spikego/train"
	"github.com/spikego/spikego/viz"
)

// stdpConfig is the configuration of "spikego stdp": the network's
// settings and the schedule of the two phases.
type stdpConfig struct {
	Channels, Neurons, T1, T2, Batch int
	P1Epochs, P1Samples              int
	P2Epochs, P2Samples              int
	Seed                             uint64
}

// stdpDefaults returns the settings of BrainCog's example, except the
// number of phase-2 epochs (the example loops over 1000 and keeps the
// best).
func stdpDefaults() stdpConfig {
	return stdpConfig{Channels: 12, Neurons: 6400, T1: 100, T2: 200, Batch: 1024, P1Epochs: 3, P2Epochs: 50}
}

// stdpSmall returns the configuration used when no flag is given and only
// the embedded sample is available: it runs in about a minute.
func stdpSmall() stdpConfig {
	return stdpConfig{Channels: 12, Neurons: 400, T1: 50, T2: 100, Batch: 256, P1Epochs: 1, P1Samples: 2048, P2Epochs: 3}
}

const (
	stdpCheckpointFile = "checkpoint.safetensors"
	stdpFormat         = "spikego-stdp-checkpoint-1"
)

// runSTDP is "spikego stdp [flags]".
func runSTDP(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("stdp")
	cfg := stdpDefaults()
	data := fs.String("data", "", "Fashion-MNIST IDX `dir`; default "+dataset.DefaultDir+" if present, else the embedded sample with a small configuration; 'sample' forces the sample")
	out := fs.String("out", "stdp-run", "output `dir` for metrics.jsonl, the checkpoint and the figures")
	quiet := fs.Bool("quiet", false, "no progress bar, only the epoch summaries")
	resume := fs.Bool("resume", false, "continue from the checkpoint in -out")
	fs.IntVar(&cfg.Channels, "channels", cfg.Channels, "convolution `channels`")
	fs.IntVar(&cfg.Neurons, "neurons", cfg.Neurons, "linear `neurons`")
	fs.IntVar(&cfg.T1, "t1", cfg.T1, "time `steps` of phase 1 (convolution)")
	fs.IntVar(&cfg.T2, "t2", cfg.T2, "time `steps` of phase 2 (linear layer) and of the test")
	fs.IntVar(&cfg.Batch, "batch", cfg.Batch, "batch `size` (training and test)")
	fs.IntVar(&cfg.P1Epochs, "p1-epochs", cfg.P1Epochs, "`epochs` of phase 1")
	fs.IntVar(&cfg.P1Samples, "p1-samples", cfg.P1Samples, "use the first `n` samples of each phase-1 epoch's shuffled order (0: all)")
	fs.IntVar(&cfg.P2Epochs, "p2-epochs", cfg.P2Epochs, "`epochs` of phase 2 (the example runs up to 1000)")
	fs.IntVar(&cfg.P2Samples, "p2-samples", cfg.P2Samples, "use the first `n` samples of each phase-2 epoch's shuffled order (0: all)")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "random `seed` for the weights, the WTA draws and the data order")
	usage := flagUsage(fs, []string{"stdp [-data DIR] [-out DIR] [flags]"},
		`Stdp trains BrainCog's unsupervised STDP network (codef.py of its
UnsupervisedSTDP example) on Fashion-MNIST without labels: phase 1 learns
the convolution (12 channels, winner-take-all and lateral inhibition,
T1 steps), phase 2 the linear layer (6400 neurons, T2 steps); a voting
readout then labels the neurons. After every epoch it prints a summary,
appends it to DIR/metrics.jsonl and saves DIR/checkpoint.safetensors;
phase-2 epochs measure the test accuracy and draw DIR/filters.png,
receptive_fields.png, confusion.png and labels.png. Ctrl-C stops after the
current batch and saves; -resume continues.

With no flag and no Fashion-MNIST installed, it runs a small configuration
on the embedded sample.`)
	if err := parseFlags(fs, args, usage); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{err: fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " ")), usage: usage}
	}
	for _, v := range []struct {
		name string
		v    int
		min  int
	}{{"channels", cfg.Channels, 1}, {"neurons", cfg.Neurons, 1}, {"t1", cfg.T1, 1}, {"t2", cfg.T2, 1}, {"batch", cfg.Batch, 1},
		{"p1-epochs", cfg.P1Epochs, 0}, {"p2-epochs", cfg.P2Epochs, 0}, {"p1-samples", cfg.P1Samples, 0}, {"p2-samples", cfg.P2Samples, 0}} {
		if v.v < v.min {
			return &usageError{err: fmt.Errorf("-%s must be at least %d, got %d", v.name, v.min, v.v), usage: usage}
		}
	}
	d, err := loadData(*data, true)
	if err != nil {
		return err
	}
	if d.Train.Rows%2 != 0 || d.Train.Cols%2 != 0 {
		return fmt.Errorf("stdp: images of %d×%d pixels: the network pools 2×2", d.Train.Rows, d.Train.Cols)
	}
	// Without Fashion-MNIST and without a size or schedule flag, run the
	// small configuration on the embedded sample.
	sized := false
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "data", "out", "quiet", "resume", "seed":
		default:
			sized = true
		}
	})
	if useSmallSTDP(*data, d.Train.Name, sized) {
		seed := cfg.Seed
		cfg = stdpSmall()
		cfg.Seed = seed
		fmt.Fprintf(stdout, "spikego stdp: Fashion-MNIST is not installed (%s); running a small configuration on the embedded sample\n", dataset.DefaultDir)
	}
	r, err := newSTDPRun(cfg, d, *out, stdout, stderr, *quiet)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("stdp: %w", err)
	}
	if r.dir, err = rundir.Open(*out); err != nil {
		return fmt.Errorf("stdp: %w", err)
	}
	defer r.dir.Close()
	if *resume {
		if err := r.restore(); err != nil {
			return err
		}
	} else if _, err := os.Stat(r.dir.Join(stdpCheckpointFile)); err == nil {
		return fmt.Errorf("stdp: %s already holds a run; continue it with -resume or choose another -out", *out)
	}
	return r.run()
}

// useSmallSTDP reports whether spikego stdp runs its small configuration:
// when no -data was given, Fashion-MNIST was not found (the set is the
// embedded sample) and no size or schedule flag was given.
func useSmallSTDP(dataFlag, setName string, sized bool) bool {
	return dataFlag == "" && strings.HasPrefix(setName, "embedded sample") && !sized
}

// stdpRun is one training run of "spikego stdp" and its position.
type stdpRun struct {
	cfg            stdpConfig
	data           train.Data
	path           string
	dir            *rundir.Dir // locked while the run holds it
	stdout, stderr io.Writer
	bar            *stdpBar
	net            *stdp.Network

	// Position: phase (1 or 2), completed epochs of that phase, batches
	// done in the current epoch.
	phase, epoch, batch int
	// The partial epoch: seconds, samples, spike sums, and in phase 2 the
	// training spikes and labels for the training accuracy.
	part partialEpoch
	// history holds the metrics lines of the completed epochs; the
	// checkpoint carries them and metrics.jsonl is rewritten from them.
	history []json.RawMessage
	// Phase-2 training spikes of the epoch, sparse.
	trainSpikes []stdp.Spike
	trainOff    []int
	trainLabels []int
}

type partialEpoch struct {
	Seconds    float64 `json:"seconds"`
	CPU        float64 `json:"cpu_seconds"`
	Samples    int     `json:"samples"`
	ConvSpikes float64 `json:"conv_spikes"`
	ConvSeen   float64 `json:"conv_seen"`
	LinSpikes  float64 `json:"lin_spikes"`
	LinSeen    float64 `json:"lin_seen"`
}

func newSTDPRun(cfg stdpConfig, d train.Data, dir string, stdout, stderr io.Writer, quiet bool) (*stdpRun, error) {
	nc := stdp.DefaultNetworkConfig()
	nc.Channels, nc.Neurons, nc.T1, nc.T2, nc.Seed = cfg.Channels, cfg.Neurons, cfg.T1, cfg.T2, cfg.Seed
	nc.Height, nc.Width, nc.Labels = d.Train.Rows, d.Train.Cols, dataset.NumClasses
	net, err := stdp.NewNetwork(nc)
	if err != nil {
		return nil, err
	}
	return &stdpRun{cfg: cfg, data: d, path: dir, stdout: stdout, stderr: stderr, bar: newSTDPBar(stderr, quiet),
		net: net, phase: 1, trainOff: []int{0}}, nil
}

func (r *stdpRun) run() error {
	c := r.cfg
	fmt.Fprintf(r.stdout, "spikego stdp: conv %d channels (T1=%d), linear %d neurons (T2=%d), batch %d; phase 1: %d epoch(s)%s, phase 2: %d epoch(s)%s\n",
		c.Channels, c.T1, c.Neurons, c.T2, c.Batch, c.P1Epochs, samplesNote(c.P1Samples), c.P2Epochs, samplesNote(c.P2Samples))
	fmt.Fprintf(r.stdout, "data: %s: %d training, %d test images\n", r.data.Train.Name, r.data.Train.N, r.data.Test.N)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	for {
		epochs := c.P1Epochs
		if r.phase == 2 {
			epochs = c.P2Epochs
		}
		if r.epoch >= epochs {
			if r.phase == 2 {
				break
			}
			r.phase, r.epoch, r.batch = 2, 0, 0
			continue
		}
		done, err := r.runEpoch(ctx)
		if err != nil {
			return err
		}
		if !done {
			r.bar.clear()
			if err := r.save(); err != nil {
				return err
			}
			fmt.Fprintf(r.stdout, "interrupted after %s; state saved in %s (continue with -resume)\n", time.Since(start).Round(time.Second), r.path)
			return nil
		}
	}
	fmt.Fprintf(r.stdout, "done in %s: checkpoint %s, metrics %s\n", time.Since(start).Round(100*time.Millisecond),
		r.dir.Join(stdpCheckpointFile), r.dir.Join(train.MetricsFile))
	return nil
}

func samplesNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" of %d samples", n)
}

// order returns the epoch's training order: a permutation drawn from the
// seed, the phase and the epoch, cut to the phase's sample budget.
func (r *stdpRun) order() []int {
	n := r.data.Train.N
	perm := dataset.Perm(n, r.cfg.Seed+uint64(r.phase)<<32+uint64(r.epoch))
	limit := r.cfg.P1Samples
	if r.phase == 2 {
		limit = r.cfg.P2Samples
	}
	if limit > 0 && limit < n {
		perm = perm[:limit]
	}
	return perm
}

// runEpoch runs the rest of the current epoch; it returns false when
// interrupted (after a whole batch).
func (r *stdpRun) runEpoch(ctx context.Context) (bool, error) {
	c := r.cfg
	perm := r.order()
	ld := dataset.NewLoader(r.data.Train, c.Batch, perm)
	batches := ld.Len()
	epochs := c.P1Epochs
	if r.phase == 2 {
		epochs = c.P2Epochs
	}
	for i := 0; i < r.batch; i++ {
		ld.Next() // batches done before an interruption
	}
	net := r.net
	for r.batch < batches {
		if ctx.Err() != nil {
			return false, nil
		}
		x, y, _ := ld.Next()
		t0, c0 := time.Now(), cpuSeconds()
		B := len(y)
		if r.phase == 1 {
			counts, err := net.Phase1Step(x)
			if err != nil {
				return false, fmt.Errorf("stdp: phase 1, epoch %d, batch %d: %w", r.epoch+1, r.batch+1, err)
			}
			r.part.ConvSpikes += sum32(counts.Data())
			r.part.ConvSeen += float64(counts.Len()) * float64(c.T1)
		} else {
			sp, err := net.Phase2Step(x)
			if err != nil {
				return false, fmt.Errorf("stdp: phase 2, epoch %d, batch %d: %w", r.epoch+1, r.batch+1, err)
			}
			if err := net.Voting.Add(sp, y); err != nil {
				return false, err
			}
			for b := 0; b < B; b++ {
				r.trainSpikes = append(r.trainSpikes, sp.Sample(b)...)
				r.trainOff = append(r.trainOff, len(r.trainSpikes))
				r.part.LinSpikes += float64(sp.Total(b))
			}
			r.trainLabels = append(r.trainLabels, y...)
			r.part.LinSeen += float64(B) * float64(c.Neurons) * float64(c.T2)
		}
		r.part.Seconds += time.Since(t0).Seconds()
		r.part.CPU += cpuSeconds() - c0
		r.part.Samples += B
		r.batch++
		rate := float64(r.part.Samples) / r.part.Seconds
		r.bar.update(r.phase, r.epoch+1, epochs, r.batch, batches, rate, time.Duration(float64(len(perm)-r.part.Samples)/rate*float64(time.Second)))
	}
	r.bar.clear()
	return true, r.endEpoch()
}

func sum32(d []float32) float64 {
	var s float64
	for _, v := range d {
		s += float64(v)
	}
	return s
}

// stdpMetrics is one line of metrics.jsonl.
type stdpMetrics struct {
	Phase            int       `json:"phase"`
	Epoch            int       `json:"epoch"`
	TrainSamples     int       `json:"train_samples"`
	TrainSamplesPerS float64   `json:"train_samples_per_s"`
	TrainCPUS        float64   `json:"train_cpu_s"`
	WallS            float64   `json:"wall_s"`
	PeakRSSMB        float64   `json:"peak_rss_mb"`
	ConvFiringRate   float64   `json:"conv_firing_rate"`
	LinFiringRate    *float64  `json:"linear_firing_rate,omitempty"`
	TrainAcc         *float64  `json:"train_acc,omitempty"`
	TestAcc          *float64  `json:"test_acc,omitempty"`
	TestSamplesPerS  float64   `json:"test_samples_per_s,omitempty"`
	NeuronsPerLabel  []int     `json:"neurons_per_label,omitempty"`
	SilentNeurons    *int      `json:"silent_neurons,omitempty"`
	ThresholdMean    float64   `json:"threshold_mean,omitempty"`
	ThresholdMax     float64   `json:"threshold_max,omitempty"`
	Confusion        [][]int   `json:"confusion,omitempty"`
	FiringRates      []float64 `json:"firing_rates"`
}

// endEpoch finishes the epoch: in phase 2 the voting, the training and
// test accuracies; then the checkpoint, the metrics line and the figures.
func (r *stdpRun) endEpoch() error {
	c := r.cfg
	p := r.part
	m := stdpMetrics{Phase: r.phase, Epoch: r.epoch + 1, TrainSamples: p.Samples, WallS: p.Seconds, TrainCPUS: p.CPU}
	if p.Seconds > 0 {
		m.TrainSamplesPerS = float64(p.Samples) / p.Seconds
	}
	if p.ConvSeen > 0 {
		m.ConvFiringRate = p.ConvSpikes / p.ConvSeen
	}
	m.FiringRates = []float64{m.ConvFiringRate}
	if r.phase == 2 {
		lin := p.LinSpikes / p.LinSeen
		m.LinFiringRate = &lin
		m.FiringRates = append(m.FiringRates, lin)
		v := r.net.Voting
		v.Assign()
		trainAcc, err := r.trainAccuracy()
		if err != nil {
			return err
		}
		t0 := time.Now()
		testAcc, conf, convRate, err := r.test()
		if err != nil {
			return err
		}
		testS := time.Since(t0).Seconds()
		m.WallS += testS
		m.TestSamplesPerS = float64(r.data.Test.N) / testS
		m.TrainAcc, m.TestAcc, m.Confusion = &trainAcc, &testAcc, conf
		m.ConvFiringRate, m.FiringRates[0] = convRate, convRate
		m.NeuronsPerLabel = v.NeuronsPerLabel()
		silent := 0
		rates := v.Rates()
		L := v.NumLabels()
		for j := 0; j < v.Neurons(); j++ {
			if sum32(rates[j*L:(j+1)*L]) == 0 {
				silent++
			}
		}
		m.SilentNeurons = &silent
		thr := r.net.Linear.Threshold()
		m.ThresholdMean = sum32(thr) / float64(len(thr))
		for _, t := range thr {
			m.ThresholdMax = max(m.ThresholdMax, float64(t))
		}
	}
	m.PeakRSSMB = peakRSSMB()
	r.epoch++
	r.batch = 0
	r.part = partialEpoch{}
	r.trainSpikes, r.trainOff, r.trainLabels = r.trainSpikes[:0], r.trainOff[:1], r.trainLabels[:0]
	line, err := json.Marshal(m)
	if err != nil {
		return err
	}
	r.history = append(r.history, line)
	if err := r.save(); err != nil {
		return err
	}
	if err := r.writeMetrics(); err != nil {
		return err
	}
	r.printEpoch(m)
	if r.phase == 2 || c.P2Epochs == 0 {
		return r.figures(m)
	}
	return nil
}

func (r *stdpRun) printEpoch(m stdpMetrics) {
	epochs := r.cfg.P1Epochs
	if m.Phase == 2 {
		epochs = r.cfg.P2Epochs
	}
	fmt.Fprintf(r.stdout, "phase %d epoch %d/%d: %d samples, %.1f samples/s, %.1fs", m.Phase, m.Epoch, epochs, m.TrainSamples, m.TrainSamplesPerS, m.WallS)
	if m.Phase == 2 {
		fmt.Fprintf(r.stdout, ", train acc %.2f%%, test acc %.2f%%, firing rates conv %.4f linear %.5f, silent neurons %d, neurons per label %v",
			100**m.TrainAcc, 100**m.TestAcc, m.ConvFiringRate, *m.LinFiringRate, *m.SilentNeurons, m.NeuronsPerLabel)
	} else {
		fmt.Fprintf(r.stdout, ", conv firing rate %.4f", m.ConvFiringRate)
	}
	fmt.Fprintf(r.stdout, ", peak RSS %.0f MB\n", m.PeakRSSMB)
}

// trainAccuracy predicts the epoch's training spikes with the labels just
// assigned, as the example does.
func (r *stdpRun) trainAccuracy() (float64, error) {
	n := len(r.trainLabels)
	if n == 0 {
		return 0, nil
	}
	sp := stdp.SpikesFromLists(r.trainSpikes, r.trainOff)
	pred := make([]int, n)
	if err := r.net.Voting.Predict(sp, pred); err != nil {
		return 0, err
	}
	correct := 0
	for i, p := range pred {
		if p == r.trainLabels[i] {
			correct++
		}
	}
	return float64(correct) / float64(n), nil
}

// test runs the whole test set in order, in batches of the training batch
// size, and returns the accuracy, the confusion matrix [true][predicted]
// and the convolution's firing rate.
func (r *stdpRun) test() (float64, [][]int, float64, error) {
	ts := r.data.Test
	ld := dataset.NewLoader(ts, r.cfg.Batch, nil)
	L := r.net.Voting.NumLabels()
	conf := make([][]int, L)
	for i := range conf {
		conf[i] = make([]int, L)
	}
	correct, done := 0, 0
	var convSpikes, convSeen float64
	t0 := time.Now()
	for x, y, ok := ld.Next(); ok; x, y, ok = ld.Next() {
		sp, err := r.net.Infer(x)
		if err != nil {
			return 0, nil, 0, err
		}
		c := r.net.Conv.Counts()
		convSpikes += sum32(c.Data())
		convSeen += float64(c.Len()) * float64(r.cfg.T2)
		pred := make([]int, len(y))
		if err := r.net.Voting.Predict(sp, pred); err != nil {
			return 0, nil, 0, err
		}
		for i, p := range pred {
			conf[y[i]][p]++
			if p == y[i] {
				correct++
			}
		}
		done += len(y)
		rate := float64(done) / time.Since(t0).Seconds()
		r.bar.update(0, r.epoch+1, r.cfg.P2Epochs, done, ts.N, rate, time.Duration(float64(ts.N-done)/rate*float64(time.Second)))
	}
	r.bar.clear()
	return float64(correct) / float64(ts.N), conf, convSpikes / convSeen, nil
}

// --- checkpoints ----------------------------------------------------------

// save writes the checkpoint atomically and durably: the network, the
// voting state, the position, the metrics of the completed epochs and,
// inside an epoch, the partial epoch.
func (r *stdpRun) save() error {
	net := r.net
	c := r.cfg
	v := net.Voting
	labels := make([]float32, len(v.Labels()))
	for i, l := range v.Labels() {
		labels[i] = float32(l)
	}
	ts := []safetensors.Tensor{
		tensorOf("conv.weight", net.Conv.Weight().Value()),
		{Name: "conv.threshold", Shape: []int{c.Channels}, Data: net.Conv.Threshold()},
		tensorOf("linear.weight", net.Linear.Weight().Value()),
		{Name: "linear.threshold", Shape: []int{c.Neurons}, Data: net.Linear.Threshold()},
		{Name: "voting.rates", Shape: []int{c.Neurons, v.NumLabels()}, Data: v.Rates()},
		{Name: "voting.labels", Shape: []int{c.Neurons}, Data: labels},
	}
	meta := map[string]string{
		"format":        stdpFormat,
		"channels":      strconv.Itoa(c.Channels),
		"neurons":       strconv.Itoa(c.Neurons),
		"t1":            strconv.Itoa(c.T1),
		"t2":            strconv.Itoa(c.T2),
		"batch":         strconv.Itoa(c.Batch),
		"p1_samples":    strconv.Itoa(c.P1Samples),
		"p2_samples":    strconv.Itoa(c.P2Samples),
		"seed":          strconv.FormatUint(c.Seed, 10),
		"phase":         strconv.Itoa(r.phase),
		"epoch":         strconv.Itoa(r.epoch),
		"next_batch":    strconv.Itoa(r.batch),
		"threshold_set": strconv.FormatBool(net.Linear.ThresholdSet()),
		"conv_calls":    strconv.FormatUint(net.Conv.WTA().Calls(), 10),
		"linear_calls":  strconv.FormatUint(net.Linear.WTA().Calls(), 10),
	}
	hist, err := json.Marshal(r.history)
	if err != nil {
		return err
	}
	meta["metrics"] = string(hist)
	if r.batch > 0 {
		b, err := json.Marshal(r.part)
		if err != nil {
			return err
		}
		meta["partial_epoch"] = string(b)
		if r.phase == 2 {
			sums, counts := v.EpochSums()
			fs := make([]float32, len(sums))
			for i, s := range sums {
				fs[i] = float32(s)
			}
			neurons := make([]float32, len(r.trainSpikes))
			spikes := make([]float32, len(r.trainSpikes))
			for i, e := range r.trainSpikes {
				neurons[i], spikes[i] = float32(e.Neuron), e.Count
			}
			ts = append(ts,
				safetensors.Tensor{Name: "partial.voting_sums", Shape: []int{c.Neurons, v.NumLabels()}, Data: fs},
				safetensors.Tensor{Name: "partial.voting_samples", Shape: []int{len(counts)}, Data: intsToF32(counts)},
				safetensors.Tensor{Name: "partial.spike_offsets", Shape: []int{len(r.trainOff)}, Data: intsToF32(r.trainOff)},
				safetensors.Tensor{Name: "partial.spike_neurons", Shape: []int{len(neurons)}, Data: neurons},
				safetensors.Tensor{Name: "partial.spike_counts", Shape: []int{len(spikes)}, Data: spikes},
				safetensors.Tensor{Name: "partial.labels", Shape: []int{len(r.trainLabels)}, Data: intsToF32(r.trainLabels)},
			)
		}
	}
	if err := r.dir.WriteFile(stdpCheckpointFile, func(w io.Writer) error { return safetensors.Write(w, ts, meta) }); err != nil {
		return fmt.Errorf("stdp: save checkpoint: %w", err)
	}
	return nil
}

// writeMetrics rewrites metrics.jsonl from the history, atomically, so
// that it always agrees with the checkpoint written just before.
func (r *stdpRun) writeMetrics() error {
	return r.dir.WriteFile(train.MetricsFile, func(w io.Writer) error {
		for _, l := range r.history {
			if _, err := fmt.Fprintf(w, "%s\n", l); err != nil {
				return err
			}
		}
		return nil
	})
}

func tensorOf(name string, t *tensor.Tensor) safetensors.Tensor {
	return safetensors.Tensor{Name: name, Shape: t.Shape(), Data: t.Data()}
}

func intsToF32(v []int) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// restore loads the checkpoint of the run's directory; the network's
// settings, the batch size, the sample budgets and the seed must match
// (the numbers of epochs may grow). metrics.jsonl is rewritten from the
// checkpoint's history, so that a crash between the two files loses or
// duplicates no line.
func (r *stdpRun) restore() error {
	path := r.dir.Join(stdpCheckpointFile)
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return fmt.Errorf("stdp: resume: %w", err)
	}
	meta := f.Metadata
	if meta["format"] != stdpFormat {
		return fmt.Errorf("stdp: resume: %s is not a spikego stdp checkpoint", path)
	}
	c := r.cfg
	want := map[string]string{
		"channels": strconv.Itoa(c.Channels), "neurons": strconv.Itoa(c.Neurons), "t1": strconv.Itoa(c.T1), "t2": strconv.Itoa(c.T2),
		"batch": strconv.Itoa(c.Batch), "p1_samples": strconv.Itoa(c.P1Samples), "p2_samples": strconv.Itoa(c.P2Samples),
		"seed": strconv.FormatUint(c.Seed, 10),
	}
	for k, v := range want {
		if meta[k] != v {
			return fmt.Errorf("stdp: resume %s: the checkpoint has %s %s, this run %s (flags must match)", path, k, meta[k], v)
		}
	}
	ints := map[string]*int{"phase": &r.phase, "epoch": &r.epoch, "next_batch": &r.batch}
	for k, p := range ints {
		if *p, err = strconv.Atoi(meta[k]); err != nil {
			return fmt.Errorf("stdp: resume %s: metadata %s: %w", path, k, err)
		}
	}
	if r.phase != 1 && r.phase != 2 {
		return fmt.Errorf("stdp: resume %s: phase %d", path, r.phase)
	}
	net := r.net
	get := func(name string, n int) ([]float32, error) {
		t, ok := f.Get(name)
		if !ok {
			return nil, fmt.Errorf("stdp: resume %s: no tensor %q", path, name)
		}
		if n >= 0 && len(t.Data) != n {
			return nil, fmt.Errorf("stdp: resume %s: %q has %d values, want %d", path, name, len(t.Data), n)
		}
		return t.Data, nil
	}
	load := []struct {
		name string
		dst  []float32
	}{
		{"conv.weight", net.Conv.Weight().Value().Data()},
		{"linear.weight", net.Linear.Weight().Value().Data()},
	}
	for _, l := range load {
		d, err := get(l.name, len(l.dst))
		if err != nil {
			return err
		}
		copy(l.dst, d)
	}
	thr, err := get("linear.threshold", c.Neurons)
	if err != nil {
		return err
	}
	if meta["threshold_set"] == "true" {
		if err := net.Linear.SetThreshold(thr); err != nil {
			return fmt.Errorf("stdp: resume %s: %w", path, err)
		}
	}
	rates, err := get("voting.rates", -1)
	if err != nil {
		return err
	}
	lf, err := get("voting.labels", c.Neurons)
	if err != nil {
		return err
	}
	if err := net.Voting.SetState(rates, f32ToInts(lf)); err != nil {
		return fmt.Errorf("stdp: resume %s: %w", path, err)
	}
	for _, k := range []struct {
		key string
		set func(uint64)
	}{{"conv_calls", net.Conv.WTA().SetCalls}, {"linear_calls", net.Linear.WTA().SetCalls}} {
		n, err := strconv.ParseUint(meta[k.key], 10, 64)
		if err != nil {
			return fmt.Errorf("stdp: resume %s: metadata %s: %w", path, k.key, err)
		}
		k.set(n)
	}
	if r.batch > 0 {
		if err := json.Unmarshal([]byte(meta["partial_epoch"]), &r.part); err != nil {
			return fmt.Errorf("stdp: resume %s: partial epoch: %w", path, err)
		}
		if r.phase == 2 {
			sums, samples := net.Voting.EpochSums()
			fs, err := get("partial.voting_sums", len(sums))
			if err != nil {
				return err
			}
			for i, v := range fs {
				sums[i] = float64(v)
			}
			fc, err := get("partial.voting_samples", len(samples))
			if err != nil {
				return err
			}
			copy(samples, f32ToInts(fc))
			off, err := get("partial.spike_offsets", -1)
			if err != nil {
				return err
			}
			neurons, err := get("partial.spike_neurons", -1)
			if err != nil {
				return err
			}
			counts, err := get("partial.spike_counts", len(neurons))
			if err != nil {
				return err
			}
			labels, err := get("partial.labels", len(off)-1)
			if err != nil {
				return err
			}
			r.trainOff = f32ToInts(off)
			r.trainLabels = f32ToInts(labels)
			r.trainSpikes = r.trainSpikes[:0]
			for i := range neurons {
				if neurons[i] < 0 || int(neurons[i]) >= c.Neurons {
					return fmt.Errorf("stdp: resume %s: spike of neuron %v", path, neurons[i])
				}
				r.trainSpikes = append(r.trainSpikes, stdp.Spike{Neuron: int32(neurons[i]), Count: counts[i]})
			}
			if len(r.trainOff) == 0 || r.trainOff[len(r.trainOff)-1] != len(r.trainSpikes) {
				return fmt.Errorf("stdp: resume %s: inconsistent partial spikes", path)
			}
		}
	}
	if err := json.Unmarshal([]byte(meta["metrics"]), &r.history); err != nil {
		return fmt.Errorf("stdp: resume %s: metrics: %w", path, err)
	}
	if err := r.writeMetrics(); err != nil {
		return err
	}
	fmt.Fprintf(r.stdout, "resuming from %s: phase %d, %d epoch(s) done, batch %d\n", path, r.phase, r.epoch, r.batch)
	return nil
}

func f32ToInts(v []float32) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

// --- progress ---------------------------------------------------------------

// stdpBar shows the progress of an epoch on one terminal line (or a plain
// line every tenth when the output is not a terminal).
type stdpBar struct {
	pb *progressBar
}

func newSTDPBar(w io.Writer, quiet bool) *stdpBar { return &stdpBar{pb: newProgressBar(w, quiet)} }

// update shows batch (or sample) done of total of the epoch; phase 0 is
// the test pass.
func (s *stdpBar) update(phase, epoch, epochs, done, total int, rate float64, eta time.Duration) {
	b := s.pb
	if b.quiet || total == 0 {
		return
	}
	name := fmt.Sprintf("phase %d", phase)
	if phase == 0 {
		name = "test   "
	}
	fin := done == total
	line := func(bar bool) string {
		var sb strings.Builder
		fmt.Fprintf(&sb, "%s epoch %d/%d ", name, epoch, epochs)
		if bar {
			const width = 24
			filled := width * done / total
			sb.WriteString("[" + strings.Repeat("=", filled) + strings.Repeat(" ", width-filled) + "] ")
		}
		fmt.Fprintf(&sb, "%d/%d %.0f samples/s ETA %s", done, total, rate, eta.Round(time.Second))
		return sb.String()
	}
	if !b.tty {
		tenth := 10 * done / total
		if tenth == b.lastTenth || phase == 0 {
			return
		}
		b.lastTenth = tenth
		if fin {
			b.lastTenth = -1
		}
		fmt.Fprintln(b.w, line(false))
		return
	}
	if !fin && time.Since(b.last) < 100*time.Millisecond {
		return
	}
	b.last = time.Now()
	fmt.Fprintf(b.w, "\r\x1b[K%s", line(true))
	b.shown = true
}

func (s *stdpBar) clear() { s.pb.clear() }

// fashionLabels are the short names of Fashion-MNIST's classes.
var fashionLabels = []string{"T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot"}

// figures draws the learned filters, a sample of receptive fields, the
// confusion matrix and the neurons per label into the output directory.
func (r *stdpRun) figures(m stdpMetrics) error {
	net := r.net
	c := r.cfg
	w := net.Conv.Weight().Value().Data()
	k := net.Conv.Config().Kernel
	var filters []viz.GridImage
	for ch := 0; ch < c.Channels; ch++ {
		filters = append(filters, viz.GridImage{Pixels: w[ch*k*k : (ch+1)*k*k], Rows: k, Cols: k, Caption: fmt.Sprintf("channel %d", ch)})
	}
	files := []string{"filters.png"}
	if err := r.dir.WriteFile("filters.png", func(f io.Writer) error {
		return viz.ImageGrid(f, "Learned convolution filters (3×3)", filters, 0, 900, 700)
	}); err != nil {
		return err
	}
	if m.Phase == 2 {
		labels := fashionLabels
		if net.Voting.NumLabels() != len(labels) {
			labels = nil
		}
		const n = 36
		var fields []viz.GridImage
		for i := 0; i < n && i < c.Neurons; i++ {
			j := i * c.Neurons / n
			caption := fmt.Sprintf("#%d", j)
			if l := net.Voting.Labels()[j]; l >= 0 && labels != nil {
				caption += " " + labels[l]
			}
			fields = append(fields, viz.GridImage{Pixels: receptiveField(net, j, r.data.Train.Rows, r.data.Train.Cols), Rows: r.data.Train.Rows, Cols: r.data.Train.Cols, Caption: caption})
		}
		unlabelled := 0
		for _, l := range net.Voting.Labels() {
			if l < 0 {
				unlabelled++
			}
		}
		figs := []struct {
			name string
			draw func(io.Writer) error
		}{
			{"receptive_fields.png", func(f io.Writer) error {
				return viz.ImageGrid(f, "Receptive fields of linear neurons (weights through the conv filters)", fields, 6, 1000, 1150)
			}},
			{"confusion.png", func(f io.Writer) error {
				return viz.ConfusionMatrix(f, fmt.Sprintf("Test set, phase 2 epoch %d", m.Epoch), m.Confusion, labels, 700, 700)
			}},
			{"labels.png", func(f io.Writer) error {
				return viz.LabelCounts(f, "Neurons per assigned label", m.NeuronsPerLabel, unlabelled, labels, 800, 500)
			}},
		}
		for _, fg := range figs {
			if err := r.dir.WriteFile(fg.name, fg.draw); err != nil {
				return err
			}
			files = append(files, fg.name)
		}
	}
	fmt.Fprintf(r.stdout, "figures in %s: %s\n", r.path, strings.Join(files, ", "))
	return nil
}

// receptiveField maps linear neuron j's weights back to the image through
// the convolution: every pooled feature (c, i, j) covers the conv outputs
// of its 2×2 window, each of which sees the input through filter c, so
// the field is Σ weight × filter over those placements (the sigmoid
// shaping and the thresholds left out).
func receptiveField(net *stdp.Network, neuron, H, W int) []float32 {
	cw := net.Conv.Weight().Value().Data()
	k := net.Conv.Config().Kernel
	pad := net.Conv.Config().Padding
	C := net.Conv.Config().Out
	F := net.Linear.Config().In
	row := net.Linear.Weight().Value().Data()[neuron*F : (neuron+1)*F]
	Ho, Wo := H/2, W/2
	field := make([]float32, H*W)
	for c := 0; c < C; c++ {
		for h := 0; h < 2*Ho; h++ {
			for x := 0; x < 2*Wo; x++ {
				wt := row[(c*Ho+h/2)*Wo+x/2]
				if wt == 0 {
					continue
				}
				for ky := 0; ky < k; ky++ {
					for kx := 0; kx < k; kx++ {
						yy, xx := h+ky-pad, x+kx-pad
						if yy >= 0 && yy < H && xx >= 0 && xx < W {
							field[yy*W+xx] += wt * cw[(c*k+ky)*k+kx]
						}
					}
				}
			}
		}
	}
	return field
}
