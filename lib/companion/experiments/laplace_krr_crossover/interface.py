"""d >= 2: ridgeless learning curves with the test error split at the interface.

The test error of a ridgeless Laplace regressor in d >= 2 mixes three parts: the interface (the
paper's mechanism: a slab of width ~ the local gap r(P) ~ P^{-1/(d+chi)} around x_1 = 0), the bulk,
and the sparse tails of the data. Only the first decays as P^{-(1+chi)/(d+chi)}. We measure it
directly: test points concentrated in the slab |x_1| < u r(P) (stratified in u, importance-weighted,
inside the Gaussian core |x_perp| <= R where the density along the interface varies by at most
e^{-R^2/2}), on data whose x_1 law is an exact power law |x_1|^chi (``x1_law="power"``, bounded
support), so that the slab's error has no next-order term in r (with the Gaussian law it has one,
O(r^2) from e^{-x_1^2/2}). Solver: :func:`companion.laplace.learning_curve_interface` (conjugate
gradients with a Vecchia preconditioner; one Gram and one factor per seed for all nested sizes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import laplace
from ...sweep import sweep
from .config import Config, ridgeless_window
from .one_d import exponent_row


def interface_curve(*, d: int, chi: float, sigma: float, P_list, n_test: int, n_per_bin: int, u_edges,
                    core_radius: float, x1_law: str, seed: int) -> list[dict]:
    """Rows of :func:`companion.laplace.learning_curve_interface` (ridgeless)."""
    return laplace.learning_curve_interface(d=d, chi=chi, lam=0.0, sigma=sigma, P_list=P_list, n_test=n_test,
                                            n_per_bin=n_per_bin, u_edges=u_edges, core_radius=core_radius,
                                            seed=seed, x1_law=x1_law)


def interface_curves(cfg: Config) -> pd.DataFrame:
    points = [{"d": d, "chi": chi, "sigma": cfg.sigma, "P_list": list(cfg.interface_P), "n_test": cfg.interface_n_test,
               "n_per_bin": cfg.slab_n_per_bin, "u_edges": list(cfg.slab_edges), "core_radius": cfg.core_radius,
               "x1_law": cfg.interface_x1_law} for d in cfg.interface_d for chi in cfg.chis]
    return sweep(interface_curve, points, seeds=range(cfg.interface_seeds), n_workers=cfg.workers)


def slab_part(table: pd.DataFrame, C: float, edges) -> pd.Series:
    """The interface part u < C of each row's slab MSE (``slab`` bins with upper edge <= C)."""
    k = int(np.searchsorted(np.asarray(edges), C))
    return table["slab"].map(lambda v: float(np.sum(v[:k])))


def fit_interface(table: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """Per (d, chi): beta of the total MSE, of the interface part u < slab_C and of u < slab_C/2
    (its check: the same exponent if the part is the mechanism's), each in the ridgeless window;
    and the share of the total MSE in the interface part at the smallest and largest size."""
    t = table.assign(part=slab_part(table, cfg.slab_C, cfg.slab_edges),
                     half=slab_part(table, cfg.slab_C / 2, cfg.slab_edges))
    win = ridgeless_window(cfg.interface_P)
    rows = []
    for (d, chi), g in t.groupby(["d", "chi"]):
        fits = {}
        for col in ("mse", "part", "half"):
            Y = g.pivot(index="seed", columns="P", values=col)
            fits[col] = exponent_row(Y.columns.to_numpy(), Y.to_numpy(), win)
        share = (g["part"] / g["mse"]).groupby(g["P"]).mean()
        rows.append({"d": int(d), "chi": chi, "window": win,
                     "beta_total": fits["mse"]["beta"], "ci_total": fits["mse"]["ci"],
                     "beta": fits["part"]["beta"], "ci": fits["part"]["ci"],
                     "beta_half": fits["half"]["beta"], "ci_half": fits["half"]["ci"],
                     "share_lo": float(share.iloc[0]), "share_hi": float(share.iloc[-1]),
                     "n_iter_max": int(g["n_iter"].max())})
    return pd.DataFrame(rows)


def profile_table(table: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """Mean squared error at distance u r(P) from the interface (per bin of u, inside the core):
    the seed-averaged slab MSE of the bin over its probability mass, per (d, chi, P)."""
    edges = np.asarray(cfg.slab_edges)
    rows = []
    for (d, chi, P), g in table.groupby(["d", "chi", "P"]):
        err = np.mean(np.stack(g["slab"].to_numpy()), axis=0)
        mass = np.mean(np.stack(g["slab_mass"].to_numpy()), axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            e = np.where(mass > 0, err / mass, np.nan)
        for k in range(edges.size - 1):
            rows.append({"d": int(d), "chi": chi, "P": int(P), "u_lo": edges[k], "u_hi": edges[k + 1],
                         "u_mid": 0.5 * (edges[k] + edges[k + 1]), "err": e[k]})
    return pd.DataFrame(rows)
