package train

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/spikego/spikego/arch"
	"github.com/spikego/spikego/internal/suggest"
	"github.com/spikego/spikego/models"
	"github.com/spikego/spikego/surrogate"
)

// MaxSteps is the largest number of time steps T that Config accepts; the
// memory a step needs (checked against the machine's) is usually the
// tighter limit.
const MaxSteps = 1 << 16

// Config says what to train and how. DefaultConfig gives the reference
// settings; WithDefaults fills the settings whose zero value cannot work.
type Config struct {
	// Model is a reference model, "mlp" or "cnn" (the specs
	// models.MLPSpec and models.CNNSpec), when Arch is empty.
	Model string
	// Arch is the network in the grammar of package arch, instead of
	// Model.
	Arch string
	// Node is the neuron kind of the spec's "node" layers, by BrainCog's
	// name (default "LIFNode").
	Node string
	// Surrogate is the surrogate function of those nodes; empty keeps
	// the node's default (QGateGrad for LIFNode).
	Surrogate string
	// T is the number of time steps.
	T int
	// Epochs is the number of passes over the training samples.
	Epochs int
	// Batch is the batch size (train and test).
	Batch int
	// Loss names the loss on the network's output over time, with its
	// parameters if any (see nn.NewSpikeLoss); default
	// "cross_entropy_rate", cross-entropy on the firing rates.
	Loss string
	// LR is the optimizer's learning rate.
	LR float32
	// Optimizer is "adam" (default), "adamw" or "sgd".
	Optimizer string
	// Momentum is SGD's momentum (0: none; DefaultConfig sets 0.9).
	Momentum float32
	// WeightDecay is the optimizer's weight decay (AdamW: decoupled; 0
	// means PyTorch's 0.01 for AdamW, none otherwise).
	WeightDecay float32
	// ClipNorm, when positive, scales the gradients down so that their
	// total 2-norm is at most ClipNorm before each step
	// (torch.nn.utils.clip_grad_norm_).
	ClipNorm float32
	// Schedule is "" (constant), "cosine" (to 0 over Epochs) or "step"
	// (times Gamma every StepSize epochs).
	Schedule string
	// StepSize and Gamma shape the "step" schedule (default 30 and 0.1).
	StepSize int
	Gamma    float32
	// TrainSamples limits the training samples used per epoch (0: all).
	TrainSamples int
	// TestSamples limits the test samples evaluated (0: all).
	TestSamples int
	// Seed seeds the initialisation, the shuffling and dropout.
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

// DefaultConfig returns the reference settings of the named model ("mlp",
// "cnn", or "" for a network given by Arch): the one place where
// spikego's training defaults live. mlp: T 8, batch 128; cnn: T 4, batch
// 64; others: T 8, batch 128; all: LIFNode, cross-entropy on the rates,
// Adam with learning rate 1e-3 (SGD momentum 0.9 when SGD is chosen), one
// epoch, checkpoints every 5 minutes inside an epoch.
func DefaultConfig(model string) Config {
	c := Config{Model: model, Node: "LIFNode", T: 8, Epochs: 1, Batch: 128, Loss: "cross_entropy_rate", LR: 1e-3, Optimizer: "adam",
		Momentum: 0.9, StepSize: 30, Gamma: 0.1, SaveEvery: 5 * time.Minute}
	if model == "cnn" {
		c.T, c.Batch = models.DefaultSteps("cnn"), 64
	}
	return c
}

// The names Config accepts for its optimizer, schedule ("" is none) and
// node kind. Never modified.
var (
	optimizerNames = []string{"adam", "adamw", "sgd"}
	scheduleNames  = []string{"cosine", "step"}
	nodeNames      = []string{"IFNode", "LIFNode", "LIFSTDPNode", "PLIFNode"}
)

// WithDefaults returns c with every setting whose zero value cannot work
// (model, node, T, batch, epochs, loss, learning rate, optimizer, step
// schedule) taken from DefaultConfig, or an error for settings that cannot
// work. Unknown names get a "did you mean" suggestion.
func (c Config) WithDefaults() (Config, error) {
	if c.Model == "" && c.Arch == "" {
		c.Model = "mlp"
	}
	if c.Model != "" && c.Arch != "" {
		return c, fmt.Errorf("train: give a model (%s) or an architecture, not both", c.Model)
	}
	if c.Model != "" && !slices.Contains(models.Names(), c.Model) {
		return c, fmt.Errorf("train: %s", suggest.Unknown("model", c.Model, models.Names()))
	}
	if c.Arch != "" {
		if _, err := arch.Parse(c.Arch); err != nil {
			return c, err
		}
	}
	d := DefaultConfig(c.Model)
	if c.Node == "" {
		c.Node = d.Node
	}
	if !slices.Contains(nodeNames, c.Node) {
		return c, fmt.Errorf("train: %s", suggest.Unknown("node kind", c.Node, nodeNames))
	}
	if c.Surrogate != "" && !slices.Contains(surrogate.Names(), c.Surrogate) {
		return c, fmt.Errorf("train: %s", suggest.Unknown("surrogate function", c.Surrogate, surrogate.Names()))
	}
	for _, f := range []struct {
		v   *int
		def int
	}{{&c.T, d.T}, {&c.Batch, d.Batch}, {&c.Epochs, d.Epochs}, {&c.StepSize, d.StepSize}} {
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	if c.LR == 0 {
		c.LR = d.LR
	}
	if c.Gamma == 0 {
		c.Gamma = d.Gamma
	}
	if c.Optimizer == "" {
		c.Optimizer = d.Optimizer
	}
	if c.Loss == "" {
		c.Loss = d.Loss
	}
	if c.Optimizer == "adamw" && c.WeightDecay == 0 {
		c.WeightDecay = 0.01
	}
	finite := func(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }
	switch {
	case c.T < 1 || c.T > MaxSteps:
		return c, fmt.Errorf("train: T must be between 1 and %d, got %d", MaxSteps, c.T)
	case c.Batch < 1:
		return c, fmt.Errorf("train: batch must be at least 1, got %d", c.Batch)
	case c.Epochs < 1:
		return c, fmt.Errorf("train: epochs must be at least 1, got %d", c.Epochs)
	case !(c.LR > 0) || !finite(c.LR):
		return c, fmt.Errorf("train: learning rate must be positive and finite, got %v", c.LR)
	case !(c.Momentum >= 0 && c.Momentum < 1):
		return c, fmt.Errorf("train: momentum must be in [0, 1), got %v", c.Momentum)
	case !(c.WeightDecay >= 0) || !finite(c.WeightDecay):
		return c, fmt.Errorf("train: weight decay must be finite and not negative, got %v", c.WeightDecay)
	case !(c.ClipNorm >= 0) || !finite(c.ClipNorm):
		return c, fmt.Errorf("train: gradient clipping norm must be finite and not negative, got %v", c.ClipNorm)
	case c.StepSize < 1:
		return c, fmt.Errorf("train: step size must be at least 1, got %d", c.StepSize)
	case !(c.Gamma > 0) || !finite(c.Gamma):
		return c, fmt.Errorf("train: gamma must be positive and finite, got %v", c.Gamma)
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
	l, err := lossByName(c.Loss)
	if err != nil {
		return c, err
	}
	c.Loss = l.String()
	return c, nil
}
