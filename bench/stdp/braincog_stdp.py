"""Times BrainCog's own unsupervised STDP example (codef.py of
examples/Perception_and_Learning/UnsupervisedSTDP) for a few batches of one
phase, on Fashion-MNIST, and prints one JSON object: milliseconds per
sample and the peak resident set size.

BrainCog is not part of this repository: --braincog names a checkout of
BrainCog-X/Brain-Cog elsewhere. codef.py is imported from it unchanged
(its training loop is guarded by __main__); the modules it imports but
this measurement does not use (torchvision, tqdm, cv2, matplotlib,
sklearn, einops) are replaced by empty stand-ins, and the packages'
__init__ files are bypassed so that only node.py, layer.py, surrogate.py
and LateralInhibition.py are loaded. The steps below are the lines of
codef.py's main loop for one batch of each phase:

  phase 1: spikes = model(x, 0, 0, T); optimizer.zero_grad();
           spikes.sum().backward(1/(B*28*28)); normgrad(force=True);
           optimizer.step(); normweight(clip=False); reset
  phase 2: spikes = model(x, 0, 4, T); optimizer.zero_grad();
           spikes.sum().backward(); normgrad(force=False);
           optimizer.step(); updatethresh(plus=0.002);
           normweight(clip=False); reset

Run with Debian's Python (torch 1.13):

  /usr/bin/python3 bench/stdp/braincog_stdp.py --braincog DIR --phase 1 --batch 1024 --T 100 --batches 3
"""

import argparse
import gzip
import json
import os
import resource
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "golden"))
from goldenlib import load_braincog_codef  # noqa: E402


def load_images(data):
    with gzip.open(os.path.join(data, "train-images-idx3-ubyte.gz")) as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    return torch.from_numpy(raw.reshape(-1, 1, 28, 28).astype(np.float32) / 255)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--braincog", required=True, metavar="DIR", help="checkout of BrainCog-X/Brain-Cog")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist", help="Fashion-MNIST IDX directory")
    ap.add_argument("--phase", type=int, choices=(1, 2), required=True)
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--T", type=int, default=0, help="time steps (default: the example's, 100 or 200)")
    ap.add_argument("--batches", type=int, default=3, help="timed batches after one warm-up batch")
    ap.add_argument("--channels", type=int, default=12)
    ap.add_argument("--neurons", type=int, default=6400)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    T = args.T or (100 if args.phase == 1 else 200)
    torch.set_num_threads(args.threads)
    codef = load_braincog_codef(os.path.abspath(args.braincog))
    codef.channel, codef.neuron = args.channels, args.neurons
    torch.manual_seed(0)
    model = codef.Conv_Net()
    convlist = [i for i, m in enumerate(model.conv) if isinstance(m, (codef.STDPConv, codef.STDPLinear))]
    images = load_images(args.data)
    order = torch.randperm(images.shape[0], generator=torch.Generator().manual_seed(0))
    layer = 0 if args.phase == 1 else len(convlist) - 1
    if args.phase == 1:
        optimizer = torch.optim.SGD(list(model.parameters())[layer:layer + 1], lr=0.1)
    else:
        optimizer = torch.optim.SGD(list(model.parameters())[layer:], lr=0.0001)
    times, cpu = [], []
    for step in range(args.batches + 1):
        x = images[order[step * args.batch:(step + 1) * args.batch]]
        t0, c0 = time.perf_counter(), time.process_time()
        spikes = model(x, 0, convlist[layer], T)
        optimizer.zero_grad()
        if args.phase == 1:
            spikes.sum().backward(torch.tensor(1 / (spikes.shape[0] * spikes.shape[2] * spikes.shape[3])))
            model.conv[convlist[layer]].spike = spikes.detach()
            model.normgrad(convlist[layer], force=True)
            optimizer.step()
            model.normweight(convlist[layer], clip=False)
        else:
            spikes.sum().backward()
            model.conv[convlist[layer]].spike = spikes.detach()
            model.normgrad(convlist[layer], force=False)
            optimizer.step()
            model.updatethresh(convlist[layer], plus=0.002)
            model.normweight(convlist[layer], clip=False)
        model.reset(convlist)
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        print("batch %d: %.1f ms/sample" % (step, 1000 * dt / x.shape[0]), file=sys.stderr, flush=True)
        if step > 0:
            times.append(dt)
            cpu.append(dc)
    per = 1000 * sum(times) / (len(times) * args.batch)
    print(json.dumps({
        "library": "BrainCog codef.py (PyTorch %s)" % torch.__version__, "phase": args.phase, "batch": args.batch,
        "T": T, "channels": args.channels, "neurons": args.neurons, "threads": args.threads,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""), "timed_batches": len(times),
        "ms_per_sample": per, "cpu_ms_per_sample": 1000 * sum(cpu) / (len(cpu) * args.batch), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
