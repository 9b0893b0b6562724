#!/usr/bin/env python3
"""Golden-value generator for the spikego port of braincog.base.strategy.

Regenerate with (from the repository root):

    python3 tools/golden/gen_golden.py

It writes
    surrogate/testdata/golden.json   surrogate spike functions (forward + backward)
    strategy/testdata/golden.json    LateralInhibition (forward + backward)

The reference formulas of BrainCog (BrainCog-X/Brain-Cog,
braincog/base/strategy/surrogate.py and LateralInhibition.py) are re-stated
below as torch.autograd.Functions.  They are written independently, but each
one performs the same float32 operations, in the same order, with the same
comparisons as BrainCog, because the Go port is expected to reproduce them
bit for bit wherever the underlying primitive allows it.

Encoding: every floating point number in the output (inputs, outputs,
gradients, alpha, inh, ...) is a JSON string holding its IEEE-754 float32 bit
pattern in lower-case hex, e.g. "0x3f800000" == 1.0.  This keeps NaN, +-Inf
and -0.0 exact.  Tensors are flattened in row-major (C) order; their shape is
stored next to them.  A missing value (no gradient) is JSON null.
"""

import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

from goldenlib import ENCODING, F32, ROOT, AtanFn, QGateFn, STDPFn, gen_for, hexf, hexlist

# ----------------------------------------------------------------------------
# Determinism: one thread (so reductions have a fixed order), a fixed global
# seed, and a private generator per case seeded from the case label.
# ----------------------------------------------------------------------------
torch.set_num_threads(1)
torch.manual_seed(20240607)








# ----------------------------------------------------------------------------
# Surrogate functions.  In BrainCog, alpha is an nn.Parameter holding a 0-dim
# float32 tensor, so every "alpha * something" below is a float32 op.
# Python float constants (math.pi, 1.0, 2, ...) are rounded to float32 by
# PyTorch before the float32 op (e.g. alpha * math.pi == alpha * float32(pi)).
# ----------------------------------------------------------------------------

def heaviside(x):
    """Spike if x >= 0 (note: >=, so heaviside(-0.0) == heaviside(0) == 1)."""
    return (x >= 0.).to(x.dtype)


class SigmoidFn(torch.autograd.Function):
    """SigmoidGrad: y = heaviside(x);  dx = ((g * s) * (1 - s)) * alpha, s = sigmoid(alpha*x).
    alpha never receives a gradient."""

    @staticmethod
    def forward(ctx, x, alpha):
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        return heaviside(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        dx = None
        if ctx.needs_input_grad[0]:
            s = torch.sigmoid(ctx.alpha * x)
            dx = g * s * (1 - s) * ctx.alpha
        return dx, None


class GateFn(torch.autograd.Function):
    """GateGrad: y = (x > 0);  mask = 1 where |x| < 1/alpha else 0 (NaN -> 0);
    dx = g * mask   (a product: negative g gives -0, Inf/NaN g with mask 0 gives NaN)."""

    @staticmethod
    def forward(ctx, x, alpha):
        # 1. / alpha on a tensor is reciprocal(alpha) * 1.0 in float32
        mask = torch.where(x.abs() < 1. / alpha, torch.ones_like(x), torch.zeros_like(x))
        ctx.save_for_backward(mask)
        return x.gt(0).float()

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return (g * mask if ctx.needs_input_grad[0] else None), None


class ReLULikeFn(torch.autograd.Function):
    """ReLUGrad (relu_like): y = heaviside(x) (x >= 0);
    dx = (g * (x > 0)) * alpha;  dalpha = sum(g * relu(x)) (relu(NaN) = NaN)."""

    @staticmethod
    def forward(ctx, x, alpha):
        ctx.save_for_backward(x, alpha)
        return heaviside(x)

    @staticmethod
    def backward(ctx, g):
        x, alpha = ctx.saved_tensors
        dx = g * x.gt(0.).float() * alpha if ctx.needs_input_grad[0] else None
        da = (g * F.relu(x)).sum() if ctx.needs_input_grad[1] else None
        return dx, da


class StraightThroughFn(torch.autograd.Function):
    """straight_through_estimator: y = heaviside(x);  dx = g."""

    @staticmethod
    def forward(ctx, x):
        return heaviside(x)

    @staticmethod
    def backward(ctx, g):
        return g


class BackEIGateFn(torch.autograd.Function):
    """BackEIGateGrad (backeigate): y = (x > 0);  dx = g * (|x| < 0.5)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.gt(0.).float()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g.clone() * (abs(x) < 0.5).float()


class EIFn(torch.autograd.Function):
    """EIGrad (ei): y = sign(x) (torch: sign(+-0) = +0, sign(NaN) = 0 in 1.13);
    dx = g * (|x| < 0.5)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.sign(x).float()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g.clone() * (abs(x) < 0.5).float()


def round_grad(x):
    """RoundGrad module: h = Hardtanh(-0.5, 4.5)(x);  y = (ceil(h) + h) - h.detach().
    Gradient: ceil contributes zeros, so dh = g, then hardtanh backward
    passes g where -0.5 < x < 4.5 (and where x is NaN) and writes +0 elsewhere."""
    h = torch.nn.Hardtanh(-.5, 4.5)(x)
    return h.ceil() + h - h.detach()


# name -> (callable(x, alpha_tensor), default alpha, default requires_grad, uses alpha)
FUNCS = {
    "SigmoidGrad": (lambda x, a: SigmoidFn.apply(x, a), 1.0, False, True),
    "AtanGrad": (lambda x, a: AtanFn.apply(x, a), 2.0, True, True),
    "GateGrad": (lambda x, a: GateFn.apply(x, a), 2.0, False, True),
    "QGateGrad": (lambda x, a: QGateFn.apply(x, a), 2.0, False, True),
    "ReLUGrad": (lambda x, a: ReLULikeFn.apply(x, a), 2.0, False, True),
    "STDPGrad": (lambda x, a: STDPFn.apply(x), 2.0, False, False),
    "EIGrad": (lambda x, a: EIFn.apply(x), 2.0, False, False),
    "BackEIGateGrad": (lambda x, a: BackEIGateFn.apply(x), 2.0, False, False),
    "RoundGrad": (lambda x, a: round_grad(x), 2.0, False, False),
    "straight_through_estimator": (lambda x, a: StraightThroughFn.apply(x), 2.0, False, False),
    "heaviside": (lambda x, a: heaviside(x), 2.0, False, False),
}
# Functions for which alpha is tested both learnable and not.
BOTH_LEARNABLE = ("AtanGrad", "ReLUGrad")


def nextafter32(v, toward):
    return np.nextafter(np.float32(v), np.float32(toward), dtype=np.float32)


def edge_values(alpha, finite_only=False):
    """The hand-picked edge inputs (float32) for a given alpha."""
    inv = np.float32(1) / np.float32(alpha)  # == reciprocal(alpha) as torch computes 1/alpha
    half = np.float32(0.5)
    pos = [
        inv,
        nextafter32(inv, np.inf),            # 1/alpha, one ulp above
        nextafter32(inv, 0),                 # 1/alpha, one ulp below
        np.float32(inv * np.float32(1 + 1e-6)),  # (1/alpha)*(1+1e-6)
        np.float32(inv * np.float32(1 - 1e-6)),  # (1/alpha)*(1-1e-6)
        half, nextafter32(half, 1), nextafter32(half, 0),
        np.float32(1.0),
        np.float32(1e30), np.float32(1e-30), np.float32(3.4e38),
        np.float32(1e-40),                   # subnormal
    ]
    vals = [np.float32(0.0), np.float32(-0.0)]
    for p in pos:
        vals += [p, -p]
    if not finite_only:
        vals += [np.float32(np.inf), np.float32(-np.inf), np.float32(np.nan)]
    return torch.from_numpy(np.array(vals, dtype=np.float32))


def run_surrogate(name, alpha, alpha_rg, x, grad_out):
    """Forward + backward of one surrogate case; returns a JSON-ready dict."""
    fn = FUNCS[name][0]
    x = x.clone().detach().requires_grad_(True)
    a = torch.tensor(alpha, dtype=F32).requires_grad_(alpha_rg)
    y = fn(x, a)
    if y.requires_grad:
        y.backward(grad_out)
        gx = x.grad if x.grad is not None else torch.zeros_like(x)
    else:
        # heaviside: no autograd graph; the Go port defines its gradient as zero.
        gx = torch.zeros_like(x)
    ga = None
    if alpha_rg and a.grad is not None:
        ga = hexf(a.grad.item())
    case = {
        "name": name,
        "alpha": hexf(alpha),
        "alpha_requires_grad": alpha_rg,
        "shape": list(x.shape),
        "x": hexlist(x),
        "grad_out": hexlist(grad_out),
        "y": hexlist(y),
        "grad_x": hexlist(gx),
        "grad_alpha": ga,
    }
    if name == "RoundGrad":
        # torch's hardtanh backward is inconsistent at NaN inputs: its vectorised
        # body returns +0, its scalar tail returns grad_out.  Flag those elements.
        bad = torch.nonzero(torch.isnan(x.detach())).reshape(-1).tolist()
        if bad:
            case["grad_x_unreliable"] = bad
    return case


def surrogate_cases():
    cases = []

    def add(label, name, alpha, rg, x, g):
        c = run_surrogate(name, alpha, rg, x, g)
        c = {"label": label, **c}
        cases.append(c)

    for name, (_, dalpha, drg, _uses) in FUNCS.items():
        configs = []
        for alpha in (dalpha, 0.5, 4.0):
            rgs = (False, True) if name in BOTH_LEARNABLE else (drg,)
            for rg in rgs:
                if (alpha, rg) not in configs:
                    configs.append((alpha, rg))
        for alpha, rg in configs:
            tag = "%s/alpha=%g/learnable=%s" % (name, alpha, rg)
            # 1) edge values (incl. Inf/NaN) with random grad_out
            x = edge_values(alpha)
            g = torch.randn(x.shape, generator=gen_for(tag + "/edges/g"))
            add(tag + "/edges", name, alpha, rg, x, g)
            # 2) finite edge values only (so that grad_alpha stays finite)
            x = edge_values(alpha, finite_only=True)
            g = torch.randn(x.shape, generator=gen_for(tag + "/edges_finite/g"))
            add(tag + "/edges_finite", name, alpha, rg, x, g)
            # 3) 64 standard-normal values * 1.5
            x = torch.randn(64, generator=gen_for(tag + "/normal64/x")) * 1.5
            g = torch.randn(64, generator=gen_for(tag + "/normal64/g"))
            add(tag + "/normal64", name, alpha, rg, x, g)

        tag = "%s/alpha=%g/learnable=%s" % (name, dalpha, drg)
        # 4) edge values followed by 64 normal values, grad_out == 1 everywhere
        x = torch.cat([edge_values(dalpha),
                       torch.randn(64, generator=gen_for(tag + "/ones/x")) * 1.5])
        add(tag + "/grad_out_ones", name, dalpha, drg, x, torch.ones_like(x))
        # 5) a [3,4,5] tensor of random values
        x = torch.randn(3, 4, 5, generator=gen_for(tag + "/shape345/x")) * 1.5
        g = torch.randn(3, 4, 5, generator=gen_for(tag + "/shape345/g"))
        add(tag + "/shape345", name, dalpha, drg, x, g)
        # 6) special grad_out values (Inf, NaN, -0) against ordinary x
        x = torch.tensor([-2.0, -0.7, -0.3, -0.0, 0.0, 0.2, 0.45, 0.6, 1.5, 3.0] * 2, dtype=F32)
        g = torch.tensor([np.inf] * 5 + [-np.inf] * 5 + [np.nan] * 5 + [-0.0] * 5, dtype=F32)
        add(tag + "/grad_out_special", name, dalpha, drg, x, g)
        # 7) empty tensor
        for rg in ((False, True) if name in BOTH_LEARNABLE else (drg,)):
            add("%s/alpha=%g/learnable=%s/empty" % (name, dalpha, rg), name, dalpha, rg,
                torch.empty(0), torch.empty(0))
    return cases


# ----------------------------------------------------------------------------
# LateralInhibition
# ----------------------------------------------------------------------------

def lateral_inhibition(mem, x, inh, mode, xori=None, threshold=None):
    """new_mem exactly as BrainCog's LateralInhibition.forward updates node.mem.
    The python float inh becomes a float32 scalar; the max is over dim 1."""
    if mode == "constant":
        return mem - inh * (x.max(1, True)[0] - x)
    if mode == "max":
        return mem - inh * xori.max(1, True)[0].detach() * (x.max(1, True)[0] - x)
    if mode == "threshold":
        return mem - inh * threshold * (x.max(1, True)[0] - x)
    return mem


def binary_spikes(shape, g):
    """Random 0/1 spikes with forced ties: all-zero, all-one and multi-one rows/columns."""
    x = (torch.rand(shape, generator=g) < 0.4).float()
    if len(shape) == 2:                        # [N, C]
        x[0] = 0.0                             # all zeros (max ties among all C)
        x[1] = torch.tensor([0, 1, 0, 1, 1, 0], dtype=F32)[: shape[1]]  # several ones
        x[2] = 0.0
        x[2, shape[1] - 1] = 1.0               # exactly one spike, at the last channel
        x[3] = 1.0                             # all ones
    else:                                      # [N, C, H, W]
        x[0, :, 0, 0] = 0.0                    # all zeros along C
        x[0, :, 0, 1] = 1.0                    # all ones along C
        x[0, :, 0, 2] = torch.tensor([0, 1, 0, 1, 0], dtype=F32)[: shape[1]]
        x[1, :, 1, 1] = 0.0
        x[1, shape[1] - 1, 1, 1] = 1.0         # single spike at the last channel
    return x


def li_cases():
    cases = []
    for shape in ([4, 6], [2, 5, 3, 3]):
        C = shape[1]
        per_channel_shape = [C] if len(shape) == 2 else [C, 1, 1]
        for xkind in ("binary", "real"):
            for inh in (0.25, 1.5):
                variants = [("constant", None), ("max", None),
                            ("threshold", "scalar"), ("threshold", "per_channel")]
                for mode, tkind in variants:
                    label = "LateralInhibition/%s/%s/%s/inh=%g%s" % (
                        "x".join(map(str, shape)), xkind, mode, inh,
                        "" if tkind is None else "/threshold=" + tkind)
                    gen = gen_for(label)
                    if xkind == "binary":
                        x = binary_spikes(shape, gen)
                    else:
                        x = torch.randn(shape, generator=gen)
                    mem = torch.randn(shape, generator=gen)
                    grad_out = torch.randn(shape, generator=gen)
                    xori = torch.randn(shape, generator=gen) if mode == "max" else None
                    thr = None
                    if tkind == "scalar":
                        thr = torch.tensor(0.5, dtype=F32) + 0.5 * torch.rand((), generator=gen)
                    elif tkind == "per_channel":
                        thr = 0.5 + 0.5 * torch.rand(per_channel_shape, generator=gen)

                    leaves = {"mem": mem, "x": x, "xori": xori, "threshold": thr}
                    for t in leaves.values():
                        if t is not None:
                            t.requires_grad_(True)
                    new_mem = lateral_inhibition(mem, x, inh, mode, xori, thr)
                    (new_mem * grad_out).sum().backward()

                    with torch.no_grad():
                        max_idx = x.max(1, True)[1]
                    cases.append({
                        "label": label,
                        "name": "LateralInhibition",
                        "mode": mode,
                        "inh": hexf(inh),
                        "x_kind": xkind,
                        "threshold_kind": tkind,
                        "shape": list(shape),
                        "mem": hexlist(mem),
                        "x": hexlist(x),
                        "xori": hexlist(xori),
                        "threshold_shape": None if thr is None else list(thr.shape),
                        "threshold": hexlist(thr),
                        "grad_out": hexlist(grad_out),
                        "new_mem": hexlist(new_mem),
                        "x_max_index_shape": list(max_idx.shape),
                        "x_max_index": max_idx.reshape(-1).tolist(),
                        "grad_mem": hexlist(mem.grad),
                        "grad_x": hexlist(x.grad),
                        "grad_xori": hexlist(None if xori is None else xori.grad),
                        "grad_threshold": hexlist(None if thr is None else thr.grad),
                    })
    return cases


LI_NOTES = [
    "new_mem = mem - inh*(max_1(x) - x) (constant); "
    "mem - (inh*max_1(xori).detach())*(max_1(x) - x) (max); "
    "mem - (inh*threshold)*(max_1(x) - x) (threshold); max_1 = x.max(1, keepdim=True)[0].",
    "Gradients are of (new_mem*grad_out).sum() with respect to mem, x, xori and threshold.",
    "grad_xori is null: xori only enters through .detach(), so torch leaves xori.grad = None.",
    "torch's max(dim) backward sends the whole gradient of max_1(x) to ONE index per reduced "
    "row: the one returned in x_max_index. Observed in this torch build on CPU: among ties "
    "that is the FIRST (lowest) channel index (e.g. an all-zero or all-one row -> index 0).",
    "So grad_x = k*grad_out elementwise, and at the argmax channel additionally "
    "-sum_c(k*grad_out) (k = inh, inh*max_1(xori), or inh*threshold, broadcast).",
    "grad_threshold is summed over the broadcast dimensions by torch (reduction order is "
    "torch's; compare with a small tolerance).",
    "new_mem and grad_mem (== grad_out) are bit-exact in plain float32 arithmetic in the "
    "order above. grad_x at the argmax channel and grad_threshold involve torch reductions: "
    "against float64 sums they differ by <= 8.4e-7 absolute (<= 7e-8 relative to "
    "|grad| + sum_c|k*grad_out|) in these cases; use ~1e-6 tolerance there.",
]


def main():
    surr = surrogate_cases()
    li = li_cases()
    # Sanity: the max-index tie rule we describe in the notes really holds.
    for c in li:
        shape = c["shape"]
        xs = np.array([int(h, 16) for h in c["x"]], dtype=np.uint32).view(np.float32).reshape(shape)
        idx = np.array(c["x_max_index"]).reshape(c["x_max_index_shape"])
        # np.argmax returns the first maximal index
        assert (np.expand_dims(np.argmax(xs, axis=1), 1) == idx).all(), c["label"]

    gen = "tools/golden/gen_golden.py (PyTorch re-statement of BrainCog braincog/base/strategy)"
    common = {"generator": gen, "torch_version": torch.__version__,
              "python_version": sys.version.split()[0], "encoding": ENCODING}
    out1 = dict(common)
    out1["notes"] = [
        "One case per (function, alpha, alpha_requires_grad, input set); 'label' names it.",
        "x, grad_out, y, grad_x are flattened tensors of the given shape; grad_alpha is a "
        "scalar or null when alpha does not require grad / receives no gradient.",
        "alpha is ignored by STDPGrad, EIGrad, BackEIGateGrad, RoundGrad, "
        "straight_through_estimator and heaviside (cases still vary it).",
        "heaviside has no autograd graph in torch; grad_x is recorded as +0 (the Go port's "
        "convention).",
        "Sums (grad_alpha) and torch.sigmoid (vectorised Sleef exp) are not guaranteed bit-exact "
        "in another implementation; compare them with a few-ulp / relative tolerance.",
        "NaN results: compare as 'is NaN' -- the sign/payload bit of a NaN produced by "
        "arithmetic (e.g. 0*Inf) is hardware-defined.",
        "Checked against plain element-wise float32 arithmetic in the documented op order: "
        "every y and grad_x is bit-exact except SigmoidGrad grad_x (<= 1 ulp when "
        "s = 1/(1+float32(exp64(-alpha*x))) is used; torch uses Sleef expf in its vector body) "
        "and RoundGrad grad_x at NaN x (see grad_x_unreliable).",
        "grad_x_unreliable (optional, RoundGrad only): indices whose torch grad_x depends on "
        "whether the element fell in the AVX2 body (+0) or the scalar tail (grad_out) of "
        "hardtanh_backward; do not compare these elements.",
        "RoundGrad forward is (ceil(h) + h) - h in float32, which is NOT always ceil(h): "
        "e.g. x=0.3 -> 0x3f7fffff (0.99999994), ceil(-0.3) = -0 but y = +0.",
        "grad_alpha (torch .sum, its own reduction order) agrees with a float64 sum of the "
        "float32 terms to within 4e-8 * sum(|terms|); use a tolerance around 1e-6 * sum(|terms|).",
    ]
    out1["cases"] = surr
    out2 = dict(common)
    out2["notes"] = LI_NOTES
    out2["cases"] = li

    for rel, obj in (("surrogate/testdata/golden.json", out1),
                     ("strategy/testdata/golden.json", out2)):
        path = os.path.join(ROOT, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            json.dump(obj, f, indent=1)
            f.write("\n")
        print("wrote %s (%d cases)" % (rel, len(obj["cases"])))


if __name__ == "__main__":
    main()
