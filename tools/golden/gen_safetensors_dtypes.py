#!/usr/bin/env python3
"""Golden file for the safetensors reader: one tensor of every dtype that
PyTorch 1.13 can put in a state_dict, written from real torch tensors.

Writes (from the repository root, needs python3 + torch + numpy):

    safetensors/testdata/torch_dtypes.safetensors
    safetensors/testdata/torch_dtypes.json

The safetensors file is laid out as the reference implementation's
safetensors.torch.save_file lays it out (there is no Python safetensors
package here, so the format is written by hand with struct + json, which is
all it is): "__metadata__" first, tensors ordered by decreasing element size
then by name, data contiguous from offset 0, header padded with spaces to a
multiple of 8 bytes. The raw bytes of each tensor are torch's own storage
(tensor.view(torch.uint8)), so the file holds exactly what torch holds.

It contains
  - the state_dict of a real torch.nn.Sequential(Conv2d(1, 2, 3),
    BatchNorm2d(2)) after 5 training-mode forward passes, so that
    "1.num_batches_tracked" is the I64 scalar 5 that every PyTorch BatchNorm
    checkpoint carries;
  - int64, int32, int16, int8, uint8 and bool tensors holding the extremes
    of each type, values around 2^24 (where float32 stops being exact) and
    an empty and a scalar tensor;
  - float64, float32, float16 and bfloat16 tensors.

The JSON records, for every tensor, the dtype name, the shape, and
  - "ints": for the integer and bool dtypes, the exact values as decimal
    strings (torch's tensor.tolist(), Python integers: no rounding through
    JSON numbers);
  - "f32": the float32 bit patterns (hex, as in the other golden files) of
    torch's own conversion tensor.to(torch.float32);
  - "exact_f32": for integer dtypes, whether every value survives that
    conversion exactly (computed with Python integers), and "first_inexact",
    the index of the first value that does not, or null.
The Go test TestTorchDtypes checks that safetensors.Read gives exactly these
integers, these float32 bits where the conversion is exact, and an error
naming the first inexact element otherwise.
"""

import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from goldenlib import ROOT, SAFETENSORS_NAMES, hexlist, write_safetensors  # noqa: E402

OUT = os.path.join(ROOT, "safetensors", "testdata")

NAMES = SAFETENSORS_NAMES
INTEGER = {"I64", "I32", "I16", "I8", "U8", "BOOL"}


def record(t):
    dtype = NAMES[t.dtype]
    f32 = t.to(torch.float32)
    rec = {"dtype": dtype, "shape": list(t.shape), "f32": hexlist(f32)}
    if dtype in INTEGER:
        ints = [int(v) for v in t.reshape(-1).tolist()]
        back = [int(v) for v in f32.to(torch.float64).reshape(-1).tolist()]  # float64 holds every float32
        inexact = [i for i, (a, b) in enumerate(zip(ints, back)) if a != b]
        rec["ints"] = [str(v) for v in ints]
        rec["exact_f32"] = not inexact
        rec["first_inexact"] = inexact[0] if inexact else None
    return rec


def main():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2))
    model.train()
    with torch.no_grad():
        for _ in range(5):
            model(torch.randn(4, 1, 5, 5))
    tensors = {k: v.detach().clone() for k, v in model.state_dict().items()}
    assert tensors["1.num_batches_tracked"].dtype == torch.int64
    assert int(tensors["1.num_batches_tracked"]) == 5

    i64 = torch.iinfo(torch.int64)
    i32 = torch.iinfo(torch.int32)
    i16 = torch.iinfo(torch.int16)
    i8 = torch.iinfo(torch.int8)
    tensors.update({
        # Every value exact in float32 (powers of two and small integers).
        "i64_exact": torch.tensor([[0, 1, -1, 7], [2**24, -2**24, 2**40, i64.min]], dtype=torch.int64),
        # 2^24 + 1 is the smallest positive integer float32 cannot hold.
        "i64_extremes": torch.tensor([i64.min, -2**53 - 1, -2**24 - 1, -1, 0, 1, 2**24,
                                      2**24 + 1, 2**31, 2**62 + 1, i64.max], dtype=torch.int64),
        "i64_scalar": torch.tensor(-42, dtype=torch.int64),
        "i64_empty": torch.zeros(0, 2, dtype=torch.int64),
        "i32_exact": torch.tensor([[i32.min, -5, 0], [3, 2**24, 2**30]], dtype=torch.int32),
        "i32_extremes": torch.tensor([i32.min, -1, 0, 1, 2**24 + 1, i32.max], dtype=torch.int32),
        "i16": torch.tensor([i16.min, -1, 0, 1, 12345, i16.max], dtype=torch.int16),
        "i8": torch.tensor([i8.min, -1, 0, 1, 100, i8.max], dtype=torch.int8),
        "u8": torch.tensor([[0, 1, 127], [128, 200, 255]], dtype=torch.uint8),
        "bool": torch.tensor([[True, False], [False, True], [True, True]]),
        "f64": torch.tensor([1 / 3, -2.5, 1e300, 2.0**-149], dtype=torch.float64),
        "f32": torch.randn(2, 3),
        "f16": torch.randn(4).to(torch.float16),
        "bf16": torch.randn(3).to(torch.bfloat16),
    })
    metadata = {"format": "pt", "generator": "tools/golden/gen_safetensors_dtypes.py",
                "torch": torch.__version__}
    write_safetensors(os.path.join(OUT, "torch_dtypes.safetensors"), tensors, metadata)
    golden = {
        "notes": "torch " + torch.__version__ + "; " + __doc__.split("\n\n")[0].replace("\n", " "),
        "encoding": "f32: float32 bit patterns in hex of tensor.to(torch.float32); "
                    "ints: exact values as decimal strings",
        "metadata": metadata,
        "tensors": {k: record(t) for k, t in sorted(tensors.items())},
    }
    with open(os.path.join(OUT, "torch_dtypes.json"), "w") as f:
        json.dump(golden, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
