"""Gradient-flow runs of the page and their reductions (kernel change, crossover, collapse, t_1,
fluctuations, ensemble average).

:func:`point` is the sweep's unit of work (one network, one alpha, trained to every margin >= 1);
:func:`run` sends the whole alpha x h x seed grid to :func:`companion.sweep.sweep` (cached).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import scipy.stats
import torch

from ...digits import parity_task
from ...fcnet import FCNet, empirical_ntk, kernel_change
from ...fit import LEVEL, PowerLawFit, fit_power_law_seeds
from ...gradflow import FlowRule, train_alpha
from ...sweep import sweep
from ...train import default_device
from ..rhm_sample_complexity.run import mean_ci  # the book's Student-t mean interval
from .config import Config, x_grid

__all__ = ["pooled_digits", "point", "run", "per_seed", "mean_ci", "kernel_slope", "side_slope", "slope_drift", "crossings", "crossover_fit",
           "collapse_spread", "collapse_exponents", "GAMMAS", "t1_slope", "fluctuations", "fluctuation_fit",
           "ensemble", "regime_gap"]


def pooled_digits(*, source: str, P: int, n_test: int, pool: int, data_seed: int):
    """The page's parity task (:func:`companion.digits.parity_task`), average-pooled ``pool`` x ``pool``
    and each row rescaled back to norm sqrt(d) (the pooling is linear, so the inputs stay centred).

    Returns ``(X_tr (P, d), y_tr (P,), X_te (n_test, d), y_te (n_test,))``, float64, y = +-1.
    """
    X_tr, y_tr, X_te, y_te = parity_task(P, n_test, seed=data_seed, source=source)
    if pool == 1:
        return X_tr, y_tr, X_te, y_te
    side = int(round(math.sqrt(X_tr.shape[1])))

    def down(X):
        k = side // pool
        Z = X.reshape(len(X), k, pool, k, pool).mean(axis=(2, 4)).reshape(len(X), k * k)
        return Z * np.sqrt(Z.shape[1]) / np.maximum(np.linalg.norm(Z, axis=1, keepdims=True), 1e-300)

    return down(X_tr), y_tr, down(X_te), y_te


def point(*, source: str, P: int, n_test: int, pool: int, data_seed: int, L: int, h: int, x: float,
          max_steps: int, seed: int) -> dict:
    """Train one network of width ``h`` at alpha = x / sqrt(h) (paper's convention) to every margin >= 1.

    The data are fixed by ``data_seed``; ``seed`` draws the initial weights only (the same network
    for every x, so that curves in x differ by alpha alone). Returns the test error, the kernel change
    ``||Theta - Theta_0|| / ||Theta_0||`` of the empirical NTK on the test points, t_1, the flow's
    counters, and ``F_test``, the trained F = alpha (f - f_0) on the test points (for fluctuations
    and ensemble averages over seeds).
    """
    X_tr, y_tr, X_te, y_te = pooled_digits(source=source, P=P, n_test=n_test, pool=pool, data_seed=data_seed)
    device = default_device()
    init = int(np.random.SeedSequence([seed, h]).generate_state(1)[0])
    net = FCNet(d=X_tr.shape[1], h=h, L=L, generator=torch.Generator().manual_seed(init)).to(device)
    X, y = torch.from_numpy(X_tr).to(device), torch.from_numpy(y_tr).to(device)
    Xt = torch.from_numpy(X_te).to(device)
    alpha = x / math.sqrt(h)
    ntk0 = empirical_ntk(net, Xt)
    with torch.no_grad():
        f0 = net(Xt)
    res = train_alpha(net, X, y, alpha=alpha, rule=FlowRule(max_steps=max_steps))
    with torch.no_grad():
        F = (alpha * (net(Xt) - f0)).double().cpu().numpy()
    return {"alpha": alpha, "err": float(np.mean(F * y_te <= 0)), "kernel_change": kernel_change(empirical_ntk(net, Xt), ntk0),
            "t1": res.record["t1"], "t_end": res.t, "steps": res.steps, "rejected": res.rejected,
            "converged": res.converged, "train_err": res.record["train_err"], "min_margin": res.record["min_margin"],
            "seconds": res.seconds, "steps_per_s": res.steps_per_s, "device": str(device), "F_test": F}


def run(cfg: Config) -> pd.DataFrame:
    """Every run of the page: widths x values of x = sqrt(h) alpha x seeds, one cached sweep.

    One row per run: ``h``, ``x``, ``seed`` and the keys of :func:`point`.
    """
    grid = [dict(source=cfg.source, P=cfg.P, n_test=cfg.n_test, pool=cfg.pool, data_seed=cfg.data_seed, L=cfg.L,
                 h=h, x=x, max_steps=cfg.max_steps) for h in sorted(cfg.widths, reverse=True) for x in x_grid(cfg)]
    table = sweep(point, grid, seeds=range(cfg.seeds))
    return table.sort_values(["h", "x", "seed"]).reset_index(drop=True)


def test_labels(cfg: Config) -> np.ndarray:
    """The test labels of the page's split (y = +-1)."""
    return pooled_digits(source=cfg.source, P=cfg.P, n_test=cfg.n_test, pool=cfg.pool, data_seed=cfg.data_seed)[3]


__all__.append("test_labels")


# --------------------------------------------------------------------------- reductions

def per_seed(table: pd.DataFrame, col: str, h: int) -> tuple[np.ndarray, np.ndarray]:
    """``(x (n_x,), Y (n_seeds, n_x))``: column ``col`` of width ``h``, one row per seed."""
    g = table[table["h"] == h].pivot(index="seed", columns="x", values=col).sort_index(axis=1)
    return g.columns.to_numpy(dtype=float), g.to_numpy(dtype=float)


def _side_window(cfg: Config, side: str) -> tuple[float, float]:
    return (0.0, cfg.feature_to * (1 + 1e-9)) if side == "feature" else (cfg.lazy_from * (1 - 1e-9), np.inf)


def side_slope(table: pd.DataFrame, cfg: Config, col: str, side: str, h: int | None = None,
               window: tuple[float, float] | None = None) -> PowerLawFit:
    """Slope of log ``col`` against log x on one side (``"lazy"``: x >= ``cfg.lazy_from``; ``"feature"``:
    x <= ``cfg.feature_to``), fitted per seed with a Student-t interval over seeds
    (:func:`companion.fit.fit_power_law_seeds`); ``h=None`` pools every (h, seed) curve."""
    hs = [h] if h is not None else sorted(cfg.widths)
    xs, rows = None, []
    for w in hs:
        xs, Y = per_seed(table, col, w)
        rows.append(Y)
    return fit_power_law_seeds(xs, np.vstack(rows), window=window or _side_window(cfg, side))


def slope_drift(table: pd.DataFrame, cfg: Config, col: str, side: str, h: int | None = None) -> float:
    """How far the fitted slope still moves towards the asymptote: |slope over the half of the window
    nearest the limit (largest x on the lazy side, smallest on the feature side) - slope over the whole
    window|, the next-order term's footprint (the change of an estimate as the window moves out)."""
    lo, hi = _side_window(cfg, side)
    xs = np.array(sorted(x for x in table["x"].unique() if lo <= x <= hi))
    half = xs[len(xs) // 2:] if side == "lazy" else xs[: (len(xs) + 1) // 2]
    if len(half) < 2 or len(half) == len(xs):
        return 0.0
    part = side_slope(table, cfg, col, side, h, window=(half.min() * (1 - 1e-9), half.max() * (1 + 1e-9)))
    return abs(part.exponent - side_slope(table, cfg, col, side, h).exponent)


def kernel_slope(table: pd.DataFrame, cfg: Config, h: int | None = None) -> PowerLawFit:
    """Slope of log kernel change against log x on the lazy side (x >= ``cfg.lazy_from``), see
    :func:`side_slope`."""
    return side_slope(table, cfg, "kernel_change", "lazy", h)


def _first_crossing(x: np.ndarray, y: np.ndarray, level: float) -> float:
    """The first x (from the feature side) at which y falls below ``level``, interpolated linearly in
    (log x, log y) between the grid points around it; nan if not bracketed."""
    below = np.flatnonzero(y < level)
    if below.size == 0 or below[0] == 0:
        return float("nan")
    i = below[0]
    lx, ly = np.log(x), np.log(y)
    s = (ly[i - 1] - math.log(level)) / (ly[i - 1] - ly[i])
    return float(np.exp(lx[i - 1] + s * (lx[i] - lx[i - 1])))


def crossings(table: pd.DataFrame, level: float = 1.0) -> pd.DataFrame:
    """Per (h, seed): ``x_star``, the x = sqrt(h) alpha where the kernel change falls below ``level``
    (interpolated in log-log), and ``alpha_star = x_star / sqrt(h)``."""
    rows = []
    for (h, seed), g in table.groupby(["h", "seed"]):
        g = g.sort_values("x")
        xs = _first_crossing(g["x"].to_numpy(), g["kernel_change"].to_numpy(), level)
        rows.append(dict(h=int(h), seed=int(seed), x_star=xs, alpha_star=xs / math.sqrt(h)))
    return pd.DataFrame(rows)


def crossover_fit(cross: pd.DataFrame) -> PowerLawFit:
    """Slope of log alpha* against log h, per seed, Student-t interval over seeds (theory -1/2; a
    crossover at fixed alpha, i.e. collapse in alpha, gives 0)."""
    piv = cross.pivot(index="seed", columns="h", values="alpha_star").sort_index(axis=1).dropna()
    return fit_power_law_seeds(piv.columns.to_numpy(dtype=float), piv.to_numpy())


#: Exponents gamma tried for the collapse variable h^gamma alpha (gamma = 1/2: sqrt(h) alpha; 0: alpha).
GAMMAS = np.round(np.arange(-0.5, 1.5001, 0.01), 4)
#: Points of the common range at which curves of different h are compared.
N_COMPARE = 41


def collapse_spread(curves: dict[int, tuple[np.ndarray, np.ndarray]], gamma: float, *, log_y: bool = True) -> float:
    """How far curves of different widths lie from one another when plotted against h^gamma alpha.

    ``curves[h] = (x, y)`` with x = sqrt(h) alpha. Each curve is interpolated linearly in
    (log u, log y) (or (log u, y) if not ``log_y``) with u = h^gamma alpha = x h^(gamma - 1/2), on
    ``N_COMPARE`` points of the range common to every h; the spread is the standard deviation across h
    at each point, averaged over the points (in decades of y if ``log_y``). nan if no common range.
    """
    us, ys = [], []
    for h, (x, y) in curves.items():
        u = np.log10(x) + (gamma - 0.5) * np.log10(h)
        us.append(u)
        ys.append(np.log10(y) if log_y else np.asarray(y, dtype=float))
    lo, hi = max(u.min() for u in us), min(u.max() for u in us)
    if not hi > lo:
        return float("nan")
    grid = np.linspace(lo, hi, N_COMPARE)
    vals = np.array([np.interp(grid, u, y) for u, y in zip(us, ys)])
    return float(np.mean(vals.std(axis=0, ddof=1)))


def collapse_exponents(table: pd.DataFrame, col: str = "kernel_change", *, log_y: bool = True) -> pd.DataFrame:
    """Per seed, the gamma of :data:`GAMMAS` whose variable h^gamma alpha best collapses ``col`` across
    widths, and the spreads at gamma = 1/2 (sqrt(h) alpha) and 0 (alpha). Columns ``seed, gamma,
    spread_sqrt_h_alpha, spread_alpha``."""
    rows = []
    for seed, g in table.groupby("seed"):
        curves = {int(h): (gg.sort_values("x")["x"].to_numpy(), gg.sort_values("x")[col].to_numpy())
                  for h, gg in g.groupby("h")}
        spreads = np.array([collapse_spread(curves, gm, log_y=log_y) for gm in GAMMAS])
        rows.append(dict(seed=int(seed), gamma=float(GAMMAS[np.nanargmin(spreads)]),
                         spread_sqrt_h_alpha=collapse_spread(curves, 0.5, log_y=log_y),
                         spread_alpha=collapse_spread(curves, 0.0, log_y=log_y), spreads=spreads))
    return pd.DataFrame(rows)


def t1_slope(table: pd.DataFrame, cfg: Config, side: str, h: int | None = None) -> PowerLawFit:
    """Slope of log t_1 against log x on the feature side (x <= ``feature_to``, theory 1) or the lazy
    side (x >= ``lazy_from``, theory 0), per (h, seed) curve, interval over curves (:func:`side_slope`)."""
    return side_slope(table, cfg, "t1", side, h)


def fluctuations(table: pd.DataFrame) -> pd.DataFrame:
    """Per (h, x): ``var``, the variance over seeds of F on each test point, averaged over test points."""
    rows = []
    for (h, x), g in table.groupby(["h", "x"]):
        F = np.vstack(g["F_test"].to_numpy())
        rows.append(dict(h=int(h), x=float(x), var=float(F.var(axis=0, ddof=1).mean())))
    return pd.DataFrame(rows)


def fluctuation_fit(fl: pd.DataFrame, xs, level: float = LEVEL) -> tuple[float, tuple[float, float], int]:
    """Slope b of log var = a_x + b log h over the values ``xs`` of x (one intercept per x, a common
    slope), ordinary least squares with a Student-t interval: ``(b, (lo, hi), dof)``."""
    sel = fl[fl["x"].isin(list(xs))]
    xs_u = sorted(sel["x"].unique())
    A = np.column_stack([np.log(sel["h"].to_numpy(float))] + [(sel["x"] == v).to_numpy(float) for v in xs_u])
    yv = np.log(sel["var"].to_numpy(float))
    n, p = A.shape
    if n <= p:
        return float("nan"), (float("nan"), float("nan")), 0
    coef, *_ = np.linalg.lstsq(A, yv, rcond=None)
    r = yv - A @ coef
    cov = (r @ r / (n - p)) * np.linalg.inv(A.T @ A)
    half = scipy.stats.t.ppf(0.5 + level / 2, n - p) * math.sqrt(cov[0, 0])
    return float(coef[0]), (float(coef[0] - half), float(coef[0] + half)), n - p


def ensemble(table: pd.DataFrame, y_test: np.ndarray) -> pd.DataFrame:
    """Per (h, x): ``err_single`` (mean over seeds), ``err_ensemble`` (the sign of the mean of F over
    seeds, the ensemble average over initialisations)."""
    rows = []
    for (h, x), g in table.groupby(["h", "x"]):
        F = np.vstack(g["F_test"].to_numpy())
        rows.append(dict(h=int(h), x=float(x), err_single=float(g["err"].mean()),
                         err_ensemble=float(np.mean(F.mean(axis=0) * y_test <= 0))))
    return pd.DataFrame(rows)


def regime_gap(table: pd.DataFrame, h: int) -> tuple[float, tuple[float, float], float, float]:
    """Test error at the smallest x (feature) minus at the largest x (lazy), paired by seed, width h:
    ``(mean, ci, err_feature, err_lazy)``."""
    g = table[table["h"] == h]
    lo, hi = g["x"].min(), g["x"].max()
    a = g[g["x"] == lo].set_index("seed")["err"]
    b = g[g["x"] == hi].set_index("seed")["err"]
    m, ci = mean_ci((a - b).to_numpy())
    return m, ci, float(a.mean()), float(b.mean())
