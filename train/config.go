package train

import (
	"fmt"
	"math"

	"github.com/spikego/spikego/models"
	"github.com/spikego/spikego/surrogate"
)

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
	// LR is Adam's learning rate.
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
	// OutDir receives metrics.jsonl and the checkpoints; "" writes
	// nothing.
	OutDir string
	// Resume continues from the checkpoint in OutDir.
	Resume bool
}

// WithDefaults returns c with every zero setting replaced by the model's
// reference value, or an error for settings that cannot work.
func (c Config) WithDefaults() (Config, error) {
	if c.Model == "" {
		c.Model = "mlp"
	}
	known := false
	for _, n := range models.Names() {
		known = known || n == c.Model
	}
	if !known {
		return c, fmt.Errorf("train: unknown model %q (known: %v)", c.Model, models.Names())
	}
	if c.Node == "" {
		c.Node = "LIFNode"
	}
	if c.Surrogate != "" {
		if _, err := surrogate.Lookup(c.Surrogate); err != nil {
			return c, err
		}
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
	case c.T < 1:
		return c, fmt.Errorf("train: T must be at least 1, got %d", c.T)
	case c.Batch < 1:
		return c, fmt.Errorf("train: batch must be at least 1, got %d", c.Batch)
	case c.Epochs < 1:
		return c, fmt.Errorf("train: epochs must be at least 1, got %d", c.Epochs)
	case c.LR < 0 || math.IsNaN(float64(c.LR)) || math.IsInf(float64(c.LR), 0):
		return c, fmt.Errorf("train: learning rate must be finite and non-negative, got %v", c.LR)
	case c.TrainSamples < 0 || c.TestSamples < 0:
		return c, fmt.Errorf("train: sample limits must not be negative")
	}
	switch c.Optimizer {
	case "adam", "adamw", "sgd":
	default:
		return c, fmt.Errorf("train: unknown optimizer %q (adam, adamw or sgd)", c.Optimizer)
	}
	switch c.Schedule {
	case "", "cosine", "step":
	default:
		return c, fmt.Errorf("train: unknown schedule %q (cosine or step)", c.Schedule)
	}
	return c, nil
}
