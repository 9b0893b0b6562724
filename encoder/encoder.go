package encoder

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/spikego/spikego/tensor"
)

// newOutput checks the arguments and returns a zero tensor of shape
// [T, x.shape...].
func newOutput(name string, x *tensor.Tensor, T int) (*tensor.Tensor, error) {
	if x == nil {
		return nil, fmt.Errorf("encoder: %s of a nil tensor", name)
	}
	if T < 1 {
		return nil, fmt.Errorf("encoder: %s with T = %d time steps (must be >= 1)", name, T)
	}
	out, err := tensor.Zeros(append([]int{T}, x.Shape()...)...)
	if err != nil {
		return nil, fmt.Errorf("encoder: %s: %w", name, err)
	}
	return out, nil
}

// clamp01 returns x clamped to [0, 1], with NaN mapped to 0.
func clamp01(x float32) float32 {
	switch {
	case x > 1:
		return 1
	case x > 0:
		return x
	default: // x <= 0 or NaN
		return 0
	}
}

// Direct returns the analog input repeated at every one of T time steps:
// out[t] = x for t in [0, T). This is BrainCog's "direct" encoding, where
// the first layer of the network turns the constant current into spikes.
// The output has shape [T, x.shape...] and does not share x's storage.
func Direct(x *tensor.Tensor, T int) (*tensor.Tensor, error) {
	out, err := newOutput("Direct", x, T)
	if err != nil {
		return nil, err
	}
	src, dst := x.Data(), out.Data()
	n := len(src)
	for t := 0; t < T; t++ {
		copy(dst[t*n:(t+1)*n], src)
	}
	return out, nil
}

// Poisson returns a rate-coded spike train of T steps: out[t][i] is 1 with
// probability p = clamp(x[i], 0, 1), independently for every step and
// element, and 0 otherwise (Bernoulli rate coding, as snnTorch's
// spikegen.rate and SpikingJelly's PoissonEncoder). Over many steps an
// element fires at mean rate p; an element with x <= 0 never fires and one
// with x >= 1 fires at every step.
//
// Poisson draws one rng.Float64() per output element, in the row-major
// order of the [T, x.shape...] output, and sets a spike when the draw is
// below p; the same rng state therefore gives the same spike train. It is
// an error when rng is nil.
func Poisson(x *tensor.Tensor, T int, rng *rand.Rand) (*tensor.Tensor, error) {
	out, err := newOutput("Poisson", x, T)
	if err != nil {
		return nil, err
	}
	if rng == nil {
		return nil, errors.New("encoder: Poisson with a nil random generator")
	}
	src, dst := x.Data(), out.Data()
	n := len(src)
	for t := 0; t < T; t++ {
		row := dst[t*n : (t+1)*n]
		for i, v := range src {
			if rng.Float64() < float64(clamp01(v)) {
				row[i] = 1
			}
		}
	}
	return out, nil
}

// LatencyStep returns the step at which Latency makes an element of value
// v fire in a train of T steps, or -1 when it never fires. For v > 0 it is
//
//	round((1 - clamp(v, 0, 1)) * (T - 1))
//
// computed in float64 with halves rounded up (math.Round), so v >= 1 fires
// at step 0, values just above 0 fire at step T-1, and larger values fire
// earlier. v <= 0 and NaN never fire. It returns -1 as well when T < 1.
//
// The product is taken on v's exact float32 value: 0.3 is stored as
// 0.30000001, so LatencyStep(0.3, 6) is round(3.49999994) = 3.
func LatencyStep(v float32, T int) int {
	if T < 1 || !(v > 0) {
		return -1
	}
	return int(math.Round((1 - float64(clamp01(v))) * float64(T-1)))
}

// Latency returns a linear time-to-first-spike code of T steps: every
// element with x > 0 fires exactly once, at step LatencyStep(x, T) =
// round((1 - clamp(x, 0, 1)) * (T - 1)), so brighter inputs fire earlier;
// elements with x <= 0 (or NaN) never fire. The output has shape
// [T, x.shape...] and holds 0 and 1 values.
func Latency(x *tensor.Tensor, T int) (*tensor.Tensor, error) {
	out, err := newOutput("Latency", x, T)
	if err != nil {
		return nil, err
	}
	src, dst := x.Data(), out.Data()
	n := len(src)
	for i, v := range src {
		if t := LatencyStep(v, T); t >= 0 {
			dst[t*n+i] = 1
		}
	}
	return out, nil
}
