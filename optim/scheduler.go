package optim

import (
	"fmt"
	"math"
)

// Scheduler changes an optimizer's learning rate as training progresses.
// Call Step once per epoch, after that epoch's optimizer steps.
type Scheduler interface {
	// Step advances the epoch counter by one and sets the optimizer's
	// learning rate for the new epoch.
	Step()
	// LR returns the learning rate the scheduler last set.
	LR() float32
}

// StepLR multiplies the learning rate by Gamma every StepSize epochs:
// torch.optim.lr_scheduler.StepLR. At epoch e the rate is
//
//	base_lr * gamma^floor(e/stepSize)
//
// where base_lr is the optimizer's rate when the scheduler was made.
type StepLR struct {
	opt      Optimizer
	base     float64
	stepSize int
	gamma    float64
	epoch    int
	lr       float32
}

// NewStepLR returns a StepLR over opt at epoch 0, which leaves the
// learning rate at its current value. It is an error when opt is nil,
// stepSize < 1, or gamma is negative or NaN.
func NewStepLR(opt Optimizer, stepSize int, gamma float32) (*StepLR, error) {
	if opt == nil {
		return nil, fmt.Errorf("optim: StepLR of a nil optimizer")
	}
	if stepSize < 1 {
		return nil, fmt.Errorf("optim: invalid StepLR step size %d (must be >= 1)", stepSize)
	}
	if err := checkNonNeg("StepLR gamma", gamma); err != nil {
		return nil, err
	}
	s := &StepLR{opt: opt, base: float64(opt.LR()), stepSize: stepSize, gamma: float64(gamma)}
	s.set()
	return s, nil
}

func (s *StepLR) set() {
	s.lr = float32(s.base * math.Pow(s.gamma, float64(s.epoch/s.stepSize)))
	s.opt.SetLR(s.lr)
}

// Step moves to the next epoch and sets the optimizer's learning rate.
func (s *StepLR) Step() {
	s.epoch++
	s.set()
}

// LR returns the learning rate of the current epoch.
func (s *StepLR) LR() float32 { return s.lr }

// Epoch returns the number of Step calls so far.
func (s *StepLR) Epoch() int { return s.epoch }

// CosineAnnealingLR anneals the learning rate from its initial value to
// EtaMin along half a cosine period of TMax epochs:
// torch.optim.lr_scheduler.CosineAnnealingLR without restarts. At epoch e
// the rate is
//
//	eta_min + (base_lr - eta_min) * (1 + cos(pi*e/tMax)) / 2
//
// where base_lr is the optimizer's rate when the scheduler was made. Past
// tMax the rate follows the same cosine back up, as PyTorch's does.
type CosineAnnealingLR struct {
	opt    Optimizer
	base   float64
	tMax   int
	etaMin float64
	epoch  int
	lr     float32
}

// NewCosineAnnealingLR returns a CosineAnnealingLR over opt at epoch 0,
// which leaves the learning rate at its current value. It is an error when
// opt is nil, tMax < 1, or etaMin is negative or NaN.
func NewCosineAnnealingLR(opt Optimizer, tMax int, etaMin float32) (*CosineAnnealingLR, error) {
	if opt == nil {
		return nil, fmt.Errorf("optim: CosineAnnealingLR of a nil optimizer")
	}
	if tMax < 1 {
		return nil, fmt.Errorf("optim: invalid CosineAnnealingLR T_max %d (must be >= 1)", tMax)
	}
	if err := checkNonNeg("CosineAnnealingLR eta_min", etaMin); err != nil {
		return nil, err
	}
	c := &CosineAnnealingLR{opt: opt, base: float64(opt.LR()), tMax: tMax, etaMin: float64(etaMin)}
	c.set()
	return c, nil
}

func (c *CosineAnnealingLR) set() {
	cos := math.Cos(math.Pi * float64(c.epoch) / float64(c.tMax))
	c.lr = float32(c.etaMin + (c.base-c.etaMin)*(1+cos)/2)
	c.opt.SetLR(c.lr)
}

// Step moves to the next epoch and sets the optimizer's learning rate.
func (c *CosineAnnealingLR) Step() {
	c.epoch++
	c.set()
}

// LR returns the learning rate of the current epoch.
func (c *CosineAnnealingLR) LR() float32 { return c.lr }

// Epoch returns the number of Step calls so far.
func (c *CosineAnnealingLR) Epoch() int { return c.epoch }
