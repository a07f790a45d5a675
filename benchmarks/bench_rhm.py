"""Timings of the RHM generator and of CNN training (a script that prints figures; not a test).

    .venv/bin/python benchmarks/bench_rhm.py [--n 1000000] [--repeats 5] [--threads 1]

1. Generator: ``n`` = 10^6 data of RHM(L = 4, v = 8, m = 4, s = 2, n_c = 8) — indices drawn without
   replacement from [0, P_max), decoded in mixed radix and expanded into symbol arrays (target
   <= 1 s). The one-hot encoding is never built for the whole set: its size is printed instead,
   and one batch of 4096 is encoded and timed. Also a grammar with P_max ~ 10^39 (L = 6), whose
   indices need several int64 chunks.
2. Training throughput (training samples per second, forward + backward + Adam step, batch 128) of
   the hierarchical CNN and of the shallow fully-connected net of the page, on the CPU with
   ``--threads`` torch threads, and on the GPU when torch sees one (the card is named).
"""

from __future__ import annotations

import argparse
import functools
import time

import numpy as np
import torch

from companion.rhm import RHM, one_hot
from companion.train import FullyConnected, HierarchicalCNN, Training, train_classifier


def best_of(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def bench_generator(n: int, repeats: int) -> None:
    g = RHM(v=8, m=4, s=2, L=4, n_c=8, seed=0)
    print(f"== generator: RHM(L={g.L}, v={g.v}, m={g.m}, s={g.s}, n_c={g.n_c}), P_max = {g.P_max:.3e}, n = {n:.0e}")
    t_idx, idx = best_of(lambda: g.sample_indices(n, seed=1), repeats)
    t_dec, digits = best_of(lambda: g.digits(idx), repeats)
    t_gen, (x, y) = best_of(lambda: g.generate(digits), repeats)
    t_all, _ = best_of(lambda: g.sample(n, seed=1), repeats)
    assert np.unique(idx, axis=0).shape[0] == n
    print(f"  sample indices w/o replacement {t_idx:6.3f} s;  decode {t_dec:6.3f} s;  expand {t_gen:6.3f} s")
    print(f"  end to end (best of {repeats})     {t_all:6.3f} s  (target <= 1 s)  -> x {x.shape} {x.dtype}, "
          f"{x.nbytes / 2**20:.0f} MiB")
    batch = torch.from_numpy(x[:4096])
    t_oh, oh = best_of(lambda: one_hot(batch, g.v), repeats)
    print(f"  one-hot of one batch of 4096   {1e3 * t_oh:6.2f} ms -> {tuple(oh.shape)}; the whole set would be "
          f"{n * g.d * g.v * 4 / 2**30:.1f} GiB in float32 (never built)")
    big = RHM(v=8, m=4, s=2, L=6, n_c=8, seed=0)
    t_big, (xb, yb) = best_of(lambda: big.sample(10**5, seed=1), max(1, repeats // 2))
    assert np.array_equal(big.parse(xb), yb)
    print(f"  L = 6 (P_max = {big.P_max:.2e}, {len(big.radix.chunks)} int64 chunks per index): 1e5 data in "
          f"{t_big:.3f} s")


def bench_training(device: torch.device, label: str, seconds: float = 3.0) -> None:
    print(f"== training throughput on {label}")
    g = RHM(v=8, m=4, s=2, L=4, n_c=8, seed=0)
    x, y = g.sample(8192, seed=2)
    x = torch.from_numpy(x).to(device)
    encode = functools.partial(one_hot, v=g.v)
    nets = {
        "CNN  L=4, width 128": lambda gen: HierarchicalCNN(v=8, s=2, L=4, width=128, n_out=8, generator=gen),
        "CNN  L=4, width 512": lambda gen: HierarchicalCNN(v=8, s=2, L=4, width=512, n_out=8, generator=gen),
        "FC   1 hidden, width 512": lambda gen: FullyConnected(d_in=8 * 16, width=512, n_out=8, generator=gen),
    }
    for name, make in nets.items():
        model = make(torch.Generator().manual_seed(0)).to(device)
        # a one-epoch warm-up gives the rate; then as many epochs as fit in about `seconds`, in one call
        # (train_classifier's own clock excludes its final evaluation pass)
        warm = train_classifier(model, x, y, training=Training(lr=0.03, max_epochs=1, loss_tol=1e-9), seed=0,
                                encode=encode, device=device)
        epochs = max(1, int(seconds * warm["samples_per_s"] / len(y)))
        out = train_classifier(model, x, y, training=Training(lr=0.03, max_epochs=epochs, loss_tol=1e-9), seed=1,
                               encode=encode, device=device)
        print(f"  {name:26s} {out['samples_per_s']:10.0f} samples/s  ({epochs} epochs of {len(y)}, batch 128, Adam)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10**6)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="torch threads for the CPU throughput")
    args = parser.parse_args()
    bench_generator(args.n, args.repeats)
    torch.set_num_threads(args.threads)   # a script may set its own process's threads; the library never does
    bench_training(torch.device("cpu"), f"CPU, {torch.get_num_threads()} thread(s)")
    if torch.cuda.is_available():
        bench_training(torch.device("cuda"), f"GPU: {torch.cuda.get_device_name(0)}")
    else:
        print("== no GPU visible to torch: GPU throughput not measured")


if __name__ == "__main__":
    main()
