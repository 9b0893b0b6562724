#!/usr/bin/python3
"""Checkpoints crossing between PyTorch and spikego, both ways.

Regenerate with (from the repository root; Debian's python3-torch):

    go test ./models -run TestInterop -update   # writes spikego_cnn.safetensors
    /usr/bin/python3 tools/golden/gen_torch_interop.py

The model is the reference cnn as a torch.nn.Sequential with BrainCog's
nodes (gen_model_golden.py's restatement, here with BrainCog's state_dict
entries: each LIFNode's threshold and act_fun.alpha are parameters that need
no gradient, as in braincog/base/node/node.py), run as BrainCog runs it.

PyTorch -> spikego: a cnn initialised by torch (torch.manual_seed(11)), its
layer-6 threshold set to 0.45 (set_n_threshold), trained 30 steps (Adam 1e-3,
cross-entropy of the rates) on the first 32 images of dataset/sample's
training split, so that BatchNorm's statistics moved and
num_batches_tracked is the int64 120 (30 steps x T = 4). Its state_dict is
written as torch.save_file would write it (dtypes F32 and I64, metadata
{"format": "pt"}) to models/testdata/torch_cnn.safetensors, and its outputs
in evaluation mode on the first 64 test images of the sample (output rates
[64,10] and the spike count of every node) to
models/testdata/torch_cnn_out.safetensors.

spikego -> PyTorch: models/testdata/spikego_cnn.safetensors, a checkpoint
written by spikego's checkpoint.Save (model, Adam state, metadata), is
loaded into the same torch model with load_state_dict(strict=True), leaving
out the optimizer.* entries, and its outputs on the same 64 images are
written to models/testdata/spikego_cnn_torch_out.safetensors.
"""

import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
import gen_model_golden as g  # noqa: E402
from goldenlib import QGateFn, ROOT, read_safetensors, write_safetensors  # noqa: E402

TESTDATA = os.path.join(ROOT, "models", "testdata")
TEST_IMAGES = 64


class BrainCogLIF(g.LIF):
    """g.LIF with BrainCog's state_dict: threshold and act_fun.alpha."""

    def __init__(self):
        super().__init__()
        self.threshold = nn.Parameter(torch.tensor(0.5), requires_grad=False)
        self.act_fun = nn.Module()
        self.act_fun.alpha = nn.Parameter(torch.tensor(2.), requires_grad=False)

    def forward(self, inputs):
        self.mem = self.mem + (inputs - self.mem) / self.tau
        self.spike = QGateFn.apply(self.mem - self.threshold, self.act_fun.alpha)
        self.mem = self.mem * (1 - self.spike.detach())
        s = self.spike.detach()
        self.counts.append(s.sum(dim=[d for d in range(s.dim()) if d != 1]))
        return self.spike


def build():
    return g.SNN(g.STEPS["cnn"],
                 nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), BrainCogLIF(), nn.MaxPool2d(2),
                 nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), BrainCogLIF(), nn.MaxPool2d(2),
                 nn.Flatten(), nn.Linear(32 * 7 * 7, 10), BrainCogLIF())


def images(split, n):
    x = g.read_idx(os.path.join(g.SAMPLE, f"{split}-images-idx3-ubyte.gz"))[:n]
    y = g.read_idx(os.path.join(g.SAMPLE, f"{split}-labels-idx1-ubyte.gz"))[:n]
    x = torch.from_numpy(x.reshape(n, 1, 28, 28).astype(np.float32)) / torch.tensor(255.)
    return x, torch.from_numpy(y.astype(np.int64))


def outputs(model):
    model.eval()
    x, y = images("t10k", TEST_IMAGES)
    with torch.no_grad():
        rates = model(x)
    rec = {"rates": rates, "labels": y.to(torch.float32)}
    for i, m in enumerate(model):
        if isinstance(m, BrainCogLIF):
            rec[f"spikes.{i}"] = torch.stack(m.counts).sum(0)  # per channel, over steps and batch
    acc = (rates.argmax(1) == y).float().mean().item()
    return rec, acc


def torch_to_spikego():
    torch.manual_seed(11)
    model = build()
    model[6].threshold = nn.Parameter(torch.tensor(0.45), requires_grad=False)
    x, y = images("train", 32)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    model.train()
    for _ in range(30):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    sd = {k: v.detach().clone() for k, v in model.state_dict().items()}
    assert sd["1.num_batches_tracked"].dtype == torch.int64 and sd["1.num_batches_tracked"].item() == 120
    write_safetensors(os.path.join(TESTDATA, "torch_cnn.safetensors"), sd, {"format": "pt"})
    rec, acc = outputs(model)
    write_safetensors(os.path.join(TESTDATA, "torch_cnn_out.safetensors"), rec,
         {"written_by": "tools/golden/gen_torch_interop.py", "torch": torch.__version__, "accuracy": repr(acc)})
    print(f"torch -> spikego: {len(sd)} tensors, test accuracy on {TEST_IMAGES} images {acc:.4f}")


def spikego_to_torch():
    path = os.path.join(TESTDATA, "spikego_cnn.safetensors")
    tensors, meta = read_safetensors(path)
    assert meta.get("format") == "spikego-checkpoint-2", meta
    model = build()
    sd = {k: v for k, v in tensors.items() if not k.startswith("optimizer.")}
    model.load_state_dict(sd, strict=True)  # every name, shape and dtype as torch's own
    assert model[1].num_batches_tracked.dtype == torch.int64
    rec, acc = outputs(model)
    write_safetensors(os.path.join(TESTDATA, "spikego_cnn_torch_out.safetensors"), rec,
         {"written_by": "tools/golden/gen_torch_interop.py", "torch": torch.__version__, "accuracy": repr(acc)})
    print(f"spikego -> torch: loaded {len(sd)} tensors strictly, test accuracy on {TEST_IMAGES} images {acc:.4f}")


if __name__ == "__main__":
    torch.set_num_threads(1)
    torch_to_spikego()
    spikego_to_torch()
