// Package optim updates the parameters of a model from their gradients: the
// Go counterpart of torch.optim and torch.optim.lr_scheduler.
//
// An Optimizer (SGD, Adam, AdamW) holds a fixed list of leaf
// *autograd.Var parameters. After autograd.Backward has filled their
// gradients, Step applies one update to every parameter whose Grad is not
// nil; parameters without a gradient are skipped and their state (momentum
// buffers, moment estimates, Adam's step count) is left untouched, exactly
// as in PyTorch. ZeroGrad clears the gradients (PyTorch's
// zero_grad(set_to_none=True)) but keeps their storage for the next
// Backward to write the new gradients into (autograd.Var.RecycleGrad),
// as PyTorch's allocator reuses freed memory: a gradient tensor taken
// before ZeroGrad changes at the next Backward.
//
// The update rules are those of PyTorch 1.13's single-tensor (non-foreach)
// CPU implementations, computed in float32 with the same operations in the
// same order, so that results agree bit for bit with PyTorch run on the
// same float32 hyperparameters (on x86-64, where the golden tests check it):
//
//   - Hyperparameters are float32. Where PyTorch combines them in Python
//     floats (1-beta1, lr/(1-beta1^step), sqrt(1-beta2^step), 1-lr*wd), this
//     package computes in float64 and, like PyTorch, rounds the scalar to
//     float32 when it meets a float32 tensor.
//   - PyTorch's x.add_(y, alpha=a) and x.addcmul_(y, z, value=c) run as
//     fused multiply-adds in its AVX2/AVX-512 kernels (the ones x86-64 builds
//     use); this package fuses the same operations, rounding once.
//
// PyTorch given the Python float 0.9 rather than float32(0.9) computes a
// slightly different 1-beta1, so its results then differ in the last bits.
// The golden tests compare against values recorded from PyTorch by
// testdata/gen.py, with the hyperparameters rounded to float32 on both
// sides.
//
// Each parameter's element loop runs on several goroutines when the
// parameter is large (tensor.ParallelFor). On amd64 CPUs with AVX2 and FMA
// the loops of SGD and Adam run as assembly kernels, eight elements per
// instruction; every lane performs the Go loop's operations in the same
// order, rounded the same way (the FMA instruction rounds once, as the Go
// loop's emulation of it does), so the results are the same bits, NaNs
// aside: where two NaNs meet, which one comes out is the CPU's choice. The
// purego build tag keeps to the Go loops. The state buffers are allocated
// on a parameter's first update; later steps allocate nothing.
//
// A Scheduler (StepLR, CosineAnnealingLR) changes an optimizer's learning
// rate once per epoch from a closed form in the epoch number, as PyTorch's
// schedulers do when they alone set the rate.
//
// # Gradient clipping
//
// ClipGradNorm (torch.nn.utils.clip_grad_norm_) and ClipGradValue
// (clip_grad_value_) act on the gradients in place, between
// autograd.Backward and Step. ClipGradNorm computes the total norm in
// PyTorch 1.13's float32 order (for the 2-norm, its AVX2 kernel's eight
// fused multiply-add lanes), so that the norm and the clipped gradients
// agree with PyTorch bit for bit; the result does not depend on the number
// of goroutines. A non-finite total norm is an error that leaves the
// gradients unchanged (PyTorch's error_if_nonfinite=True).
package optim
