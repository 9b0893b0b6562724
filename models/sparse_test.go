package models

import (
	"testing"

	"github.com/spikego/spikego/nn"
)

// setSparse sets the SparseMode of every Linear and Conv2d of m.
func setSparse(t *testing.T, m Model, mode nn.SparseMode) {
	t.Helper()
	err := nn.Walk(m, func(_ string, mod nn.Module) error {
		switch l := mod.(type) {
		case *nn.Linear:
			l.Sparse = mode
		case *nn.Conv2d:
			l.Sparse = mode
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestEventDrivenSameBits trains both reference models for a few steps
// with the event-driven layers always on (wherever an input is spikes:
// the mlp's fc2, the cnn's conv2 and fc), off, and chosen by density, and
// checks that the losses, weights, Adam state and BatchNorm statistics
// are bit-identical: the event-driven kernels add in the dense path's
// order.
func TestEventDrivenSameBits(t *testing.T) {
	for _, tc := range []struct {
		name         string
		batch, steps int
	}{{"mlp", 40, 3}, {"cnn", 16, 2}} { // mlp: 320 rows into fc2, two depth blocks
		t.Run(tc.name, func(t *testing.T) {
			var runs []*reproRun
			for _, mode := range []nn.SparseMode{nn.SparseOff, nn.SparseOn, nn.SparseAuto} {
				m, err := New(tc.name, Config{Seed: 1})
				if err != nil {
					t.Fatal(err)
				}
				setSparse(t, m, mode)
				runs = append(runs, reproTrainModel(t, m, tc.batch, tc.steps, 2))
			}
			for i, mode := range []string{"on", "auto"} {
				if d := runs[i+1].firstDiff(runs[0]); d != "" {
					t.Errorf("%s with the event-driven layers %s differs from off: %s", tc.name, mode, d)
				}
			}
		})
	}
}
