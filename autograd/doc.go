// Package autograd is a reverse-mode automatic differentiation tape over
// float32 tensors, the Go counterpart of torch.autograd.
//
// A Var holds a tensor value, whether it requires a gradient, and, once
// Backward has run, its gradient. Every operation on Vars that require a
// gradient records a node on the tape; Backward walks the nodes from the
// root in reverse topological order and accumulates gradients into the
// leaf Vars (and into non-leaf Vars that asked for it with RetainGrad).
// Gradients are never computed for inputs that do not require one.
//
// New differentiable operations implement Function, the twin of
// torch.autograd.Function: Forward computes the output from input tensors
// and may save tensors on its Context; Backward turns the gradient of the
// output into gradients of the inputs, consulting Context.NeedsInputGrad
// to skip the ones nobody wants. Apply runs a Function on Vars and records
// it.
//
// The element-wise, reduction and matrix operations of this package (Add,
// Mul, Sum, MatMul, ...) are convenience wrappers whose shape errors are
// programmer errors: they panic with a message naming the shapes. Apply
// returns errors instead.
//
// There is no global gradient mode. NoGrad runs a function with a chosen
// set of leaf Vars (typically a model's parameters) marked as not requiring
// gradients, so nothing computed from them inside is recorded; Detach cuts
// one Var from the tape.
package autograd
