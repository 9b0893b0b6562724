package benchrun

import (
	"fmt"
	"slices"
)

// Protocol is how one reference model is measured: its batch size and
// which batches count (see the package documentation).
type Protocol struct {
	// Batch is the batch size of training and testing.
	Batch int `json:"batch"`
	// Warmup is the number of training steps left out at the start.
	Warmup int `json:"warmup_steps"`
	// Window is the number of full-size training steps per window.
	Window int `json:"window_steps"`
	// InferWarmup is the number of test batches left out at the start.
	InferWarmup int `json:"infer_warmup_batches"`
	// InferWindow is the number of full-size test batches per window.
	InferWindow int `json:"infer_window_batches"`
	// TrainSamples is the default number of training images: one epoch
	// of Fashion-MNIST for the mlp, the 10,000-image budget of the cnn.
	TrainSamples int `json:"default_train_samples"`
}

// protocols holds the protocol of each reference model, the values of
// bench/peer/peer.py and BENCHMARK-MODELS.md. Never modified.
var protocols = map[string]Protocol{
	"mlp": {Batch: 128, Warmup: 10, Window: 50, InferWarmup: 3, InferWindow: 15, TrainSamples: 60000},
	"cnn": {Batch: 64, Warmup: 5, Window: 25, InferWarmup: 3, InferWindow: 25, TrainSamples: 10000},
}

// Models returns the names of the models that can be measured, in the
// order of the report.
func Models() []string { return []string{"mlp", "cnn"} }

// ProtocolOf returns the protocol of the named model.
func ProtocolOf(model string) (Protocol, error) {
	p, ok := protocols[model]
	if !ok {
		return Protocol{}, fmt.Errorf("benchrun: unknown model %q (have %v)", model, Models())
	}
	return p, nil
}

// validModels checks that every name is a model, once.
func validModels(names []string) error {
	if len(names) == 0 {
		return fmt.Errorf("benchrun: no model to measure")
	}
	for i, n := range names {
		if _, err := ProtocolOf(n); err != nil {
			return err
		}
		if slices.Contains(names[:i], n) {
			return fmt.Errorf("benchrun: model %q given twice", n)
		}
	}
	return nil
}
