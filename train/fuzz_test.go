package train

import (
	"encoding/json"
	"testing"
)

// FuzzParseRunState feeds the checkpoint metadata parser arbitrary values
// for its keys: it must return an error or a state whose numbers are in
// range, never panic.
func FuzzParseRunState(f *testing.F) {
	cfg, _ := json.Marshal(saveConfig(Config{Model: "mlp", Node: "LIFNode", T: 8, Epochs: 2, Batch: 32, LR: 1e-3, Optimizer: "adam", Loss: "cross_entropy_rate", StepSize: 30, Gamma: 0.1}, false))
	f.Add(string(cfg), `{"train":{"n":4},"test":{"n":1}}`, `{"epoch":1,"next_batch":2,"partial":{"samples":64,"spikes":[1,2],"seen":[3,4]}}`, `[{"epoch":1}]`)
	f.Add(string(cfg), `{}`, `{"epoch":0,"next_batch":0}`, `[]`)
	f.Add(`{"model":"cnn","T":1e9}`, `null`, `{"epoch":-1}`, `[{"epoch":2}]`)
	f.Fuzz(func(t *testing.T, config, data, progress, metrics string) {
		s, err := parseRunState(map[string]string{
			"format": "spikego-checkpoint-2", metaConfig: config, metaData: data, metaProgress: progress, metaMetrics: metrics,
		})
		if err != nil {
			return
		}
		c := s.cfg
		if c.T < 1 || c.T > MaxSteps || c.Batch < 1 || c.Epochs < 1 || !(c.LR > 0) {
			t.Fatalf("accepted settings %+v", c)
		}
		if p := s.progress; p.Epoch < 0 || p.Epoch > c.Epochs || p.NextBatch < 0 || len(s.history) != p.Epoch {
			t.Fatalf("accepted progress %+v with %d metrics", p, len(s.history))
		}
	})
}
