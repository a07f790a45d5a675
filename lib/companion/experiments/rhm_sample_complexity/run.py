"""Training runs of the page: deep CNNs and shallow nets on RHM data, through one cached sweep.

:func:`point` is the sweep's unit of work (one network trained on one training set); :func:`run`
sends every point of the page to :func:`companion.sweep.sweep` at once (largest first, so two workers
stay busy) and returns one tidy table, which the other functions split and reduce.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import scipy.stats
import torch

from ...fit import LEVEL
from ...rhm import RHM, one_hot
from ...sweep import sweep
from ...train import (FullyConnected, HierarchicalCNN, Training, default_device, evaluate, hidden_outputs,
                      relative_sensitivity, train_classifier)
from .config import Config, P_grid, control_grammar, grammar, shallow_grid

#: Kinds of run, in the order the page discusses them.
KINDS = ("deep", "shallow", "control")


def stream_seeds(seed: int) -> dict[str, int]:
    """Independent seeds of one run's data, initialisation, batch order and synonym exchanges,
    spawned from ``seed`` (which itself seeds the grammar)."""
    children = np.random.SeedSequence(seed).spawn(4)
    return {name: int(c.generate_state(1)[0]) for name, c in zip(("data", "init", "order", "exchange"), children)}


def sensitivities(model, g: RHM, digits: np.ndarray, *, seed: int, device) -> dict[str, float]:
    """Synonymic sensitivities ``S_{k,l}`` of every hidden layer ``k`` to exchanges at every level
    ``l <= k`` (the exchanges a perfectly trained layer k is invariant to), on the data ``digits``.

    ``S_{k,l} = <|f_k(x) - f_k(P_l x)|^2>_x / <|f_k(x) - f_k(y)|^2>_{x,y}`` (Cagnetta et al. 2024), with
    ``P_l`` the exchange of :meth:`companion.rhm.RHM.exchange_synonyms`. Keys ``"S_k_l"``.
    """
    encode = functools.partial(one_hot, v=g.v)
    x, _ = g.generate(digits)
    f_x = hidden_outputs(model, torch.from_numpy(x), encode=encode, device=device)
    rng = np.random.default_rng(seed)
    out = {}
    for level in range(1, g.L + 1):
        x_moved, _ = g.generate(g.exchange_synonyms(digits, level, rng=rng))
        f_moved = hidden_outputs(model, torch.from_numpy(x_moved), encode=encode, device=device)
        for k in range(level, g.L + 1):
            out[f"S_{k}_{level}"] = relative_sensitivity(f_x[k - 1], f_moved[k - 1])
    return out


def point(*, net: str, v: int, n_c: int, s: int, m: int, L: int, uncorrelated: bool, P: int, P_pool: int,
          P_test: int, width: int, lr: float, batch_size: int, loss_tol: float, max_epochs: int, n_sens: int,
          seed: int) -> dict:
    """Train one network on the first ``P`` of a pool of ``P_pool`` training points; test it.

    ``seed`` fixes the grammar and, through :func:`stream_seeds`, the data (a test set of ``P_test``
    points and a training pool, disjoint, drawn together without replacement — training sets of one
    seed are nested and share the test set), the initialisation and the batch order.
    ``net`` is ``"cnn"`` (:class:`HierarchicalCNN`, filter = stride = s, depth L) or ``"fc"`` (one
    hidden layer, :class:`FullyConnected`). For CNNs the synonymic sensitivities are measured on
    ``n_sens`` test points before (``S0_k_l``) and after (``S_k_l``) training.
    """
    g = RHM(v=v, m=m, s=s, L=L, n_c=n_c, seed=seed, uncorrelated=uncorrelated)
    seeds = stream_seeds(seed)
    digits = g.digits(g.sample_indices(P_test + P_pool, seed=seeds["data"]))
    x, y = g.generate(digits)
    x_train, y_train = torch.from_numpy(x[P_test:P_test + P]), y[P_test:P_test + P]
    x_test, y_test = torch.from_numpy(x[:P_test]), y[:P_test]
    device = default_device()
    gen = torch.Generator().manual_seed(seeds["init"])
    if net == "cnn":
        model = HierarchicalCNN(v=v, s=s, L=L, width=width, n_out=n_c, generator=gen)
    elif net == "fc":
        model = FullyConnected(d_in=v * g.d, width=width, n_out=n_c, generator=gen)
    else:
        raise ValueError(f"net must be one of 'cnn', 'fc'; got {net!r}")
    model.to(device)
    encode = functools.partial(one_hot, v=v)
    out = {}
    if net == "cnn":
        out |= {f"S0_{k[2:]}": val for k, val in
                sensitivities(model, g, digits[:n_sens], seed=seeds["exchange"], device=device).items()}
    training = Training(optimizer="adam", lr=lr, batch_size=batch_size, loss_tol=loss_tol, max_epochs=max_epochs)
    fit = train_classifier(model, x_train, y_train, training=training, seed=seeds["order"], encode=encode, device=device)
    test = evaluate(model, x_test, y_test, encode=encode, device=device)
    out |= {"err": test["err"], "test_loss": test["loss"], **fit, "device": str(device)}
    if net == "cnn":
        out |= sensitivities(model, g, digits[:n_sens], seed=seeds["exchange"], device=device)
    return out


def _common(cfg: Config) -> dict:
    return dict(s=cfg.s, lr=cfg.lr, batch_size=cfg.batch_size, loss_tol=cfg.loss_tol, max_epochs=cfg.max_epochs)


def points(cfg: Config) -> list[tuple[dict, range]]:
    """Every run of the page: ``(grid point, seeds)`` groups, one group per kind."""
    common = _common(cfg)
    deep, shallow, control = [], [], []
    for m, L in cfg.pairs:
        g = grammar(cfg, m, L)
        Ps = P_grid(cfg.P_ratios, g.P_c)
        deep += [dict(kind="deep", net="cnn", v=cfg.v, n_c=cfg.n_c, m=m, L=L, uncorrelated=False, P=P, P_pool=max(Ps),
                      P_test=cfg.P_test, width=cfg.width, n_sens=cfg.n_sens, **common) for P in Ps]
    for m, L in cfg.shallow_pairs:
        g = grammar(cfg, m, L)
        Ps = shallow_grid(cfg, g)
        shallow += [dict(kind="shallow", net="fc", v=cfg.v, n_c=cfg.n_c, m=m, L=L, uncorrelated=False, P=P,
                         P_pool=max(Ps), P_test=min(cfg.P_test, g.P_max - max(Ps)), width=cfg.shallow_width,
                         n_sens=cfg.n_sens, **common) for P in Ps]
    for unc in (False, True):
        g = control_grammar(cfg, uncorrelated=unc)
        Ps = P_grid(cfg.control_ratios, g.P_c)
        control += [dict(kind="control", net="cnn", v=g.v, n_c=g.n_c, m=g.m, L=g.L, uncorrelated=unc, P=P,
                         P_pool=max(Ps), P_test=cfg.P_test, width=cfg.width, n_sens=cfg.n_sens, **common) for P in Ps]
    return [(p, range(cfg.seeds)) for p in deep] + [(p, range(cfg.shallow_seeds)) for p in shallow] + \
        [(p, range(cfg.control_seeds)) for p in control]


def _work(p: dict) -> float:
    """A rough cost model (samples x per-sample cost) used only to start the largest runs first."""
    return p["P"] * p["v"] * (p["width"] if p["net"] == "fc" else p["width"] * p["L"]) * (p["s"] ** p["L"])


def run(cfg: Config) -> pd.DataFrame:
    """Every run of the page in one cached, parallel sweep (:func:`companion.sweep.sweep`).

    Returns one row per (run, seed): the grid point (kind, net, m, L, P, ...), ``seed``, the test
    error ``err``, the training summary of :func:`companion.train.train_classifier` and, for CNNs,
    the sensitivities; plus ``P_c = n_c m^L``, ``P_max`` and ``ratio = P / P_c``.
    """
    jobs = [({**p, "seed": sd}) for p, seeds in points(cfg) for sd in seeds]
    order = sorted(range(len(jobs)), key=lambda i: -_work(jobs[i]))
    grid = [{k: v for k, v in jobs[i].items() if k != "seed"} | {"seed_": jobs[i]["seed"]} for i in order]
    table = sweep(_run_seeded, grid, seeds=(None,))
    table = table.drop(columns="seed").rename(columns={"seed_": "seed"})
    table["P_c"] = table["n_c"] * table["m"].astype(int) ** table["L"].astype(int)
    table["P_max"] = [float(RHM(v=int(r.v), m=int(r.m), s=int(r.s), L=int(r.L), n_c=int(r.n_c), seed=0).P_max)
                      for r in table.itertuples()]
    table["ratio"] = table["P"] / table["P_c"]
    return table.sort_values(["kind", "uncorrelated", "L", "m", "seed", "P"], kind="stable").reset_index(drop=True)


def _run_seeded(*, kind: str, seed_: int, **kw) -> dict:
    """The sweep's function: every grid point carries its own seed (``seed_``), so that the whole
    page is one list ordered by cost, and the sweep (``seeds=(None,)``) adds none."""
    return point(seed=seed_, **kw)


# --------------------------------------------------------------------------- reductions

def chance_error(n_c: int) -> float:
    """Error of a guess: ``1 - 1/n_c``."""
    return 1.0 - 1.0 / n_c


def crossing(P: np.ndarray, err: np.ndarray, level: float) -> float:
    """First training-set size where the test error falls below ``level``: linear interpolation of
    the error in ``log P`` between the last size at or above ``level`` and the first below it.

    nan when the error is below ``level`` already at the smallest size (not bracketed) or never.
    """
    P, err = np.asarray(P, dtype=float), np.asarray(err, dtype=float)
    below = np.flatnonzero(err < level)
    if below.size == 0 or below[0] == 0:
        return float("nan")
    i = below[0]
    t = (err[i - 1] - level) / (err[i - 1] - err[i])
    return float(np.exp(np.log(P[i - 1]) + t * (np.log(P[i]) - np.log(P[i - 1]))))


def sample_complexity(table: pd.DataFrame, *, threshold: float) -> pd.DataFrame:
    """``P*`` per (m, L, seed): where the test error first falls below ``threshold`` times chance.

    Columns ``m, L, seed, P_c, P_max, P_star, ratio_star = P_star / P_c, frac_star = P_star / P_max``.
    """
    rows = []
    for (m, L, seed), g in table.groupby(["m", "L", "seed"], sort=True):
        g = g.sort_values("P")
        level = threshold * chance_error(int(g["n_c"].iloc[0]))
        P_star = crossing(g["P"].to_numpy(), g["err"].to_numpy(), level)
        rows.append(dict(m=m, L=L, seed=seed, P_c=int(g["P_c"].iloc[0]), P_max=float(g["P_max"].iloc[0]),
                         P_star=P_star, ratio_star=P_star / g["P_c"].iloc[0], frac_star=P_star / g["P_max"].iloc[0]))
    return pd.DataFrame(rows)


def log_mean_ci(values, level: float = LEVEL) -> tuple[float, tuple[float, float], int]:
    """Geometric mean of positive ``values`` with a Student-t interval on the mean of the logs
    (finite values only): ``(mean, (lo, hi), n)``; nan when fewer than two finite values."""
    x = np.log(np.asarray([v for v in values if np.isfinite(v) and v > 0], dtype=float))
    if x.size < 2:
        return float("nan"), (float("nan"), float("nan")), int(x.size)
    half = scipy.stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size)
    return float(np.exp(x.mean())), (float(np.exp(x.mean() - half)), float(np.exp(x.mean() + half))), int(x.size)


def mean_ci(values, level: float = LEVEL) -> tuple[float, tuple[float, float]]:
    """Mean with a Student-t interval (finite values; nan when fewer than two)."""
    x = np.asarray([v for v in values if np.isfinite(v)], dtype=float)
    if x.size < 2:
        return float("nan"), (float("nan"), float("nan"))
    half = scipy.stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size)
    return float(x.mean()), (float(x.mean() - half), float(x.mean() + half))


def of_kind(table: pd.DataFrame, kind: str) -> pd.DataFrame:
    return table[table["kind"] == kind].reset_index(drop=True)
