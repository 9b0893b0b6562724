"""Golden values for package stdp and strategy.WTALayer.

Re-states, in plain PyTorch with BrainCog's float32 operations in BrainCog's
order, the pieces of BrainCog's unsupervised STDP example
(examples/Perception_and_Learning/UnsupervisedSTDP/codef.py: STDPConv,
STDPLinear, voting, and the example's training steps around them),
braincog/base/connection/layer.py (WTALayer), braincog/base/node/node.py
(LIFSTDPNode with mem_detach), braincog/base/strategy/surrogate.py
(STDPGrad) and braincog/base/strategy/LateralInhibition.py, runs small
cases and writes stdp/testdata/golden.json and
strategy/testdata/wta_golden.json.

WTALayer draws torch.rand(x.shape) at every call; the cases draw those
numbers up front, one tensor per time step, and store them, so that the Go
side replays them (strategy.WTALayer.Replay). BrainCog calls WTALayer (and
so torch.rand) only at steps where some neuron of the batch spiked; the
re-statement does the same and records, per case, the steps where it did.

    /usr/bin/python3 tools/golden/gen_stdp_golden.py
    /usr/bin/python3 tools/golden/gen_stdp_golden.py --braincog DIR

With --braincog DIR (a checkout of BrainCog-X/Brain-Cog, outside this
repository), the same cases are also run through BrainCog's own classes,
imported from DIR (codef.py's STDPConv, STDPLinear and voting, layer.py's
WTALayer, node.py's LIFSTDPNode, ...; modules codef.py imports but does not
use on this path -- torchvision, tqdm, cv2, matplotlib, sklearn, einops --
are stubbed), with torch.rand replaced by the recorded draws, and every
output is required to equal the re-statement's bit for bit. Nothing of
BrainCog is copied here.
"""

import argparse
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from goldenlib import ENCODING, F32, ROOT, STDPFn, gen_for, hexlist, load_braincog_codef  # noqa: E402

torch.set_num_threads(1)
torch.set_printoptions(precision=8)


# --- the re-statement -------------------------------------------------------


class Replay:
    """Stands in for torch.rand inside WTA: returns draws[t] for the step t
    it is told, and records the steps that drew."""

    def __init__(self, draws):
        self.draws = draws
        self.used = []

    def at(self, t):
        self.used.append(t)
        return self.draws[t]


def wta(x, u, k=1):
    """layer.py WTALayer.forward with pos = x * u."""
    pos = x * u
    if k > 1:
        return x * (pos >= pos.topk(k, dim=1)[0][:, -1:]).float()
    return x * (pos >= pos.max(1, True)[0]).float()


class LIFSTDP:
    """node.py LIFSTDPNode(act_fun=STDPGrad, tau, mem_detach=True), single
    step: mem = mem*tau + x; spike = stdp(mem - threshold);
    mem = mem*(1 - spike.detach())."""

    def __init__(self, tau):
        self.tau = tau
        self.mem = 0.
        self.threshold = torch.tensor(1.)

    def __call__(self, x):
        if hasattr(self.mem, "detach"):
            self.mem = self.mem.detach()
        self.mem = self.mem * self.tau + x
        spike = STDPFn.apply(self.mem - self.threshold)
        self.mem = self.mem * (1 - spike.detach())
        return spike


def lateral(node, x, inh, mode, xori=None):
    """LateralInhibition.forward."""
    if mode == "max":
        node.mem = node.mem - inh * xori.max(1, True)[0].detach() * (x.max(1, True)[0] - x)
    else:  # threshold
        node.mem = node.mem - inh * node.threshold * (x.max(1, True)[0] - x)


def conv_forward(x, weight, T, tau, inh, replay):
    """STDPConv.forward, static=True; returns (xsum, n)."""
    y = torch.nn.functional.conv2d(x, weight, stride=1, padding=1)
    n = y.max(0, True)[0].max(2, True)[0].max(3, True)[0] + 0.0001
    node = LIFSTDP(tau)
    node.threshold = n.detach()
    y = y.clamp(min=0)
    y = n / (1 + torch.exp(-(y - 4 * n / 10) * (8 / n)))
    xsum = 0
    for t in range(T):
        s = node(y)
        if s.max() > 0:
            s = wta(s, replay.at(t))
            lateral(node, s, inh, "threshold")
        xsum += s
    return xsum, n


def conv_normgrad_force(grad, offset):
    mn = grad.min(1, True)[0].min(2, True)[0].min(3, True)[0]
    mx = grad.min(1, True)[0].max(2, True)[0].max(3, True)[0]
    grad -= mn
    grad -= offset * mx
    return -grad


def conv_normweight(w):
    c = w.shape[0]
    w = w - w.mean(1, True).mean(2, True).mean(3, True)
    return w / w.reshape(c, 1, -1, 1).std(2, unbiased=False, keepdim=True)


def linear_forward(x, weight, thr, T, tau, inh, replay):
    """STDPLinear.forward, static=True; thr None means not yet set.
    Returns (xsum, current, threshold)."""
    cur = torch.nn.functional.linear(x.detach(), weight)
    if thr is None:
        thr = cur.max(0)[0].detach() * 3
    node = LIFSTDP(tau)
    node.threshold = thr
    xsum = 0
    for t in range(T):
        s = node(cur)
        if s.max() > 0:
            s = wta(s, replay.at(t))
            lateral(node, s, inh, "max", cur)
        xsum += s
    return xsum, cur.detach(), thr


def linear_normweight(w):
    w = torch.clamp(w, min=0, max=1.0)
    return w / (w.max(1, True)[0] / 0.1)


def update_thresh(thr, cur, spikes, plus, cap=350):
    thr = thr + (plus * cur * spikes).sum(0)
    tmp = thr.max() - cap
    if tmp > 0:
        thr = thr - tmp
    return thr


def assign_labels(spikes, labels, rates, n_labels, alpha=1.0):
    """codef.py voting.assign_labels with spikes [N, T=1, neurons]."""
    n = spikes.size(2)
    if rates is None:
        rates = torch.zeros(n, n_labels)
    spikes = spikes.sum(1)
    for i in range(n_labels):
        n_labeled = torch.sum(labels == i).float()
        if n_labeled > 0:
            idx = torch.nonzero(labels == i).view(-1)
            rates[:, i] = alpha * rates[:, i] + torch.sum(spikes[idx], 0) / n_labeled
    return torch.max(rates, 1)[1], rates


def get_label(spikes, assignments, n_labels):
    spikes = spikes.sum(1)
    rates = torch.zeros(spikes.size(0), n_labels)
    for i in range(n_labels):
        n_assigns = torch.sum(assignments == i).float()
        if n_assigns > 0:
            idx = torch.nonzero(assignments == i).view(-1)
            rates[:, i] = torch.sum(spikes[:, idx], 1) / n_assigns
    return torch.sort(rates, dim=1, descending=True)[1][:, 0]


# --- the cases ---------------------------------------------------------------


def draws_for(label, T, shape):
    g = gen_for(label)
    return [torch.rand(shape, generator=g) for _ in range(T)]


def wta_case():
    g = gen_for("wta")
    x = (torch.rand(3, 5, 2, 3, generator=g) < 0.5).float()
    x[0, :, 0, 0] = 1  # every channel spikes at one position
    x[1, :, 1, 2] = 0  # none at another
    u = torch.rand(3, 5, 2, 3, generator=g)
    u[0, 1, 0, 0] = u[0, 3, 0, 0] = 0.9990234375  # a tie for the winner
    u[0, 0, 0, 0] = 0.9990234375
    u[2, :, 0, 1] = 0  # every draw 0
    u[2, 2, 1, 1] = 0
    xa = torch.rand(3, 5, 2, 3, generator=g) * 2 * (torch.rand(3, 5, 2, 3, generator=g) < 0.6).float()
    out = {"x": x, "u": u, "xa": xa,
           "out_k1": wta(x, u), "out_k2": wta(x, u, 2), "out_k3": wta(x, u, 3),
           "outa_k1": wta(xa, u), "outa_k2": wta(xa, u, 2)}
    return out


CONV = dict(B=2, H=6, W=6, C=3, T=12, inh=1.625, offset=0.3, lr=0.1)


def conv_inputs():
    g = gen_for("conv")
    c = CONV
    x = torch.rand(c["B"], 1, c["H"], c["W"], generator=g)
    x = x * (torch.rand(x.shape, generator=g) < 0.7).float()
    w0 = (torch.rand(c["C"], 1, 3, 3, generator=g) * 2 - 1) / 3
    w = conv_normweight(w0)
    draws = draws_for("conv-draws", c["T"], (c["B"], c["C"], c["H"], c["W"]))
    return x, w0, w, draws


def conv_case(x, w0, w, draws):
    c = CONV
    tau = torch.exp(-1.0 / torch.tensor(100.0))
    weight = torch.nn.Parameter(w.clone())
    replay = Replay(draws)
    xsum, n = conv_forward(x, weight, c["T"], tau, c["inh"], replay)
    scale = 1 / (xsum.shape[0] * xsum.shape[2] * xsum.shape[3])
    xsum.sum().backward(torch.tensor(scale))
    grad = weight.grad.clone()
    ng = conv_normgrad_force(weight.grad.data.clone(), c["offset"])
    opt = torch.optim.SGD([weight], lr=c["lr"])
    weight.grad.data = ng
    opt.step()
    stepped = weight.data.clone()
    normed = conv_normweight(weight.data)
    return {"x": x, "w0": w0, "w": w, "draws": torch.stack(draws), "threshold": n.reshape(-1),
            "counts": xsum.detach(), "grad": grad, "normgrad": ng, "stepped": stepped,
            "normweight": normed, "wta_steps": torch.tensor(replay.used, dtype=F32),
            "scale": torch.tensor(scale)}


LIN = dict(B=4, In=10, N=6, T=30, inh=25.0, tau=0.99, lr=0.01, plus=0.002, plus_cap=300.0)


def linear_inputs():
    g = gen_for("linear")
    c = LIN
    x1 = torch.rand(c["B"], c["In"], generator=g)
    x1 = x1 * (torch.rand(x1.shape, generator=g) < 0.8).float()
    x2 = torch.rand(c["B"], c["In"], generator=g)
    w0 = (torch.rand(c["N"], c["In"], generator=g) * 2 - 1) / math.sqrt(c["In"])
    w = linear_normweight(w0)
    d1 = draws_for("linear-draws-1", c["T"], (c["B"], c["N"]))
    d2 = draws_for("linear-draws-2", c["T"], (c["B"], c["N"]))
    return x1, x2, w0, w, d1, d2


def linear_case(x1, x2, w0, w, d1, d2, inh, plus):
    c = LIN
    weight = torch.nn.Parameter(w.clone())
    r1 = Replay(d1)
    xsum1, cur1, thr0 = linear_forward(x1, weight, None, c["T"], c["tau"], inh, r1)
    xsum1.sum().backward()
    grad = weight.grad.clone()
    weight.grad.data = -weight.grad.data
    opt = torch.optim.SGD([weight], lr=c["lr"])
    opt.step()
    stepped = weight.data.clone()
    thr1 = update_thresh(thr0, cur1, xsum1.detach(), plus)
    normed = linear_normweight(weight.data)
    r2 = Replay(d2)
    xsum2, _, _ = linear_forward(x2, normed, thr1, c["T"], c["tau"], inh, r2)
    return {"x1": x1, "x2": x2, "w0": w0, "w": w, "draws1": torch.stack(d1), "draws2": torch.stack(d2),
            "threshold0": thr0, "counts1": xsum1.detach(), "grad": grad, "stepped": stepped,
            "threshold1": thr1, "normweight": normed, "counts2": xsum2.detach(),
            "wta_steps1": torch.tensor(r1.used, dtype=F32), "wta_steps2": torch.tensor(r2.used, dtype=F32)}


def voting_case():
    g = gen_for("voting")
    n, neurons, L = 12, 7, 3
    s1 = torch.floor(torch.rand(n, 1, neurons, generator=g) * 4) * (torch.rand(n, 1, neurons, generator=g) < 0.4).float()
    s1[:, :, 6] = 0  # a neuron that never spikes
    s1[5, 0, :] = 0  # a silent sample
    y1 = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2])
    s2 = torch.floor(torch.rand(n, 1, neurons, generator=g) * 4) * (torch.rand(n, 1, neurons, generator=g) < 0.4).float()
    s2[:, :, 6] = 0
    y2 = torch.tensor([0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 1])  # label 2 absent
    a1, r = assign_labels(s1, y1, None, L)
    r = r.detach() * 0.5
    p1 = get_label(s1, a1, L)
    r1 = r.clone()
    a2, r = assign_labels(s2, y2, r, L)
    r = r.detach() * 0.5
    p2 = get_label(s2, a2, L)
    f = lambda t: t.to(F32)  # noqa: E731
    return {"spikes1": s1, "labels1": f(y1), "spikes2": s2, "labels2": f(y2),
            "assign1": f(a1), "rates1": r1, "pred1": f(p1), "assign2": f(a2), "rates2": r, "pred2": f(p2)}


def enc(d):
    return {k: {"shape": list(v.shape), "data": hexlist(v)} for k, v in d.items()}


# --- BrainCog itself ---------------------------------------------------------


class PatchedRand:
    """torch.rand replaced by a queue of tensors while BrainCog runs."""

    def __init__(self, queue):
        self.queue = list(queue)
        self.real = torch.rand

    def __enter__(self):
        def rand(shape, device=None):
            t = self.queue.pop(0)
            assert tuple(t.shape) == tuple(shape), (t.shape, shape)
            return t.clone()
        torch.rand = rand
        return self

    def __exit__(self, *exc):
        torch.rand = self.real
        assert not self.queue, "BrainCog drew fewer numbers than the re-statement"


def same(name, a, b):
    a, b = a.detach().to(F32), b.detach().to(F32)
    if a.shape != b.shape or not torch.equal(a.view(torch.int32), b.view(torch.int32)):
        raise SystemExit("BrainCog differs from the re-statement on %s:\n%s\n%s" % (name, a, b))


def check_braincog(root, wta_out, conv, lin_cases, vote):
    codef = load_braincog_codef(root)
    print("checking against BrainCog at", root)
    # WTALayer
    x, xa, u = wta_out["x"], wta_out["xa"], wta_out["u"]
    for k in (1, 2, 3):
        with PatchedRand([u]):
            got = codef.WTALayer(k=k)(x)
        same("wta k=%d" % k, got, wta_out["out_k%d" % k])
    for k in (1, 2):
        with PatchedRand([u]):
            got = codef.WTALayer(k=k)(xa)
        same("wta analog k=%d" % k, got, wta_out["outa_k%d" % k])
    # STDPConv and the phase-1 step of the example's main loop
    c = CONV
    net = codef.STDPConv(1, c["C"], 3, 1, 1, 1, static=True, inh=c["inh"], avgscale=5)
    net.conv.weight.data = conv["w"].clone()
    steps = [int(t) for t in conv["wta_steps"].tolist()]
    with PatchedRand([conv["draws"][t] for t in steps]):
        xsum = net(conv["x"], c["T"])
    same("conv counts", xsum, conv["counts"])
    same("conv threshold", net.node.threshold.data.reshape(-1), conv["threshold"])
    opt = torch.optim.SGD([net.conv.weight], lr=c["lr"])
    opt.zero_grad()
    xsum.sum().backward(torch.tensor(1 / (xsum.shape[0] * xsum.shape[2] * xsum.shape[3])))
    same("conv grad", net.conv.weight.grad, conv["grad"])
    net.normgrad(force=True)
    same("conv normgrad", net.conv.weight.grad, conv["normgrad"])
    opt.step()
    same("conv step", net.conv.weight.data, conv["stepped"])
    net.normweight(clip=False)
    same("conv normweight", net.conv.weight.data, conv["normweight"])
    net.conv.weight.data = conv["w0"].clone()
    net.normweight(clip=False)
    same("conv initial normweight", net.conv.weight.data, conv["w"])
    # STDPLinear and the phase-2 step
    L = LIN
    for name, inh, plus, case in lin_cases:
        lin = codef.STDPLinear(L["In"], L["N"], tau_decay=L["tau"], static=True, inh=inh)
        lin.linear.weight.data = case["w0"].clone()
        lin.normweight(False)
        same(name + " initial normweight", lin.linear.weight.data, case["w"])
        opt = torch.optim.SGD([lin.linear.weight], lr=L["lr"])
        steps = [int(t) for t in case["wta_steps1"].tolist()]
        with PatchedRand([case["draws1"][t] for t in steps]):
            spikes = lin(case["x1"], L["T"])
        same(name + " threshold0", lin.node.threshold.data, case["threshold0"])
        same(name + " counts1", spikes, case["counts1"])
        opt.zero_grad()
        spikes.sum().backward()
        same(name + " grad", lin.linear.weight.grad, case["grad"])
        lin.spike = spikes.detach()
        lin.normgrad(force=False)
        opt.step()
        same(name + " stepped", lin.linear.weight.data, case["stepped"])
        lin.updatethresh(plus=plus)
        same(name + " threshold1", lin.node.threshold.data, case["threshold1"])
        lin.normweight(clip=False)
        same(name + " normweight", lin.linear.weight.data, case["normweight"])
        lin.reset()
        steps = [int(t) for t in case["wta_steps2"].tolist()]
        with PatchedRand([case["draws2"][t] for t in steps]):
            spikes = lin(case["x2"], L["T"])
        same(name + " counts2", spikes, case["counts2"])
    # voting
    v = codef.voting(10)
    a1, r = v.assign_labels(vote["spikes1"], vote["labels1"].long(), None, n_labels=3)
    r = r.detach() * 0.5
    same("assign1", a1.to(F32), vote["assign1"])
    same("rates1", r, vote["rates1"])
    same("pred1", v.get_label(vote["spikes1"]).to(F32), vote["pred1"])
    a2, r = v.assign_labels(vote["spikes2"], vote["labels2"].long(), r, n_labels=3)
    r = r.detach() * 0.5
    same("assign2", a2.to(F32), vote["assign2"])
    same("rates2", r, vote["rates2"])
    same("pred2", v.get_label(vote["spikes2"]).to(F32), vote["pred2"])
    print("BrainCog's code gives the re-statement's values, bit for bit")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--braincog", metavar="DIR", help="also check against BrainCog's code in this checkout")
    args = ap.parse_args()
    wta_out = wta_case()
    conv = conv_case(*conv_inputs())
    x1, x2, w0, w, d1, d2 = linear_inputs()
    lin = linear_case(x1, x2, w0, w, d1, d2, LIN["inh"], LIN["plus"])
    lin_weak = linear_case(x1, x2, w0, w, d1, d2, 0.05, LIN["plus_cap"])
    vote = voting_case()
    if args.braincog:
        check_braincog(args.braincog, wta_out, conv,
                       [("linear", LIN["inh"], LIN["plus"], lin), ("linear weak", 0.05, LIN["plus_cap"], lin_weak)], vote)
    out = {
        "encoding": ENCODING,
        "notes": ("generated by tools/golden/gen_stdp_golden.py (BrainCog's formulas re-stated in PyTorch "
                  "%s, 1 thread); wta_steps* list the steps where BrainCog calls WTALayer (some neuron of "
                  "the batch spiked); the draws of the other steps are unused" % torch.__version__),
        "conv_params": CONV, "linear_params": LIN,
        "conv": enc(conv), "linear": enc(lin),
        "linear_weak": dict(enc(lin_weak), inh={"shape": [], "data": hexlist(torch.tensor(0.05))},
                            plus={"shape": [], "data": hexlist(torch.tensor(LIN["plus_cap"]))}),
        "voting": enc(vote),
    }
    path = os.path.join(ROOT, "stdp", "testdata", "golden.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, indent=0, sort_keys=True)
        f.write("\n")
    print("wrote", os.path.relpath(path, ROOT))
    path = os.path.join(ROOT, "strategy", "testdata", "wta_golden.json")
    with open(path, "w") as f:
        json.dump({"encoding": ENCODING, "notes": "generated by tools/golden/gen_stdp_golden.py: "
                   "out_k* = WTALayer(k)(x) and outa_k* = WTALayer(k)(xa), torch.rand replaced by u",
                   "wta": enc(wta_out)}, f, indent=0, sort_keys=True)
        f.write("\n")
    print("wrote", os.path.relpath(path, ROOT))
    for name, case in [("conv", conv), ("linear", lin), ("linear weak", lin_weak)]:
        print(name, "counts:", {k: float(v.sum()) for k, v in case.items() if k.startswith("counts")},
              "wta steps:", {k: len(v) for k, v in case.items() if k.startswith("wta_steps")})


if __name__ == "__main__":
    main()
