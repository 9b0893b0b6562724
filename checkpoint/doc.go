// Package checkpoint saves and loads a module with its optimizer state in
// one safetensors file that PyTorch can read.
//
// # Format
//
// A checkpoint is a safetensors file (see package safetensors). Its
// tensors are
//
//   - the module's state_dict under PyTorch's names ("0.weight",
//     "1.running_mean", ...), exactly what torch.nn.Module.state_dict
//     holds for the equivalent PyTorch model, with its dtypes
//     (num_batches_tracked is an I64, everything else F32);
//   - the optimizer's state, when an optimizer is saved, under the prefix
//     "optimizer." ("optimizer.0.exp_avg", ...), with the optimizer's
//     kind ("Adam", "AdamW", "SGD") in the metadata key "optimizer".
//
// Its metadata holds "format" (the value of Format) and whatever the
// caller adds (the training package records the settings, the position
// reached and the metrics of every completed epoch).
//
// One file holds everything, written atomically (temporary file, fsync,
// rename, directory fsync), so that a crash never leaves a model beside the
// optimizer state of another step.
//
// # PyTorch
//
// In PyTorch, with the safetensors package:
//
//	sd = safetensors.torch.load_file("checkpoint.safetensors")
//	model.load_state_dict({k: v for k, v in sd.items() if not k.startswith("optimizer.")})
//
// and Read also takes a plain state_dict that PyTorch wrote
// (safetensors.torch.save_file(model.state_dict(), path)), with no
// spikego metadata, as long as the caller knows which model it belongs
// to; its integer tensors (num_batches_tracked) become float32, exactly or
// with an error.
//
// # Trust
//
// A checkpoint is untrusted input. Load checks, before it changes
// anything, that every tensor of the module is present with its shape,
// that nothing else is there, that every value is finite (a model that
// diverged is refused, naming the tensor), and that optimizer state
// belongs to an optimizer of the same kind; on error the module and the
// optimizer are unchanged.
package checkpoint
