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
// # Dtypes
//
// A [Tensor] carries its [DType]. Read accepts every dtype PyTorch puts in
// a state_dict and the other whole-byte dtypes of the format:
//
//	float    F64, F32, F16, BF16, F8_E5M2, F8_E4M3, F8_E8M0   -> Data ([]float32)
//	integer  I64, I32, I16, I8, U64, U32, U16, U8, BOOL       -> Ints ([]int64), and Data
//
// F32, F16, BF16 and the 8-bit floats convert to float32 exactly; F64 is
// rounded to the nearest float32 (values beyond the float32 range become
// ±Inf). Integer values are kept exactly in Ints, so that a BatchNorm's
// I64 num_batches_tracked, a step counter or an index survives unchanged;
// Data holds them as float32 too when every value converts exactly (any
// integer up to 2^24 in magnitude does), and is nil otherwise.
// [Tensor.Float32s] gives the float32 values of any tensor, or an error
// naming the tensor, the element and the value that float32 cannot hold.
// A BOOL byte other than 0 and 1, and a U64 value above 2^63-1, are
// errors. The sub-byte floats (F4, F6_E2M3, F6_E3M2) and the complex C64
// are refused with an error that names the dtype and the tensor.
//
// # Writing
//
// [Write] and [WriteFile] write the tensors in the order given,
// contiguously from offset 0, with the header padded by spaces to a
// multiple of 8 bytes, as the reference implementation does. A tensor is
// written as F32 (the default: the empty DType) from Data, or as an
// integer dtype from Ints, or from Data if Ints is nil; so a float32
// num_batches_tracked written with DType I64 is stored exactly as PyTorch
// stores it. The "__metadata__" entry, when there is any metadata, comes
// first in the header. Every tensor is checked (name, shape, data length,
// integer values in the range of the dtype) before the first byte is
// written, so an invalid argument never produces a partial file.
// [WriteFile] is atomic and durable: it writes a temporary file in the
// target's directory, syncs it to disk, renames it over the target and
// syncs the directory, so a reader or a crash sees either the old file or
// the complete new one.
//
// # Reading
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
// # Memory
//
// Reading never trusts a size from the header for an allocation that the
// input has not backed: when the input size is known (a file, or a reader
// with a Len method such as [bytes.Reader]) sizes are checked against it
// before anything is allocated, and otherwise memory grows only as data
// actually arrives (doubling, so at most twice the final size in all).
// The memory Read takes is therefore bounded by the size of the input:
//
//   - the decoded tensors take at most 12 bytes per data byte: 4 bytes per
//     float element (so 1 byte per byte of F32 data, 4 per byte of F8) and
//     12 per integer element (8 in Ints, 4 in Data: 12 per byte of U8, I8
//     or BOOL data, 1.5 per byte of I64);
//   - the header is at most [MaxHeaderSize] bytes, and decoding it peaks
//     at about 20 bytes of heap per header byte for the most hostile
//     headers measured (one tensor of rank 49 million; 1.7 million empty
//     tensors: about 12), that is about 2 GB for a 100 MB header.
//
// The package holds no global mutable state; all functions are safe for
// concurrent use on distinct arguments.
package safetensors
