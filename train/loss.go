package train

import (
	"fmt"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/nn"
)

// Loss computes a scalar loss from a network's output over time, out [T,
// B, C] (spikes, or membrane potentials of a non-spiking output layer),
// and the labels of the B samples. The spike losses of package nn are
// Losses (nn.CrossEntropyRate, nn.CERateLoss, ...).
type Loss func(out *autograd.Var, labels []int) (*autograd.Var, error)

// LossNames returns the loss names Config.Loss accepts (nn.SpikeLossNames);
// a name may carry parameters in snnTorch's call syntax, as
// "mse_count_loss(correct_rate=0.8, incorrect_rate=0.2)".
func LossNames() []string { return nn.SpikeLossNames() }

// lossByName returns the loss a Config.Loss spec names.
func lossByName(spec string) (nn.SpikeLoss, error) {
	l, err := nn.NewSpikeLoss(spec)
	if err != nil {
		return l, fmt.Errorf("train: %w", err)
	}
	return l, nil
}
