"""d = 1, exact: learning curves split by region, the extreme gaps, the crossover ridge, the spread
over training sets, and one predictor near the interface (:func:`companion.laplace.solve_1d`)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import scipy.optimize

from ... import laplace
from ...fit import fit_power_law_seeds
from ...sweep import sweep
from ...validate import check_float, check_int, check_int_list
from .config import (CROSSOVER_FACTOR, IN_PROCESS, LOG_LAM_XTOL, Config, jackknife_ci, exponents,
                     fixed_lam_window, lam_star, mean_ci, ridgeless_window)

#: The three regions of the d = 1 test error (:meth:`companion.laplace.LaplaceKRR1D.test_mse_parts`).
PARTS = ("gap", "bulk", "tails")


# --------------------------------------------------------------------------- learning curves

def learning_curve_1d(*, chi: float, lam: float, sigma: float, P_list, seed: int) -> list[dict]:
    """Exact d = 1 test MSE on nested training sets (the first P points of one sample), one seed.

    Rows ``{"P", "mse", "mse_gap", "mse_bulk", "mse_tails", "r_A", "r_B"}``: the test MSE, its
    split into the interface gap (x_A, x_B), the bulk and the tails beyond the outermost training
    points, and the distances r_A, r_B of x_A < 0 < x_B from the interface.
    """
    data = laplace.InterfaceData(d=1, chi=chi)
    P_list = check_int_list("P_list", P_list, lo=1)
    X, y = data.sample(max(P_list), seed=seed)
    rows = []
    for P in P_list:
        model = laplace.solve_1d(X[:P, 0], y[:P], lam=lam, sigma=sigma)
        parts = model.test_mse_parts(data)
        r_a, r_b = model.extreme_gaps()
        rows.append({"P": P, "mse": sum(parts.values()), **{f"mse_{k}": v for k, v in parts.items()},
                     "r_A": r_a, "r_B": r_b})
    return rows


def learning_curves_1d(cfg: Config) -> pd.DataFrame:
    return sweep(learning_curve_1d, {"chi": list(cfg.chis), "lam": list(cfg.lams), "sigma": [cfg.sigma],
                                     "P_list": [list(cfg.P_1d)]}, seeds=range(cfg.seeds_1d), n_workers=cfg.workers)


def exponent_row(P, Y, window, **meta) -> dict:
    """beta (MSE ~ P^-beta) of the curves Y (n_seeds, n_P) in ``window``: mean of per-seed slopes,
    Student-t interval over seeds; NaN if ``window`` is None or a value is not positive."""
    if window is None or not np.all(np.asarray(Y)[:, (P >= window[0]) & (P <= window[1])] > 0):
        return {**meta, "window": window, "beta": np.nan, "ci": (np.nan, np.nan)}
    f = fit_power_law_seeds(P, Y, window=window)
    return {**meta, "window": window, "beta": -f.exponent, "ci": (-f.ci[1], -f.ci[0])}


def _pivot(curves: pd.DataFrame, chi: float, lam: float, col: str = "mse") -> pd.DataFrame:
    return curves[(curves["chi"] == chi) & (curves["lam"] == lam)].pivot(index="seed", columns="P", values=col)


def fit_exponents_1d(curves: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """Fitted beta per chi: ridgeless (total and each region) and at lam_fixed, in the stated windows."""
    rows = []
    for chi in cfg.chis:
        for regime, lam, col in (("ridgeless", 0.0, "mse"), ("ridgeless_gap", 0.0, "mse_gap"),
                                 ("ridgeless_tails", 0.0, "mse_tails"), ("fixed_lam", cfg.lam_fixed, "mse")):
            Y = _pivot(curves, chi, lam, col)
            win = (fixed_lam_window(cfg.P_1d, lam=lam, d=1, chi=chi, sigma=cfg.sigma) if regime == "fixed_lam"
                   else ridgeless_window(cfg.P_1d))
            rows.append(exponent_row(Y.columns.to_numpy(), Y.to_numpy(), win, d=1, chi=chi, regime=regime, lam=lam))
    return pd.DataFrame(rows)


def local_slopes(curves: pd.DataFrame, *, chi: float, lam: float) -> pd.DataFrame:
    """-d log MSE / d log P between consecutive sizes, per seed -> mean and 95% interval (at the
    geometric midpoint of each pair)."""
    Y = _pivot(curves, chi, lam)
    P = Y.columns.to_numpy(dtype=float)
    s = -np.diff(np.log(Y.to_numpy()), axis=1) / np.diff(np.log(P))
    stats = [mean_ci(s[:, j]) for j in range(s.shape[1])]
    return pd.DataFrame({"P_mid": np.sqrt(P[1:] * P[:-1]), "beta": [m for m, _ in stats],
                         "lo": [c[0] for _, c in stats], "hi": [c[1] for _, c in stats]})


def region_table(curves: pd.DataFrame) -> pd.DataFrame:
    """Ridgeless: the share of the test MSE in each region per (chi, P): mean over seeds of the
    per-seed fraction, and the geometric mean of each region's MSE."""
    g = curves[curves["lam"] == 0.0]
    out = g[["chi", "P", "seed"]].copy()
    for k in PARTS:
        out[f"frac_{k}"] = g[f"mse_{k}"] / g["mse"]
        out[f"log_{k}"] = np.log(g[f"mse_{k}"].clip(lower=1e-300))
    out["log_mse"] = np.log(g["mse"])
    m = out.groupby(["chi", "P"], as_index=False).mean(numeric_only=True).drop(columns="seed")
    for k in [*PARTS, "mse"]:
        m[k if k == "mse" else f"mse_{k}"] = np.exp(m.pop(f"log_{k}"))
    return m


# --------------------------------------------------------------------------- the extreme gaps

def gap_table(curves: pd.DataFrame) -> pd.DataFrame:
    """Ridgeless, per training set: G = r_A^{1+chi} + r_B^{1+chi} and the errors, each multiplied by P
    (the ridgeless law P^-1 removed, so that every size lies on one scale)."""
    g = curves[curves["lam"] == 0.0].copy()
    g["G"] = g["r_A"] ** (1.0 + g["chi"]) + g["r_B"] ** (1.0 + g["chi"])
    for col in ("G", "mse", "mse_gap"):
        g[f"{col}_P"] = g[col] * g["P"]
    return g


def gap_slope(table: pd.DataFrame, *, chi: float, col: str = "mse_gap", window=None) -> dict:
    """Slope of log(error) on log G across training sets of the same size (sizes pooled after removing
    each size's mean, i.e. a fixed-effects regression), with a jackknife interval over seeds; and the
    correlation coefficient of the centred logs.

    The mechanism (the error is set by the two extreme gaps) predicts slope 1: for Poisson points of
    intensity ∝ |x|^chi, r_A^{1+chi} and r_B^{1+chi} are i.i.d. exponential, so r_A / r_B is
    independent of G and the error, G times a function of that ratio, has log-slope exactly 1 on G.
    """
    g = table[table["chi"] == chi]
    if window is not None:
        g = g[(g["P"] >= window[0]) & (g["P"] <= window[1])]
    seeds = np.sort(g["seed"].unique())
    lx = np.log(g.pivot(index="seed", columns="P", values="G").loc[seeds].to_numpy())
    ly = np.log(g.pivot(index="seed", columns="P", values=col).loc[seeds].to_numpy())

    def stat(idx, corr=False):
        x, y = lx[idx], ly[idx]
        x, y = x - x.mean(axis=0), y - y.mean(axis=0)
        if corr:
            return float(np.sum(x * y) / math.sqrt(np.sum(x * x) * np.sum(y * y)))
        return float(np.sum(x * y) / np.sum(x * x))

    every = np.arange(seeds.size)
    return {"chi": chi, "col": col, "slope": stat(every), "ci": jackknife_ci(stat, seeds.size),
            "corr": stat(every, corr=True), "window": window}


# --------------------------------------------------------------------------- spread over training sets

def spread_table(curves: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """Coefficient of variation of the test MSE over training sets (sd/mean over seeds) per
    (chi, lam, P), against t = lam / lam*(P)."""
    g = curves.groupby(["chi", "lam", "P"])["mse"]
    m = g.agg(mean="mean", sd="std").reset_index()
    m["cv"] = m["sd"] / m["mean"]
    m["t"] = m["lam"] / lam_star(m["P"], d=1, chi=m["chi"].to_numpy(), sigma=cfg.sigma)
    return m


def spread_slope(curves: pd.DataFrame, *, chi: float, lam: float, window) -> dict:
    """Exponent of the coefficient of variation in P over ``window`` (least squares on log-log),
    with a jackknife interval over seeds (leaving out whole seeds)."""
    Y = _pivot(curves, chi, lam)
    P = Y.columns.to_numpy(dtype=float)
    sel = (P >= window[0]) & (P <= window[1])
    Y, lP = Y.to_numpy()[:, sel], np.log(P[sel])

    def stat(idx):
        v = Y[idx]
        cv = v.std(axis=0, ddof=1) / v.mean(axis=0)
        return float(np.polyfit(lP, np.log(cv), 1)[0]) if np.all(cv > 0) else np.nan

    every = np.arange(Y.shape[0])
    cv = Y.std(axis=0, ddof=1) / Y.mean(axis=0)
    return {"chi": chi, "lam": lam, "window": window, "slope": stat(every), "ci": jackknife_ci(stat, Y.shape[0]),
            "cv_lo": float(cv[0]), "cv_hi": float(cv[-1])}


# --------------------------------------------------------------------------- crossover ridge

def crossover_point_1d(*, chi: float, sigma: float, P: int, factor: float, seed: int) -> dict:
    """lam_x: the ridge at which the test MSE reaches ``factor`` x its ridgeless value, same training set.

    Root of log(MSE(lam)/MSE(0)) - log(factor) in log lam (brentq), bracketed outward from lam*(P).
    Returns ``{"lam_x", "mse0", "lam_star"}``.
    """
    data = laplace.InterfaceData(d=1, chi=chi)
    factor = check_float("factor", factor, lo=1.0, lo_open=True)
    X, y = data.sample(check_int("P", P, lo=2), seed=seed)
    x = X[:, 0]
    mse0 = laplace.solve_1d(x, y, lam=0.0, sigma=sigma).test_mse(data)
    g = lambda u: math.log(laplace.solve_1d(x, y, lam=math.exp(u), sigma=sigma).test_mse(data) / mse0) - math.log(factor)
    ls = float(lam_star(P, d=1, chi=chi, sigma=sigma))
    lo = hi = math.log(ls)
    while g(lo) > 0:
        lo -= math.log(10.0)
    while g(hi) < 0:
        hi += math.log(10.0)
        if hi > math.log(ls) + 40:
            raise ValueError(f"the MSE never reaches {factor} x its ridgeless value (P = {P}, chi = {chi})")
    u = scipy.optimize.brentq(g, lo, hi, xtol=LOG_LAM_XTOL)
    return {"lam_x": math.exp(u), "mse0": mse0, "lam_star": ls}


def crossover_ridges(cfg: Config) -> pd.DataFrame:
    return sweep(crossover_point_1d, {"chi": list(cfg.chis), "sigma": [cfg.sigma], "P": list(cfg.crossover_P),
                                      "factor": [CROSSOVER_FACTOR]}, seeds=range(cfg.crossover_seeds),
                 n_workers=IN_PROCESS)


def crossover_fits(table: pd.DataFrame) -> pd.DataFrame:
    """Exponent of lam_x(P) per chi (per-seed fits, Student-t interval over seeds)."""
    rows = []
    for chi, g in table.groupby("chi"):
        Y = g.pivot(index="seed", columns="P", values="lam_x")
        f = fit_power_law_seeds(Y.columns.to_numpy(), Y.to_numpy())
        rows.append({"chi": chi, "exponent": f.exponent, "ci": f.ci, "window": (int(f.window[0]), int(f.window[1]))})
    return pd.DataFrame(rows)


def collapse_table(curves: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """Geometric-mean MSE over seeds per (chi, lam, P), with t = lam/lam*(P) and y = MSE * P^beta_true
    (d = 1). The geometric mean is the typical error, less sensitive than the mean to the heavy tail
    of the small-ridge errors over training sets."""
    m = curves.assign(log_mse=np.log(curves["mse"])).groupby(["chi", "lam", "P"], as_index=False)["log_mse"].mean()
    m["mse"] = np.exp(m.pop("log_mse"))
    m["t"] = m["lam"] / lam_star(m["P"], d=1, chi=m["chi"].to_numpy(), sigma=cfg.sigma)
    m["y"] = m["mse"] * m["P"].astype(float) ** np.array([exponents(1, c)["true"] for c in m["chi"]])
    return m


# --------------------------------------------------------------------------- one predictor

def predictor_1d(*, chi: float, P: int, lam: float, sigma: float, half_width: float, seed: int) -> dict:
    """f_P on [-half_width, half_width] (plus the training points there), with the extreme points
    x_A < 0 < x_B nearest to the interface."""
    data = laplace.InterfaceData(d=1, chi=chi)
    X, y = data.sample(P, seed=seed)
    x = X[:, 0]
    model = laplace.solve_1d(x, y, lam=lam, sigma=sigma)
    near = np.abs(x) <= half_width
    grid = np.unique(np.concatenate((np.linspace(-half_width, half_width, 2001), x[near])))
    x_A, x_B = float(x[x < 0].max()), float(x[x > 0].min())
    return {"x": grid, "f": model.predict(grid), "train_x": x[near], "train_y": y[near],
            "x_A": x_A, "x_B": x_B, "f_A": float(model.predict(np.array([x_A]))[0]),
            "f_B": float(model.predict(np.array([x_B]))[0])}


def predictor_half_width(cfg: Config) -> float:
    """Plot window: 4 x the larger of the gap scale P^(-1/(1+chi)) and the spectral-bias length
    (lam sigma / P)^(1/(2+chi)) at the largest plotted ridge."""
    chi, P = cfg.predictor_chi, cfg.predictor_P
    ell = (max(cfg.predictor_lams) * cfg.sigma / P) ** (1.0 / (2.0 + chi))
    return 4.0 * max(P ** (-1.0 / (1.0 + chi)), ell)


def predictors(cfg: Config) -> pd.DataFrame:
    return sweep(predictor_1d, {"chi": [cfg.predictor_chi], "P": [cfg.predictor_P], "lam": list(cfg.predictor_lams),
                                "sigma": [cfg.sigma], "half_width": [predictor_half_width(cfg)]},
                 seeds=range(cfg.predictor_seeds), n_workers=IN_PROCESS)
