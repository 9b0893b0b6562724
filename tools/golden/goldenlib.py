"""Helpers shared by the golden-value generators of this folder.

Every float in the golden files is a JSON string holding its IEEE-754
float32 bit pattern in lower-case hex ("0x3f800000" == 1.0), so that NaN,
+-Inf and -0.0 survive JSON exactly; tensors are flattened row-major with
their shape stored alongside; null means no value / no gradient.
"""

import importlib.util
import json
import math
import os
import struct
import sys
import types
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


# BrainCog's surrogate functions that more than one generator needs, restated
# with the same float32 operations in the same order.


class AtanFn(torch.autograd.Function):
    """AtanGrad: y = (x > 0).
    c  = g / (1 + (((alpha * pi) / 2) * x)^2)
    dx = (alpha / 2) * c
    dalpha = sum((x / 2) * c)       (only if alpha requires grad)"""

    @staticmethod
    def forward(ctx, x, alpha):
        ctx.save_for_backward(x, alpha)
        return x.gt(0.).float()

    @staticmethod
    def backward(ctx, g):
        x, alpha = ctx.saved_tensors
        c = g / (1 + (alpha * math.pi / 2 * x).square())
        dx = alpha / 2 * c if ctx.needs_input_grad[0] else None
        da = (x / 2 * c).sum() if ctx.needs_input_grad[1] else None
        return dx, da


class QGateFn(torch.autograd.Function):
    """QGateGrad (quadratic_gate): y = (x > 0);
    k = ((-alpha) * alpha) * |x| + alpha, then k := 0 where |x| > 1/alpha
    (strict '>', so |x| == 1/alpha keeps k, and NaN keeps k = NaN);  dx = g * k."""

    @staticmethod
    def forward(ctx, x, alpha):
        outside = x.abs() > 1 / alpha
        k = -alpha * alpha * x.abs() + alpha
        k.masked_fill_(outside, 0)
        ctx.save_for_backward(k)
        return x.gt(0.).float()

    @staticmethod
    def backward(ctx, g):
        (k,) = ctx.saved_tensors
        return (g * k if ctx.needs_input_grad[0] else None), None


class STDPFn(torch.autograd.Function):
    """STDPGrad (stdp): y = (x > 0);  dx = y * g  (so y == 0 with negative g gives -0)."""

    @staticmethod
    def forward(ctx, x):
        y = x.gt(0.).float()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return y * g


# safetensors with every dtype of a state_dict, written by hand (Debian has
# no Python safetensors package).

ST_DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16,
             "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8, "U8": np.uint8}


SAFETENSORS_NAMES = {
    torch.float64: "F64",
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.int16: "I16",
    torch.int8: "I8",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}


def raw_bytes(t):
    """The little-endian bytes of t's storage, as torch holds them."""
    t = t.contiguous().reshape(-1)
    if t.numel() == 0:
        return b""
    return t.view(torch.uint8).numpy().tobytes()


def write_safetensors(path, tensors, metadata):
    """Writes {name: tensor} as safetensors does: the largest elements
    first, then by name; metadata (a dict of strings) unless empty."""
    order = sorted(tensors, key=lambda k: (-tensors[k].element_size(), k))
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    chunks, offset = [], 0
    for name in order:
        t = tensors[name]
        raw = raw_bytes(t)
        assert len(raw) == t.numel() * t.element_size(), name
        header[name] = {
            "dtype": SAFETENSORS_NAMES[t.dtype],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        chunks.append(raw)
        offset += len(raw)
    js = json.dumps(header, separators=(",", ":")).encode("utf-8")
    js += b" " * (-len(js) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for c in chunks:
            f.write(c)


def read_safetensors(path):
    """Returns ({name: torch tensor in the file's dtype}, metadata)."""
    with open(path, "rb") as f:
        blob = f.read()
    n = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8:8 + n])
    meta = header.pop("__metadata__", {}) or {}
    data = blob[8 + n:]
    out = {}
    for name, h in header.items():
        b, e = h["data_offsets"]
        a = np.frombuffer(data[b:e], dtype=np.dtype(ST_DTYPES[h["dtype"]]).newbyteorder("<"))
        out[name] = torch.from_numpy(a.astype(a.dtype.newbyteorder("="), copy=True)).reshape(h["shape"])
    return out, meta


def load_braincog_codef(root):
    """Imports codef.py and the BrainCog modules it uses from root, with the
    packages' __init__ files and unused third-party modules bypassed."""
    stub = types.ModuleType
    mods = {}
    for name in ["einops", "torchvision", "torchvision.transforms", "torchvision.datasets", "tqdm",
                 "cv2", "matplotlib", "matplotlib.pyplot", "sklearn", "sklearn.metrics"]:
        mods[name] = stub(name)
    mods["einops"].rearrange = mods["einops"].repeat = None
    mods["tqdm"].tqdm = lambda it: it
    mods["matplotlib"].use = lambda *a, **k: None
    mods["matplotlib.pyplot"].cm = types.SimpleNamespace(Blues=None)
    mods["sklearn.metrics"].confusion_matrix = None
    for pkg, sub in [("braincog", ""), ("braincog.base", "base"), ("braincog.base.node", "base/node"),
                     ("braincog.base.connection", "base/connection"), ("braincog.base.strategy", "base/strategy")]:
        m = stub(pkg)
        m.__path__ = [os.path.join(root, "braincog", sub)]
        mods[pkg] = m
    sys.modules.update(mods)
    path = os.path.join(root, "examples", "Perception_and_Learning", "UnsupervisedSTDP", "codef.py")
    spec = importlib.util.spec_from_file_location("braincog_codef", path)
    codef = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(codef)
    return codef
