// Package surrogate provides BrainCog's surrogate-gradient spike functions
// (braincog.base.strategy.surrogate) on spikego's autograd tape.
//
// A spiking neuron fires when its membrane potential crosses a threshold:
// a step function whose derivative is zero almost everywhere. A surrogate
// function keeps the step in the forward pass and substitutes a smooth or
// windowed stand-in derivative g'(x) in the backward pass, so that spiking
// networks can be trained by backpropagation. Most surrogates have a shape
// parameter alpha, which may itself be learnable.
//
// Each function is declared once, as a Kernel (spike rule, primitive g,
// derivative g', and d/dalpha where it has one); the autograd operation
// and the fused neuron kernels of package node use the same declaration.
// A spike rule that is a plain comparison is declared as a SpikeRule,
// which fused loops apply inline, and the gradients neurons use most
// also come as a slice loop (Kernel.GradSlice) built on the same scalar
// function, so that a kernel calls through a function value once per
// slice, not once per element. New picks a function by BrainCog's Python
// name.
//
// # Functions
//
//	BrainCog name               Go type                   forward       backward g'(x)                          alpha default
//	SigmoidGrad                 SigmoidGrad               x >= 0        alpha s (1-s), s = sigmoid(alpha x)     1, fixed
//	AtanGrad                    AtanGrad                  x > 0         alpha / (2 (1 + (pi/2 alpha x)^2))      2, learnable
//	GateGrad                    GateGrad                  x > 0         1 if |x| < 1/alpha                       2, fixed
//	QGateGrad                   QGateGrad                 x > 0         alpha - alpha^2 |x| if |x| <= 1/alpha    2, fixed
//	ReLUGrad                    ReLUGrad                  x >= 0        alpha if x > 0                           2, fixed
//	STDPGrad                    STDPGrad                  x > 0         spike (upstream times output)           2, unused
//	EIGrad                      EIGrad                    sign(x)       1 if |x| < 0.5                           2, unused
//	BackEIGateGrad              BackEIGateGrad            x > 0         1 if |x| < 0.5                           2, unused
//	RoundGrad                   RoundGrad                 ceil(clamp)   1 if -0.5 < x < 4.5                      none
//	straight_through_estimator  StraightThroughEstimator  x >= 0        1                                       none
//	heaviside                   Heaviside                 x >= 0        none (not differentiable)               none
//	(doc string of GateGrad)    NonzeroSignLogAbs         x > 0         alpha / (1 + |alpha x|)                 2, fixed
//
// The gradient of a learnable alpha: AtanGrad gives sum(upstream * x /
// (2 (1 + (pi/2 alpha x)^2))) and ReLUGrad gives sum(upstream * relu(x)),
// as BrainCog computes them; the other functions give alpha no gradient
// even when it is marked learnable (its Grad stays nil), as in BrainCog.
//
// # Where this package follows BrainCog's code rather than its documents
//
//   - GateGrad's doc string describes NonzeroSign(x) log(|alpha x| + 1),
//     but the code computes a unit window |x| < 1/alpha. GateGrad is the
//     window; the doc string's function is offered as NonzeroSignLogAbs.
//   - The doc strings say every function returns spikes in [0, 1]; EIGrad
//     returns sign(x) in {-1, 0, 1} and RoundGrad returns 0..5.
//   - The spike rule is x >= 0 for SigmoidGrad, ReLUGrad, the
//     straight-through estimator and heaviside, but x > 0 for the others;
//     an input of exactly 0 spikes for the former and not for the latter.
//   - AtanGrad's alpha gradient is BrainCog's expression, not the exact
//     derivative of g' with respect to alpha.
//   - NaN inputs never spike (comparisons with NaN are false); EIGrad
//     returns 0 for NaN, as torch.sign does on the CPU.
//
// Arithmetic is float32 and rounded step by step in the order of
// BrainCog's expressions, so that values agree with BrainCog on PyTorch
// (float32) to within a few units in the last place; the tests check this
// against values computed by PyTorch.
package surrogate
