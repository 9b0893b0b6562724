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
//
// # Memory
//
// A training step need not allocate its large buffers anew: a layer owns
// a Pool, and its Function takes its output and what it saves from the
// pool with Context.Buffer in Forward, and its input gradients with
// Context.GradBuffer in Backward. The lifetime rules are few:
//
//   - A buffer of a recorded Forward (a node on the tape) goes back to its
//     pool when a Backward through the node returns. Until the pool hands
//     it out again, in a later Forward or Backward of the same owner, it
//     keeps its values: the outputs of a training step, and the tensors a
//     caller took from them (a network's output, a node's spikes, a
//     monitor's records), stay valid until the layers run forward again
//     after the step's Backward. Clone what must outlive that.
//   - A Forward that records nothing (no input needs a gradient, as
//     under NoGrad) gets new memory: inference results are the caller's.
//     From the second in a row, it also lets the layer's pool drop its
//     free buffers, so that an evaluation keeps no idle training memory
//     alive.
//   - Unless an input carries a Scope (Scope.Const): then the Forward
//     borrows its buffers from the pools through the scope, and so do
//     the Forwards on its output, until Scope.Release gives them all
//     back. Evaluation loops release the scope before each batch, so
//     that the batches reuse one set of buffers (snn.Net.Infer and
//     train.Evaluate do).
//   - A Forward never receives memory that one of its inputs uses, so a
//     value fed back into the layer that made it is not overwritten while
//     it is read.
//   - A gradient buffer goes back to its pool as soon as the running
//     Backward no longer holds a gradient in it, or becomes the gradient
//     of the leaf it was made for.
//   - Var.RecycleGrad (what the optimizers' ZeroGrad calls) keeps a
//     leaf's gradient storage for the next Backward to write into;
//     ZeroGrad forgets it.
//   - Backward can run again through the same nodes as long as their
//     layers have not run forward since; otherwise it returns an error
//     rather than read overwritten values.
//
// Functions that use no pool (the built-in operations and any other)
// allocate as before and are unaffected. Building with the poolpoison tag
// fills every pooled buffer with NaNs before it is handed out, which
// shows a Function that reads memory it has not written.
package autograd
