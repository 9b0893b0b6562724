package surrogate

import "math"

// steKernel: forward x >= 0; backward passes the upstream gradient
// unchanged (the derivative of the identity).
func steKernel() Kernel {
	return Kernel{
		Library:   "BrainCog",
		Name:      "straight_through_estimator",
		Rule:      SpikeGE,
		Primitive: func(x, _ float32) float32 { return x },
		Deriv:     func(_, _ float32) float32 { return 1 },
		GradSlice: passGradSlice,
	}
}

// passGradSlice is the GradSlice of a gradient of 1: dst = g (g*1 is g,
// bit for bit up to the payload of a NaN).
func passGradSlice(dst, g, _ []float32, _ float32) { copy(dst, g) }

// StraightThroughEstimator is BrainCog's straight_through_estimator
// (Bengio et al. 2013, arXiv:1308.3432): it spikes where x >= 0 and its
// backward passes the upstream gradient unchanged. It has no alpha.
type StraightThroughEstimator struct{ SurrogateFunctionBase }

// NewStraightThroughEstimator returns the straight-through estimator.
func NewStraightThroughEstimator() *StraightThroughEstimator {
	return &StraightThroughEstimator{SurrogateFunctionBase{kernel: newKernel(steKernel())}}
}

// heavisideKernel: forward x >= 0 and no gradient at all.
func heavisideKernel() Kernel {
	return Kernel{
		Library: "BrainCog",
		Name:    "heaviside",
		Rule:    SpikeGE,
	}
}

// Heaviside is BrainCog's heaviside function, 1 where x >= 0 and 0
// elsewhere (0 for NaN). Like the comparison it is in PyTorch, it is not
// differentiable: its output never requires a gradient, so nothing flows
// back through it. It has no alpha.
type Heaviside struct{ SurrogateFunctionBase }

// NewHeaviside returns the Heaviside step.
func NewHeaviside() *Heaviside {
	return &Heaviside{SurrogateFunctionBase{kernel: newKernel(heavisideKernel())}}
}

// roundKernel: forward ceil(h) + h - h with h = clamp(x, -0.5, 4.5);
// backward 1 where -0.5 < x < 4.5.
func roundKernel() Kernel {
	return Kernel{
		Library: "BrainCog",
		Name:    "RoundGrad",
		Spike: func(x float32) float32 {
			h := hardtanh(x)
			c := float32(math.Ceil(float64(h)))
			return float32(c+h) - h
		},
		Primitive: func(x, _ float32) float32 { return hardtanh(x) },
		Deriv: func(x, _ float32) float32 {
			return step(x > -0.5 && x < 4.5)
		},
		// The clamp's backward selects rather than multiplies, and the zero
		// gradient of ceil is added first (turning -0 into +0), so an
		// infinite or NaN upstream gradient outside the window gives 0.
		Grad: func(g, x, _ float32) float32 { return roundGrad(g, x) },
		GradSlice: func(dst, g, x []float32, _ float32) {
			g, x = g[:len(dst)], x[:len(dst)]
			for i := range dst {
				dst[i] = roundGrad(g[i], x[i])
			}
		},
	}
}

// roundGrad is RoundGrad's backward: 0 + g inside the clamp's window, +0
// outside.
func roundGrad(g, x float32) float32 {
	if x > -0.5 && x < 4.5 {
		return 0 + g
	}
	return 0
}

// hardtanh clamps x to [-0.5, 4.5], keeping NaN.
func hardtanh(x float32) float32 {
	switch {
	case x < -0.5:
		return -0.5
	case x > 4.5:
		return 4.5
	}
	return x
}

// RoundGrad is BrainCog's RoundGrad, a multi-level spike: the input is
// clamped to [-0.5, 4.5] and rounded up, so the output is one of 0, 1, ...,
// 5 (computed as ceil(h) + h - h, as BrainCog's straight-through trick
// does, which rounds like it in float32). Its backward passes the upstream
// gradient where -0.5 < x < 4.5 (the derivative of the clamp). It has no
// alpha.
type RoundGrad struct{ SurrogateFunctionBase }

// NewRoundGrad returns a RoundGrad.
func NewRoundGrad() *RoundGrad {
	return &RoundGrad{SurrogateFunctionBase{kernel: newKernel(roundKernel())}}
}
