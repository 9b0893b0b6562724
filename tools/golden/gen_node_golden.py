#!/usr/bin/env python3
"""Golden-value generator for the spikego port of braincog.base.node.

Regenerate with (from the repository root):

    python3 tools/golden/gen_node_golden.py

It writes
    node/testdata/golden.json   IFNode, LIFNode, LIFSTDPNode, PLIFNode run for
                                T steps (spikes, final membrane, gradients)

BrainCog's neuron nodes (BrainCog-X/Brain-Cog, braincog/base/node/node.py,
classes BaseNode, IFNode, LIFNode, LIFSTDPNode, PLIFNode) are re-stated below
in plain PyTorch, together with the three surrogate spike functions the
cases use (braincog/base/strategy/surrogate.py: atan, quadratic_gate, stdp).
The re-statement is written independently but performs the same float32
operations in the same order as BrainCog:

    charge (integral), one of
        IFNode       mem = mem + inputs * dt
        LIFNode      mem = mem + (inputs - mem) / tau
        LIFSTDPNode  mem = mem * tau + inputs
        PLIFNode     mem = mem + ((inputs - mem) * w.sigmoid()) * dt
                     (w = nn.Parameter(-log(tau - 1)), learnable)
    spike and reset (calc_spike), common to the four
        spike = act_fun(mem - threshold)
        mem   = mem * (1 - spike.detach())

The membrane starts as the python float v_reset = 0. (BaseNode.__init__ and
n_reset); with mem_detach the membrane (and the last spike) are detached at
the start of every step once they are tensors (BaseNode.forward's
`hasattr(self.mem, 'detach')`, so not at the first step).  dt and tau are
python floats, so `inputs * dt`, `/ tau` and `* tau` are float32 ops with
the constant rounded to float32.  threshold is nn.Parameter(torch.tensor(
threshold)) (float32), learnable iff requires_thres_grad.  The surrogate is
built with alpha = 2 and requires_grad=False, except PLIFNode, which BrainCog
builds with requires_grad=True.

Each case runs T = 6 single steps (BrainCog's default, non layer-by-layer
mode: the node is called once per step) on x [T, B, N] = 0.8 * N(0, 1),
stacks the spikes, and back-propagates loss = sum(spikes * R), R ~ N(0, 1).

Encoding: as tools/golden/gen_golden.py -- every float is a JSON string with
its IEEE-754 float32 bit pattern in lower-case hex ("0x3f800000" == 1.0);
tensors are flattened row-major with their shape alongside; null means no
value / no gradient.
"""

import json
import math
import os
import sys

import torch

from goldenlib import ENCODING, F32, ROOT, AtanFn, QGateFn, STDPFn, gen_for, hexf, hexlist

torch.set_num_threads(1)
torch.manual_seed(20240608)
OUT = "node/testdata/golden.json"

T, B, N = 6, 3, 7








# ----------------------------------------------------------------------------
# Surrogate spike functions (as braincog/base/strategy/surrogate.py).
# ----------------------------------------------------------------------------

class Surrogate(torch.nn.Module):
    """SurrogateFunctionBase: alpha = Parameter(float32 alpha)."""

    def __init__(self, name, alpha, requires_grad):
        super().__init__()
        self.name = name
        self.alpha = torch.nn.Parameter(torch.tensor(alpha, dtype=F32), requires_grad=requires_grad)

    def forward(self, x):
        if self.name == "AtanGrad":
            return AtanFn.apply(x, self.alpha)
        if self.name == "QGateGrad":
            return QGateFn.apply(x, self.alpha)
        if self.name == "STDPGrad":
            return STDPFn.apply(x)
        raise ValueError(self.name)


# ----------------------------------------------------------------------------
# The nodes.
# ----------------------------------------------------------------------------

DEFAULTS = {  # kind: (threshold, tau, surrogate), BrainCog's constructor defaults
    "IFNode": (0.5, None, "AtanGrad"),
    "LIFNode": (0.5, 2.0, "QGateGrad"),
    "LIFSTDPNode": (1.0, 2.0, "AtanGrad"),
    "PLIFNode": (1.0, 2.0, "AtanGrad"),
}


class Node:
    """One BrainCog node of the given kind, run one step per call."""

    def __init__(self, kind, threshold=None, tau=None, dt=1.0, act=None,
                 mem_detach=False, requires_thres_grad=False):
        d_th, d_tau, d_act = DEFAULTS[kind]
        self.kind = kind
        th = d_th if threshold is None else threshold
        if isinstance(th, torch.Tensor):
            self.threshold = torch.nn.Parameter(th.clone().to(F32), requires_grad=requires_thres_grad)
        else:
            self.threshold = torch.nn.Parameter(torch.tensor(th), requires_grad=requires_thres_grad)
        self.tau = d_tau if tau is None else tau
        self.dt = dt
        self.mem_detach = mem_detach
        self.act = Surrogate(act or d_act, 2.0, kind == "PLIFNode")
        self.w = None
        if kind == "PLIFNode":
            self.w = torch.nn.Parameter(torch.as_tensor(-math.log(self.tau - 1.0)))
        self.mem = 0.   # v_reset
        self.spike = 0.

    def integral(self, x):
        if self.kind == "IFNode":
            self.mem = self.mem + x * self.dt
        elif self.kind == "LIFNode":
            self.mem = self.mem + (x - self.mem) / self.tau
        elif self.kind == "LIFSTDPNode":
            self.mem = self.mem * self.tau + x
        else:
            self.mem = self.mem + ((x - self.mem) * self.w.sigmoid()) * self.dt

    def calc_spike(self):
        self.spike = self.act(self.mem - self.threshold)
        self.mem = self.mem * (1 - self.spike.detach())

    def __call__(self, x):
        if self.mem_detach and hasattr(self.mem, "detach"):
            self.mem = self.mem.detach()
            self.spike = self.spike.detach()
        self.integral(x)
        self.calc_spike()
        return self.spike


def run_case(label, kind, threshold=None, tau=None, dt=1.0, act=None,
             mem_detach=False, requires_thres_grad=False):
    g = gen_for(label)
    x = (0.8 * torch.randn(T, B, N, generator=g)).requires_grad_(True)
    R = torch.randn(T, B, N, generator=g)
    node = Node(kind, threshold, tau, dt, act, mem_detach, requires_thres_grad)
    w0 = None if node.w is None else node.w.detach().clone()
    k = None if node.w is None else node.w.detach().sigmoid()
    th0 = node.threshold.detach().clone()
    spikes = torch.stack([node(x[t]) for t in range(T)])
    (spikes * R).sum().backward()
    alpha = node.act.alpha
    return {
        "label": label,
        "kind": kind,
        "T": T, "B": B, "N": N,
        "threshold_shape": list(th0.shape),
        "threshold": hexlist(th0),
        "tau": None if node.tau is None else hexf(node.tau),
        "dt": hexf(dt),
        "surrogate": node.act.name,
        "alpha": hexf(2.0),
        "alpha_requires_grad": alpha.requires_grad,
        "mem_detach": mem_detach,
        "requires_thres_grad": requires_thres_grad,
        "w": None if w0 is None else hexf(w0.item()),
        "sigmoid_w": None if k is None else hexf(k.item()),
        "x": hexlist(x),
        "R": hexlist(R),
        "spikes": hexlist(spikes),
        "mem": hexlist(node.mem),
        "grad_x": hexlist(x.grad),
        "grad_threshold": hexlist(node.threshold.grad) if requires_thres_grad else None,
        "grad_w": None if node.w is None else hexlist(node.w.grad),
        "grad_alpha": hexlist(alpha.grad) if alpha.requires_grad and alpha.grad is not None else None,
    }


def cases():
    per_neuron = 0.2 + 0.6 * torch.rand(N, generator=gen_for("per-neuron threshold"))
    return [
        run_case("LIFNode/default", "LIFNode"),
        run_case("LIFNode/AtanGrad/tau=3/threshold=0.3", "LIFNode", threshold=0.3, tau=3.0, act="AtanGrad"),
        run_case("LIFNode/mem_detach", "LIFNode", mem_detach=True),
        run_case("LIFNode/requires_thres_grad", "LIFNode", requires_thres_grad=True),
        run_case("IFNode/default", "IFNode"),
        run_case("IFNode/dt=0.5", "IFNode", dt=0.5),
        run_case("LIFSTDPNode/STDPGrad/tau=0.9", "LIFSTDPNode", tau=0.9, act="STDPGrad"),
        run_case("PLIFNode/default", "PLIFNode"),
        run_case("PLIFNode/tau=4/requires_thres_grad", "PLIFNode", tau=4.0, requires_thres_grad=True),
        # With threshold 1 and inputs of scale 0.8, PLIFNode hardly ever fires
        # in 6 steps; this case makes it spike (and reset).
        run_case("PLIFNode/threshold=0.3", "PLIFNode", threshold=0.3),
        run_case("LIFNode/per-neuron threshold/requires_thres_grad", "LIFNode",
                 threshold=per_neuron, requires_thres_grad=True),
        run_case("IFNode/per-neuron threshold", "IFNode", threshold=per_neuron),
    ]


NOTES = [
    "One case per node configuration; 'label' names it. x, R, spikes and grad_x have "
    "shape [T,B,N]; mem (the membrane after the last step's reset) has shape [B,N]; "
    "threshold has shape threshold_shape ([] scalar or [N] per neuron).",
    "loss = sum(spikes * R); grad_x, grad_threshold (null unless requires_thres_grad), "
    "grad_w (PLIFNode) and grad_alpha (PLIFNode: its AtanGrad alpha is learnable) are "
    "the gradients of that loss.",
    "tau is null for IFNode (it has none). w is PLIFNode's initial w = -log(tau - 1) "
    "(float64 math.log, rounded to float32 by torch.as_tensor); sigmoid_w is "
    "torch's float32 w.sigmoid().",
    "spikes and mem are plain float32 element-wise arithmetic in BrainCog's order "
    "(see the generator's docstring), so a faithful port reproduces them bit for bit "
    "(for PLIFNode given the same sigmoid_w). grad_x is a sum of at most T products "
    "per element in reverse time order; grad_threshold, grad_w and grad_alpha are "
    "torch reductions over B*N elements and T steps (their order is torch's): compare "
    "them with a tolerance relative to the sum of the magnitudes of their terms.",
]


def main():
    cs = cases()
    out = {
        "generator": "tools/golden/gen_node_golden.py (PyTorch re-statement of BrainCog "
                     "braincog/base/node/node.py)",
        "torch_version": torch.__version__,
        "python_version": sys.version.split()[0],
        "encoding": ENCODING,
        "notes": NOTES,
        "cases": cs,
    }
    path = os.path.join(ROOT, OUT)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote %s (%d cases)" % (OUT, len(cs)))


if __name__ == "__main__":
    main()
