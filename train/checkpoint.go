package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spikego/spikego/checkpoint"
	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/internal/rundir"
	"github.com/spikego/spikego/models"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/node"
	"github.com/spikego/spikego/snn"
)

// File names inside an output directory.
const (
	// CheckpointFile holds everything a run needs to continue: the
	// model's state_dict, the optimizer's state and, in its metadata, the
	// settings, the data's identity, the position reached and the metrics
	// of every completed epoch (package checkpoint describes the format).
	CheckpointFile = "checkpoint.safetensors"
	// MetricsFile receives one JSON object per completed epoch. It is
	// rewritten from the checkpoint after every save, so it lists exactly
	// the epochs the checkpoint holds.
	MetricsFile = "metrics.jsonl"
	// WindowsFile receives the training loss and accuracy of every window
	// of a twentieth of an epoch, one JSON object per line, rewritten with
	// metrics.jsonl.
	WindowsFile = "batches.jsonl"
	// legacyOptimizerFile is where spikego-checkpoint-1 runs kept the
	// optimizer state.
	legacyOptimizerFile = "optimizer.safetensors"
)

// Metadata keys of a training checkpoint.
const (
	metaConfig   = "config"
	metaData     = "data"
	metaProgress = "progress"
	metaMetrics  = "metrics"
	metaRandom   = "random"  // the generators of dropout layers, by module path
	metaWindows  = "windows" // the metrics of every batch window
)

// savedConfig is the part of Config that a checkpoint records: everything
// that decides the numbers a run produces.
type savedConfig struct {
	Model        string  `json:"model,omitempty"`
	Arch         string  `json:"arch,omitempty"`
	Custom       bool    `json:"custom,omitempty"` // a model built by the program (NewWith)
	Node         string  `json:"node"`
	Surrogate    string  `json:"surrogate"`
	T            int     `json:"T"`
	Epochs       int     `json:"epochs"`
	Batch        int     `json:"batch"`
	Loss         string  `json:"loss"`
	LR           float32 `json:"lr"`
	Optimizer    string  `json:"optimizer"`
	Momentum     float32 `json:"momentum"`
	WeightDecay  float32 `json:"weight_decay"`
	ClipNorm     float32 `json:"clip_norm"`
	Schedule     string  `json:"schedule"`
	StepSize     int     `json:"step_size"`
	Gamma        float32 `json:"gamma"`
	TrainSamples int     `json:"train_samples"`
	TestSamples  int     `json:"test_samples"`
	Seed         uint64  `json:"seed"`
}

func saveConfig(c Config, custom bool) savedConfig {
	return savedConfig{c.Model, c.Arch, custom, c.Node, c.Surrogate, c.T, c.Epochs, c.Batch, c.Loss, c.LR, c.Optimizer, c.Momentum,
		c.WeightDecay, c.ClipNorm, c.Schedule, c.StepSize, c.Gamma, c.TrainSamples, c.TestSamples, c.Seed}
}

func (s savedConfig) config() Config {
	return Config{Model: s.Model, Arch: s.Arch, Node: s.Node, Surrogate: s.Surrogate, T: s.T, Epochs: s.Epochs, Batch: s.Batch,
		Loss: s.Loss, LR: s.LR, Optimizer: s.Optimizer, Momentum: s.Momentum, WeightDecay: s.WeightDecay, ClipNorm: s.ClipNorm,
		Schedule: s.Schedule, StepSize: s.StepSize, Gamma: s.Gamma, TrainSamples: s.TrainSamples, TestSamples: s.TestSamples, Seed: s.Seed}
}

// dataID identifies the samples a run uses, so that a resumed run cannot
// silently continue on other data.
type dataID struct {
	Name string `json:"name"`
	N    int    `json:"n"`
	Rows int    `json:"rows"`
	Cols int    `json:"cols"`
	// CRC is the CRC-32C of the images followed by the labels.
	CRC uint32 `json:"crc32c"`
}

type dataIDs struct {
	Train dataID `json:"train"`
	Test  dataID `json:"test"`
}

func identify(s *dataset.Set) dataID {
	h := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	h.Write(s.Images)
	h.Write(s.Labels)
	return dataID{Name: s.Name, N: s.N, Rows: s.Rows, Cols: s.Cols, CRC: h.Sum32()}
}

// progress is the position a checkpoint holds: Epoch completed epochs and
// NextBatch batches of the next, with that partial epoch's running sums.
type progress struct {
	Epoch     int          `json:"epoch"`
	NextBatch int          `json:"next_batch"`
	Partial   *partialJSON `json:"partial,omitempty"`
}

type partialJSON struct {
	Loss    float64   `json:"loss"`
	Correct int       `json:"correct"`
	Samples int       `json:"samples"`
	Seconds float64   `json:"seconds"`
	Spikes  []float64 `json:"spikes"`
	Seen    []float64 `json:"seen"`
	// The sums of the batch window in progress.
	WindowLoss    float64 `json:"window_loss"`
	WindowCorrect int     `json:"window_correct"`
	WindowSamples int     `json:"window_samples"`
}

func (e epochSums) json() *partialJSON {
	return &partialJSON{e.loss, e.correct, e.samples, e.seconds, e.spikes, e.seen, e.wLoss, e.wCorrect, e.wSamples}
}

func (q *partialJSON) sums() epochSums {
	return epochSums{q.Loss, q.Correct, q.Samples, q.Seconds, q.Spikes, q.Seen, q.WindowLoss, q.WindowCorrect, q.WindowSamples}
}

// WindowMetrics are the training loss and accuracy over a window of
// consecutive batches (a twentieth of an epoch), one line of
// batches.jsonl.
type WindowMetrics struct {
	// Epoch places the window's end in epochs: 1.25 is a quarter of the
	// way through the second epoch.
	Epoch float64 `json:"epoch"`
	Loss  float64 `json:"train_loss"`
	Acc   float64 `json:"train_acc"`
}

// save writes the checkpoint of the position reached (t.epoch completed
// epochs, t.batch batches of the next with the running sums partial) and
// then metrics.jsonl from the checkpoint's history.
func (t *Trainer) save(partial epochSums) error {
	p := progress{Epoch: t.epoch, NextBatch: t.batch}
	if t.batch > 0 || partial.samples > 0 {
		p.Partial = partial.json()
	}
	meta := map[string]string{}
	for key, v := range map[string]any{
		metaConfig: saveConfig(t.cfg, t.custom), metaData: t.dataIDs, metaProgress: p, metaMetrics: t.history, metaRandom: t.randomStates(),
		metaWindows: t.windows,
	} {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("train: save: %w", err)
		}
		meta[key] = string(b)
	}
	if t.cfg.Model != "" {
		meta["model"] = t.cfg.Model // for readers that only look for the name
	}
	if err := checkpoint.Save(t.dir.Join(CheckpointFile), t.model, t.opt, meta); err != nil {
		return fmt.Errorf("train: save checkpoint: %w", err)
	}
	return t.writeMetrics()
}

// writeMetrics rewrites metrics.jsonl and batches.jsonl from the
// history, atomically.
func (t *Trainer) writeMetrics() error {
	if err := writeLines(t.dir, MetricsFile, t.history); err != nil {
		return err
	}
	return writeLines(t.dir, WindowsFile, t.windows)
}

// writeLines writes each item as one JSON line to the named file.
func writeLines[T any](d *rundir.Dir, name string, items []T) error {
	return d.WriteFile(name, func(w io.Writer) error {
		for _, m := range items {
			b, err := json.Marshal(m)
			if err != nil {
				return err
			}
			if _, err := w.Write(append(b, '\n')); err != nil {
				return err
			}
		}
		return nil
	})
}

// runState is what a training checkpoint's metadata holds.
type runState struct {
	cfg      Config
	windows  []WindowMetrics
	custom   bool
	data     *dataIDs // nil in legacy checkpoints
	progress progress
	history  []EpochMetrics
	random   map[string][]byte
	legacy   bool // spikego-checkpoint-1: weights only
}

// parseRunState decodes and validates the metadata of a training
// checkpoint.
func parseRunState(meta map[string]string) (*runState, error) {
	switch meta[checkpoint.FormatKey] {
	case checkpoint.Format:
	case "spikego-checkpoint-1":
		return parseLegacy(meta)
	case "", "pt":
		return nil, errors.New("not a spikego checkpoint (no spikego metadata): a plain PyTorch state_dict loads with the model named (spikego eval --model NAME)")
	default:
		return nil, fmt.Errorf("unknown checkpoint format %q (a plain PyTorch state_dict loads with the model named: spikego eval --model NAME)", meta[checkpoint.FormatKey])
	}
	var s runState
	var sc savedConfig
	s.data = new(dataIDs)
	for key, dst := range map[string]any{metaConfig: &sc, metaData: s.data, metaProgress: &s.progress, metaMetrics: &s.history} {
		raw, ok := meta[key]
		if !ok {
			return nil, fmt.Errorf("metadata lacks %q", key)
		}
		if err := json.Unmarshal([]byte(raw), dst); err != nil {
			return nil, fmt.Errorf("metadata %q: %w", key, err)
		}
	}
	if raw, ok := meta[metaWindows]; ok {
		if err := json.Unmarshal([]byte(raw), &s.windows); err != nil {
			return nil, fmt.Errorf("metadata %q: %w", metaWindows, err)
		}
	}
	if raw, ok := meta[metaRandom]; ok {
		if err := json.Unmarshal([]byte(raw), &s.random); err != nil {
			return nil, fmt.Errorf("metadata %q: %w", metaRandom, err)
		}
	}
	cfg, err := sc.config().WithDefaults()
	if err != nil {
		return nil, fmt.Errorf("metadata %q: %w", metaConfig, err)
	}
	if cfg != sc.config() {
		return nil, fmt.Errorf("metadata %q: incomplete settings %+v", metaConfig, sc)
	}
	s.cfg, s.custom = cfg, sc.Custom
	p := s.progress
	switch {
	case p.Epoch < 0 || p.Epoch > cfg.Epochs:
		return nil, fmt.Errorf("metadata %q: epoch %d outside 0..%d", metaProgress, p.Epoch, cfg.Epochs)
	case p.NextBatch < 0:
		return nil, fmt.Errorf("metadata %q: negative batch %d", metaProgress, p.NextBatch)
	case len(s.history) != p.Epoch:
		return nil, fmt.Errorf("metadata: %d epochs completed but metrics for %d", p.Epoch, len(s.history))
	}
	for i, m := range s.history {
		if m.Epoch != i+1 {
			return nil, fmt.Errorf("metadata %q: entry %d is epoch %d", metaMetrics, i+1, m.Epoch)
		}
	}
	if q := p.Partial; q != nil {
		if q.Samples < 0 || q.Correct < 0 || q.Correct > q.Samples || len(q.Spikes) != len(q.Seen) {
			return nil, fmt.Errorf("metadata %q: inconsistent partial epoch", metaProgress)
		}
	}
	return &s, nil
}

// parseLegacy reads the settings of a spikego-checkpoint-1 file, which
// can be evaluated but not resumed.
func parseLegacy(meta map[string]string) (*runState, error) {
	s := &runState{legacy: true}
	s.cfg.Model, s.cfg.Node, s.cfg.Surrogate = meta["model"], meta["node"], meta["surrogate"]
	for _, kv := range []struct {
		key string
		dst *int
	}{{"T", &s.cfg.T}, {"batch", &s.cfg.Batch}, {"epoch", &s.progress.Epoch}} {
		v, err := strconv.Atoi(meta[kv.key])
		if err != nil {
			return nil, fmt.Errorf("metadata %s: %w", kv.key, err)
		}
		*kv.dst = v
	}
	var err error
	if s.cfg.Seed, err = strconv.ParseUint(meta["seed"], 10, 64); err != nil {
		return nil, fmt.Errorf("metadata seed: %w", err)
	}
	if s.cfg, err = s.cfg.WithDefaults(); err != nil {
		return nil, err
	}
	return s, nil
}

// validatePartial checks a restored partial epoch against the model and
// the data it continues on.
func (t *Trainer) validatePartial(p progress) error {
	batches := (t.trainSet().N + t.cfg.Batch - 1) / t.cfg.Batch
	if p.NextBatch > batches {
		return fmt.Errorf("stopped at batch %d of an epoch of %d batches", p.NextBatch, batches)
	}
	q := p.Partial
	if q == nil {
		if p.NextBatch > 0 {
			return errors.New("stopped inside an epoch without its running sums")
		}
		return nil
	}
	if n := len(t.monitor.Names()); len(q.Spikes) != n {
		return fmt.Errorf("partial epoch has firing counts for %d layers, the model has %d", len(q.Spikes), n)
	}
	if q.Samples > t.trainSet().N || q.Samples > p.NextBatch*t.cfg.Batch {
		return fmt.Errorf("partial epoch counts %d samples after %d batches of %d", q.Samples, p.NextBatch, t.cfg.Batch)
	}
	return nil
}

// Checkpoint is a model loaded from a checkpoint file with the settings it
// was trained with.
type Checkpoint struct {
	Config Config
	Model  *snn.Net
	// Epoch is the number of completed epochs.
	Epoch int
	// Metrics are the metrics of the completed epochs (nil for
	// checkpoints of spikego before the single-file format and for plain
	// state_dicts).
	Metrics []EpochMetrics
}

// checkpointPath returns path, or the checkpoint inside it if path is a
// directory.
func checkpointPath(path string) string {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return filepath.Join(path, CheckpointFile)
	}
	return path
}

// LoadCheckpoint rebuilds the model saved at path (a checkpoint file, or
// an output directory holding one). It refuses files whose values are not
// all finite, and checks that the memory the model needs for one batch
// fits the machine.
func LoadCheckpoint(path string) (*Checkpoint, error) {
	path = checkpointPath(path)
	f, err := checkpoint.Read(path)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	s, err := parseRunState(f.Meta)
	if err != nil {
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	if s.custom {
		return nil, fmt.Errorf("train: %s holds a model built by a program, not by a spec: load it into that model with checkpoint.Load", path)
	}
	if err := checkMemory(s.cfg, s.cfg.Batch); err != nil {
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	m, err := buildModel(s.cfg)
	if err != nil {
		return nil, err
	}
	if err := f.LoadInto(m, nil); err != nil {
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	return &Checkpoint{Config: s.cfg, Model: m, Epoch: s.progress.Epoch, Metrics: s.history}, nil
}

// LoadWeights builds the model that cfg describes and loads the
// state_dict at path into it: a plain state_dict saved by PyTorch for the
// equivalent torch.nn.Sequential (metadata, if any, is ignored), or a
// spikego checkpoint. Integer tensors such as BatchNorm's
// num_batches_tracked are converted to float32.
func LoadWeights(path string, cfg Config) (*Checkpoint, error) {
	cfg, err := cfg.WithDefaults()
	if err != nil {
		return nil, err
	}
	path = checkpointPath(path)
	f, err := checkpoint.Read(path)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if err := checkMemory(cfg, cfg.Batch); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	m, err := buildModel(cfg)
	if err != nil {
		return nil, err
	}
	if err := f.LoadInto(m, nil); err != nil {
		return nil, fmt.Errorf("train: %s as model %s: %w", path, cfg.Model, err)
	}
	return &Checkpoint{Config: cfg, Model: m}, nil
}

// ReadRunConfig returns the settings of the run whose checkpoint is in
// dir, so that a resumed run can take every setting it is not given.
func ReadRunConfig(dir string) (Config, error) {
	path := filepath.Join(dir, CheckpointFile)
	f, err := checkpoint.Read(path)
	if err != nil {
		return Config{}, fmt.Errorf("train: %w", err)
	}
	s, err := parseRunState(f.Meta)
	if err != nil {
		return Config{}, fmt.Errorf("train: %s: %w", path, err)
	}
	return s.cfg, nil
}

// buildModel builds the network of cfg's model or architecture.
func buildModel(cfg Config) (*snn.Net, error) {
	mc := models.Config{T: cfg.T, Node: cfg.Node, Seed: cfg.Seed}
	if cfg.Surrogate != "" {
		mc.NodeOptions = append(mc.NodeOptions, node.WithSurrogate(cfg.Surrogate))
	}
	spec := cfg.Arch
	if spec == "" {
		spec = models.Spec(cfg.Model)
	}
	return models.Build(spec, mc)
}

// randomStates returns the states of the generators of the model's
// modules that draw random numbers (dropout), by module path.
func (t *Trainer) randomStates() map[string][]byte {
	out := map[string][]byte{}
	nn.Walk(t.model, func(path string, m nn.Module) error {
		if r, ok := m.(nn.RandomState); ok && r.Rand() != nil {
			if b, err := r.Rand().MarshalBinary(); err == nil {
				out[path] = b
			}
		}
		return nil
	})
	return out
}

// setRandomStates restores states saved by randomStates.
func (t *Trainer) setRandomStates(states map[string][]byte) error {
	return nn.Walk(t.model, func(path string, m nn.Module) error {
		r, ok := m.(nn.RandomState)
		if !ok || r.Rand() == nil {
			return nil
		}
		b, ok := states[path]
		if !ok {
			return fmt.Errorf("no random state for module %s", path)
		}
		return r.Rand().UnmarshalBinary(b)
	})
}
