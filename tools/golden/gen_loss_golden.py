#!/usr/bin/python3
"""Golden values for nn's spike losses and optim's gradient clipping.

Regenerate (from the repository root; needs python3 + torch 1.13 + numpy,
e.g. Debian's python3-torch, and a checkout of snnTorch):

    git clone https://github.com/jeshraghian/snntorch /tmp/snntorch
    git -C /tmp/snntorch checkout 634fc22385ec5581998e62787bbe39b53662140f
    /usr/bin/python3 tools/golden/gen_loss_golden.py --snntorch /tmp/snntorch

It writes
    nn/testdata/spikeloss_golden.json   value and input gradient of every
                                        spike loss of nn/spikeloss.go
    optim/testdata/clip_golden.json     total norm and clipped gradients of
                                        torch.nn.utils.clip_grad_norm_ and
                                        clip_grad_value_

How the values are produced
---------------------------
snnTorch's losses (snntorch/functional/loss.py: ce_rate_loss, ce_count_loss,
ce_max_membrane_loss, mse_count_loss, mse_membrane_loss, mse_temporal_loss,
ce_temporal_loss) are computed by snnTorch's own code, imported from the
checkout named by --snntorch (its snntorch/functional imports nothing beyond
torch; no stub is needed). The value is the loss that snnTorch returns and
the gradient is x.grad after loss.sum().backward() (the losses return a
1-element tensor of shape (1,) or ()). Nothing of snnTorch is copied here:
every snnTorch loss is also restated below (snn_restated) from the
definitions, and the script stops unless the restatement gives the same
value and gradient bit for bit. In words, for out [T, B, C] and labels y:

    ce_rate_loss          (1/T) sum_t CE(out[t], y)          (CE = mean over the batch
                                                              of -log_softmax[y])
    ce_count_loss         CE(sum_t out, y); population_code: the C outputs are
                          num_classes equal blocks, each summed over t and block
    ce_max_membrane_loss  CE(max_t out, y)
    mse_count_loss        MSE(sum_t out, target) / T, target = on at y, off
                          elsewhere with on = int(T*correct_rate),
                          off = int(T*incorrect_rate) (population_code: both
                          times C/num_classes, on the block sums)
    mse_membrane_loss     (1/T) sum_t MSE(out[t], target), target = on_target at
                          y, off_target elsewhere
    mse_temporal_loss     MSE(t_first/T, target/T), t_first = index of the first
                          spike of each output (T-1 if none), target as above
                          from on_target/off_target with negative times counted
                          from T; gradient -g at the first-spike index
    ce_temporal_loss      CE(-t_first, y) or CE(1/(t_first+1), y)

where "target = on at y, off elsewhere" is snnTorch's spikegen.targets_convert,
which when on > off clamps the one-hot times on from below at off, so that
the other classes get max(0, off) rather than off (for mse_temporal_loss's
defaults on=0, off=-1 every target is 0: snnTorch issue #253 / PR #361).

The other losses are not snnTorch's and are computed with torch directly:

    cross_entropy_rate         F.cross_entropy(out.mean(0), y)
    mse_rate                   F.mse_loss(out.mean(0), F.one_hot(y, C).float())
                               (SpikingJelly's tutorials)
    ce_per_step_membrane_loss  sum_t F.cross_entropy(out[t], y), accumulated in a
                               zeros(1) tensor as snnTorch's tutorial 5 does
    ce_mean_membrane_loss      F.cross_entropy(out.mean(0), y)  (SpikingJelly's
                               NonSpikingBaseNode decode="mean-mem")
    ce_last_membrane_loss      F.cross_entropy(out[-1], y)      (decode="last_mem")

Gradient clipping calls torch.nn.utils.clip_grad_norm_ (error_if_nonfinite
False and True) and clip_grad_value_ on float32 gradients, with max_norm and
clip_value rounded to float32 first (the Go API takes float32). The
gradients are not stored: hash_grad builds them from a seed with integer
arithmetic that optim/clip_test.go repeats; the file keeps the total norm
and a sample of every clipped gradient.

Inputs: spikes are Bernoulli(p) 0/1 tensors; membranes are 1.5*N(0,1), or
for the "ties" inputs N(0,1) rounded to multiples of 0.5 so that maxima over
time and across classes tie. All random draws use generators seeded from the
case name (goldenlib.gen_for); torch runs on one thread.

Encoding: as tools/golden/gen_golden.py -- every float is a JSON string with
its IEEE-754 float32 bit pattern in lower-case hex ("0x3f800000" == 1.0);
tensors are flattened row-major with their shape alongside. A spike input
("spikes", "sparse") is stored as a string of '0'/'1' characters instead.
"""

import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

from goldenlib import ENCODING, F32, ROOT, gen_for, hexf, hexlist

torch.set_num_threads(1)

LOSS_OUT = "nn/testdata/spikeloss_golden.json"
CLIP_OUT = "optim/testdata/clip_golden.json"

SNNTORCH_LOSSES = ("ce_rate_loss", "ce_count_loss", "ce_max_membrane_loss", "mse_count_loss",
                   "mse_membrane_loss", "mse_temporal_loss", "ce_temporal_loss")


# ----------------------------------------------------------------------------
# Restatements.
# ----------------------------------------------------------------------------

def targets_convert(y, num_classes, on, off):
    """snntorch.spikegen.targets_convert(y, num_classes, on_target=on,
    off_target=off) with its default rates (correct_rate=1,
    incorrect_rate=0, first_spike_time=0): a [B, C] float32 tensor."""
    one_hot = F.one_hot(y, num_classes).to(F32)
    if on > off:
        return torch.clamp(one_hot * on, off)
    return one_hot * on + (one_hot == 0).to(F32) * off


def first_spike_time(spk):
    """Index of the first non-zero step of each output of spk [T, B, C]
    (T-1 where there is none); its gradient is -g at that index."""
    T = spk.shape[0]

    class FirstSpike(torch.autograd.Function):
        @staticmethod
        def forward(ctx, s):
            t = torch.arange(1, T + 1, dtype=F32).reshape(T, 1, 1)
            first = torch.zeros_like(s[0])
            for step in range(T):
                first = first + (s[step] * t[step]) * (first == 0).to(F32)
            first = first + (first == 0).to(F32) * T - 1
            ctx.save_for_backward(first)
            return first

        @staticmethod
        def backward(ctx, g):
            (first,) = ctx.saved_tensors
            mask = torch.zeros((T,) + tuple(first.shape), dtype=F32)
            mask.scatter_(0, first.long().unsqueeze(0), 1.0)
            return -g * mask

    return FirstSpike.apply(spk)


class Tolerance(torch.autograd.Function):
    @staticmethod
    def forward(ctx, st, tgt, tol):
        return torch.where((st - tgt).abs() < tol, tgt, st)

    @staticmethod
    def backward(ctx, g):
        return g, None, None


def population_count(spk, num_classes):
    T, B, N = spk.shape
    return spk.reshape(T, B, num_classes, N // num_classes).sum(-1).sum(0)


def snn_restated(name, kw, x, y):
    T, B, C = x.shape
    if name == "ce_rate_loss":
        loss = torch.zeros(1, dtype=F32)
        logp = F.log_softmax(x, -1)
        for t in range(T):
            loss = loss + F.nll_loss(logp[t], y)
        return loss / T
    if name == "ce_count_loss":
        s = population_count(x, kw["num_classes"]) if kw.get("population_code") else x.sum(0)
        return F.nll_loss(F.log_softmax(s, -1), y)
    if name == "ce_max_membrane_loss":
        return F.nll_loss(F.log_softmax(x.max(0)[0], -1), y)
    if name == "mse_count_loss":
        cr, ir = kw.get("correct_rate", 1), kw.get("incorrect_rate", 0)
        if kw.get("population_code"):
            nc = kw["num_classes"]
            on, off = int(T * cr * (C / nc)), int(T * ir * (C / nc))
            s, tgt = population_count(x, nc), targets_convert(y, nc, on, off)
        else:
            on, off = int(T * cr), int(T * ir)
            s, tgt = x.sum(0), targets_convert(y, C, on, off)
        return F.mse_loss(s, tgt) / T
    if name == "mse_membrane_loss":
        tgt = targets_convert(y, C, kw.get("on_target", 1), kw.get("off_target", 0))
        loss = torch.zeros(1, dtype=F32)
        for t in range(T):
            loss = loss + F.mse_loss(x[t], tgt)
        return loss / T
    if name == "mse_temporal_loss":
        tgt = targets_convert(y, C, kw.get("on_target", 0), kw.get("off_target", -1))
        tgt = torch.where(tgt < 0, T + tgt, tgt)
        st = first_spike_time(x)
        tol = kw.get("tolerance", 0)
        if tol:  # outputs within tol of their target count as on target; gradient passes through
            st = Tolerance.apply(st, tgt, tol)
        return F.mse_loss(st / T, tgt / T)
    if name == "ce_temporal_loss":
        st = first_spike_time(x)
        if kw.get("inverse", "negate") == "negate":
            st = -st
        else:
            st = (st + 1).reciprocal()
        return F.cross_entropy(st, y)
    raise ValueError(name)


def snn_own(snf, name, kw, x, y):
    """The loss computed by snnTorch's own class."""
    return getattr(snf, name)(**kw)(x, y)


def plain(name, x, y):
    T, B, C = x.shape
    if name == "cross_entropy_rate":
        return F.cross_entropy(x.mean(0), y)
    if name == "mse_rate":
        return F.mse_loss(x.mean(0), F.one_hot(y, C).to(F32))
    if name == "ce_per_step_membrane_loss":
        loss = torch.zeros(1, dtype=F32)
        for t in range(T):
            loss += F.cross_entropy(x[t], y)
        return loss
    if name == "ce_mean_membrane_loss":
        return F.cross_entropy(x.mean(0), y)
    if name == "ce_last_membrane_loss":
        return F.cross_entropy(x[-1], y)
    raise ValueError(name)


# ----------------------------------------------------------------------------
# Cases.
# ----------------------------------------------------------------------------

def spec(name, kw):
    """The spec string nn.NewSpikeLoss parses: name(key=value, ...)."""
    if not kw:
        return name
    return "%s(%s)" % (name, ", ".join("%s=%r" % kv for kv in kw.items()))


def make_input(label, kind, shape):
    g = gen_for(label)
    if kind == "spikes":
        p = 0.2 + 0.4 * torch.rand((), generator=g).item()
        return (torch.rand(shape, generator=g) < p).to(F32)
    if kind == "sparse":  # many outputs that never fire
        return (torch.rand(shape, generator=g) < 0.12).to(F32)
    if kind == "mem":
        return (1.5 * torch.randn(shape, generator=g)).to(F32)
    if kind == "ties":
        return (torch.randn(shape, generator=g) * 2).round() / 2
    raise ValueError(kind)


SHAPES = [(1, 1, 3), (1, 4, 5), (4, 1, 3), (5, 3, 4), (8, 6, 10)]
SPIKE_LOSSES = [("cross_entropy_rate", {}), ("mse_rate", {}), ("ce_rate_loss", {}), ("ce_count_loss", {}),
                ("mse_count_loss", {}), ("mse_count_loss", {"correct_rate": 0.8, "incorrect_rate": 0.2})]
MEM_LOSSES = [("ce_max_membrane_loss", {}), ("mse_membrane_loss", {}),
              ("mse_membrane_loss", {"on_target": 1.05, "off_target": 0.2}),
              ("ce_per_step_membrane_loss", {}), ("ce_mean_membrane_loss", {}), ("ce_last_membrane_loss", {})]
TEMPORAL_LOSSES = [("mse_temporal_loss", {}), ("ce_temporal_loss", {}),
                   ("ce_temporal_loss", {"inverse": "reciprocal"})]
# Options and corner cases on one or two shapes each.
EXTRA = [
    ("cross_entropy_rate", {}, (25, 4, 10), "spikes"),  # the shape of snnTorch's tutorials
    ("mse_rate", {}, (25, 4, 10), "spikes"),
    ("ce_rate_loss", {}, (25, 4, 10), "spikes"),
    ("mse_count_loss", {"correct_rate": 0.8, "incorrect_rate": 0.2}, (25, 4, 10), "spikes"),
    ("ce_per_step_membrane_loss", {}, (25, 4, 10), "mem"),
    ("mse_count_loss", {"correct_rate": 0.29, "incorrect_rate": 0.07}, (100, 2, 3), "spikes"),  # int(29.999..)=28
    ("mse_count_loss", {"correct_rate": 0.2, "incorrect_rate": 0.6}, (5, 3, 4), "spikes"),  # on < off
    ("mse_count_loss", {"correct_rate": 1.0, "incorrect_rate": 0.0, "population_code": True, "num_classes": 4},
     (5, 3, 12), "spikes"),
    ("mse_count_loss", {"correct_rate": 0.8, "incorrect_rate": 0.2, "population_code": True, "num_classes": 10},
     (6, 4, 20), "spikes"),
    ("ce_count_loss", {"population_code": True, "num_classes": 4}, (5, 3, 12), "spikes"),
    ("ce_count_loss", {"population_code": True, "num_classes": 3}, (1, 1, 3), "spikes"),
    ("ce_count_loss", {}, (3, 5, 4), "sparse"),
    ("ce_rate_loss", {}, (6, 5, 4), "mem"),
    ("cross_entropy_rate", {}, (6, 5, 4), "mem"),
    ("mse_membrane_loss", {"on_target": 1, "off_target": -0.5}, (4, 3, 5), "mem"),  # clamp: others get 0
    ("mse_membrane_loss", {"on_target": 0.2, "off_target": 0.5}, (4, 3, 5), "mem"),  # on <= off
    ("mse_membrane_loss", {"on_target": -0.5, "off_target": -1}, (3, 2, 4), "mem"),  # others -0.0
    ("mse_temporal_loss", {"on_target": 0, "off_target": 7}, (8, 6, 10), "sparse"),
    ("mse_temporal_loss", {"on_target": 2, "off_target": -1, "tolerance": 1}, (8, 6, 10), "sparse"),
    ("mse_temporal_loss", {"on_target": 1, "off_target": 6, "tolerance": 2.5}, (8, 6, 10), "spikes"),
    ("ce_temporal_loss", {}, (1, 3, 4), "sparse"),
]


def spike_string(x):
    """A 0/1 tensor as a string of '0' and '1' characters, row-major."""
    return "".join("1" if v else "0" for v in x.reshape(-1).tolist())


def loss_cases(snf):
    plan = []
    for shape in SHAPES:
        plan += [(n, kw, shape, "spikes") for n, kw in SPIKE_LOSSES]
        plan += [(n, kw, shape, "mem") for n, kw in MEM_LOSSES]
        plan += [(n, kw, shape, "ties") for n, kw in MEM_LOSSES if n.startswith("ce_")]
        plan += [(n, kw, shape, "sparse") for n, kw in TEMPORAL_LOSSES]
    plan += EXTRA
    cases = []
    for name, kw, shape, kind in plan:
        label = "%s/%s/%s/%s" % (spec(name, kw), "x".join(map(str, shape)), kind, len(cases))
        x0 = make_input(label, kind, shape)
        y = torch.randint(0, shape[2], (shape[1],), generator=gen_for(label + "/y"))
        if kw.get("population_code"):
            y = torch.randint(0, kw["num_classes"], (shape[1],), generator=gen_for(label + "/y"))
        runs = []
        fns = [lambda x: plain(name, x, y)]
        if name in SNNTORCH_LOSSES:
            fns = [lambda x: snn_own(snf, name, kw, x, y), lambda x: snn_restated(name, kw, x, y)]
        for fn in fns:
            x = x0.clone().requires_grad_()
            loss = fn(x)
            loss.sum().backward()
            grad = x.grad if x.grad is not None else torch.zeros_like(x)
            runs.append((loss.detach().reshape(-1)[0], grad))
        if len(runs) == 2:
            (v0, g0), (v1, g1) = runs
            if not (hexf(v0) == hexf(v1) and torch.equal(g0, g1)):
                sys.exit("restatement of %s differs from snnTorch: %r vs %r, grad max diff %g"
                         % (label, v0.item(), v1.item(), (g0 - g1).abs().max().item()))
        value, grad = runs[0]
        cases.append({
            "spec": spec(name, kw),
            "input": kind,
            "shape": list(shape),
            "x": spike_string(x0) if kind in ("spikes", "sparse") else hexlist(x0),
            "labels": y.tolist(),
            "value": hexf(value.item()),
            "grad": hexlist(grad),
        })
    return cases


# ----------------------------------------------------------------------------
# Gradient clipping.
# ----------------------------------------------------------------------------

def f32(v):
    return float(np.float32(v))


M32 = 0xFFFFFFFF


def hash32(i, seed):
    """A 32-bit integer hash of (i, seed); optim/clip_test.go has the same."""
    h = (i * 0x9E3779B1 + seed * 0x85EBCA77 + 0x165667B1) & M32
    h ^= h >> 15
    h = (h * 0x2C1B3C6D) & M32
    h ^= h >> 12
    h = (h * 0x297A2D39) & M32
    h ^= h >> 15
    return h


def hash_grad(n, seed, scale_exp):
    """n float32 values (1.m - 1.5) * 2**scale_exp with the 23 mantissa bits m
    taken from hash32: exact in float32 (Sterbenz), uniform in [-0.5, 0.5)
    times the power of two, and reproducible in Go without storing them."""
    bits = np.array([0x3F800000 | (hash32(i, seed) >> 9) for i in range(n)], dtype=np.uint32)
    v = bits.view(np.float32) - np.float32(1.5)
    return torch.from_numpy(v * np.float32(2.0 ** scale_exp))


def make_grads(sizes, seed, scale_exp, specials):
    grads = []
    for i, n in enumerate(sizes):
        if n is None:
            grads.append(None)
            continue
        t = hash_grad(n, seed + 1000 * i, scale_exp)
        for (j, k, v) in specials:
            if j == i:
                t[k] = v
        grads.append(t)
    return grads


def stride_for(n):
    return max(1, n // 64)


def sample(t):
    """Every stride_for(n)-th element of a clipped gradient (all of a small one):
    the clipped gradient is the input times one coefficient, so a sample checks it."""
    return hexlist(t.reshape(-1)[::stride_for(t.numel())])


CLIP_NORM_CASES = [
    # name, sizes (None = no gradient), seed, scale exponent, max_norm, norm_type, specials
    ("one", [7], 1, 1, 1.0, 2.0, ()),
    ("below", [5, 3, 9], 2, -7, 1.0, 2.0, ()),
    ("lanes", [8, 16, 12, 13, 4, 1, 27, 100, 1031], 3, 1, 0.5, 2.0, ()),
    ("large", [70000, 513, 10], 4, 0, 5.0, 2.0, ()),
    ("nograd", [6, None, 11], 5, 2, 0.1, 2.0, ()),
    ("zero-max", [6, 4], 6, 0, 0.0, 2.0, ()),
    ("tiny", [9, 3], 7, -83, 1.0, 2.0, ()),  # squares underflow: total norm 0
    ("huge", [9, 3], 8, 66, 1.0, 2.0, ()),  # squares overflow: total norm inf
    ("single-elems", [1, 1, 1], 9, 2, 1.0, 2.0, ()),
    ("inf-norm", [5, 17, 300], 10, 0, 0.25, math.inf, ()),
    ("inf-norm-below", [5, 2], 11, -4, 1.0, math.inf, ()),
    ("p1", [10, 200, 3], 12, 0, 2.0, 1.0, ()),
    ("p3", [10, 200, 3], 13, 0, 2.0, 3.0, ()),
    ("p0.5", [10, 20], 14, 0, 2.0, 0.5, ()),
    ("p1.5-maxnorm-0.1", [33, 8], 15, 0, 0.1, 1.5, ()),
    ("nan", [5, 4], 16, 0, 1.0, 2.0, ((1, 2, math.nan),)),
    ("inf", [5, 4], 17, 0, 1.0, 2.0, ((0, 3, -math.inf),)),
    ("inf-norm-nan", [5, 4], 18, 0, 1.0, math.inf, ((1, 0, math.nan),)),
    ("p1-large", [40000], 19, 0, 100.0, 1.0, ()),  # sequential on one thread
]

CLIP_VALUE_CASES = [
    # name, sizes, seed, scale exponent, clip_value, specials
    ("basic", [20, 7], 30, 1, 0.5, ()),
    ("nograd", [5, None, 3], 31, 2, 1.0, ()),
    ("zero", [6], 32, 0, 0.0, ()),
    ("specials", [6], 33, 1, 0.75, ((0, 0, math.nan), (0, 1, math.inf), (0, 2, -math.inf), (0, 3, -0.0))),
    ("rounded", [50], 34, -2, 0.1, ()),  # 0.1 is not a float32: torch gets f32(0.1)
]


def params_with(grads):
    params = []
    for gr in grads:
        p = torch.zeros(1 if gr is None else gr.numel(), dtype=F32, requires_grad=True)
        p.grad = None if gr is None else gr.clone()
        params.append(p)
    return params


def specials_json(specials):
    return [[j, k, hexf(v)] for (j, k, v) in specials]


def clip_cases():
    norm_cases = []
    for name, sizes, seed, scale_exp, max_norm, norm_type, specials in CLIP_NORM_CASES:
        grads = make_grads(sizes, seed, scale_exp, specials)
        mx = f32(max_norm)
        params = params_with(grads)
        total = torch.nn.utils.clip_grad_norm_(params, mx, norm_type, error_if_nonfinite=False)
        nonfinite = not math.isfinite(total.item())
        if nonfinite:  # error_if_nonfinite=True raises before touching the gradients
            strict = params_with(grads)
            try:
                torch.nn.utils.clip_grad_norm_(strict, mx, norm_type, error_if_nonfinite=True)
                sys.exit("clip_grad_norm_ did not raise on " + name)
            except RuntimeError:
                pass
            for p, gr in zip(strict, grads):
                assert gr is None or torch.equal(p.grad.nan_to_num(), gr.nan_to_num())
        norm_cases.append({
            "name": name,
            "sizes": sizes,
            "seed": seed,
            "scale_exp": scale_exp,
            "specials": specials_json(specials),
            "max_norm": hexf(mx),
            "norm_type": "inf" if norm_type == math.inf else norm_type,
            "total_norm": hexf(total.item()),
            "nonfinite": nonfinite,
            "clipped": [None if p.grad is None else sample(p.grad) for p in params],
        })
    value_cases = []
    for name, sizes, seed, scale_exp, clip, specials in CLIP_VALUE_CASES:
        grads = make_grads(sizes, seed, scale_exp, specials)
        params = params_with(grads)
        torch.nn.utils.clip_grad_value_(params, f32(clip))
        value_cases.append({
            "name": name,
            "sizes": sizes,
            "seed": seed,
            "scale_exp": scale_exp,
            "specials": specials_json(specials),
            "clip_value": hexf(f32(clip)),
            "clipped": [None if p.grad is None else sample(p.grad) for p in params],
        })
    return norm_cases, value_cases


def write(path, obj):
    """JSON with one case per line, so that the file stays small and diffable."""
    full = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    parts = []
    for k, v in obj.items():
        if isinstance(v, list):
            items = ",\n  ".join(json.dumps(c, separators=(",", ":")) for c in v)
            parts.append("%s: [\n  %s\n ]" % (json.dumps(k), items))
        else:
            parts.append("%s: %s" % (json.dumps(k), json.dumps(v)))
    with open(full, "w") as f:
        f.write("{\n " + ",\n ".join(parts) + "\n}\n")
    print("wrote", path, os.path.getsize(full), "bytes")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--snntorch", help="directory of a snnTorch checkout (default: the installed snntorch)")
    args = ap.parse_args()
    if args.snntorch:
        sys.path.insert(0, os.path.abspath(args.snntorch))
    import snntorch
    import snntorch.functional as snf

    write(LOSS_OUT, {
        "generator": "tools/golden/gen_loss_golden.py",
        "torch": torch.__version__,
        "snntorch": snntorch.__version__,
        "encoding": ENCODING,
        "notes": "value = the loss, grad = d loss / d x; snnTorch's losses by snnTorch's own code "
                 "(checked against the restatement in the generator), the others by torch.nn.functional",
        "cases": loss_cases(snf),
    })
    norm_cases, value_cases = clip_cases()
    write(CLIP_OUT, {
        "generator": "tools/golden/gen_loss_golden.py",
        "torch": torch.__version__,
        "encoding": ENCODING,
        "notes": "torch.nn.utils.clip_grad_norm_ (total_norm, gradients after clipping with "
                 "error_if_nonfinite=False; nonfinite=true means error_if_nonfinite=True raises and "
                 "leaves the gradients unchanged) and clip_grad_value_, on one thread",
        "clip_grad_norm": norm_cases,
        "clip_grad_value": value_cases,
    })


if __name__ == "__main__":
    main()
