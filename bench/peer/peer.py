#!/usr/bin/python3
"""PyTorch peer of spikego's reference models "mlp" and "cnn".

A self-contained, idiomatic PyTorch implementation of the two benchmark
models defined in BENCHMARK-MODELS.md (the models that were run with
BrainCog, snnTorch and SpikingJelly), used to compare spikego's accuracy and
speed with PyTorch on the same machine, and to check spikego checkpoints.
It does not import BrainCog; BrainCog's LIFNode and QGateGrad formulas are
restated here:

    charge  mem   = mem + (x - mem) / tau              tau = 2
    fire    spike = H(mem - v_th)                      v_th = 0.5, H(u) = [u > 0]
            dH/du ~= max(0, alpha - alpha^2 |u|)       alpha = 2 (QGate surrogate)
    reset   mem   = mem * (1 - spike.detach())         hard reset, no grad through it
    mem is 0 at the start of every batch.

Usage:
    /usr/bin/python3 bench/peer/peer.py --model mlp [--train-samples N] [--epochs 1]
        [--threads 2] [--data DIR] [--json out.json]
    /usr/bin/python3 bench/peer/peer.py --checkpoint run/checkpoint.safetensors [--model cnn]

This file is a peer for comparison only; the Go code does not depend on it.
"""

import argparse
import gzip
import json
import math
import os
import platform
import resource
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# --------------------------------------------------------------------------
# Model definitions (BENCHMARK-MODELS.md)

MODELS = {
    #        T   batch  default train samples  warm-up  window  infer window
    "mlp": dict(T=8, batch=128, train_samples=60000, warmup=10, window=50, infer_window=15),
    "cnn": dict(T=4, batch=64, train_samples=10000, warmup=5, window=25, infer_window=25),
}
INFER_WARMUP = 3


class QGate(torch.autograd.Function):
    """Heaviside step with BrainCog's quadratic-gate (QGateGrad) surrogate.

    forward:  u > 0 -> 1.0, else 0.0
    backward: grad * max(0, alpha - alpha^2 * |u|)
    """

    @staticmethod
    def forward(ctx, u, alpha):
        if u.requires_grad:
            ctx.save_for_backward(u)
            ctx.alpha = alpha
        return (u > 0).to(u.dtype)

    @staticmethod
    def backward(ctx, grad_out):
        (u,) = ctx.saved_tensors
        a = ctx.alpha
        sg = (a - a * a * u.abs()).clamp_(min=0.0)
        return grad_out * sg, None


class LIF(nn.Module):
    """Single-step LIF neuron with BrainCog's LIFNode defaults. Its
    state_dict is BrainCog's: threshold and act_fun.alpha, fixed
    parameters (requires_grad=False), as spikego's checkpoints hold them."""

    def __init__(self, tau=2.0, threshold=0.5, alpha=2.0):
        super().__init__()
        self.tau = tau
        self.threshold = nn.Parameter(torch.tensor(threshold), requires_grad=False)
        self.act_fun = nn.Module()
        self.act_fun.alpha = nn.Parameter(torch.tensor(alpha), requires_grad=False)
        self.mem = 0.0

    def reset(self):
        self.mem = 0.0

    def forward(self, x):
        mem = self.mem + (x - self.mem) / self.tau
        spike = QGate.apply(mem - self.threshold, self.act_fun.alpha)
        self.mem = mem * (1.0 - spike.detach())
        return spike

    def extra_repr(self):
        return f"tau={self.tau}, threshold={self.threshold.item()}, surrogate=QGate(alpha={self.act_fun.alpha.item()})"


class SNN(nn.Sequential):
    """nn.Sequential evaluated for T time steps on a static input.

    forward(x) resets every LIF, runs the layers once per time step (so the
    first layer is recomputed at each step, as the reference libraries do,
    and BatchNorm normalises each step separately) and returns the mean
    firing rate of the last layer over T.
    """

    def __init__(self, T, *layers):
        super().__init__(*layers)
        self.T = T

    def reset(self):
        for m in self.modules():
            if isinstance(m, LIF):
                m.reset()

    def forward(self, x):
        self.reset()
        out = 0.0
        for _ in range(self.T):
            out = out + super().forward(x)
        return out / self.T


def build_model(name, T=None):
    """Builds the model with PyTorch default init under torch.manual_seed(0)."""
    cfg = MODELS[name]
    T = T or cfg["T"]
    torch.manual_seed(0)
    if name == "mlp":
        return SNN(T,
                   nn.Linear(784, 800),  # 0
                   LIF(),                # 1
                   nn.Linear(800, 10),   # 2
                   LIF())                # 3
    return SNN(T,
               nn.Conv2d(1, 32, 3, padding=1),   # 0
               nn.BatchNorm2d(32),               # 1
               LIF(),                            # 2
               nn.MaxPool2d(2),                  # 3
               nn.Conv2d(32, 32, 3, padding=1),  # 4
               nn.BatchNorm2d(32),               # 5
               LIF(),                            # 6
               nn.MaxPool2d(2),                  # 7
               nn.Flatten(),                     # 8
               nn.Linear(32 * 7 * 7, 10),        # 9
               LIF())                            # 10


# --------------------------------------------------------------------------
# Data

def read_idx(path):
    """Reads an IDX file of unsigned bytes, gzip-compressed or not."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    magic, = struct.unpack(">I", raw[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def idx_path(d, name):
    """The path of IDX file name in d: name.gz if present, else name (as
    spikego's dataset.Load looks for them)."""
    gz = os.path.join(d, name + ".gz")
    return gz if os.path.exists(gz) else os.path.join(d, name)


def load_fashion_mnist(d):
    def part(prefix):
        x = read_idx(idx_path(d, f"{prefix}-images-idx3-ubyte"))
        y = read_idx(idx_path(d, f"{prefix}-labels-idx1-ubyte"))
        return (torch.from_numpy(x.reshape(len(x), 784).copy()),
                torch.from_numpy(y.astype(np.int64)))
    return part("train"), part("t10k")


def to_input(xb_u8, model_name):
    x = xb_u8.float() / 255.0
    return x if model_name == "mlp" else x.view(-1, 1, 28, 28)


# --------------------------------------------------------------------------
# safetensors (by hand: 8-byte LE header length, JSON header, raw data)

_ST_DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16,
              "I64": np.int64, "I32": np.int32}


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    n, = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = memoryview(blob)[8 + n:]
    meta = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, h in header.items():
        b, e = h["data_offsets"]
        if h["dtype"] == "BF16":
            u16 = np.frombuffer(data[b:e], dtype="<u2").astype(np.uint32) << 16
            arr = u16.view(np.float32)
        elif h["dtype"] in _ST_DTYPES:
            arr = np.frombuffer(data[b:e], dtype=np.dtype(_ST_DTYPES[h["dtype"]]).newbyteorder("<"))
        else:
            raise ValueError(f"{path}: tensor {name!r} has unsupported dtype {h['dtype']}")
        tensors[name] = torch.from_numpy(arr.astype(arr.dtype.newbyteorder("="), copy=True)).reshape(h["shape"])
    return tensors, meta


def write_safetensors(path, state, meta=None):
    header, chunks, off = {}, [], 0
    if meta:
        header["__metadata__"] = {k: str(v) for k, v in meta.items()}
    for name, t in state.items():
        b = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        chunks.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(chunks))


def load_checkpoint(model, tensors):
    """Loads a spikego checkpoint: the model's state_dict, leaving out the
    optimizer state that spikego keeps in the same file (optimizer.*)."""
    tensors = {k: v for k, v in tensors.items() if not k.startswith("optimizer.")}
    own = model.state_dict()
    missing = sorted(set(own) - set(tensors))
    extra = sorted(set(tensors) - set(own))
    if missing or extra:
        raise SystemExit(f"checkpoint does not match the model: missing {missing}, unexpected {extra}")
    sd = {}
    for k, v in own.items():
        src = tensors[k]
        if tuple(src.shape) != tuple(v.shape):
            if src.numel() == v.numel() and v.dim() == 0:
                src = src.reshape(())
            else:
                raise SystemExit(f"checkpoint: {k} has shape {list(src.shape)}, model wants {list(v.shape)}")
        sd[k] = src.to(v.dtype)
    model.load_state_dict(sd, strict=True)


# --------------------------------------------------------------------------
# Measurement helpers

def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def loadavg():
    return list(os.getloadavg())


class CPUMeter:
    """Average number of CPUs used by other processes over an interval:
    (busy jiffies of the whole machine from /proc/stat) minus (this process'
    utime+stime), divided by the wall time."""

    HZ = os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _busy():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        # user nice system idle iowait irq softirq steal (guest is in user)
        return (v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)) / CPUMeter.HZ

    @staticmethod
    def _own():
        t = os.times()
        return t.user + t.system

    def start(self):
        self.b0, self.o0, self.w0 = self._busy(), self._own(), time.perf_counter()
        return self

    def stop(self):
        wall = time.perf_counter() - self.w0
        other = (self._busy() - self.b0) - (self._own() - self.o0)
        return max(0.0, other / wall) if wall > 0 else float("nan")


def window_rates(sizes, times, warmup, window, full):
    """Throughputs of consecutive windows of `window` full-size steps after
    `warmup` steps. If there is not enough for one window, all full-size
    steps after warm-up (or, failing that, all steps) form one window."""
    idx = [i for i in range(warmup, len(sizes)) if sizes[i] == full]
    wins = [idx[k:k + window] for k in range(0, len(idx) - window + 1, window)]
    if not wins:
        wins = [idx] if idx else [list(range(len(sizes)))]
    return [sum(sizes[i] for i in w) / sum(times[i] for i in w) for w in wins if w]


def median(xs):
    s = sorted(xs)
    n = len(s)
    if n == 0:
        return float("nan")
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


# --------------------------------------------------------------------------
# Train / test

def train(model, name, xtr, ytr, n, batch, epochs, cfg):
    """Adam(lr 1e-3), cross-entropy on the firing rate; each epoch visits the
    first n samples of torch.randperm(60000) (generator seeded 0, drawn once
    per epoch) in consecutive batches, the last partial batch kept."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)
    gen = torch.Generator().manual_seed(0)
    sizes, times, losses = [], [], []
    correct = 0
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(len(xtr), generator=gen)[:n]
        xe, ye = xtr[perm], ytr[perm]
        for i in range(0, n, batch):
            t0 = time.perf_counter()
            xb = to_input(xe[i:i + batch], name)
            yb = ye[i:i + batch]
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            t1 = time.perf_counter()
            sizes.append(len(yb))
            times.append(t1 - t0)
            losses.append(loss.item())
            correct += (out.detach().argmax(1) == yb).sum().item()
    rates = window_rates(sizes, times, cfg["warmup"], cfg["window"], batch)
    return dict(
        train_steps=len(sizes),
        train_step_sizes=sizes,
        train_step_times=times,
        train_samples_per_s=median(rates),
        train_window_rates=rates,
        train_avg_samples_per_s=sum(sizes) / sum(times),
        train_time_s=sum(times),
        train_loss_first=losses[0],
        train_loss_last50=sum(losses[-50:]) / len(losses[-50:]),
        train_acc=correct / sum(sizes),
    )


@torch.no_grad()
def test(model, name, x_u8, y, batch, cfg):
    model.eval()
    sizes, times = [], []
    correct = 0
    for i in range(0, len(x_u8), batch):
        t0 = time.perf_counter()
        xb = to_input(x_u8[i:i + batch], name)
        pred = model(xb).argmax(1)
        t1 = time.perf_counter()
        yb = y[i:i + batch]
        correct += (pred == yb).sum().item()
        sizes.append(len(yb))
        times.append(t1 - t0)
    rates = window_rates(sizes, times, INFER_WARMUP, cfg["infer_window"], batch)
    return dict(
        infer_batch_sizes=sizes,
        infer_batch_times=times,
        test_acc=correct / len(x_u8),
        test_samples=len(x_u8),
        infer_samples_per_s=median(rates),
        infer_window_rates=rates,
        infer_avg_samples_per_s=sum(sizes) / sum(times),
        infer_time_s=sum(times),
    )


# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", choices=sorted(MODELS), help="mlp or cnn (inferred from --checkpoint if omitted)")
    ap.add_argument("--train-samples", type=int, help="training samples per epoch (default: mlp 60000, cnn 10000)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--T", type=int, help="time steps (default: mlp 8, cnn 4; with --checkpoint its metadata T)")
    ap.add_argument("--test-samples", type=int, help="evaluate only the first n test samples (default: all 10000)")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--json", help="write the results as JSON here")
    ap.add_argument("--checkpoint", help="evaluate this spikego .safetensors checkpoint instead of training")
    ap.add_argument("--save", help="after training, save the state_dict as .safetensors here")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)

    ckpt, meta = None, {}
    if args.checkpoint:
        ckpt, meta = read_safetensors(args.checkpoint)
        if "config" in meta:  # spikego-checkpoint-2: the settings are one JSON object
            cfg = json.loads(meta["config"])
            meta = {**meta, "T": str(cfg["T"]), "node": cfg["node"]}
        guess = "cnn" if "9.weight" in ckpt else "mlp"
        if meta.get("node", "") not in ("", "LIFNode"):
            print(f"warning: checkpoint was trained with node {meta['node']!r}; this peer evaluates it "
                  f"with LIFNode (tau 2, threshold 0.5)", file=sys.stderr)
        if args.model is None:
            args.model = meta.get("model") if meta.get("model") in MODELS else guess
    if args.model is None:
        ap.error("--model is required (unless --checkpoint is given)")
    name = args.model
    cfg = MODELS[name]
    T = args.T or (int(meta["T"]) if "T" in meta else cfg["T"])
    batch = cfg["batch"]
    if args.checkpoint and "batch" in meta:
        batch = int(meta["batch"])

    (xtr, ytr), (xte, yte) = load_fashion_mnist(args.data)
    n = args.train_samples or cfg["train_samples"]
    if not 1 <= n <= len(xtr):
        ap.error(f"--train-samples must be in 1..{len(xtr)}")
    if args.test_samples:
        xte, yte = xte[:args.test_samples], yte[:args.test_samples]
    model = build_model(name, T)
    if ckpt is not None:
        load_checkpoint(model, ckpt)
    base = rss_mb()

    res = dict(
        peer="pytorch", model=name, torch=torch.__version__, python=platform.python_version(),
        threads=torch.get_num_threads(), ncpu=os.cpu_count(), T=T, batch=batch,
        base_rss_mb=base, loadavg_start=loadavg(),
        # Threading knobs that change the throughput a lot on this machine
        # (torch's OpenMP pool and Debian's OpenBLAS-pthread pool are separate).
        env={k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT",
                                            "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")},
    )
    if ckpt is not None:
        res.update(checkpoint=os.path.abspath(args.checkpoint), checkpoint_metadata=meta)
    else:
        res.update(train_samples=n, epochs=args.epochs)
        m = CPUMeter().start()
        res.update(train(model, name, xtr, ytr, n, batch, args.epochs, cfg))
        res["other_cpu_train"] = m.stop()
    m = CPUMeter().start()
    res.update(test(model, name, xte, yte, batch, cfg))
    res["other_cpu_infer"] = m.stop()
    res["loadavg_end"] = loadavg()
    res["peak_rss_mb"] = peak_rss_mb()

    if args.save and ckpt is None:
        write_safetensors(args.save, model.state_dict(),
                          dict(format="pytorch-peer", model=name, T=T, batch=batch, train_samples=n, epochs=args.epochs))
        res["saved"] = os.path.abspath(args.save)

    summary(res)
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)
            f.write("\n")


def summary(r):
    print(f"pytorch peer, model {r['model']} (T={r['T']}, batch {r['batch']}), torch {r['torch']}, "
          f"{r['threads']} threads on {r['ncpu']} CPUs")
    if "checkpoint" in r:
        print(f"  checkpoint       {r['checkpoint']}  metadata {r['checkpoint_metadata']}")
    else:
        print(f"  train            {r['train_samples']} samples x {r['epochs']} epoch(s), {r['train_steps']} steps, "
              f"{r['train_time_s']:.1f} s")
        print(f"  train samples/s  {r['train_samples_per_s']:.1f} median window "
              f"(windows {', '.join(f'{x:.0f}' for x in r['train_window_rates'])}), "
              f"{r['train_avg_samples_per_s']:.1f} average")
        print(f"  train loss       first {r['train_loss_first']:.4f}, last 50 steps {r['train_loss_last50']:.4f}; "
              f"train acc {100 * r['train_acc']:.2f}%")
        print(f"  other CPU train  {r['other_cpu_train']:.2f} CPUs used by other processes")
    print(f"  infer samples/s  {r['infer_samples_per_s']:.1f} median window, {r['infer_avg_samples_per_s']:.1f} average")
    print(f"  test acc         {100 * r['test_acc']:.2f}% on {r['test_samples']} test samples")
    print(f"  other CPU infer  {r['other_cpu_infer']:.2f}")
    print(f"  RSS MB           peak {r['peak_rss_mb']:.0f}, base {r['base_rss_mb']:.0f}, "
          f"peak-base {r['peak_rss_mb'] - r['base_rss_mb']:.0f}")
    env = {k: v for k, v in r["env"].items() if v is not None}
    if env:
        print(f"  environment      {env}")
    print(f"  loadavg          start {r['loadavg_start'][0]:.2f}, end {r['loadavg_end'][0]:.2f}")


if __name__ == "__main__":
    main()
