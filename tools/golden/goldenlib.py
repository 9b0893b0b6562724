"""Helpers shared by the golden-value generators of this folder.

Every float in the golden files is a JSON string holding its IEEE-754
float32 bit pattern in lower-case hex ("0x3f800000" == 1.0), so that NaN,
+-Inf and -0.0 survive JSON exactly; tensors are flattened row-major with
their shape stored alongside; null means no value / no gradient.
"""

import os
import zlib

import numpy as np
import torch

F32 = torch.float32
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ENCODING = ("every float is a string with its IEEE-754 float32 bit pattern in "
            "hex ('0x3f800000' == 1.0) so NaN/Inf/-0 survive JSON; tensors are "
            "flattened row-major (C order) with their shape stored alongside; "
            "null means 'no value / no gradient'")


def gen_for(label):
    """A torch.Generator seeded deterministically from a string."""
    g = torch.Generator()
    g.manual_seed(zlib.crc32(label.encode()) & 0x7FFFFFFF)
    return g


def hexf(v):
    """float32 bit pattern of a python/numpy scalar, as '0x%08x'."""
    return "0x%08x" % int(np.array(v, dtype=np.float32).view(np.uint32))


def hexlist(t):
    """Flatten a tensor (or None) into a list of hex bit patterns."""
    if t is None:
        return None
    a = np.ascontiguousarray(t.detach().cpu().to(F32).numpy()).reshape(-1)
    return ["0x%08x" % u for u in a.view(np.uint32).tolist()]
