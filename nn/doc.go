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
// # Kernels
//
// On amd64 CPUs with AVX2, 2×2 max pooling with stride 2 and the loops of
// batch normalisation run in assembly (pool_amd64.s, bn_amd64.s); they
// give exactly the results of the pure-Go loops used elsewhere and with
// the purego build tag. Batch statistics are sums in float64 of x - s
// and (x - s)² with s the group's first value, in one pass.
//
// # Losses and metrics
//
// CrossEntropy (and CrossEntropyWith for other reductions) and MSE are
// single fused autograd operations with float64 accumulation. CountCorrect
// counts correct argmax predictions for accuracy; OneHot builds targets
// for MSE on class scores.
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
