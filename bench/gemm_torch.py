#!/usr/bin/python3
"""Times torch.mm (OpenBLAS through Debian's PyTorch) on the GEMM shapes of
spikego's `go test -bench Gemm ./tensor`, and optionally prints both side
by side.

The shapes are read from tensor/gemm_bench_test.go (the gemmBenchShapes
table), so that both programs time exactly the same products:

    C[m,n] = op(A) op(B) + beta C,  op(A) = A^T when ta (A stored k x m),
                                    op(B) = B^T when tb (B stored n x k)

torch receives the transposed operands as transposed views (no copy), and
beta = 1 as C.addmm_(op(A), op(B)), beta = 0 as torch.mm(op(A), op(B),
out=C), so each call is one BLAS sgemm. Each shape is timed like Go's
testing.B: calls are repeated until --benchtime seconds have passed, and
the figure is 2 m n k calls / time, in GFLOPS. --count repeats that.

OMP_WAIT_POLICY=PASSIVE is set before torch is imported (unless --default
is given): Debian's torch otherwise spins idle OpenMP threads against
OpenBLAS's own threads.

Usage (from the repository root):
    go test -run '^$' -bench 'Gemm$' -count 3 ./tensor | tee gemm_go.txt
    /usr/bin/python3 bench/gemm_torch.py --count 3 --go gemm_go.txt
"""

import argparse
import os
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHAPES_FILE = os.path.join(HERE, os.pardir, "tensor", "gemm_bench_test.go")

ENTRY = re.compile(r'^\s*\{"(\w+)",\s*(true|false),\s*(true|false),\s*([\d\s*]+),\s*([\d\s*]+),\s*([\d\s*]+),\s*([\d.]+)\},?\s*$')


def product(expr):
    """Evaluates an entry's size: whole numbers joined by '*'."""
    v = 1
    for f in expr.split("*"):
        v *= int(f.strip())
    return v


def read_shapes(path):
    """The gemmBenchShapes entries of the Go benchmark, in order."""
    shapes, inside = [], False
    with open(path) as f:
        for line in f:
            if line.startswith("var gemmBenchShapes"):
                inside = True
                continue
            if inside and line.strip() == "}":
                break
            m = ENTRY.match(line) if inside else None
            if m:
                name, ta, tb, mm, n, k, beta = m.groups()
                shapes.append(dict(name=name, ta=ta == "true", tb=tb == "true",
                                   m=product(mm), n=product(n), k=product(k), beta=float(beta)))
    if not shapes:
        raise SystemExit(f"{path}: found no gemmBenchShapes entries of the form "
                         '{"Name", ta, tb, m, n, k, beta}')
    return shapes


def time_shape(torch, s, benchtime):
    """GFLOPS of one shape: calls repeated for at least benchtime seconds."""
    g = torch.Generator().manual_seed(99)
    a = torch.rand(s["k"], s["m"], generator=g) if s["ta"] else torch.rand(s["m"], s["k"], generator=g)
    b = torch.rand(s["n"], s["k"], generator=g) if s["tb"] else torch.rand(s["k"], s["n"], generator=g)
    c = torch.rand(s["m"], s["n"], generator=g)
    opa = a.t() if s["ta"] else a
    opb = b.t() if s["tb"] else b
    if s["beta"] == 1:
        def call():
            c.addmm_(opa, opb)
    elif s["beta"] == 0:
        def call():
            torch.mm(opa, opb, out=c)
    else:
        raise SystemExit(f"{s['name']}: beta {s['beta']} is neither 0 nor 1")
    for _ in range(3):  # warm-up: thread pools, caches
        call()
    n, start = 0, time.perf_counter()
    while True:
        call()
        n += 1
        el = time.perf_counter() - start
        if el >= benchtime:
            break
    return 2.0 * s["m"] * s["n"] * s["k"] * n / el / 1e9


GO_LINE = re.compile(r"^BenchmarkGemm/(\w+?)(?:-\d+)?\s+\d+\s+[\d.]+ ns/op\s+([\d.]+) GFLOPS")


def read_go(path):
    """GFLOPS per shape from `go test -bench Gemm` output (all --count runs)."""
    out = {}
    with open(path) as f:
        for line in f:
            m = GO_LINE.match(line)
            if m:
                out.setdefault(m.group(1), []).append(float(m.group(2)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    ap.add_argument("--count", type=int, default=1, help="runs of every shape; the median is printed")
    ap.add_argument("--benchtime", type=float, default=1.0, help="seconds per shape and run (default 1)")
    ap.add_argument("--run", default="", help="only the shapes whose name contains this")
    ap.add_argument("--default", action="store_true", help="leave OMP_WAIT_POLICY as it is")
    ap.add_argument("--go", help="output of `go test -bench Gemm ./tensor` to print beside")
    args = ap.parse_args()

    if not args.default:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    import torch  # after OMP_WAIT_POLICY: OpenMP reads it when it starts
    torch.set_num_threads(args.threads)

    shapes = [s for s in read_shapes(SHAPES_FILE) if args.run in s["name"]]
    go = read_go(args.go) if args.go else {}
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}, "
          f"{args.count} run(s) of {args.benchtime:g} s per shape, median GFLOPS")
    if go:
        print(f"| shape | spikego GFLOPS | torch.mm GFLOPS | spikego / torch |")
        print(f"|---|---:|---:|---:|")
    for s in shapes:
        runs = [time_shape(torch, s, args.benchtime) for _ in range(args.count)]
        t = statistics.median(runs)
        if go:
            g = go.get(s["name"])
            gs = f"{statistics.median(g):.1f}" if g else "–"
            ratio = f"{statistics.median(g) / t:.2f}" if g else "–"
            print(f"| {s['name']} | {gs} | {t:.1f} | {ratio} |")
        else:
            spread = f" ({min(runs):.1f}-{max(runs):.1f})" if len(runs) > 1 else ""
            print(f"TorchMM/{s['name']}\t{t:8.1f} GFLOPS{spread}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
