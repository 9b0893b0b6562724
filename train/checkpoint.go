package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spikego/spikego/models"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/node"
	"github.com/spikego/spikego/safetensors"
	"github.com/spikego/spikego/tensor"
)

// File names inside an output directory.
const (
	// CheckpointFile holds the model's state_dict and, in its metadata,
	// the settings and the position reached.
	CheckpointFile = "checkpoint.safetensors"
	// OptimizerFile holds the optimizer's state, for resuming.
	OptimizerFile = "optimizer.safetensors"
	// MetricsFile receives one JSON object per epoch.
	MetricsFile = "metrics.jsonl"
)

// optimizerState is implemented by optimizers whose state can be saved.
type optimizerState interface {
	StateDict() map[string]*tensor.Tensor
	LoadStateDict(map[string]*tensor.Tensor) error
}

// save writes the model and optimizer checkpoints of the position
// reached: t.epoch completed epochs and t.batch batches of the next, with
// the running sums of that partial epoch.
func (t *Trainer) save(partial epochSums) error {
	if err := os.MkdirAll(t.cfg.OutDir, 0o755); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	meta := map[string]string{
		"format":     "spikego-checkpoint-1",
		"model":      t.cfg.Model,
		"node":       t.cfg.Node,
		"surrogate":  t.cfg.Surrogate,
		"T":          strconv.Itoa(t.cfg.T),
		"batch":      strconv.Itoa(t.cfg.Batch),
		"seed":       strconv.FormatUint(t.cfg.Seed, 10),
		"epoch":      strconv.Itoa(t.epoch),
		"next_batch": strconv.Itoa(t.batch),
	}
	if partial.samples > 0 {
		b, err := json.Marshal(partialJSON{partial.loss, partial.correct, partial.samples, partial.seconds, partial.spikes, partial.seen})
		if err != nil {
			return err
		}
		meta["partial_epoch"] = string(b)
	}
	if err := safetensors.WriteFile(filepath.Join(t.cfg.OutDir, CheckpointFile), toSafetensors(nn.StateDict(t.model)), meta); err != nil {
		return fmt.Errorf("train: save checkpoint: %w", err)
	}
	if st, ok := t.opt.(optimizerState); ok {
		var ts []nn.NamedTensor
		for name, v := range st.StateDict() {
			ts = append(ts, nn.NamedTensor{Name: name, Tensor: v})
		}
		if err := safetensors.WriteFile(filepath.Join(t.cfg.OutDir, OptimizerFile), toSafetensors(ts), map[string]string{"optimizer": t.cfg.Optimizer}); err != nil {
			return fmt.Errorf("train: save optimizer state: %w", err)
		}
	}
	return nil
}

type partialJSON struct {
	Loss    float64   `json:"loss"`
	Correct int       `json:"correct"`
	Samples int       `json:"samples"`
	Seconds float64   `json:"seconds"`
	Spikes  []float64 `json:"spikes"`
	Seen    []float64 `json:"seen"`
}

func toSafetensors(ts []nn.NamedTensor) []safetensors.Tensor {
	out := make([]safetensors.Tensor, len(ts))
	for i, t := range ts {
		out[i] = safetensors.Tensor{Name: t.Name, Shape: t.Tensor.Shape(), Data: t.Tensor.Data()}
	}
	return out
}

func fromSafetensors(f *safetensors.File) (map[string]*tensor.Tensor, error) {
	out := map[string]*tensor.Tensor{}
	for _, st := range f.Tensors {
		t, err := tensor.FromSlice(st.Data, st.Shape...)
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %w", st.Name, err)
		}
		out[st.Name] = t
	}
	return out, nil
}

// Checkpoint is a model loaded from a checkpoint file with the settings it
// was trained with.
type Checkpoint struct {
	Config Config
	Model  models.Model
	// Epoch is the number of completed epochs.
	Epoch int
}

// LoadCheckpoint rebuilds the model saved at path (a checkpoint file, or
// an output directory holding one).
func LoadCheckpoint(path string) (*Checkpoint, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, CheckpointFile)
	}
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	cfg, epoch, _, err := configFromMeta(f.Metadata)
	if err != nil {
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	cfg, err = cfg.WithDefaults()
	if err != nil {
		return nil, err
	}
	m, err := buildModel(cfg)
	if err != nil {
		return nil, err
	}
	sd, err := fromSafetensors(f)
	if err != nil {
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	if err := nn.LoadStateDict(m, sd); err != nil {
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	return &Checkpoint{Config: cfg, Model: m, Epoch: epoch}, nil
}

func configFromMeta(meta map[string]string) (cfg Config, epoch, nextBatch int, err error) {
	if meta["format"] != "spikego-checkpoint-1" {
		return cfg, 0, 0, errors.New("not a spikego checkpoint (metadata format missing)")
	}
	cfg.Model, cfg.Node, cfg.Surrogate = meta["model"], meta["node"], meta["surrogate"]
	ints := []struct {
		key string
		dst *int
	}{{"T", &cfg.T}, {"batch", &cfg.Batch}, {"epoch", &epoch}, {"next_batch", &nextBatch}}
	for _, kv := range ints {
		if *kv.dst, err = strconv.Atoi(meta[kv.key]); err != nil {
			return cfg, 0, 0, fmt.Errorf("metadata %s: %w", kv.key, err)
		}
	}
	if cfg.Seed, err = strconv.ParseUint(meta["seed"], 10, 64); err != nil {
		return cfg, 0, 0, fmt.Errorf("metadata seed: %w", err)
	}
	return cfg, epoch, nextBatch, nil
}

// restore loads the checkpoint in t.cfg.OutDir into the trainer: model,
// optimizer and position. The checkpoint's model settings must match.
func (t *Trainer) restore() error {
	path := filepath.Join(t.cfg.OutDir, CheckpointFile)
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	cfg, epoch, next, err := configFromMeta(f.Metadata)
	if err != nil {
		return fmt.Errorf("train: resume %s: %w", path, err)
	}
	if cfg.Model != t.cfg.Model || cfg.Node != t.cfg.Node || cfg.T != t.cfg.T || cfg.Surrogate != t.cfg.Surrogate {
		return fmt.Errorf("train: resume %s: checkpoint is %s/%s/%s T=%d, run asks for %s/%s/%s T=%d",
			path, cfg.Model, cfg.Node, cfg.Surrogate, cfg.T, t.cfg.Model, t.cfg.Node, t.cfg.Surrogate, t.cfg.T)
	}
	if next > 0 && (cfg.Batch != t.cfg.Batch || cfg.Seed != t.cfg.Seed) {
		return fmt.Errorf("train: resume %s: stopped inside an epoch with batch %d and seed %d; resume with the same", path, cfg.Batch, cfg.Seed)
	}
	sd, err := fromSafetensors(f)
	if err != nil {
		return fmt.Errorf("train: resume %s: %w", path, err)
	}
	if err := nn.LoadStateDict(t.model, sd); err != nil {
		return fmt.Errorf("train: resume %s: %w", path, err)
	}
	if st, ok := t.opt.(optimizerState); ok {
		of, err := safetensors.ReadFile(filepath.Join(t.cfg.OutDir, OptimizerFile))
		if err != nil {
			return fmt.Errorf("train: resume: %w", err)
		}
		state, err := fromSafetensors(of)
		if err != nil {
			return fmt.Errorf("train: resume optimizer: %w", err)
		}
		if err := st.LoadStateDict(state); err != nil {
			return fmt.Errorf("train: resume optimizer: %w", err)
		}
	}
	t.epoch, t.batch = epoch, next
	if p := f.Metadata["partial_epoch"]; p != "" && next > 0 {
		var pj partialJSON
		if err := json.Unmarshal([]byte(p), &pj); err != nil {
			return fmt.Errorf("train: resume %s: partial epoch: %w", path, err)
		}
		t.partial = epochSums{pj.Loss, pj.Correct, pj.Samples, pj.Seconds, pj.Spikes, pj.Seen}
	}
	if t.sched != nil {
		for i := 0; i < epoch; i++ {
			t.sched.Step()
		}
	}
	return nil
}

func buildModel(cfg Config) (models.Model, error) {
	mc := models.Config{T: cfg.T, Node: cfg.Node, Seed: cfg.Seed}
	if cfg.Surrogate != "" {
		mc.NodeOptions = append(mc.NodeOptions, node.WithSurrogate(cfg.Surrogate))
	}
	return models.New(cfg.Model, mc)
}
