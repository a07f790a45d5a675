"""Training throughput of the spatial-pooling page's CNNs (a script that prints figures; not a test).

    .venv/bin/python benchmarks/bench_spatial_pooling.py [--profile book] [--epochs 20] [--threads 1]

For the strided and the non-strided CNN of the profile: training samples per second (forward +
backward + Adam step, minibatches of the profile's size, through companion.train.train_classifier
with the stopping rule disabled), and the hidden-layer forward throughput used by the sensitivities
(companion.train.hidden_outputs), on the device torch finds (CUDA when present, else CPU; the card
or CPU is named).
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import torch

from companion.cnn1d import CNN1d
from companion.experiments.spatial_pooling import make_config, task
from companion.train import Training, default_device, hidden_outputs, train_classifier


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"CPU ({platform.processor() or platform.machine()}), {torch.get_num_threads()} torch thread(s)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="book")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cfg = make_config(args.profile)
    sd = task(cfg)
    split = sd.split(max(cfg.P_list), seed=0)
    X, y = sd.images(split["r1_train"], split["r2_train"]), split["y_train"]
    X_test = torch.from_numpy(sd.images(split["r1_test"], split["r2_test"]))
    device = default_device()
    print(f"device: {device_name(device)}; profile {cfg.profile}: d = {cfg.d}, L = {cfg.L}, width = {cfg.width}, "
          f"P = {len(y)}, batch {cfg.batch_size}")
    for strided in (True, False):
        net = CNN1d(d=cfg.d, L=cfg.L, width=cfg.width, strided=strided, filter_size=cfg.filter_size,
                    generator=torch.Generator().manual_seed(0)).to(device)
        training = Training(optimizer="adam", lr=cfg.lr, batch_size=cfg.batch_size, loss_tol=1e-30,
                            max_epochs=args.epochs)
        fit = train_classifier(net, X, y, training=training, seed=0, device=device)
        hidden_outputs(net, X_test[:64], device=device)                 # warm-up
        t0 = time.perf_counter()
        hidden_outputs(net, X_test, device=device)
        if device.type == "cuda":
            torch.cuda.synchronize()
        fwd = len(X_test) / (time.perf_counter() - t0)
        name = "strided (F = 2, stride 2)" if strided else f"non-strided (F = {cfg.filter_size}, stride 1)"
        print(f"  {name:32s} training {fit['samples_per_s']:9.0f} samples/s ({fit['epochs']} epochs in "
              f"{fit['seconds']:.2f} s);  hidden layers {fwd:9.0f} samples/s")


if __name__ == "__main__":
    main()
