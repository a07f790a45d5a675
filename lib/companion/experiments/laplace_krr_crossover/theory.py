"""Spectral-bias theory (Canatar, Bordelon & Pehlevan 2021) on the d = 1 Nyström grid: learning
curves, their exponents, the mean predictor, and the ratio of simulation to theory."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import spectral_bias
from ...fit import fit_power_law
from ...sweep import sweep
from .config import IN_PROCESS, Config, fixed_lam_window, ridgeless_window, theory_nodes


def sb_curve_point(*, chi: float, lam: float, sigma: float, P: int, max_nodes: int) -> dict:
    """Spectral-bias E_g at (P, lam) on a Nyström grid of :func:`theory_nodes` nodes (NaN if too large)."""
    n = theory_nodes(P=P, lam=lam, sigma=sigma, max_nodes=max_nodes)
    if n is None:
        return {"E_g": np.nan, "kappa": np.nan, "n_nodes": 0}
    r = spectral_bias.sb_point(d=1, P=P, chi=chi, lam=lam, sigma=sigma, n_nodes=n)
    return {"E_g": r["E_g"], "kappa": r["kappa"], "n_nodes": n}


def sb_curves(cfg: Config) -> pd.DataFrame:
    """The theory at every (chi, lam, P) of the d = 1 learning curves (deterministic)."""
    return sweep(sb_curve_point, {"chi": list(cfg.chis), "lam": list(cfg.lams), "sigma": [cfg.sigma],
                                  "P": list(cfg.P_1d), "max_nodes": [cfg.max_nodes]}, seeds=(None,),
                 n_workers=cfg.workers)


def theory_local_slopes(theory: pd.DataFrame, *, chi: float, lam: float) -> pd.DataFrame:
    g = theory[(theory["chi"] == chi) & (theory["lam"] == lam)].dropna(subset=["E_g"]).sort_values("P")
    P, E = g["P"].to_numpy(dtype=float), g["E_g"].to_numpy()
    return pd.DataFrame({"P_mid": np.sqrt(P[1:] * P[:-1]), "beta": -np.diff(np.log(E)) / np.diff(np.log(P))})


def theory_exponents_1d(theory: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """The theory's own beta per chi, ridgeless and at lam_fixed, in the windows of the simulations
    (ridgeless: restricted to the sizes where the theory was computed), with ``drift``: half the
    range of its local slopes over the window — how far one exponent is from describing the window
    (the accuracy of a single-exponent summary of a deterministic curve)."""
    rows = []
    for chi in cfg.chis:
        for regime, lam in (("ridgeless", 0.0), ("fixed_lam", cfg.lam_fixed)):
            g = theory[(theory["chi"] == chi) & (theory["lam"] == lam)].dropna(subset=["E_g"])
            win = (ridgeless_window(g["P"].tolist()) if regime == "ridgeless" and not g.empty else
                   fixed_lam_window(cfg.P_1d, lam=lam, d=1, chi=chi, sigma=cfg.sigma) if regime == "fixed_lam" else None)
            if win is None or g.empty:
                rows.append({"chi": chi, "regime": regime, "window": None, "beta": np.nan, "drift": np.nan})
                continue
            f = fit_power_law(g["P"].to_numpy(), g["E_g"].to_numpy(), window=win)
            s = theory_local_slopes(g, chi=chi, lam=lam)
            s = s[(s["P_mid"] >= win[0]) & (s["P_mid"] <= win[1])]["beta"]
            rows.append({"chi": chi, "regime": regime, "window": win, "beta": -f.exponent,
                         "drift": 0.5 * float(s.max() - s.min())})
    return pd.DataFrame(rows)


def ratio_table(curves: pd.DataFrame, theory: pd.DataFrame) -> pd.DataFrame:
    """Per-seed simulated MSE over the theory's E_g at the same (chi, lam, P)."""
    t = curves.merge(theory[["chi", "lam", "P", "E_g"]], on=["chi", "lam", "P"])
    t["ratio"] = t["mse"] / t["E_g"]
    return t


def sb_mean_predictor(*, chi: float, P: int, lam: float, sigma: float, max_nodes: int) -> dict:
    """The spectral-bias mean predictor at the nodes of a Nyström grid fine enough for (P, lam):
    :meth:`companion.spectral_bias.NystromGrid.mean_predictor`. Returns ``{"x", "f_bar", "kappa"}``."""
    n = theory_nodes(P=P, lam=lam, sigma=sigma, max_nodes=max_nodes)
    if n is None:
        raise ValueError(f"max_nodes = {max_nodes} is too small for the theory at P = {P}, lam = {lam}")
    grid = spectral_bias.nystrom_grid_1d(chi=chi, sigma=sigma, n_nodes=n)
    kappa = grid.theory(P=P, lam=lam)["kappa"]
    return {"x": grid.x, "f_bar": grid.mean_predictor(P=P, kappa=kappa), "kappa": kappa}


def mean_predictors(cfg: Config) -> pd.DataFrame:
    return sweep(sb_mean_predictor, {"chi": [cfg.predictor_chi], "P": [cfg.predictor_P],
                                     "lam": list(cfg.predictor_lams), "sigma": [cfg.sigma],
                                     "max_nodes": [cfg.max_nodes]}, seeds=(None,), n_workers=IN_PROCESS)
