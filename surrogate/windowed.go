package surrogate

// stdpKernel: forward x > 0; backward upstream * spike.
func stdpKernel() Kernel {
	return Kernel{
		Library:      "BrainCog",
		Name:         "STDPGrad",
		Rule:         SpikeGT,
		Deriv:        func(x, _ float32) float32 { return heavisideGT(x) },
		GradSlice:    stdpGradSlice,
		Param:        "alpha",
		HasAlpha:     true,
		DefaultAlpha: 2,
	}
}

// stdpGradSlice is the Kernel's GradSlice: g * Deriv(x).
func stdpGradSlice(dst, g, x []float32, _ float32) {
	g, x = g[:len(dst)], x[:len(dst)]
	for i := range dst {
		dst[i] = g[i] * heavisideGT(x[i])
	}
}

// STDPGrad is BrainCog's STDPGrad: it spikes where x > 0 and its backward
// multiplies the upstream gradient by the output spike, so only neurons
// that fired pass a gradient. alpha (default 2) is carried but unused.
type STDPGrad struct{ SurrogateFunctionBase }

// NewSTDPGrad returns an STDPGrad; alpha is kept but has no effect.
func NewSTDPGrad(alpha float32, requiresGrad bool) (*STDPGrad, error) {
	b, err := newBase(stdpKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &STDPGrad{b}, nil
}

// halfWindow is 1 where |x| < 0.5, the gate of EIGrad and BackEIGateGrad.
func halfWindow(x, _ float32) float32 { return step(abs32(x) < 0.5) }

// halfWindowGradSlice is the GradSlice of EIGrad and BackEIGateGrad:
// g * halfWindow(x).
func halfWindowGradSlice(dst, g, x []float32, _ float32) {
	g, x = g[:len(dst)], x[:len(dst)]
	for i := range dst {
		dst[i] = g[i] * step(abs32(x[i]) < 0.5)
	}
}

// eiKernel: forward sign(x); backward upstream where |x| < 0.5.
func eiKernel() Kernel {
	return Kernel{
		Library:      "BrainCog",
		Name:         "EIGrad",
		Rule:         SpikeSign, // +0 for ±0 and NaN, as torch.sign on the CPU
		Deriv:        halfWindow,
		GradSlice:    halfWindowGradSlice,
		Param:        "alpha",
		HasAlpha:     true,
		DefaultAlpha: 2,
	}
}

// EIGrad is BrainCog's EIGrad for excitatory/inhibitory neurons: its
// forward is sign(x), one of -1, 0 and 1 (0 for ±0 and NaN, as torch.sign
// on the CPU), not a {0,1} spike,
// and its backward passes the upstream gradient where |x| < 0.5 and blocks
// it elsewhere. alpha (default 2) is carried but unused.
type EIGrad struct{ SurrogateFunctionBase }

// NewEIGrad returns an EIGrad; alpha is kept but has no effect.
func NewEIGrad(alpha float32, requiresGrad bool) (*EIGrad, error) {
	b, err := newBase(eiKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &EIGrad{b}, nil
}

// backEIGateKernel: forward x > 0; backward upstream where |x| < 0.5.
func backEIGateKernel() Kernel {
	return Kernel{
		Library:      "BrainCog",
		Name:         "BackEIGateGrad",
		Rule:         SpikeGT,
		Deriv:        halfWindow,
		GradSlice:    halfWindowGradSlice,
		Param:        "alpha",
		HasAlpha:     true,
		DefaultAlpha: 2,
	}
}

// BackEIGateGrad is BrainCog's BackEIGateGrad: it spikes where x > 0 and
// passes the upstream gradient where |x| < 0.5. alpha (default 2) is
// carried but unused.
type BackEIGateGrad struct{ SurrogateFunctionBase }

// NewBackEIGateGrad returns a BackEIGateGrad; alpha is kept but has no
// effect.
func NewBackEIGateGrad(alpha float32, requiresGrad bool) (*BackEIGateGrad, error) {
	b, err := newBase(backEIGateKernel(), alpha, requiresGrad)
	if err != nil {
		return nil, err
	}
	return &BackEIGateGrad{b}, nil
}
