package train

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/spikego/spikego/internal/suggest"
	"github.com/spikego/spikego/models"
	"github.com/spikego/spikego/surrogate"
)

// MaxSteps is the largest number of time steps T that Config accepts; the
// memory a step needs (checked against the machine's) is usually the
// tighter limit.
const MaxSteps = 1 << 16

// Config says what to train and how. Zero values take the model's
// reference settings (docs/BENCHMARK.md): mlp: T 8, batch 128; cnn: T 4,
// batch 64; both Adam with learning rate 1e-3, one epoch.
type Config struct {
	// Model is "mlp" or "cnn".
	Model string
	// Node is the neuron kind by BrainCog's name (default "LIFNode").
	Node string
	// Surrogate is the surrogate function by BrainCog's name; empty keeps
	// the node's default (QGateGrad for LIFNode).
	Surrogate string
	// T is the number of time steps.
	T int
	// Epochs is the number of passes over the training samples.
	Epochs int
	// Batch is the batch size (train and test).
	Batch int
	// LR is the optimizer's learning rate.
	LR float32
	// Optimizer is "adam" (default), "adamw" or "sgd" (momentum 0.9).
	Optimizer string
	// Schedule is "" (constant), "cosine" or "step" (x0.1 every 30 epochs).
	Schedule string
	// TrainSamples limits the training samples used per epoch (0: all).
	TrainSamples int
	// TestSamples limits the test samples evaluated (0: all).
	TestSamples int
	// Seed seeds the initialisation and the shuffling.
	Seed uint64
	// OutDir receives metrics.jsonl, the checkpoint and figures; ""
	// writes nothing. The run locks it: two runs cannot share it.
	OutDir string
	// Resume continues the run whose checkpoint is in OutDir. Without
	// it, New refuses a directory that holds a run (see Overwrite).
	Resume bool
	// Overwrite discards a run found in OutDir (its checkpoint, metrics
	// and figures) and starts afresh.
	Overwrite bool
	// SaveEvery, when positive, also saves the checkpoint inside an
	// epoch once this much time has passed since the last save, so that
	// a crash loses at most that much work. Checkpoints are always saved
	// after every epoch and when the run is interrupted.
	SaveEvery time.Duration
}

// The names Config accepts for its optimizer, schedule ("" is none) and
// node kind. Never modified.
var (
	optimizerNames = []string{"adam", "adamw", "sgd"}
	scheduleNames  = []string{"cosine", "step"}
	nodeNames      = []string{"IFNode", "LIFNode", "LIFSTDPNode", "PLIFNode"}
)

// WithDefaults returns c with every zero setting replaced by the model's
// reference value, or an error for settings that cannot work. Unknown
// names get a "did you mean" suggestion.
func (c Config) WithDefaults() (Config, error) {
	if c.Model == "" {
		c.Model = "mlp"
	}
	if !slices.Contains(models.Names(), c.Model) {
		return c, fmt.Errorf("train: %s", suggest.Unknown("model", c.Model, models.Names()))
	}
	if c.Node == "" {
		c.Node = "LIFNode"
	}
	if !slices.Contains(nodeNames, c.Node) {
		return c, fmt.Errorf("train: %s", suggest.Unknown("node kind", c.Node, nodeNames))
	}
	if c.Surrogate != "" && !slices.Contains(surrogate.Names(), c.Surrogate) {
		return c, fmt.Errorf("train: %s", suggest.Unknown("surrogate function", c.Surrogate, surrogate.Names()))
	}
	if c.T == 0 {
		c.T = models.DefaultSteps(c.Model)
	}
	if c.Batch == 0 {
		c.Batch = 128
		if c.Model == "cnn" {
			c.Batch = 64
		}
	}
	if c.Epochs == 0 {
		c.Epochs = 1
	}
	if c.LR == 0 {
		c.LR = 1e-3
	}
	if c.Optimizer == "" {
		c.Optimizer = "adam"
	}
	switch {
	case c.T < 1 || c.T > MaxSteps:
		return c, fmt.Errorf("train: T must be between 1 and %d, got %d", MaxSteps, c.T)
	case c.Batch < 1:
		return c, fmt.Errorf("train: batch must be at least 1, got %d", c.Batch)
	case c.Epochs < 1:
		return c, fmt.Errorf("train: epochs must be at least 1, got %d", c.Epochs)
	case !(c.LR > 0) || math.IsInf(float64(c.LR), 0):
		return c, fmt.Errorf("train: learning rate must be positive and finite, got %v", c.LR)
	case c.TrainSamples < 0 || c.TestSamples < 0:
		return c, fmt.Errorf("train: sample limits must not be negative")
	case c.SaveEvery < 0:
		return c, fmt.Errorf("train: SaveEvery must not be negative, got %v", c.SaveEvery)
	case c.Resume && c.Overwrite:
		return c, fmt.Errorf("train: Resume and Overwrite exclude each other")
	}
	if !slices.Contains(optimizerNames, c.Optimizer) {
		return c, fmt.Errorf("train: %s", suggest.Unknown("optimizer", c.Optimizer, optimizerNames))
	}
	if c.Schedule != "" && !slices.Contains(scheduleNames, c.Schedule) {
		return c, fmt.Errorf("train: %s", suggest.Unknown("schedule", c.Schedule, scheduleNames))
	}
	return c, nil
}
