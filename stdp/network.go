package stdp

import (
	"errors"
	"fmt"

	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/optim"
	"github.com/spikego/spikego/tensor"
)

// NetworkConfig configures the example's network. DefaultNetworkConfig
// gives codef.py's settings.
type NetworkConfig struct {
	// Channels is the number of convolution channels (12).
	Channels int
	// Neurons is the number of linear neurons (6400).
	Neurons int
	// T1 is the number of steps of phase 1 (100), T2 of phase 2 and of
	// inference (200).
	T1, T2 int
	// ConvInh and LinearInh are the lateral inhibition strengths (1.625
	// and 25).
	ConvInh, LinearInh float32
	// LR1 and LR2 are the SGD learning rates of phase 1 (0.1) and phase 2
	// (0.0001).
	LR1, LR2 float32
	// Plus is the threshold growth of phase 2 (0.002).
	Plus float32
	// Height and Width are the image size (28×28), Labels the number of
	// classes (10).
	Height, Width, Labels int
	// ExcludeSilent leaves neurons that never spiked out of the voting
	// (see Voting); false is BrainCog's behaviour.
	ExcludeSilent bool
	// Seed seeds the initial weights and the winner-take-all draws.
	Seed uint64
}

// DefaultNetworkConfig returns the settings of BrainCog's example.
func DefaultNetworkConfig() NetworkConfig {
	return NetworkConfig{
		Channels: 12, Neurons: 6400, T1: 100, T2: 200,
		ConvInh: 1.625, LinearInh: 25, LR1: 0.1, LR2: 0.0001, Plus: 0.002,
		Height: 28, Width: 28, Labels: 10,
	}
}

// Network is the example's Conv_Net: an STDPConv (1 → Channels, 3×3,
// padding 1), 2×2 max pooling of its spike counts, normalisation of every
// sample by its largest pooled count, flattening (channel, row, column),
// and an STDPLinear (Channels·H/2·W/2 → Neurons) read out by Voting.
//
// Phase 1 trains the convolution alone (Phase1Step), phase 2 the linear
// layer on the convolution's features (Phase2Step); Infer runs the
// network without learning.
type Network struct {
	Conv   *STDPConv
	Linear *STDPLinear
	Voting *Voting

	cfg        NetworkConfig
	opt1, opt2 *optim.SGD
	feat       *tensor.Tensor
	img        *tensor.Tensor
}

// NewNetwork builds the network: the convolution's weight, then the
// linear layer's, drawn from a source seeded with cfg.Seed; the two
// winner-take-all seeds come from a source seeded with ^cfg.Seed.
func NewNetwork(cfg NetworkConfig) (*Network, error) {
	switch {
	case cfg.Channels < 1 || cfg.Neurons < 1 || cfg.Labels < 1:
		return nil, fmt.Errorf("stdp: network needs positive channels, neurons and labels, got %d, %d, %d", cfg.Channels, cfg.Neurons, cfg.Labels)
	case cfg.T1 < 1 || cfg.T2 < 1:
		return nil, fmt.Errorf("stdp: network needs T1, T2 >= 1, got %d, %d", cfg.T1, cfg.T2)
	case cfg.Height < 2 || cfg.Width < 2:
		return nil, fmt.Errorf("stdp: network needs images of at least 2×2, got %d×%d", cfg.Height, cfg.Width)
	}
	rng := nn.NewRand(cfg.Seed)
	seeds := nn.NewRand(^cfg.Seed) // the WTA draws, apart from the weights
	cc := DefaultConvConfig(1, cfg.Channels)
	cc.Inh, cc.Steps, cc.Seed = cfg.ConvInh, cfg.T1, seeds.Uint64()
	conv, err := NewSTDPConv(cc, rng)
	if err != nil {
		return nil, err
	}
	lc := DefaultLinearConfig(cfg.Channels*(cfg.Height/2)*(cfg.Width/2), cfg.Neurons)
	lc.Inh, lc.Steps, lc.Seed = cfg.LinearInh, cfg.T2, seeds.Uint64()
	lin, err := NewSTDPLinear(lc, rng)
	if err != nil {
		return nil, err
	}
	vote, err := NewVoting(cfg.Neurons, cfg.Labels)
	if err != nil {
		return nil, err
	}
	vote.ExcludeSilent = cfg.ExcludeSilent
	opt1, err := optim.NewSGD(nn.ParamVars(conv), optim.SGDOptions{LR: cfg.LR1})
	if err != nil {
		return nil, fmt.Errorf("stdp: network: %w", err)
	}
	opt2, err := optim.NewSGD(nn.ParamVars(lin), optim.SGDOptions{LR: cfg.LR2})
	if err != nil {
		return nil, fmt.Errorf("stdp: network: %w", err)
	}
	return &Network{Conv: conv, Linear: lin, Voting: vote, cfg: cfg, opt1: opt1, opt2: opt2}, nil
}

// Config returns the network's configuration.
func (n *Network) Config() NetworkConfig { return n.cfg }

// image wraps a batch of images (pixels in [0, 1], Height·Width each).
func (n *Network) image(x []float32) (*tensor.Tensor, error) {
	size := n.cfg.Height * n.cfg.Width
	if len(x) == 0 || len(x)%size != 0 {
		return nil, fmt.Errorf("stdp: network: %d pixels is not a batch of %d×%d images", len(x), n.cfg.Height, n.cfg.Width)
	}
	return tensor.FromSlice(x, len(x)/size, 1, n.cfg.Height, n.cfg.Width)
}

// Phase1Step is one step of phase 1 on a batch of images: the
// convolution runs T1 steps, its weight gets the gradient of
// Σ(counts)/(B·H·W) (the example's backward), NormGrad(true), an SGD step
// with LR1, and NormWeight. It returns the spike counts [B, Channels, H, W]
// (valid until the next call).
func (n *Network) Phase1Step(x []float32) (*tensor.Tensor, error) {
	img, err := n.image(x)
	if err != nil {
		return nil, err
	}
	counts, err := n.Conv.Run(img, n.cfg.T1)
	if err != nil {
		return nil, err
	}
	n.opt1.ZeroGrad()
	B, H, W := counts.Dim(0), counts.Dim(2), counts.Dim(3)
	if err := n.Conv.Backward(1 / float32(B*H*W)); err != nil {
		return nil, err
	}
	if err := n.Conv.NormGrad(true); err != nil {
		return nil, err
	}
	if err := n.opt1.Step(); err != nil {
		return nil, fmt.Errorf("stdp: phase 1: %w", err)
	}
	n.Conv.Reset()
	if err := n.Conv.NormWeight(false); err != nil {
		return nil, err
	}
	return counts, nil
}

// Features runs the convolution for T steps on a batch of images and
// returns the linear layer's input [B, Channels·H/2·W/2] (valid until the
// next call): the spike counts max-pooled 2×2, divided by each sample's
// largest pooled count (a sample with no spike keeps zeros, where
// BrainCog divides 0 by 0), flattened channel by channel.
func (n *Network) Features(x []float32, T int) (*tensor.Tensor, error) {
	img, err := n.image(x)
	if err != nil {
		return nil, err
	}
	counts, err := n.Conv.Run(img, T)
	if err != nil {
		return nil, err
	}
	n.Conv.Reset()
	B, C, H, W := counts.Dim(0), counts.Dim(1), counts.Dim(2), counts.Dim(3)
	Ho, Wo := H/2, W/2
	F := C * Ho * Wo
	if n.feat == nil || n.feat.Dim(0) != B {
		n.feat = tensor.New(B, F)
	}
	cd, fd := counts.Data(), n.feat.Data()
	tensor.ParallelFor(B, F*4, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			out := fd[b*F : (b+1)*F]
			var mx float32
			for c := 0; c < C; c++ {
				plane := cd[(b*C+c)*H*W:]
				for i := 0; i < Ho; i++ {
					for j := 0; j < Wo; j++ {
						r0, r1 := plane[2*i*W+2*j:], plane[(2*i+1)*W+2*j:]
						v := max32(max32(r0[0], r0[1]), max32(r1[0], r1[1]))
						out[(c*Ho+i)*Wo+j] = v
						mx = max32(mx, v)
					}
				}
			}
			if mx > 0 {
				for i, v := range out {
					out[i] = v / mx
				}
			}
		}
	})
	return n.feat, nil
}

// Phase2Step is one step of phase 2 on a batch of images: features at T2
// steps, the linear layer runs T2 steps, its weight gets the gradient of
// Σ(counts) (no scaling, as the example), NormGrad, an SGD step with LR2,
// UpdateThreshold(Plus) and NormWeight. The first batch ever seen sets
// the thresholds. It returns the spike counts (valid until the next
// call); the caller adds them to Voting.
func (n *Network) Phase2Step(x []float32) (*Spikes, error) {
	feat, err := n.Features(x, n.cfg.T2)
	if err != nil {
		return nil, err
	}
	sp, err := n.Linear.Run(feat, n.cfg.T2)
	if err != nil {
		return nil, err
	}
	// Reuse the gradient's memory from batch to batch (zeroed), rather
	// than a fresh [Neurons, In] tensor each time.
	w := n.Linear.Weight()
	if g := w.Grad(); g != nil {
		clear(g.Data())
	}
	if err := n.Linear.Backward(); err != nil {
		return nil, err
	}
	if err := n.Linear.NormGrad(); err != nil {
		return nil, err
	}
	if err := n.opt2.Step(); err != nil {
		return nil, fmt.Errorf("stdp: phase 2: %w", err)
	}
	if err := n.Linear.UpdateThreshold(n.cfg.Plus); err != nil {
		return nil, err
	}
	if err := n.Linear.NormWeight(); err != nil {
		return nil, err
	}
	n.Linear.Reset()
	return sp, nil
}

// Infer runs the network on a batch of images without learning (T2
// steps) and returns the linear layer's spike counts (valid until the
// next call). Before any phase-2 batch the thresholds are not set; that
// is an error.
func (n *Network) Infer(x []float32) (*Spikes, error) {
	if !n.Linear.init {
		return nil, errors.New("stdp: Infer before phase 2 set the thresholds")
	}
	feat, err := n.Features(x, n.cfg.T2)
	if err != nil {
		return nil, err
	}
	sp, err := n.Linear.Run(feat, n.cfg.T2)
	if err != nil {
		return nil, err
	}
	n.Linear.Reset()
	return sp, nil
}

// The layers are modules.
var (
	_ nn.Module = (*STDPConv)(nil)
	_ nn.Module = (*STDPLinear)(nil)
)
