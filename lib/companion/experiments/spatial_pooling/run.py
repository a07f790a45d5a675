"""Training runs of the page and the idealised networks, through one cached sweep.

:func:`point` is the sweep's unit of work (one CNN trained on one balanced training set, its
sensitivities measured before and after training); :func:`run` sends every point to
:func:`companion.sweep.sweep` and returns one tidy table; :func:`ideal` measures the idealised
pooling networks with the same code on every pair of the task.
"""

from __future__ import annotations


import numpy as np
import pandas as pd
import torch

from ...cnn1d import CNN1d, pooling_network, zero_frequency_fraction
from ...fit import LEVEL
from ...scale_detection import ScaleDetection, matched_noise
from ...sweep import sweep
from ...train import Training, default_device, evaluate, hidden_outputs, relative_sensitivity, train_classifier
from ..rhm_sample_complexity.run import mean_ci  # the book's Student-t mean interval
from .config import Config

#: The trained architectures: name -> (strided, activation).
ARCHS = {"strided": (True, "relu"), "nonstrided": (False, "relu"), "linear": (True, "linear")}
#: The idealised networks: name -> (strided, activation, filters).
IDEALS = {"strided": (True, "relu", "average"), "nonstrided": (False, "relu", "average"),
          "linear": (True, "linear", "average"), "no pooling": (False, "relu", "identity")}


def stream_seeds(seed: int) -> dict[str, int]:
    """Independent seeds of one run's training set, initialisation, batch order and perturbations."""
    children = np.random.SeedSequence(seed).spawn(4)
    return {name: int(c.generate_state(1)[0]) for name, c in zip(("data", "init", "order", "perturb"), children)}


def sensitivities(model, sd: ScaleDetection, r1, r2, *, seed: int, device=None) -> dict[str, list[float]]:
    """``D_k`` and ``G_k`` for the input (k = 0) and every hidden layer of ``model`` on the pairs ``(r1, r2)``.

    ``D_k = <|f_k(tau x) - f_k(x)|^2> / <|f_k(x) - f_k(y)|^2>`` with ``tau`` the label-keeping ±1
    displacement (:meth:`ScaleDetection.displace`), ``G_k`` the same with ``x + eta``, ``eta`` Gaussian
    of the displacement's squared norm (:func:`matched_noise`); both by
    :func:`companion.train.relative_sensitivity` (Tomasini et al. 2023; Petrini et al. 2021).
    """
    rng = np.random.default_rng(seed)
    x = sd.images(r1, r2)
    x_tau = sd.images(*sd.displace(r1, r2, rng=rng))
    x_eta = x + matched_noise(x, x_tau, rng=rng)
    reps = [[z] + hidden_outputs(model, torch.from_numpy(z), device=device) for z in (x, x_tau, x_eta)]
    f_x, f_tau, f_eta = reps
    return {"D": [relative_sensitivity(a, b) for a, b in zip(f_x, f_tau)],
            "G": [relative_sensitivity(a, b) for a, b in zip(f_x, f_eta)]}


def _flat(prefix: str, values: list[float]) -> dict[str, float]:
    return {f"{prefix}_{k}": float(v) for k, v in enumerate(values)}


def point(*, arch: str, d: int, xi: int, gap: int, L: int, width: int, filter_size: int, P: int, lr: float,
          batch_size: int, loss_tol: float, max_epochs: int, n_sens: int, seed: int) -> dict:
    """Train one CNN of architecture ``arch`` (a key of :data:`ARCHS`) on a balanced training set of
    ``P`` pairs; test on every other pair. Keys: ``err`` (test error), the training summary of
    :func:`companion.train.train_classifier`, ``D0_k, G0_k`` (initialisation) and ``D_k, G_k``
    (trained) for k = 0..L, and ``zf0_k, zf_k`` (k = 1..L) the filters' zero-frequency fractions."""
    strided, activation = ARCHS[arch]
    sd = ScaleDetection(d=d, xi=xi, gap=gap)
    seeds = stream_seeds(seed)
    split = sd.split(P, seed=seeds["data"])
    device = default_device()
    model = CNN1d(d=d, L=L, width=width, strided=strided, filter_size=filter_size, activation=activation,
                  generator=torch.Generator().manual_seed(seeds["init"])).to(device)
    r1, r2 = split["r1_test"][:n_sens], split["r2_test"][:n_sens]
    s0 = sensitivities(model, sd, r1, r2, seed=seeds["perturb"], device=device)
    zf0 = zero_frequency_fraction(model)
    training = Training(optimizer="adam", lr=lr, batch_size=batch_size, loss_tol=loss_tol, max_epochs=max_epochs)
    fit = train_classifier(model, sd.images(split["r1_train"], split["r2_train"]), split["y_train"],
                           training=training, seed=seeds["order"], device=device)
    test = evaluate(model, sd.images(split["r1_test"], split["r2_test"]), split["y_test"], device=device)
    s1 = sensitivities(model, sd, r1, r2, seed=seeds["perturb"], device=device)
    zf1 = zero_frequency_fraction(model)
    return {"err": test["err"], **fit, "device": str(device),
            **_flat("D0", s0["D"]), **_flat("G0", s0["G"]), **_flat("D", s1["D"]), **_flat("G", s1["G"]),
            **{f"zf0_{k + 1}": v for k, v in enumerate(zf0)}, **{f"zf_{k + 1}": v for k, v in enumerate(zf1)}}


def points(cfg: Config) -> list[dict]:
    """Every trained network of the page: the strided CNN at every P, the non-strided CNN and the
    linear control at the largest P."""
    common = dict(d=cfg.d, xi=cfg.xi, gap=cfg.gap, L=cfg.L, width=cfg.width, filter_size=cfg.filter_size, lr=cfg.lr,
                  batch_size=cfg.batch_size, loss_tol=cfg.loss_tol, n_sens=cfg.n_sens)
    P = max(cfg.P_list)
    out = [dict(arch="nonstrided", P=P, max_epochs=cfg.max_epochs, **common)]
    out += [dict(arch="strided", P=p, max_epochs=cfg.max_epochs, **common) for p in sorted(cfg.P_list, reverse=True)]
    out += [dict(arch="linear", P=P, max_epochs=cfg.linear_max_epochs, **common)]
    return out


def run(cfg: Config) -> pd.DataFrame:
    """Every trained network of the page, ``cfg.seeds`` seeds each, in one cached sweep."""
    table = sweep(point, points(cfg), seeds=range(cfg.seeds))
    return table.sort_values(["arch", "P", "seed"], kind="stable").reset_index(drop=True)


def ideal(cfg: Config, *, seed: int = 0) -> pd.DataFrame:
    """``D_k, G_k, R_k`` of the idealised networks (:data:`IDEALS`) on every pair of the task,
    ``cfg.ideal_draws`` independent draws of displacement and noise: one row per (network, k) with the
    mean over draws and its 95% interval (``D_lo, D_hi`` ...)."""
    sd = ScaleDetection(d=cfg.d, xi=cfg.xi, gap=cfg.gap)
    r1, r2, _ = sd.pairs()
    rows = []
    for name, (strided, activation, kind) in IDEALS.items():
        net = pooling_network(d=cfg.d, L=cfg.L, strided=strided, filter_size=cfg.filter_size, activation=activation,
                              kind=kind)
        draws = [sensitivities(net, sd, r1, r2, seed=s, device=torch.device("cpu"))
                 for s in np.random.SeedSequence(seed).generate_state(cfg.ideal_draws)]
        for k in range(cfg.L + 1):
            row = {"net": name, "k": k}
            for q in ("D", "G", "R"):
                v = [dr["D"][k] / dr["G"][k] if q == "R" else dr[q][k] for dr in draws]
                mean, (lo, hi) = mean_ci(v)
                row |= {q: mean, f"{q}_lo": lo, f"{q}_hi": hi}
            rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- reductions

def log_mean_ci(values, level: float = LEVEL) -> tuple[float, tuple[float, float]]:
    """Geometric mean of positive values with a Student-t interval on the mean of their logs."""
    x = np.asarray(values, dtype=float)
    m, (lo, hi) = mean_ci(np.log(x[x > 0]), level)
    return float(np.exp(m)), (float(np.exp(lo)), float(np.exp(hi)))


def of_arch(runs: pd.DataFrame, arch: str, P: int | None = None) -> pd.DataFrame:
    """The runs of one architecture (at the largest of its sizes when ``P`` is None)."""
    g = runs[runs["arch"] == arch]
    return g[g["P"] == (g["P"].max() if P is None else P)].reset_index(drop=True)


def layer_table(runs: pd.DataFrame, arch: str, L: int) -> pd.DataFrame:
    """Per layer k = 0..L and phase ("init", "trained"): geometric mean over seeds of ``D_k``,
    ``G_k`` and ``R_k = D_k / G_k`` (seed by seed), with 95% intervals, at the largest P."""
    g = of_arch(runs, arch)
    rows = []
    for phase, pre in (("init", "0"), ("trained", "")):
        for k in range(L + 1):
            D, G = g[f"D{pre}_{k}"].to_numpy(), g[f"G{pre}_{k}"].to_numpy()
            row = {"arch": arch, "phase": phase, "k": k, "seeds": len(g)}
            for q, v in (("D", D), ("G", G), ("R", D / G)):
                m, (lo, hi) = log_mean_ci(v)
                row |= {q: m, f"{q}_lo": lo, f"{q}_hi": hi}
            rows.append(row)
    return pd.DataFrame(rows)


def learning_curve(runs: pd.DataFrame, arch: str = "strided") -> pd.DataFrame:
    """Test error per P: mean over seeds with its range."""
    g = runs[runs["arch"] == arch].groupby("P")["err"]
    return pd.DataFrame({"P": g.mean().index, "err": g.mean().to_numpy(), "lo": g.min().to_numpy(),
                         "hi": g.max().to_numpy()})
