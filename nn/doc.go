// Package nn holds the neural-network building blocks of spikego: layers,
// losses and the Module plumbing that ties them to the autograd tape, the
// Go counterpart of torch.nn as BrainCog uses it.
//
// # Modules and parameters
//
// Every layer implements Module: Forward maps an *autograd.Var to an
// *autograd.Var, Params lists the trainable Vars, Buffers the
// non-trainable state, and SetTraining switches between training and
// evaluation behaviour (Dropout, BatchNorm). Parameters and buffers carry
// PyTorch's state_dict names ("weight", "bias", "running_mean", ...; inside
// a Sequential "0.weight", "2.bias", ...), so StateDict and LoadStateDict
// exchange checkpoints with code that follows PyTorch's naming. Layers
// are initialised with PyTorch's default distributions (for Linear and
// Conv2d U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias, see
// KaimingUniformBound), drawn from an explicit, seeded *Rand: the package
// has no global random source or other global mutable state, so a run
// repeats exactly for a given seed. The values themselves differ from
// PyTorch's, whose generator is different.
//
// # Multi-step convention
//
// Spiking networks run for T time steps. The layers of this package are
// stateless between steps, so they process all steps at once: a caller
// holding a [T, B, ...] input reshapes it to [T*B, ...], applies the
// layers, and reshapes the result back to [T, B, ...] (BrainCog's
// "multi-step" mode). Linear accepts any number of leading dimensions
// itself, so [T, B, in] needs no reshape there; Conv2d, BatchNorm and the
// pooling layers expect the merged [T*B, C, H, W] (or [T*B, C]) form.
// Stateful spiking neurons live in other packages.
//
// # Memory
//
// Linear, Conv2d, BatchNorm and MaxPool2d keep their outputs, what they
// save for the backward pass and their input gradients in an
// autograd.Pool, so that a training step allocates no large buffer once
// the first steps have filled the pools. The output of a layer's Forward
// on a tape therefore stays valid until the layer runs forward again
// after a Backward through it; see the autograd package for the rules.
// Outputs computed without a tape (inference) are the caller's. Every
// buffer is written in full before it is read, so none needs clearing
// except where a kernel adds into it.
//
// # Kernels
//
// On amd64 CPUs with AVX2, 2×2 max pooling with stride 2 and the loops of
// batch normalisation run in assembly (pool_amd64.s, bn_amd64.s); they
// give exactly the results of the pure-Go loops used elsewhere and with
// the purego build tag. Batch statistics are sums in float64 of x - s
// and (x - s)² with s the group's first value, in one pass.
//
// Every layer gives the same bits on any number of cores. Work is split
// between goroutines by samples, channels, planes or rows, whose results
// do not depend on the split; the one reduction across samples, the
// weight and bias gradients of Conv2d, sums fixed blocks of samples (at
// most 32, fewer for large layers) separately and adds the blocks' sums
// in order. See the tensor package for what may differ between builds.
//
// # Event-driven layers
//
// The inputs of every layer after the first of a spiking network are
// spikes: every element is exactly 0 or 1, and most are 0. Linear and
// Conv2d then compute only with the inputs that fired:
//
//   - forward: an output row (Linear) or output position (Conv2d) is the
//     bias plus the rows of the transposed weight named by the inputs
//     that fired in it (for Conv2d, by every tap of its window);
//   - weight gradient: row i of the transposed weight gradient is the sum
//     of the rows of the output gradient where input i fired;
//   - the input and bias gradients stay dense.
//
// The terms are contiguous vector additions over the outputs, in AVX2
// assembly (spike_amd64.s, with a pure-Go version under the purego tag).
//
// No flag marks a tensor as spikes: the event-driven path starts with the
// pass it needs anyway, a scan of the input that lists the positions of
// its ones (with AVX-512, VPCOMPRESSD) and gives up at the first element
// that is neither 0 nor 1 (NaN included). A flag would have to survive
// reshapes, pooling and writes through Tensor.Data; the scan cannot be
// wrong, and an analog input (a first layer) shows itself in its first row
// or sample, at no cost beyond it.
//
// Each layer's Sparse field chooses: SparseAuto (the default) takes the
// event-driven path when the input's density, the fraction of ones, is at
// most the crossover measured on this project's 2-core AMD EPYC (Zen 4)
// machine for the reference models' layers (mlp fc2 800→10 on 1,024 rows,
// cnn fc 1568→10 on 256 rows, cnn conv2 32→32 3×3 on 256 samples of
// 14×14; bench/README.md has the measurements); SparseOff never does,
// SparseOn whenever the input is binary.
//
//	                       crossover   decided
//	Linear forward           35%       per call
//	Linear weight gradient   20%       per call
//	Conv2d forward           25%       per sample
//	Conv2d weight gradient   20%       per batch, when every sample was event-driven
//
// At 10% density the event-driven passes take 40% (Conv2d forward) to
// 60% (Conv2d weight gradient) of the dense ones' time on these layers,
// about half for Linear. In the whole models they save less: max pooling
// makes the cnn's conv2 input about 30% dense, at the crossover, and the
// mlp's fc2, 1-10% dense, is a small part of its step.
//
// The event-driven path gives the dense path's bits, whatever the choice:
// it adds its terms in the order of tensor.Gemm, depth block by depth
// block (see tensor.GemmDepthStep; the products of a binary operand are
// exact, so leaving out the zeros changes nothing), and the Conv2d weight
// gradient in Backward's blocks of samples. One exception: with infinite
// or NaN weights (or output gradients) the dense path also spreads 0·Inf =
// NaN where inputs are 0, the event-driven one does not. The layers keep
// the event-driven kernels' buffers for later calls, sized for the
// largest input they have seen (for the cnn's conv2 at 256 samples, under
// 1 MB; for a Linear, as many int32 as its input has elements).
//
// # Losses and metrics
//
// CrossEntropy (and CrossEntropyWith for other reductions) and MSE are
// single fused autograd operations with float64 accumulation. CountCorrect
// counts correct argmax predictions for accuracy; OneHot builds targets
// for MSE on class scores.
//
// # Spike losses
//
// The spike losses take a network's output over time, out [T, B, C]
// (spikes, or the membrane potential of the output layer), and labels,
// and return a 0-d Var. NewSpikeLoss selects one by name, with
// snnTorch's defaults and call syntax for its parameters
// ("mse_count_loss(correct_rate=0.8, incorrect_rate=0.2)"); SpikeLoss.Input
// says whether it reads spikes or membranes. The definitions, T the steps:
//
//	cross_entropy_rate         CE(mean_t out)                   spikego, BrainCog
//	mse_rate                   MSE(mean_t out, one_hot)         SpikingJelly's tutorials
//	ce_rate_loss               (1/T) sum_t CE(out[t])           snnTorch
//	ce_count_loss              CE(sum_t out)                    snnTorch
//	mse_count_loss             MSE(sum_t out, counts) / T       snnTorch
//	mse_temporal_loss          MSE(first spike/T, target/T)     snnTorch
//	ce_temporal_loss           CE(-first spike)                 snnTorch
//	ce_max_membrane_loss       CE(max_t mem)                    snnTorch
//	mse_membrane_loss          (1/T) sum_t MSE(mem[t], target)  snnTorch
//	ce_per_step_membrane_loss  sum_t CE(mem[t])                 snnTorch's tutorial 5
//	ce_mean_membrane_loss      CE(mean_t mem)                   SpikingJelly's "mean-mem"
//	ce_last_membrane_loss      CE(mem[T-1])                     SpikingJelly's "last_mem"
//
// snnTorch's losses are reproduced exactly, including the targets of its
// spikegen.targets_convert (which give the other classes max(0,
// off_target) when on_target > off_target) and the truncation of
// int(T*rate); golden tests compare value and gradient with snnTorch's own
// code on PyTorch.
//
// # PyTorch equivalents
//
//	spikego nn           PyTorch
//	Linear               torch.nn.Linear
//	Conv2d               torch.nn.Conv2d
//	BatchNorm1d          torch.nn.BatchNorm1d
//	BatchNorm2d          torch.nn.BatchNorm2d
//	MaxPool2d            torch.nn.MaxPool2d
//	AvgPool2d            torch.nn.AvgPool2d
//	Dropout              torch.nn.Dropout
//	Flatten              torch.nn.Flatten
//	Sequential           torch.nn.Sequential
//	CrossEntropy         torch.nn.functional.cross_entropy (mean reduction)
//	CrossEntropyWith     cross_entropy with reduction="mean"/"sum"/"none"
//	MSE                  torch.nn.functional.mse_loss (mean reduction)
//	OneHot               torch.nn.functional.one_hot(...).float()
//	CountCorrect         (logits.argmax(1) == labels).sum()
//	StateDict            Module.state_dict()
//	LoadStateDict        Module.load_state_dict(strict=True)
//	Module.SetTraining   Module.train() / Module.eval()
package nn
