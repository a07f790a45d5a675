"""Timings of the adaptive gradient-flow integrator at the sizes of the page *lazy-feature crossover*
(a script that prints figures; not a test).

    .venv/bin/python benchmarks/bench_crossover.py [--profile book] [--threads 1] [--device auto] [--widths ...]

For every width of the profile (or ``--widths``), one feature run (the smallest sqrt(h) alpha of the
profile) and one lazy run (the largest) on the page's data: accepted and rejected steps, wall time, and
trial steps per second (a trial step = one forward and one backward pass on the training set). On the
CPU with ``--threads`` torch threads, or on the GPU (``--device cuda``, or ``auto`` when torch sees one;
the card is named). Float64 throughout, as the page.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import torch

from companion.experiments import lazy_feature_crossover as lfc
from companion.fcnet import FCNet
from companion.gradflow import FlowRule, train_alpha


def one_run(cfg, X, y, *, h: int, x: float, device: torch.device, seed: int = 0) -> dict:
    net = FCNet(d=X.shape[1], h=h, L=cfg.L, generator=torch.Generator().manual_seed(seed)).to(device)
    Xd, yd = X.to(device), y.to(device)
    if device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    res = train_alpha(net, Xd, yd, alpha=x / math.sqrt(h), rule=FlowRule(max_steps=cfg.max_steps))
    if device.type == "cuda":
        torch.cuda.synchronize()
    wall = time.perf_counter() - t0
    return dict(steps=res.steps, rejected=res.rejected, wall=wall, sps=(res.steps + res.rejected) / wall,
                converged=res.converged)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profile", default="book", choices=lfc.PROFILES)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    ap.add_argument("--widths", type=int, nargs="*", default=None)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device("cuda" if args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
                          else "cpu")
    cfg = lfc.make_config(args.profile)
    X_tr, y_tr, _, _ = lfc.pooled_digits(source=cfg.source, P=cfg.P, n_test=cfg.n_test, pool=cfg.pool,
                                         data_seed=cfg.data_seed)
    X, y = torch.from_numpy(X_tr), torch.from_numpy(y_tr)
    label = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU, {args.threads} thread(s)"
    print(f"== gradient flow, profile {cfg.profile}: P = {cfg.P}, d = {X.shape[1]}, L = {cfg.L}, float64, on {label}")
    print(f"{'h':>6} {'sqrt(h) alpha':>14} {'steps':>7} {'rejected':>9} {'wall (s)':>9} {'trial steps/s':>14}")
    xs = (10.0 ** min(cfg.log10_x), 10.0 ** max(cfg.log10_x))
    for h in args.widths or cfg.widths:
        for x in xs:
            r = one_run(cfg, X, y, h=h, x=x, device=device)
            flag = "" if r["converged"] else "  (step budget reached)"
            print(f"{h:>6} {x:>14.0e} {r['steps']:>7} {r['rejected']:>9} {r['wall']:>9.2f} {r['sps']:>14.0f}{flag}")


if __name__ == "__main__":
    main()
