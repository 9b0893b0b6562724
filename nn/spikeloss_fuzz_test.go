package nn

import (
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// FuzzNewSpikeLoss feeds the loss spec parser (a flag and a checkpoint
// field) arbitrary text: an error or a loss whose canonical spec parses to
// the same loss and which runs on a small output, never a panic.
func FuzzNewSpikeLoss(f *testing.F) {
	for _, s := range append(SpikeLossNames(), "mse_count_loss(correct_rate=0.8, incorrect_rate=0.2)",
		"ce_count_loss(population_code=true, num_classes=2)", "mse_temporal_loss(on_target=0, off_target=3, tolerance=1)",
		"ce_temporal_loss(inverse=reciprocal)", "mse_count_loss(", "x(a=)") {
		f.Add(s)
	}
	out := autograd.Const(tensor.Full(1, 4, 2, 4)) // [T=4, B=2, C=4], all spiking
	f.Fuzz(func(t *testing.T, spec string) {
		l, err := NewSpikeLoss(spec)
		if err != nil {
			return
		}
		again, err := NewSpikeLoss(l.String())
		if err != nil || again.String() != l.String() {
			t.Fatalf("%q: canonical %q does not round-trip: %v", spec, l.String(), err)
		}
		l.Loss(out, []int{0, 1}) // may fail for a population size that does not fit: must not panic
	})
}
