"""Timings of the minimum-L1 LP and of GD in the feature regime (a script that prints figures; not a test).

    .venv/bin/python benchmarks/bench_minl1.py [--threads 1] [--quick]

1. Minimum-L1 LP (HiGHS, dual form) at d = 3, n = 256, M = 8000 on the constant target (target <= 60 s),
   with the primal form timed once for comparison (skipped with --quick).
2. LP vs GD at one small n (d = 3, n = 32): the LP's time against the time projected GD with an L1
   penalty (H = 1000, the page's settings) needs to bring its test error down to 1.1 x the LP's, and
   its atom count down to 1.1 x the LP's (the sparse solution itself),
   measured in this run (GD checked every 100 steps up to 2000, then every 1000, up to 50 000 steps).
3. GD throughput (steps/s) of the feature-regime net at H = 1000, n = 256, float64, on the CPU and
   on the GPU when torch sees one (the card is named).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.optimize
import torch

from companion.minl1 import count_atoms, min_l1, relu_features
from companion.sphere import sample_sphere
from companion.twolayer import train_feature


def lp_time(d: int, n: int, M: int, primal: bool) -> None:
    X, Xt = sample_sphere(n, d, seed=1), sample_sphere(2000, d, seed=2)
    sol = min_l1(X, np.ones(n), M=M, seed=3)
    print(f"LP (dual, HiGHS ds) d={d} n={n} M={M}: {sol.seconds:.1f} s, TV {sol.norm:.5f}, "
          f"eps {np.mean((sol.predict(Xt) - 1) ** 2):.3e}, {len(sol.w)} neurons")
    if primal:
        Phi = relu_features(X, sample_sphere(M, d, seed=3))
        t0 = time.perf_counter()
        res = scipy.optimize.linprog(np.ones(2 * M), A_eq=np.hstack([Phi, -Phi]), b_eq=np.ones(n), bounds=(0, None),
                                     method="highs")
        print(f"LP (primal, HiGHS)    d={d} n={n} M={M}: {time.perf_counter() - t0:.1f} s, TV {res.fun:.5f}")


def lp_vs_gd(n: int, device: str) -> None:
    d = 3
    X, Xt = sample_sphere(n, d, seed=1), sample_sphere(2000, d, seed=2)
    sol = min_l1(X, np.ones(n), M=8000, seed=3)
    eps_lp = np.mean((sol.predict(Xt) - 1) ** 2)
    record = tuple(range(100, 2000, 100)) + tuple(range(2000, 50001, 1000))
    out = train_feature(X, np.ones(n), H=1000, lam=1e-4, lr=5.0, steps=max(record), seed=0, device=device, record=record)
    per_step = out["seconds"] / out["steps"]
    atoms_lp = count_atoms(sol.theta, sol.w, X)
    reached_eps = reached_atoms = None
    for step, theta, c in out["history"]:
        eps = np.mean((relu_features(Xt, theta) @ c - 1) ** 2)
        if reached_eps is None and eps <= 1.1 * eps_lp:
            reached_eps = step
        if reached_atoms is None and count_atoms(theta, c, X) <= 1.1 * atoms_lp:
            reached_atoms = step
    print(f"n={n}: LP {sol.seconds:.2f} s (eps {eps_lp:.3e}, {atoms_lp} atoms); GD {per_step * 1e3:.2f} ms/step")
    for name, step in (("test error <= 1.1 x LP's", reached_eps), ("atoms <= 1.1 x LP's", reached_atoms)):
        if step is None:
            print(f"  {name}: not reached in {out['steps']} steps ({out['seconds']:.1f} s): GD/LP time > "
                  f"{out['seconds'] / sol.seconds:.0f}")
        else:
            print(f"  {name}: step {step} ({step * per_step:.2f} s): GD/LP time = {step * per_step / sol.seconds:.2g}")


def throughput(device: str) -> None:
    X = sample_sphere(256, 3, seed=1)
    train_feature(X, np.ones(256), H=1000, lam=1e-4, lr=5.0, steps=20, seed=0, device=device)   # warm-up
    out = train_feature(X, np.ones(256), H=1000, lam=1e-4, lr=5.0, steps=2000, seed=0, device=device)
    name = torch.cuda.get_device_name() if device == "cuda" else f"CPU, {torch.get_num_threads()} thread(s)"
    print(f"GD throughput, H=1000, n=256, float64, {name}: {out['steps'] / out['seconds']:.0f} steps/s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="skip the primal LP")
    ap.add_argument("--gd-only", action="store_true", help="only the LP-vs-GD comparison and the throughput")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if not args.gd_only:
        lp_time(3, 256, 8000, primal=not args.quick)
    lp_vs_gd(32, "cpu")
    throughput("cpu")
    if torch.cuda.is_available():
        throughput("cuda")


if __name__ == "__main__":
    main()
