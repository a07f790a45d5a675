"""Each page's training step on the GPU and on the CPU, in the same run: throughput side by side, and
a check that both devices compute the same thing (a script that prints figures; not a test).

    .venv/bin/python benchmarks/gpu_check.py [--steps 30] [--timing-steps 200] [--threads N]

For every network a page trains, the same initial weights (drawn on the CPU), the same data and the
same minibatch order are used on both devices: ``--steps`` plain SGD steps, then the outputs on a
fixed probe batch are compared. float32 on both devices, TF32 switched off on the GPU, so the only
difference is the order of float32 additions: the outputs must agree to ``RTOL`` (relative to their
scale; a few steps cannot amplify 1e-7 roundoff to 1e-4). Throughput: training samples per second
over ``--timing-steps`` steps after a warm-up, with the GPU synchronised.
Without a GPU it prints the CPU figures and says that no GPU was visible.
"""

from __future__ import annotations

import argparse
import functools
import time
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

#: Largest relative difference allowed between CPU and GPU outputs (float32 roundoff amplified by a
#: few tens of SGD steps stays far below it; a wrong kernel or dtype is far above).
RTOL = 1e-4

#: name -> builder() returning (make_model(generator) -> nn.Module, X, y, loss(out, y), encode, batch)
CHECKS: dict[str, Callable] = {}
#: name -> run(device) returning (probe outputs, samples/s): pages whose training loop is their own
FN_CHECKS: dict[str, Callable] = {}


def check(name: str):
    def register(fn):
        CHECKS[name] = fn
        return fn
    return register


def _cross_entropy(out, y):
    return nn.functional.cross_entropy(out, y)


@check("RHM: hierarchical CNN, L=4, width 256")
def _rhm_cnn():
    from companion.rhm import RHM, one_hot
    from companion.train import HierarchicalCNN

    g = RHM(v=8, m=4, s=2, L=4, n_c=8, seed=0)
    x, y = g.sample(4096, seed=2)
    make = lambda gen: HierarchicalCNN(v=8, s=2, L=4, width=256, n_out=8, generator=gen)
    return make, torch.from_numpy(x), torch.from_numpy(y).long(), _cross_entropy, functools.partial(one_hot, v=8), 128


@check("RHM: shallow fully-connected, width 1024")
def _rhm_fc():
    from companion.rhm import RHM, one_hot
    from companion.train import FullyConnected

    g = RHM(v=8, m=4, s=2, L=3, n_c=8, seed=0)
    x, y = g.sample(4096, seed=2)
    make = lambda gen: FullyConnected(d_in=8 * 8, width=1024, n_out=8, generator=gen)
    return make, torch.from_numpy(x), torch.from_numpy(y).long(), _cross_entropy, functools.partial(one_hot, v=8), 128


@check("lazy-feature crossover: FC softplus net, h=256, L=2 (float64)")
def _crossover():
    from companion.digits import parity_task
    from companion.fcnet import FCNet
    from companion.gradflow import alpha_loss

    X, y, _, _ = parity_task(1024, 10, seed=0)
    make = lambda gen: FCNet(d=X.shape[1], h=256, L=2, generator=gen)
    loss = lambda out, target: alpha_loss(out, target, 1.0)
    return make, torch.from_numpy(X), torch.from_numpy(y), loss, (lambda x: x), 1024


@check("sparse RHM: locally connected net, s0=1, L=3, width 64")
def _sparse_lcn():
    from companion.lcn import make_net
    from companion.sparse_rhm import SparseRHM, one_hot

    g = SparseRHM(v=8, m=4, s=2, L=3, n_c=8, s0=1, seed=0)
    x, y = g.sample(4096, seed=2)
    make = lambda gen: make_net("lcn", v=8, s=2, s0=1, L=3, width=64, n_out=8, generator=gen)
    return make, torch.from_numpy(x), torch.from_numpy(y).long(), _cross_entropy, functools.partial(one_hot, v=8), 128


@check("spatial pooling: non-strided 1-D CNN, d=64, L=6, width 32")
def _spatial():
    from companion.cnn1d import CNN1d
    from companion.scale_detection import ScaleDetection

    task = ScaleDetection(d=64, xi=16, gap=4)
    data = task.split(512, seed=0)
    x = torch.from_numpy(task.images(data["r1_train"], data["r2_train"])).float()
    make = lambda gen: CNN1d(d=64, L=6, width=32, strided=False, filter_size=3, generator=gen)
    return make, x, torch.from_numpy(data["y_train"]).long(), _cross_entropy, (lambda t: t), 128


def _sphere_task(n: int, d: int = 3):
    from companion.sphere import sample_sphere

    X = sample_sphere(n, d, seed=0)
    return X, np.ones(n), sample_sphere(512, d, seed=1)


def _feature_gd(device: torch.device, steps: int = 300):
    """Projected GD with an L1 penalty of the feature-vs-lazy page (float64), n = 256, H = 1000."""
    from companion.twolayer import train_feature

    X, y, X_probe = _sphere_task(256)
    out = train_feature(X, y, H=1000, lam=1e-4, lr=5.0, steps=steps, seed=0, device=device)
    probe = np.maximum(X_probe @ out["theta"].T, 0.0) @ out["c"]
    return probe, steps * len(y) / out["seconds"]


def _lazy_gd(device: torch.device, steps: int = 300):
    """alpha-scaled GD with f - f0 subtracted of the feature-vs-lazy page (float64), n = 256, H = 1000."""
    from companion.twolayer import train_lazy

    X, y, X_probe = _sphere_task(256)
    out = train_lazy(X, y, X_probe, H=1000, alpha=10.0, lr=1.0, steps=steps, seed=0, device=device)
    return np.asarray(out["pred_test"]), steps * len(y) / out["seconds"]


FN_CHECKS["feature vs lazy: projected GD, L1 penalty, H=1000 (float64)"] = _feature_gd
FN_CHECKS["feature vs lazy: lazy GD, alpha=10, H=1000 (float64)"] = _lazy_gd


def _steps(model, X, y, loss_fn, encode, batch, steps, lr, device, *, seed=0):
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(steps):
        idx = torch.randint(len(y), (batch,), generator=gen).to(device)
        loss = loss_fn(model(encode(X[idx])), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()


def run(name: str, device: torch.device, *, steps: int, timing_steps: int, lr: float = 0.01):
    make, X, y, loss_fn, encode, batch = CHECKS[name]()
    X, y = X.to(device), y.to(device)
    model = make(torch.Generator().manual_seed(0)).to(device)
    _steps(model, X, y, loss_fn, encode, batch, steps, lr, device)
    with torch.no_grad():
        probe = model(encode(X[:512])).double().cpu().numpy()
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    _steps(model, X, y, loss_fn, encode, batch, 5, lr, device, seed=1)        # warm-up
    sync()
    t0 = time.perf_counter()
    _steps(model, X, y, loss_fn, encode, batch, timing_steps, lr, device, seed=2)
    sync()
    return probe, timing_steps * batch / (time.perf_counter() - t0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--timing-steps", type=int, default=200)
    ap.add_argument("--threads", type=int, default=None, help="torch threads on the CPU (default: torch's)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    gpu = torch.cuda.is_available()
    if gpu:
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        print(f"GPU: {torch.cuda.get_device_name(0)}; CPU: {torch.get_num_threads()} torch thread(s)")
    else:
        print(f"no GPU visible to torch: CPU figures only ({torch.get_num_threads()} torch thread(s))")
    print(f"{'network':64s} {'CPU samples/s':>14s} {'GPU samples/s':>14s} {'ratio':>7s} {'max rel diff':>13s}")
    failures = 0
    runners = {name: functools.partial(run, name, steps=args.steps, timing_steps=args.timing_steps) for name in CHECKS}
    runners |= FN_CHECKS
    for name, runner in runners.items():
        p_cpu, r_cpu = runner(torch.device("cpu"))
        if not gpu:
            print(f"{name:64s} {r_cpu:14.0f} {'-':>14s} {'-':>7s} {'-':>13s}")
            continue
        p_gpu, r_gpu = runner(torch.device("cuda"))
        diff = float(np.max(np.abs(p_gpu - p_cpu)) / max(np.max(np.abs(p_cpu)), 1e-30))
        ok = diff <= RTOL
        failures += not ok
        print(f"{name:64s} {r_cpu:14.0f} {r_gpu:14.0f} {r_gpu / r_cpu:7.1f} {diff:13.2e}{'' if ok else '  DISAGREE'}")
    if gpu:
        print(f"CPU and GPU outputs agree within {RTOL:g} for {len(runners) - failures} of {len(runners)} networks")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
