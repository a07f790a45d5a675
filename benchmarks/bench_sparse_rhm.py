"""Timings of the sparse RHM generator and of LCN / CNN training (a script that prints figures; not a test).

    .venv/bin/python benchmarks/bench_sparse_rhm.py [--n 100000] [--repeats 3] [--threads 1]

1. Generator: ``n`` data (indices without replacement, mixed-radix decoding, tree expansion, placement
   among empty slots) at the page's largest settings — the book profile's (L = 3, v = 4, m = 2, n_c = 2,
   s0 = 2: 216 positions) and the paper profile's (L = 3, v = m = n_c = 8, s0 = 3: 512 positions) — and
   one batch of 4096 one-hot encoded; diffeomorphisms and synonym exchanges of the same data.
2. Training throughput (training samples per second, forward + backward + Adam step, batch 128) of the
   LCN and the CNN matched to those settings, on the CPU with ``--threads`` torch threads, and on the GPU
   when torch sees one (the card is named).
"""

from __future__ import annotations

import argparse
import functools
import time

import numpy as np
import torch

from companion.lcn import make_net
from companion.sparse_rhm import SparseRHM, one_hot
from companion.train import Training, train_classifier

SETTINGS = {"book, largest": dict(v=4, m=2, s=2, L=3, n_c=2, s0=2, width=32),
            "paper, largest": dict(v=8, m=8, s=2, L=3, n_c=8, s0=3, width=512)}


def best_of(fn, repeats: int):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def bench_generator(n: int, repeats: int) -> None:
    for name, p in SETTINGS.items():
        g = SparseRHM(**{k: v for k, v in p.items() if k != "width"}, seed=0)
        print(f"== generator ({name}): SparseRHM(L={g.L}, v={g.v}, m={g.m}, n_c={g.n_c}, s0={g.s0}), "
              f"input {g.D} positions, P_max = {float(g.P_max):.2e} ({len(g.radix.chunks)} int64 chunk(s)), n = {n:.0e}")
        t_all, (x, y) = best_of(lambda: g.sample(n, seed=1), repeats)
        digits = g.digits(g.sample_indices(n, seed=1))
        t_d, _ = best_of(lambda: g.generate(g.diffeo(digits, 1, rng=np.random.default_rng(0))), repeats)
        t_s, _ = best_of(lambda: g.generate(g.exchange_synonyms(digits, 1, rng=np.random.default_rng(0))), repeats)
        assert np.array_equal(g.parse(x[:2000]), y[:2000])
        batch = torch.from_numpy(x[:4096])
        t_oh, oh = best_of(lambda: one_hot(batch, g.v), repeats)
        print(f"  sample + generate {t_all:6.3f} s ({n / t_all:,.0f} data/s); diffeo + regenerate {t_d:6.3f} s; "
              f"synonym exchange + regenerate {t_s:6.3f} s")
        print(f"  one-hot of one batch of 4096: {1e3 * t_oh:6.1f} ms -> {tuple(oh.shape)}")


def bench_training(device: torch.device, label: str, seconds: float = 3.0) -> None:
    print(f"== training throughput on {label}")
    for name, p in SETTINGS.items():
        g = SparseRHM(**{k: v for k, v in p.items() if k != "width"}, seed=0)
        x, y = g.sample(4096, seed=2)
        x = torch.from_numpy(x).to(device)
        encode = functools.partial(one_hot, v=g.v)
        for arch in ("lcn", "cnn"):
            net = make_net(arch, v=g.v, s=g.s, s0=g.s0, L=g.L, width=p["width"], n_out=g.n_c,
                           generator=torch.Generator().manual_seed(0)).to(device)
            warm = train_classifier(net, x, y, training=Training(lr=0.01, max_epochs=1, loss_tol=1e-9), seed=0,
                                    encode=encode, device=device)
            epochs = max(1, int(seconds * warm["samples_per_s"] / len(y)))
            out = train_classifier(net, x, y, training=Training(lr=0.01, max_epochs=epochs, loss_tol=1e-9), seed=1,
                                   encode=encode, device=device)
            n_par = sum(q.numel() for q in net.parameters())
            print(f"  {name:15s} {arch.upper()} width {p['width']:4d} ({n_par:>9,d} parameters) "
                  f"{out['samples_per_s']:10.0f} samples/s  ({epochs} epochs of {len(y)}, batch 128, Adam)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10**5)
    parser.add_argument("--repeats", type=int, default=3)
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
