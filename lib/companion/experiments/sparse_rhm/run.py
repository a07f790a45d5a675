"""Training runs of the page: LCNs and CNNs on sparse-RHM data, through one cached sweep.

:func:`point` is the sweep's unit of work (one network trained on one training set, its test error
and its sensitivities before and after training); :func:`run` sends every point to
:func:`companion.sweep.sweep` at once (largest first) and returns one tidy table, which the other
functions reduce (P*, P*_S, P*_D, the cost of sparsity).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import torch

from ...fit import PowerLawFit, fit_power_law_seeds
from ...lcn import make_net
from ...sparse_rhm import SparseRHM, one_hot
from ...sweep import sweep
from ...train import Training, default_device, evaluate, hidden_outputs, relative_sensitivity, train_classifier
from ..rhm_sample_complexity.run import chance_error, crossing, log_mean_ci, mean_ci  # noqa: F401 (re-exported)
from .config import Config, P_grid, model, test_size

#: The hidden layer and the level of the sensitivities: S_2 = S_{2,1}, D_2 = D_{2,1}.
LAYER, LEVEL = 2, 1


def stream_seeds(seed: int) -> dict[str, int]:
    """Independent seeds of one run's data, initialisation, batch order, and the two transformations'
    own streams (synonym exchanges, diffeomorphisms), spawned from ``seed`` (which seeds the grammar)."""
    children = np.random.SeedSequence(seed).spawn(5)
    return {name: int(c.generate_state(1)[0])
            for name, c in zip(("data", "init", "order", "synonyms", "diffeos"), children)}


def sensitivities(net, g: SparseRHM, digits: np.ndarray, *, seeds: dict, device) -> dict[str, float]:
    """``S_2`` and ``D_2``: relative sensitivity of hidden layer 2 to a synonym exchange and to a
    diffeomorphism at level 1 (:func:`companion.train.relative_sensitivity`), on the data ``digits``.

    ``D_2`` is nan at ``s0 = 0`` (no empty slots: the diffeomorphism is the identity).
    """
    encode = functools.partial(one_hot, v=g.v)
    f_x = hidden_outputs(net, torch.from_numpy(g.generate(digits)[0]), encode=encode, device=device)[LAYER - 1]
    moved = {"S_2": g.exchange_synonyms(digits, LEVEL, rng=np.random.default_rng(seeds["synonyms"])),
             "D_2": g.diffeo(digits, LEVEL, rng=np.random.default_rng(seeds["diffeos"]))}
    out = {}
    for name, d in moved.items():
        if name == "D_2" and g.s0 == 0:
            out[name] = float("nan")
            continue
        f_m = hidden_outputs(net, torch.from_numpy(g.generate(d)[0]), encode=encode, device=device)[LAYER - 1]
        out[name] = relative_sensitivity(f_x, f_m)
    return out


def point(*, arch: str, L: int, v: int, m: int, n_c: int, s: int, s0: int, P: int, P_pool: int, P_test: int,
          width: int, lr: float, batch_size: int, loss_tol: float, max_epochs: int, n_sens: int, seed: int) -> dict:
    """Train one network (``arch`` = ``"lcn"`` or ``"cnn"``, filter size = stride = s(s0+1)) on the
    first ``P`` of a pool of ``P_pool`` training points of the sparse RHM; test it on ``P_test`` points
    (disjoint, drawn together without replacement: the training sets of one seed are nested and share
    the test set). ``S_2``, ``D_2`` on ``n_sens`` test points before (``S0_2``, ``D0_2``) and after training."""
    g = SparseRHM(v=v, m=m, s=s, L=L, n_c=n_c, s0=s0, seed=seed)
    seeds = stream_seeds(seed)
    digits = g.digits(g.sample_indices(P_test + P_pool, seed=seeds["data"]))
    x, y = g.generate(digits)
    x_train, y_train = torch.from_numpy(x[P_test:P_test + P]), y[P_test:P_test + P]
    x_test, y_test = torch.from_numpy(x[:P_test]), y[:P_test]
    device = default_device()
    net = make_net(arch, v=v, s=s, s0=s0, L=L, width=width, n_out=n_c,
                   generator=torch.Generator().manual_seed(seeds["init"])).to(device)
    encode = functools.partial(one_hot, v=v)
    out = {f"{k[0]}0_2": val for k, val in sensitivities(net, g, digits[:n_sens], seeds=seeds, device=device).items()}
    training = Training(optimizer="adam", lr=lr, batch_size=batch_size, loss_tol=loss_tol, max_epochs=max_epochs)
    fit = train_classifier(net, x_train, y_train, training=training, seed=seeds["order"], encode=encode, device=device)
    test = evaluate(net, x_test, y_test, encode=encode, device=device)
    out |= {"err": test["err"], "test_loss": test["loss"], **fit, "device": str(device)}
    out |= sensitivities(net, g, digits[:n_sens], seeds=seeds, device=device)
    return out


def points(cfg: Config) -> list[dict]:
    """Every run of the page (without its seed)."""
    out = []
    for L, v, m, n_c in cfg.grammars:
        for s0 in cfg.s0s:
            Ps = P_grid(cfg, L, s0)
            for arch in cfg.archs:
                out += [dict(arch=arch, L=L, v=v, m=m, n_c=n_c, s=cfg.s, s0=s0, P=P, P_pool=max(Ps),
                             P_test=test_size(cfg, L, s0), width=cfg.width, lr=cfg.lr, batch_size=cfg.batch_size,
                             loss_tol=cfg.loss_tol, max_epochs=cfg.max_epochs,
                             n_sens=min(cfg.n_sens, test_size(cfg, L, s0))) for P in Ps]
    return out


def _work(p: dict) -> float:
    """A rough cost model (samples x input length) used only to start the largest runs first."""
    return p["P"] * (p["s"] * (p["s0"] + 1)) ** p["L"] * (2 if p["arch"] == "lcn" else 1)


def run(cfg: Config) -> pd.DataFrame:
    """Every run of the page in one cached, parallel sweep (:func:`companion.sweep.sweep`).

    One row per (run, seed): the grid point, ``seed``, the test error ``err``, the training summary of
    :func:`companion.train.train_classifier`, ``S0_2, D0_2, S_2, D_2``; plus ``P_c = n_c m^L`` and
    ``ratio = P / P_c``.
    """
    jobs = [{**p, "seed_": sd} for p in points(cfg) for sd in range(cfg.seeds)]
    jobs.sort(key=lambda j: -_work(j))
    table = sweep(_run_seeded, jobs, seeds=(None,))
    table = table.drop(columns="seed").rename(columns={"seed_": "seed"})
    table["P_c"] = table["n_c"] * table["m"] ** table["L"]
    table["ratio"] = table["P"] / table["P_c"]
    return table.sort_values(["L", "arch", "s0", "seed", "P"], kind="stable").reset_index(drop=True)


def _run_seeded(*, seed_: int, **kw) -> dict:
    """The sweep's function: every grid point carries its own seed (``seed_``)."""
    return point(seed=seed_, **kw)


# --------------------------------------------------------------------------- reductions

def thresholds(table: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """Per (L, arch, s0, seed): ``P_star`` (test error below ``threshold`` x chance), ``P_half``
    (test error below half of chance), ``P_S`` and ``P_D`` (``S_2``, ``D_2`` below ``sens_fraction``
    x their untrained value, the same seed), all interpolated in log P (:func:`crossing`); nan where
    not bracketed by the grid."""
    rows = []
    for (L, arch, s0, seed), g in table.groupby(["L", "arch", "s0", "seed"], sort=True):
        g = g.sort_values("P")
        P, chance = g["P"].to_numpy(), chance_error(int(g["n_c"].iloc[0]))
        row = dict(L=L, arch=arch, s0=s0, seed=seed, P_c=int(g["P_c"].iloc[0]),
                   P_star=crossing(P, g["err"].to_numpy(), cfg.threshold * chance),
                   P_half=crossing(P, g["err"].to_numpy(), 0.5 * chance))
        for name in ("S", "D"):
            S0 = float(g[f"{name}0_2"].mean())
            row[f"P_{name}"] = (crossing(P, g[f"{name}_2"].to_numpy(), cfg.sens_fraction * S0)
                                if np.isfinite(S0) else float("nan"))
        rows.append(row)
    return pd.DataFrame(rows)


def sparsity_exponents(ps: pd.DataFrame, *, every: int = 1) -> pd.DataFrame:
    """Per (L, arch, seed): the slope ``alpha`` of log P*(s0) against log(s0 + 1) (least squares over
    the s0 of the page; nan if any P* of the seed is unmeasured). ``every = 2`` uses P* read on every
    other grid point (column ``P_star_coarse``) instead."""
    col = "P_star" if every == 1 else "P_star_coarse"
    rows = []
    for (L, arch, seed), g in ps.groupby(["L", "arch", "seed"], sort=True):
        g = g.sort_values("s0")
        y = g[col].to_numpy(dtype=float)
        alpha = (float(np.polyfit(np.log(g["s0"].to_numpy() + 1.0), np.log(y), 1)[0])
                 if np.all(np.isfinite(y)) and np.all(y > 0) else float("nan"))
        rows.append(dict(L=L, arch=arch, seed=seed, alpha=alpha))
    return pd.DataFrame(rows)


def coarse_P_star(table: pd.DataFrame, cfg: Config) -> pd.Series:
    """P* read on every other point of each grid (the grid step doubled), aligned with
    :func:`thresholds`' rows: the change it makes estimates the interpolation error."""
    out = []
    for (L, arch, s0, seed), g in table.groupby(["L", "arch", "s0", "seed"], sort=True):
        g = g.sort_values("P").iloc[::2]
        out.append(crossing(g["P"].to_numpy(), g["err"].to_numpy(), cfg.threshold * chance_error(int(g["n_c"].iloc[0]))))
    return pd.Series(out)


def exponent_fit(ps: pd.DataFrame, L: int, arch: str) -> PowerLawFit:
    """P*(s0) against s0 + 1 fitted seed by seed (:func:`companion.fit.fit_power_law_seeds`), the
    interval over seeds; seeds with an unmeasured P* at some s0 are left out."""
    sel = ps[(ps["L"] == L) & (ps["arch"] == arch)]
    Y = sel.pivot(index="seed", columns="s0", values="P_star").sort_index(axis=1).dropna(axis=0, how="any")
    if Y.shape[0] < 2:
        nan = float("nan")
        return PowerLawFit(exponent=nan, ci=(nan, nan), prefactor=nan, window=(nan, nan), n_points=int(Y.shape[1]))
    return fit_power_law_seeds(Y.columns.to_numpy(dtype=float) + 1.0, Y.to_numpy())
