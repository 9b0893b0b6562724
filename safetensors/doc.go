// Package safetensors reads and writes the safetensors tensor file format
// of Hugging Face (https://github.com/huggingface/safetensors), so that
// weights can be exchanged with PyTorch and the Hugging Face ecosystem.
//
// # Format
//
// A safetensors file is
//
//	8 bytes     N, the header length, unsigned little-endian
//	N bytes     a UTF-8 JSON object, padded with trailing spaces
//	rest        the data buffer
//
// The JSON object maps each tensor name to
//
//	{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}
//
// where begin and end are byte offsets relative to the start of the data
// buffer. The optional key "__metadata__" maps to an object of free-form
// string to string metadata. Tensor data is little-endian and row-major
// (C order); a tensor with shape [] is a scalar holding one element.
//
// # Writing
//
// [Write] and [WriteFile] write float32 tensors (dtype F32) in the order
// given, contiguously from offset 0, with the header padded by spaces to a
// multiple of 8 bytes, as the reference implementation does. The
// "__metadata__" entry, when there is any metadata, comes first in the
// header. Every tensor is checked (name, shape, data length) before the
// first byte is written, so an invalid argument never produces a partial
// file. [WriteFile] is atomic: it writes a temporary file in the target's
// directory, syncs it to disk and renames it over the target, so a reader
// or a crash sees either the old file or the complete new one.
//
// # Reading
//
// [Read] and [ReadFile] decode every tensor to float32. Besides F32 they
// accept the floating-point dtypes F16 and BF16, which convert to float32
// exactly, and F64, which is rounded to the nearest float32 (values beyond
// the float32 range become ±Inf). Any other dtype (integer, boolean, 8-bit
// float, ...) is rejected with an error that names the dtype and the
// tensor: converting integers to float32 would silently lose values above
// 2^24, so the caller should convert such tensors to a float type before
// saving.
//
// The header is untrusted input, and a file that does not follow the
// format exactly is rejected with an error that says what is wrong:
//
//   - the header length is at most 100 MB and no larger than the bytes
//     that follow it;
//   - the header is valid UTF-8 JSON with no duplicate keys, whose top
//     level is an object starting at the first byte (trailing spaces are
//     allowed);
//   - every tensor has a dtype, a shape of non-negative integers and a
//     data_offsets pair [begin, end] with begin <= end;
//   - end - begin equals the product of the shape times the dtype size;
//   - the tensors, sorted by offset, cover the data buffer from 0 to its
//     end with no overlap and no hole;
//   - nothing follows the data buffer;
//   - "__metadata__", if present, maps strings to strings.
//
// Reading never trusts a size from the header for an allocation that the
// input has not backed: when the input size is known (a file, or a reader
// with a Len method such as [bytes.Reader]) sizes are checked against it
// before anything is allocated, and otherwise memory grows only as data
// actually arrives.
//
// The package holds no global mutable state; all functions are safe for
// concurrent use on distinct arguments.
package safetensors
