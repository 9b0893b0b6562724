#!/usr/bin/python3
"""Golden values of one full training step of spikego's reference models.

Regenerate with (from the repository root; needs torch and numpy, e.g.
Debian's python3-torch, which /usr/bin/python3 has):

    go test ./models -run TestStepGolden -update   # only if the Go init changed
    /usr/bin/python3 tools/golden/gen_model_golden.py

It reads
    models/testdata/init_{mlp,cnn}.safetensors   initial state dicts written by
                                                 spikego's NewMLP/NewCNN(Config{Seed: 1})
    dataset/sample/train-{images-idx3,labels-idx1}-ubyte.gz
                                                 the embedded Fashion-MNIST sample
and writes
    models/testdata/step_golden_{mlp,cnn}.safetensors.gz

The models are those of docs/BENCHMARK.md, as torch.nn.Sequential (so the
state_dict names are spikego's):

    mlp (T = 8): 0 Linear(784,800), 1 LIF, 2 Linear(800,10), 3 LIF
    cnn (T = 4): 0 Conv2d(1,32,3,pad 1), 1 BatchNorm2d(32), 2 LIF, 3 MaxPool2d(2),
                 4 Conv2d(32,32,3,pad 1), 5 BatchNorm2d(32), 6 LIF, 7 MaxPool2d(2),
                 8 Flatten, 9 Linear(1568,10), 10 LIF

run as BrainCog runs them: the whole Sequential once per time step on the
same input (so fc1/conv1 is recomputed at every step and each BatchNorm2d,
in training mode, normalises every step with that step's batch statistics
and updates its running statistics T times), output = mean over T of the
last layer's spikes.

LIF is BrainCog's LIFNode with its defaults (braincog/base/node/node.py),
re-stated with the same float32 operations in the same order:

    integral    mem   = mem + (x - mem) / tau           tau = 2.0, mem starts as 0.
    calc_spike  spike = quadratic_gate(mem - threshold)  threshold = float32 0.5
                mem   = mem * (1 - spike.detach())

and quadratic_gate is braincog/base/strategy/surrogate.py's, alpha = float32 2:

    forward   spike = (x > 0) as float; grad_x = -alpha*alpha*|x| + alpha,
              masked_fill(|x| > 1/alpha, 0)
    backward  grad_output * grad_x

Two training steps on the first B = 16 images of the sample's training split
(pixels uint8/255 as float32, labels as given), each: loss =
cross_entropy(rates, labels), loss.backward(), step of one
torch.optim.Adam(lr=1e-3) (PyTorch defaults otherwise). The second step
checks Adam at t = 2 and, for the mlp, whose output layer is silent in the
first step (all rates 0, loss = ln 10), an output layer that spikes.

Written tensors (float32 unless noted; safetensors layout written by hand,
then gzip with mtime 0 so that the output is reproducible):
    labels              [16]      the batch's labels
    out                 [16,10]   output rates (mean over T of the spikes)
    loss                []        cross entropy
    spikes.<i>          [T,C]     spikes of the LIF layer <i> at each step, summed
                                  over the batch (and the pixels), per channel or
                                  neuron C
    grad.<param>                  gradient of every parameter, except:
    gradout.0           [16,800]  (mlp) gradient of fc1's output summed over the
                                  T steps, G, instead of grad.0.weight = G^T x
                                  (checked here to reproduce torch's to 1e-6)
    after.<param>                 every parameter after the Adam step, except:
    step.0.weight       [800,784] (mlp, float16) after - init of 0.weight
    after.<buffer>                BatchNorm running_mean, running_var and
                                  num_batches_tracked after the step (cnn)
    step2.<name>                  the same for the second step (no buffers, and
                                  nothing for the mlp's 0.weight after it)
The mlp exceptions keep the file small (0.weight has 627,200 elements).
"""

import gzip
import io
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from goldenlib import QGateFn

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TESTDATA = os.path.join(ROOT, "models", "testdata")
SAMPLE = os.path.join(ROOT, "dataset", "sample")
BATCH = 16
STEPS = {"mlp": 8, "cnn": 4}
STEPS_TRAINED = 2  # training steps recorded (the second checks Adam's t = 2)


# ----------------------------------------------------------------------------
# BrainCog's LIFNode (its QGateGrad surrogate is goldenlib.QGateFn).
# ----------------------------------------------------------------------------

class LIF(nn.Module):
    """BrainCog LIFNode(threshold=0.5, tau=2., act_fun=QGateGrad), single
    step per call. threshold and alpha are float32 tensors as in BrainCog
    (there nn.Parameters with requires_grad=False; plain tensors here so
    that the state_dict holds only what spikego's does)."""

    def __init__(self):
        super().__init__()
        self.threshold = torch.tensor(0.5)
        self.alpha = torch.tensor(2.)
        self.tau = 2.
        self.n_reset()

    def n_reset(self):
        self.mem = 0.
        self.spike = 0.
        self.counts = []

    def forward(self, inputs):
        self.mem = self.mem + (inputs - self.mem) / self.tau
        self.spike = QGateFn.apply(self.mem - self.threshold, self.alpha)
        self.mem = self.mem * (1 - self.spike.detach())
        s = self.spike.detach()
        self.counts.append(s.sum(dim=[d for d in range(s.dim()) if d != 1]))
        return self.spike


class SNN(nn.Sequential):
    def __init__(self, T, *layers):
        super().__init__(*layers)
        self.T = T

    def forward(self, x):
        for m in self.modules():
            if isinstance(m, LIF):
                m.n_reset()
        outs = []
        for _ in range(self.T):
            outs.append(super().forward(x))
        return sum(outs) / self.T


class GradOutSum:
    """Sums, in float64, the gradients of a module's output over all the
    calls of the forward pass (the T time steps)."""

    def __init__(self, module):
        self.total = 0
        module.register_forward_hook(self.forward_hook)

    def forward_hook(self, module, inputs, output):
        output.register_hook(self.grad_hook)

    def grad_hook(self, g):
        self.total = self.total + g.double()


def build(name):
    if name == "mlp":
        return SNN(STEPS[name],
                   nn.Linear(784, 800), LIF(),
                   nn.Linear(800, 10), LIF())
    return SNN(STEPS[name],
               nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), LIF(), nn.MaxPool2d(2),
               nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), LIF(), nn.MaxPool2d(2),
               nn.Flatten(), nn.Linear(32 * 7 * 7, 10), LIF())


# ----------------------------------------------------------------------------
# Data and safetensors.
# ----------------------------------------------------------------------------

def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, = struct.unpack(">I", raw[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def first_batch():
    x = read_idx(os.path.join(SAMPLE, "train-images-idx3-ubyte.gz"))[:BATCH]
    y = read_idx(os.path.join(SAMPLE, "train-labels-idx1-ubyte.gz"))[:BATCH]
    # float32(p) / float32(255), as dataset.Set.Batch.
    x = torch.from_numpy(x.reshape(BATCH, 784).astype(np.float32)) / torch.tensor(255.)
    return x, torch.from_numpy(y.astype(np.int64))


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    n, = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    header.pop("__metadata__", None)
    data = blob[8 + n:]
    out = {}
    for name, h in header.items():
        assert h["dtype"] == "F32", (path, name, h["dtype"])
        b, e = h["data_offsets"]
        a = np.frombuffer(data[b:e], dtype="<f4").astype(np.float32).reshape(h["shape"])
        out[name] = torch.from_numpy(a.copy())
    return out


def safetensors_bytes(tensors, meta):
    """float16 tensors are written as F16, all others as F32."""
    header, chunks, off = {"__metadata__": meta}, [], 0
    for name, t in tensors.items():
        if t.dtype == torch.float16:
            dtype, b = "F16", np.ascontiguousarray(t.detach().numpy(), dtype="<f2").tobytes()
        else:
            dtype, b = "F32", np.ascontiguousarray(t.detach().to(torch.float32).numpy(), dtype="<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        chunks.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(chunks)


def write_gz(path, blob):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as z:
        z.write(blob)
    with open(path, "wb") as f:
        f.write(buf.getvalue())


# ----------------------------------------------------------------------------

def run(name):
    model = build(name)
    init = read_safetensors(os.path.join(TESTDATA, f"init_{name}.safetensors"))
    own = model.state_dict()
    if set(own) != set(init):
        sys.exit(f"{name}: init file has {sorted(init)}, model wants {sorted(own)}")
    model.load_state_dict({k: init[k].reshape(v.shape).to(v.dtype) for k, v in own.items()}, strict=True)
    model.train()

    x, y = first_batch()
    if name == "cnn":
        x = x.view(BATCH, 1, 28, 28)
    hook = GradOutSum(model[0])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rec = {"labels": y.to(torch.float32)}
    for step in range(1, STEPS_TRAINED + 1):
        prefix = "" if step == 1 else f"step{step}."
        opt.zero_grad()
        hook.total = 0
        out = model(x)
        loss = F.cross_entropy(out, y)
        loss.backward()
        grads = {k: p.grad.detach().clone() for k, p in model.named_parameters()}
        opt.step()

        rec[prefix + "out"] = out.detach()
        rec[prefix + "loss"] = loss.detach()
        for i, m in enumerate(model):
            if isinstance(m, LIF):
                rec[f"{prefix}spikes.{i}"] = torch.stack(m.counts)
        for k, g in grads.items():
            rec[f"{prefix}grad.{k}"] = g
        after = model.state_dict()
        for k, v in after.items():
            if step == 1 or k in dict(model.named_parameters()):
                rec[f"{prefix}after.{k}"] = v.clone()
        if name == "mlp":
            # 0.weight is 627,200 floats: its gradient and new value would
            # take 4 MB even gzipped. Store instead the gradient of fc1's
            # output summed over the T steps, G [16,800] (grad.0.weight =
            # G^T x), and, after the first step only, the change from init
            # as float16 (|change| <= lr, so float16 keeps it to 5e-7, far
            # below the test's 1e-5; after the second step it would cost
            # 0.7 MB more).
            G = hook.total
            err = (G.t() @ x.double() - grads["0.weight"].double()).abs().max().item()
            scale = grads["0.weight"].abs().max().item()
            print(f"mlp step {step}: |G^T x - grad.0.weight| max {err:.3g} (max |grad| {scale:.3g})")
            assert err <= 1e-6 * scale, "G^T x does not reproduce grad.0.weight"
            del rec[prefix + "grad.0.weight"], rec[prefix + "after.0.weight"]
            rec[prefix + "gradout.0"] = G.float()
            if step == 1:
                rec["step.0.weight"] = (after["0.weight"].double() - init["0.weight"].double()).to(torch.float16)
        print(f"{name} step {step}: loss {loss.item():.7g}, spikes/step "
              + ", ".join(f"{i}={[int(c) for c in torch.stack(m.counts).sum(1).tolist()]}"
                          for i, m in enumerate(model) if isinstance(m, LIF)))
    meta = {"model": name, "T": str(model.T), "batch": str(BATCH), "steps": str(STEPS_TRAINED),
            "torch": torch.__version__, "written_by": "tools/golden/gen_model_golden.py"}
    path = os.path.join(TESTDATA, f"step_golden_{name}.safetensors.gz")
    write_gz(path, safetensors_bytes(rec, meta))
    print(f"{name}: -> {os.path.relpath(path, ROOT)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    for name in sys.argv[1:] or ["mlp", "cnn"]:
        run(name)
