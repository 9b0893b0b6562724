// Package surrogate provides the surrogate-gradient spike functions of
// BrainCog (braincog.base.strategy.surrogate), SpikingJelly
// (spikingjelly.activation_based.surrogate) and snnTorch
// (snntorch.surrogate) on spikego's autograd tape, each under its
// library's name.
//
// A spiking neuron fires when its membrane potential crosses a threshold:
// a step function whose derivative is zero almost everywhere. A surrogate
// function keeps the step in the forward pass and substitutes a smooth or
// windowed stand-in derivative g'(x) in the backward pass, so that spiking
// networks can be trained by backpropagation. Most surrogates have a shape
// parameter (alpha, slope, ...), which may itself be learnable.
//
// Each function is declared once, as a Kernel (spike rule, primitive g,
// derivative g', and d/dalpha where it has one); the autograd operation
// and the fused neuron kernels of package node use the same declaration.
// A spike rule that is a plain comparison is declared as a SpikeRule,
// which fused loops apply inline, and every gradient also comes as a slice
// loop (Kernel.GradSlice) built on the same scalar function, so that a
// kernel calls through a function value once per slice, not once per
// element. On amd64 CPUs with AVX2 the slice loops of QGateGrad and
// AtanGrad, the defaults of BrainCog's nodes, run in assembly
// (kernels_amd64.s) with the same bits as their Go loops, which the
// purego build tag keeps. New picks a function by name; the package keeps no registry in
// a variable, and Lookup and Kernel hand out copies, so nothing a caller
// does changes what New returns.
//
// # Names
//
// Names lists every name New accepts: BrainCog's Python names,
// SpikingJelly's class names and snnTorch's function names. Where two
// libraries use one name, the bare name keeps its BrainCog meaning and
// snnTorch's function carries the prefix "snntorch_":
// "snntorch_heaviside" and "snntorch_straight_through_estimator".
// "heaviside" is BrainCog's and SpikingJelly's (the same function). Case
// tells SpikingJelly's classes from snnTorch's functions: "Sigmoid" and
// "ATan" are SpikingJelly's, "sigmoid" and "atan" snnTorch's.
//
// # Functions
//
// The parameter column names the parameter New sets (Kernel.Param) with
// its library default; s = sigmoid, "fixed" means not learnable. Second
// parameters, set by the typed constructors, are given in brackets.
//
//	name                        library       forward  backward g'(x)                                   parameter (default)
//	SigmoidGrad                 BrainCog      x >= 0   alpha s(alpha x) (1 - s(alpha x))                alpha 1, fixed
//	AtanGrad                    BrainCog      x > 0    alpha / (2 (1 + (pi/2 alpha x)^2))               alpha 2, learnable
//	GateGrad                    BrainCog      x > 0    1 if |x| < 1/alpha                               alpha 2, fixed
//	QGateGrad                   BrainCog      x > 0    alpha - alpha^2 |x| if |x| <= 1/alpha            alpha 2, fixed
//	ReLUGrad                    BrainCog      x >= 0   alpha if x > 0                                   alpha 2, fixed
//	STDPGrad                    BrainCog      x > 0    spike (upstream times output)                    alpha 2, unused
//	EIGrad                      BrainCog      sign(x)  1 if |x| < 0.5                                   alpha 2, unused
//	BackEIGateGrad              BrainCog      x > 0    1 if |x| < 0.5                                   alpha 2, unused
//	RoundGrad                   BrainCog      ceil(clamp(x, -0.5, 4.5))  1 if -0.5 < x < 4.5           none
//	straight_through_estimator  BrainCog      x >= 0   1                                                none
//	heaviside                   BrainCog, SJ  x >= 0   none (not differentiable)                        none
//	PiecewiseQuadratic          SpikingJelly  x >= 0   alpha - alpha^2 |x| if |x| <= 1/alpha            alpha 1
//	PiecewiseExp                SpikingJelly  x >= 0   alpha/2 exp(-alpha |x|)                          alpha 1
//	Sigmoid                     SpikingJelly  x >= 0   alpha s(alpha x) (1 - s(alpha x))                alpha 4
//	SoftSign                    SpikingJelly  x >= 0   alpha / (2 (1 + |alpha x|)^2)                    alpha 2
//	SuperSpike                  SpikingJelly  x >= 0   alpha / (1 + |x|)^2                              alpha 1
//	ATan                        SpikingJelly  x >= 0   alpha / (2 (1 + (pi/2 alpha x)^2))               alpha 2
//	NonzeroSignLogAbs           SpikingJelly  x >= 0   1 / (1/alpha + |x|)                              alpha 1
//	Erf                         SpikingJelly  x >= 0   alpha/sqrt(pi) exp(-alpha^2 x^2)                 alpha 2
//	PiecewiseLeakyReLU          SpikingJelly  x >= 0   1/(2w) if |x| < w, else c                        w 1 [c 0.01]
//	SquarewaveFourierSeries     SpikingJelly  x >= 0   4/T sum_{i<n} cos((2i-1) 2pi/T x)                T_period 8 [n 2]
//	S2NN                        SpikingJelly  x >= 0   alpha s(alpha x)(1-s(alpha x)) if x < 0, else beta/(x+1)  alpha 4 [beta 1]
//	QPseudoSpike                SpikingJelly  x >= 0   (1 + 2/(alpha-1) |x|)^-alpha                     alpha 2 (> 1)
//	LeakyKReLU                  SpikingJelly  x >= 0   k if x >= 0, else leak                           leak 0 [k 1]
//	FakeNumericalGradient       SpikingJelly  x >= 0   min(1/|x|, alpha) (-Inf at x = -0)               alpha 0.3
//	LogTailedReLU               SpikingJelly  x >= 0   alpha if x <= 0, 1 if x <= 1, else 1/x           alpha 0
//	DeterministicPass           SpikingJelly  x >= 0   1                                                none
//	Rect                        SpikingJelly  x >= 0   alpha if |x| < 1/(2 alpha)                       alpha 1
//	atan                        snnTorch      x > 0    alpha / (2 (1 + (pi/2 alpha x)^2))               alpha 2
//	fast_sigmoid                snnTorch      x > 0    1 / (slope |x| + 1)^2                            slope 25
//	sigmoid                     snnTorch      x > 0    slope s(slope x) (1 - s(slope x))                slope 25
//	triangular                  snnTorch      x > 0    threshold if x < 0, else -threshold              threshold 1
//	spike_rate_escape           snnTorch      x > 0    slope exp(-beta |x - 1|)                         slope 25 [beta 1]
//	SFS                         snnTorch      x > 0    1 / (slope |x| + 1)^2 if x > B                   slope 25 [B 1]
//	LSO                         snnTorch      x > 0    1 if x > 0, else slope                           slope 0.1
//	snntorch_heaviside          snnTorch      x > 0    spike (upstream times output)                    none
//	snntorch_straight_through_estimator  snnTorch  x > 0  1                                             none
//
// x >= 0 spikes at 0 (and -0), x > 0 does not; NaN never spikes. Only
// AtanGrad and ReLUGrad give their alpha a gradient (BrainCog's
// expressions: sum(upstream x / (2 (1 + (pi/2 alpha x)^2))) and
// sum(upstream relu(x))); every other function leaves a learnable
// parameter's Grad nil, as the libraries do (SpikingJelly's and snnTorch's
// parameters are Python numbers). A function of two parameters is built
// by New with its second at the library default, by its own constructor
// (NewPiecewiseLeakyReLU, NewSquarewaveFourierSeries, NewS2NN,
// NewLeakyKReLU, NewSpikeRateEscape, NewSparseFastSigmoid) with both.
// NewCustom wraps a Kernel of one's own (snnTorch's custom_surrogate).
//
// # Where this package follows the libraries' code rather than their documents
//
//   - BrainCog's GateGrad doc string describes NonzeroSign(x)
//     log(|alpha x| + 1), but the code computes a unit window
//     |x| < 1/alpha. GateGrad is the window; the doc string's function is
//     SpikingJelly's NonzeroSignLogAbs.
//   - BrainCog's doc strings say every function returns spikes in [0, 1];
//     EIGrad returns sign(x) in {-1, 0, 1} and RoundGrad returns 0..5.
//   - BrainCog's spike rule is x >= 0 for SigmoidGrad, ReLUGrad, the
//     straight-through estimator and heaviside, but x > 0 for the others.
//   - AtanGrad's alpha gradient is BrainCog's expression, not the exact
//     derivative of g' with respect to alpha.
//   - snnTorch documents its spikes as U >= U_thr; its code (followed
//     here) fires where x > 0. triangular's gradient is +threshold below 0
//     and -threshold from 0 on, as documented and computed.
//   - EIGrad returns 0 for NaN, as torch.sign does on the CPU.
//
// # Where a library's code was broken
//
//   - SpikingJelly 3bc12b75's SuperSpike class applies ATan's gradient;
//     its own autograd function, and the class since, compute
//     alpha/(1+|x|)^2, which spikego follows.
//   - SpikingJelly 3bc12b75's NonzeroSignLogAbs raises in its backward
//     (it passes a tuple to nonzero_sign_log_abs_backward); spikego
//     computes that function, g / (1/alpha + |x|), as later commits do.
//   - snnTorch's LSO() wraps the wrong autograd function and raises, and
//     LeakySpikeOperator.backward returns one gradient too few (fixed in
//     later pull requests); spikego computes LeakySpikeOperator's backward.
//   - snnTorch's sigmoid up to 0.9.4 computed slope e^(-slope x) /
//     (e^(-slope x) + 1)^2, NaN for slope x < -88.7; spikego follows the
//     fix (snnTorch pull request #433), slope s (1 - s).
//
// # Not provided
//
//   - SpikingJelly's PoissonPass draws its spikes at random
//     (torch.bernoulli of an input that must be a probability) and snnTorch's
//     SSO draws its gradient at random (torch.rand_like) on every call; a
//     Kernel is a pure function of x and the parameter, run in parallel by
//     the fused node kernels, so neither fits (encoder.Poisson is
//     spikego's Poisson coding).
//   - SpikingJelly's MultiLevelSpikeCount (added after 3bc12b75, with a
//     required spike count and no default) belongs with ILIF neurons'
//     spike-count reset, which spikego's nodes do not have.
//
// # Arithmetic
//
// Arithmetic is float32 and rounded step by step in the order of the
// library's PyTorch expressions, with constants derived from a Python
// parameter computed in float64 and rounded once, so that values agree
// with the libraries on PyTorch bit for bit (tests check this against
// values the libraries' own code computed), except where PyTorch computes
// exp, sigmoid, cos or a general power with its vectorised SLEEF kernels:
// there results may differ by a few units in the last place.
package surrogate
