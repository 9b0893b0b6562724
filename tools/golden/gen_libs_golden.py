#!/usr/bin/env python3
"""Golden values of SpikingJelly's and snnTorch's surrogate spike functions,
computed by the libraries' own code on PyTorch.

Run from the repository root with checkouts of the two libraries:

    git clone https://github.com/fangwei123456/spikingjelly ../sj
    git -C ../sj checkout 3bc12b7582a3f0b33404edd63192ec883e5862ce
    git clone https://github.com/jeshraghian/snntorch ../snn
    git -C ../snn checkout 634fc22385ec5581998e62787bbe39b53662140f
    python3 tools/golden/gen_libs_golden.py --spikingjelly ../sj --snntorch ../snn

(any directory holding the two files below at those commits will do; nothing
of theirs is copied into this repository). It writes
surrogate/testdata/golden_libs.json.

How the values are produced: this script does NOT restate the libraries'
formulas. It loads, from the directories given, exactly two files:

    spikingjelly/activation_based/surrogate.py  (and the auto_cuda/cfunction.py
        it imports; SpikingJelly commit 3bc12b75, the last that runs on
        torch 1.13; later commits need torch >= 2.4)
    snntorch/surrogate.py                       (snnTorch commit 634fc22)

checks that their git blob hashes are the ones recorded below (so the
commits are the ones named), and calls, for every case, the library function
named in CALLS (forward with the case's input, backward with its upstream
gradient). Three functions cannot be called as a user calls them at these
commits, and are reached as follows (see CALLS and the notes in the output):

  * SpikingJelly NonzeroSignLogAbs: its autograd backward passes a tuple to
    nonzero_sign_log_abs_backward and raises; the forward of its autograd
    function and the class's static backward (which calls the same
    nonzero_sign_log_abs_backward correctly, as later commits do) are called.
  * SpikingJelly SuperSpike: the class's spiking_function applies atan at
    this commit; its own autograd function super_spike (which the class
    applies since) is called.
  * snnTorch LSO: LSO() wraps StochasticSpikeOperator and raises a TypeError,
    and LeakySpikeOperator.backward returns one gradient too few; the
    forward and backward of LeakySpikeOperator are called inside a wrapper
    that returns (grad, None).

One function is restated, because the fix is newer than the stored commit:

  * snnTorch sigmoid: commit 634fc22 computes
    g*slope*exp(-slope*x)/(exp(-slope*x)+1)**2, which overflows to NaN for
    slope*x < -88.7 (issue #427); pull request #433 replaced it with
    sig = sigmoid(slope*x); g*slope*sig*(1-sig). The values are those of the
    restated fix; the script checks them against 634fc22's own code wherever
    that is finite and records the largest difference in the notes.

Parameters are passed as the float64 value of a float32 (spikego's parameters
are float32). Where a library default is not a float32 (FakeNumericalGradient
0.3, LSO 0.1, PiecewiseLeakyReLU's c 0.01) the script also runs the Python
literal and asserts the same bits (the libraries use those only as float32
scalars).
"""

import argparse
import hashlib
import importlib.util
import json
import math
import os
import sys
import types

import numpy as np
import torch

from goldenlib import ENCODING, F32, ROOT, gen_for, hexf, hexlist

torch.set_num_threads(1)
torch.manual_seed(20240611)

SJ_COMMIT = "3bc12b7582a3f0b33404edd63192ec883e5862ce"
SNN_COMMIT = "634fc22385ec5581998e62787bbe39b53662140f"
# git blob hashes (git hash-object) of the files loaded, at those commits.
BLOBS = {
    "spikingjelly/activation_based/surrogate.py": "f2f5ef29bf50f3185d4ecf55129239a223566ae0",
    "spikingjelly/activation_based/auto_cuda/__init__.py": "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
    "spikingjelly/activation_based/auto_cuda/cfunction.py": "f02256e2c5a2c5529b25fa7469a2969c76342d05",
    "snntorch/surrogate.py": "55adbe6597f146a046760ed4191755222870d1ca",
}


def git_blob_hash(path):
    data = open(path, "rb").read()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def load(root, package, module):
    """Import root/<package as path>/<module>.py as package.module without
    running the packages' __init__ files (parents are empty namespaces whose
    __path__ lets relative imports find their siblings)."""
    parts = package.split(".")
    for i in range(1, len(parts) + 1):
        name = ".".join(parts[:i])
        if name not in sys.modules:
            m = types.ModuleType(name)
            m.__path__ = [os.path.join(root, *parts[:i])]
            sys.modules[name] = m
    rel = os.path.join(*parts, module + ".py")
    path = os.path.join(root, rel)
    for dep in [rel] + [k for k in BLOBS if k.startswith(os.path.join(*parts)) and k != rel]:
        want = BLOBS[dep]
        got = git_blob_hash(os.path.join(root, dep))
        if got != want:
            sys.exit("%s: blob %s, want %s (wrong commit?)" % (dep, got, want))
    spec = importlib.util.spec_from_file_location(package + "." + module, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


SJ = None   # spikingjelly.activation_based.surrogate
ST = None   # snntorch.surrogate


def f32(v):
    """The float64 value of float32(v)."""
    return float(np.float32(v))


# ----------------------------------------------------------------------------
# Wrappers for the three functions that cannot be called as users call them.
# ----------------------------------------------------------------------------

class SJNonzeroSignLogAbs(torch.autograd.Function):
    """SpikingJelly's nonzero_sign_log_abs.forward, then the class's static
    NonzeroSignLogAbs.backward (= nonzero_sign_log_abs_backward(g, x, alpha)[0])."""

    @staticmethod
    def forward(ctx, x, alpha):
        return SJ.nonzero_sign_log_abs.forward(ctx, x, alpha)

    @staticmethod
    def backward(ctx, g):
        return SJ.NonzeroSignLogAbs.backward(g, ctx.saved_tensors[0], ctx.alpha), None


class SnnLSO(torch.autograd.Function):
    """snnTorch's LeakySpikeOperator.forward and .backward, the backward's
    single gradient returned with None for slope."""

    @staticmethod
    def forward(ctx, x, slope):
        return ST.LeakySpikeOperator.forward(ctx, x, slope)

    @staticmethod
    def backward(ctx, g):
        return ST.LeakySpikeOperator.backward(ctx, g), None


class SnnSigmoidPR433(torch.autograd.Function):
    """RESTATED: snnTorch's Sigmoid after pull request #433 (issue #427):
    forward (x > 0).float(); backward g * slope * sig * (1 - sig) with
    sig = sigmoid(slope * x), g cloned first as snnTorch does."""

    @staticmethod
    def forward(ctx, input_, slope):
        ctx.save_for_backward(input_)
        ctx.slope = slope
        return (input_ > 0).float()

    @staticmethod
    def backward(ctx, grad_output):
        (input_,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        sig = torch.sigmoid(ctx.slope * input_)
        grad = grad_input * ctx.slope * sig * (1.0 - sig)
        return grad, None


# ----------------------------------------------------------------------------
# What is called for every name: (library, call(x, alpha, second), the call
# as text, defaults (alpha, second), alphas, seconds).
# ----------------------------------------------------------------------------

CALLS = {
    # SpikingJelly, commit 3bc12b75
    "PiecewiseQuadratic": ("SpikingJelly", lambda x, a, s: SJ.PiecewiseQuadratic(alpha=a)(x),
                           "PiecewiseQuadratic(alpha=a)(x)", (1.0, None), [0.5, 1.5, 4.0], [None]),
    "PiecewiseExp": ("SpikingJelly", lambda x, a, s: SJ.PiecewiseExp(alpha=a)(x),
                     "PiecewiseExp(alpha=a)(x)", (1.0, None), [0.5, 3.0], [None]),
    "Sigmoid": ("SpikingJelly", lambda x, a, s: SJ.Sigmoid(alpha=a)(x),
                "Sigmoid(alpha=a)(x)", (4.0, None), [1.0, 0.5, 10.0], [None]),
    "SoftSign": ("SpikingJelly", lambda x, a, s: SJ.SoftSign(alpha=a)(x),
                 "SoftSign(alpha=a)(x)", (2.0, None), [0.5, 3.0], [None]),
    "SuperSpike": ("SpikingJelly", lambda x, a, s: SJ.super_spike.apply(x, a),
                   "super_spike.apply(x, a) (the class applies atan at 3bc12b75)", (1.0, None), [0.5, 2.5], [None]),
    "ATan": ("SpikingJelly", lambda x, a, s: SJ.ATan(alpha=a)(x),
             "ATan(alpha=a)(x)", (2.0, None), [0.5, 1.5, 4.0], [None]),
    "NonzeroSignLogAbs": ("SpikingJelly", lambda x, a, s: SJNonzeroSignLogAbs.apply(x, a),
                          "nonzero_sign_log_abs.forward + NonzeroSignLogAbs.backward (static)",
                          (1.0, None), [2.0, 0.5, 3.0], [None]),
    "Erf": ("SpikingJelly", lambda x, a, s: SJ.Erf(alpha=a)(x),
            "Erf(alpha=a)(x)", (2.0, None), [0.5, 1.5], [None]),
    "PiecewiseLeakyReLU": ("SpikingJelly", lambda x, a, s: SJ.PiecewiseLeakyReLU(w=a, c=s)(x),
                           "PiecewiseLeakyReLU(w=a, c=s)(x)", (1.0, 0.01), [0.5, 2.0], [0.0, -0.25]),
    "SquarewaveFourierSeries": ("SpikingJelly", lambda x, a, s: SJ.SquarewaveFourierSeries(n=s, T_period=a)(x),
                                "SquarewaveFourierSeries(n=s, T_period=a)(x)", (8.0, 2), [4.0, 2.5], [1, 5]),
    "S2NN": ("SpikingJelly", lambda x, a, s: SJ.S2NN(alpha=a, beta=s)(x),
             "S2NN(alpha=a, beta=s)(x)", (4.0, 1.0), [1.0, 0.5], [2.5, -0.5]),
    "QPseudoSpike": ("SpikingJelly", lambda x, a, s: SJ.QPseudoSpike(alpha=a)(x),
                     "QPseudoSpike(alpha=a)(x)", (2.0, None), [1.5, 3.0, 4.0], [None]),
    "LeakyKReLU": ("SpikingJelly", lambda x, a, s: SJ.LeakyKReLU(spiking=True, leak=a, k=s)(x),
                   "LeakyKReLU(spiking=True, leak=a, k=s)(x)", (0.0, 1.0), [0.1, -0.25], [0.5, 2.0]),
    "FakeNumericalGradient": ("SpikingJelly", lambda x, a, s: SJ.FakeNumericalGradient(alpha=a)(x),
                              "FakeNumericalGradient(alpha=a)(x)", (0.3, None), [1.0, 4.0], [None]),
    "LogTailedReLU": ("SpikingJelly", lambda x, a, s: SJ.LogTailedReLU(alpha=a)(x),
                      "LogTailedReLU(alpha=a)(x)", (0.0, None), [0.1, -0.5], [None]),
    "DeterministicPass": ("SpikingJelly", lambda x, a, s: SJ.DeterministicPass()(x),
                          "DeterministicPass()(x)", (0.0, None), [], [None]),
    "Rect": ("SpikingJelly", lambda x, a, s: SJ.Rect(alpha=a)(x),
             "Rect(alpha=a)(x)", (1.0, None), [0.5, 3.0], [None]),
    "heaviside": ("SpikingJelly", lambda x, a, s: SJ.heaviside(x),
                  "heaviside(x) (no gradient)", (0.0, None), [], [None]),
    # snnTorch, commit 634fc22
    "atan": ("snnTorch", lambda x, a, s: ST.atan(alpha=a)(x),
             "atan(alpha=a)(x)", (2.0, None), [0.5, 1.5, 4.0], [None]),
    "fast_sigmoid": ("snnTorch", lambda x, a, s: ST.fast_sigmoid(slope=a)(x),
                     "fast_sigmoid(slope=a)(x)", (25.0, None), [1.0, 5.0], [None]),
    "sigmoid": ("snnTorch", lambda x, a, s: SnnSigmoidPR433.apply(x, a),
                "RESTATED Sigmoid of pull request #433 (see notes)", (25.0, None), [1.0, 5.0], [None]),
    "triangular": ("snnTorch", lambda x, a, s: ST.triangular(threshold=a)(x),
                   "triangular(threshold=a)(x)", (1.0, None), [0.5, 2.0], [None]),
    "spike_rate_escape": ("snnTorch", lambda x, a, s: ST.spike_rate_escape(beta=s, slope=a)(x),
                          "spike_rate_escape(beta=s, slope=a)(x)", (25.0, 1.0), [1.0, 5.0], [3.0, 0.5]),
    "SFS": ("snnTorch", lambda x, a, s: ST.SFS(slope=a, B=s)(x),
            "SFS(slope=a, B=s)(x)", (25.0, 1.0), [1.0, 5.0], [0.25, -0.5]),
    "LSO": ("snnTorch", lambda x, a, s: SnnLSO.apply(x, a),
            "LeakySpikeOperator.forward/.backward in a wrapper (LSO() raises)", (0.1, None), [0.0, -0.5, 1.0], [None]),
    "snntorch_heaviside": ("snnTorch", lambda x, a, s: ST.heaviside()(x),
                           "heaviside()(x)", (0.0, None), [], [None]),
    "snntorch_straight_through_estimator": ("snnTorch", lambda x, a, s: ST.straight_through_estimator()(x),
                                            "straight_through_estimator()(x)", (0.0, None), [], [None]),
}

# Library defaults that are not float32 values: the literal is checked to give
# the same bits as its float32 rounding.
LITERAL_DEFAULTS = {"FakeNumericalGradient": (0.3, None), "LSO": (0.1, None), "PiecewiseLeakyReLU": (1.0, 0.01)}


def nextafter32(v, toward):
    return np.nextafter(np.float32(v), np.float32(toward), dtype=np.float32)


def edge_values(alpha, second):
    """Signed zeros, infinities, NaN, extremes and the points where the
    functions change piece (1/alpha, 1/(2 alpha), alpha, 1, 0.5, the
    second parameter) with their float32 neighbours."""
    pts = [np.float32(0.5), np.float32(1.0), np.float32(2.0), np.float32(4.5)]
    if alpha != 0:
        pts += [np.float32(1.0 / alpha), np.float32(0.5 / alpha), np.float32(abs(alpha))]
    if isinstance(second, float) and second != 0:
        pts.append(np.float32(abs(second)))
    near = []
    for p in pts:
        near += [p, nextafter32(p, np.inf), nextafter32(p, 0)]
    near += [np.float32(1e30), np.float32(1e-30), np.float32(3.4e38), np.float32(1e-40), np.float32(100.0)]
    vals = [np.float32(0.0), np.float32(-0.0)]
    seen = set()
    for p in near:
        if float(p) in seen:
            continue
        seen.add(float(p))
        vals += [p, -p]
    vals += [np.float32(np.inf), np.float32(-np.inf), np.float32(np.nan)]
    return torch.from_numpy(np.array(vals, dtype=np.float32))


def run(name, alpha, second, x, grad_out):
    lib, call, _, _, _, _ = CALLS[name]
    x = x.clone().detach().requires_grad_(True)
    y = call(x, alpha, second)
    if y.requires_grad:
        y.backward(grad_out)
        gx = x.grad if x.grad is not None else torch.zeros_like(x)
    else:
        gx = torch.zeros_like(x)  # heaviside: no gradient; the Go test checks none flows
    return y.detach(), gx.detach(), y.requires_grad


def case(label, name, alpha, second, x, g):
    y, gx, has_grad = run(name, alpha, second, x, g)
    is_n = name == "SquarewaveFourierSeries"
    return {
        "label": label,
        "name": name,
        "library": CALLS[name][0],
        "alpha": hexf(alpha),
        "second": None if second is None or is_n else hexf(second),
        "n": second if is_n else None,
        "shape": list(x.shape),
        "x": hexlist(x),
        "grad_out": hexlist(g),
        "y": hexlist(y),
        "grad_x": hexlist(gx),
        "has_grad": has_grad,
    }


def configs(name):
    _, _, _, (da, ds), alphas, seconds = CALLS[name]
    out = [(f32(da), ds if ds is None or isinstance(ds, int) else f32(ds))]
    for a in alphas:
        out.append((f32(a), out[0][1]))
    for s in seconds:
        if s is not None:
            out.append((out[0][0], s if isinstance(s, int) else f32(s)))
    return out


def cases_for(name):
    cs = []
    for i, (a, s) in enumerate(configs(name)):
        tag = "%s/%s=%r" % (name, "alpha", a) + ("" if s is None else "/second=%r" % s)
        x = edge_values(a, s)
        cs.append(case(tag + "/edges", name, a, s, x, torch.randn(x.shape, generator=gen_for(tag + "/edges/g"))))
        x = torch.randn(64, generator=gen_for(tag + "/normal64/x")) * 1.5
        cs.append(case(tag + "/normal64", name, a, s, x, torch.randn(64, generator=gen_for(tag + "/normal64/g"))))
        if i > 0:
            continue
        x = torch.randn(64, generator=gen_for(tag + "/wide64/x")) * 8
        cs.append(case(tag + "/wide64", name, a, s, x, torch.randn(64, generator=gen_for(tag + "/wide64/g"))))
        x = torch.cat([edge_values(a, s), torch.randn(64, generator=gen_for(tag + "/ones/x")) * 1.5])
        cs.append(case(tag + "/grad_out_ones", name, a, s, x, torch.ones_like(x)))
        x = torch.randn(3, 4, 5, generator=gen_for(tag + "/shape345/x")) * 1.5
        cs.append(case(tag + "/shape345", name, a, s, x, torch.randn(3, 4, 5, generator=gen_for(tag + "/shape345/g"))))
        x = torch.tensor([-2.0, -0.7, -0.3, -0.0, 0.0, 0.2, 0.45, 0.6, 1.5, 3.0] * 2, dtype=F32)
        g = torch.tensor([np.inf] * 5 + [-np.inf] * 5 + [np.nan] * 5 + [-0.0] * 5, dtype=F32)
        cs.append(case(tag + "/grad_out_special", name, a, s, x, g))
        cs.append(case(tag + "/empty", name, a, s, torch.empty(0), torch.empty(0)))
    return cs


def check_literal_defaults():
    """The Python literal default gives the same bits as its float32."""
    for name, (a, s) in LITERAL_DEFAULTS.items():
        x = torch.cat([edge_values(f32(a), None if s is None else f32(s)),
                       torch.randn(256, generator=gen_for(name + "/literal")) * 2])
        g = torch.randn(x.shape, generator=gen_for(name + "/literal/g"))
        y1, g1, _ = run(name, a, s, x, g)
        y2, g2, _ = run(name, f32(a), None if s is None else f32(s), x, g)
        assert hexlist(y1) == hexlist(y2) and hexlist(g1) == hexlist(g2), name


def check_sigmoid_against_634fc22():
    """The restated snnTorch sigmoid against 634fc22's own code, on x in
    [-20, 20] and random inputs for slopes 25, 1 and 5. Returns the largest
    difference where 634fc22 is finite, relative to the gradient's peak
    |g|*slope/4, the number of inputs where 634fc22 is NaN or Inf
    (slope*x < -88.7, where the restated gradient is below 1e-15) and the
    number of inputs."""
    worst, nonfinite, total = 0.0, 0, 0
    for slope in (25.0, 1.0, 5.0):
        x = torch.cat([torch.linspace(-20, 20, 4001), torch.randn(4000, generator=gen_for("sig/%g" % slope)) * 3])
        g = torch.randn(x.shape, generator=gen_for("sig/g/%g" % slope))
        _, new, _ = run("sigmoid", slope, None, x, g)
        xo = x.clone().requires_grad_(True)
        ST.sigmoid(slope=slope)(xo).backward(g)
        old = xo.grad
        assert torch.isfinite(new).all()
        fin = torch.isfinite(old)
        total += x.numel()
        nonfinite += int((~fin).sum())
        peak = g.double().abs() * slope / 4
        d = ((new.double() - old.double()).abs()[fin] / peak[fin]).max().item()
        worst = max(worst, d)
        assert (new[~fin].abs() < 1e-15).all()
    return worst, nonfinite, total


def check_atan_constants():
    """SpikingJelly HEAD's ATan constants (a = alpha/2, pi*a) round to the
    same float32 values as 3bc12b75's (alpha/2, pi/2*alpha) for the alphas
    of the cases, so the two commits compute the same bits."""
    for name in ("ATan", "atan"):
        for a, _ in configs(name):
            assert np.float32(math.pi / 2 * a) == np.float32(math.pi * (a / 2)), a


def main():
    global SJ, ST
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spikingjelly", required=True, help="checkout of fangwei123456/spikingjelly at " + SJ_COMMIT)
    ap.add_argument("--snntorch", required=True, help="checkout of jeshraghian/snntorch at " + SNN_COMMIT)
    args = ap.parse_args()
    SJ = load(args.spikingjelly, "spikingjelly.activation_based", "surrogate")
    ST = load(args.snntorch, "snntorch", "surrogate")

    check_literal_defaults()
    check_atan_constants()
    worst, nonfinite, total = check_sigmoid_against_634fc22()

    cases = []
    for name in CALLS:
        cases += cases_for(name)

    out = {
        "generator": "tools/golden/gen_libs_golden.py (the libraries' own code, loaded from checkouts)",
        "spikingjelly_commit": SJ_COMMIT,
        "snntorch_commit": SNN_COMMIT,
        "files": BLOBS,
        "calls": {n: {"library": c[0], "call": c[2], "default": list(c[3])} for n, c in CALLS.items()},
        "torch_version": torch.__version__,
        "python_version": sys.version.split()[0],
        "encoding": ENCODING,
        "notes": [
            "One case per (function, alpha, second parameter, input set); 'label' names it. "
            "alpha is the parameter New sets (see 'calls'); 'second' is the other parameter "
            "(PiecewiseLeakyReLU c, S2NN beta, LeakyKReLU k, spike_rate_escape beta, SFS B), "
            "'n' SquarewaveFourierSeries's n; null where the function has none.",
            "x, grad_out, y, grad_x are flattened tensors of the given shape. No parameter of "
            "these libraries receives a gradient (they are Python numbers).",
            "has_grad is false for SpikingJelly's heaviside (a comparison, no autograd graph); "
            "grad_x is then recorded as zeros.",
            "Parameters are float32 values; library defaults that are not (0.3, 0.1, 0.01) were "
            "checked to give the same bits as the Python literal.",
            "Functions using exp, sigmoid, cos or a general pow run PyTorch's vectorised SLEEF "
            "kernels (within 1 ulp, not always correctly rounded) in the body of a tensor and "
            "glibc's in its scalar tail; compare those with a few-ulp tolerance, the others bit "
            "for bit. NaN results compare as 'is NaN'.",
            "snnTorch sigmoid is the restated form of pull request #433. Against commit 634fc22's "
            "own code on %d inputs (slopes 25, 1, 5; x in [-20, 20] and random): where 634fc22 is "
            "finite they differ by at most %.3g of the gradient's peak |g|*slope/4; 634fc22 gives "
            "NaN or Inf on %d of them (slope*x < -88.7), where the restated gradient is below 1e-15."
            % (total, worst, nonfinite),
            "SpikingJelly HEAD computes ATan's backward as a/(1 + (pi*a*x)^2)*g with a = alpha/2 "
            "(3bc12b75: alpha/2/(1 + (pi/2*alpha*x)^2)*g); for the alphas here the float32 "
            "constants are the same.",
        ],
        "cases": cases,
    }
    path = os.path.join(ROOT, "surrogate/testdata/golden_libs.json")
    cases = out.pop("cases")
    with open(path, "w") as f:
        # The header indented, then one case per line.
        head = json.dumps(out, indent=1)
        f.write(head[:-2] + ',\n "cases": [\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
        f.write("\n ]\n}\n")
    print("wrote surrogate/testdata/golden_libs.json (%d cases); sigmoid vs 634fc22: max diff %.3g of the "
          "peak, %d/%d NaN/Inf there" % (len(cases), worst, nonfinite, total))


if __name__ == "__main__":
    main()
