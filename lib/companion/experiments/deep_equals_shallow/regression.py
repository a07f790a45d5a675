"""The consequence for learning: kernel ridge regression with deep and shallow kernels."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import kernels, krr, sphere, style
from ...claims import Claim
from ...fit import fit_power_law_seeds
from ...sweep import sweep
from .config import Config, krr_fit_window

#: Exponents are printed to two decimals: their intervals are +-0.05 or wider, while the ridgeless solves
#: carry BLAS-dependent roundoff of at most 4e-10 relative in a test error (measured between 1 and 2
#: OpenBLAS threads, every kernel, P <= 4096), i.e. ~1e-10 in an exponent.
EXPONENT_DIGITS = 2
#: Theory slopes are drawn as guides a factor GUIDE_SHIFT below the data at the largest P, so that the
#: dashed line stays visible (its level is not a prediction; its slope is).
GUIDE_SHIFT = 0.4


# --------------------------------------------------------------------------- kernels of every depth at once

#: Entries per block of :func:`kernel_family`: the elementwise recursion runs on blocks that stay in
#: cache (~1 MB per array), measured 3x faster than whole-matrix passes on a 5000 x 2000 Gram.
BLOCK_ENTRIES = 2**17


def kernel_family(u: np.ndarray, specs: list[dict]) -> list[np.ndarray]:
    """Evaluate several NTK / RF kernels (any depth, with or without first-layer bias) and Laplace kernels
    on the same cosines ``u``, sharing ONE depth recursion (kappa^l, kappa_NTK^l; see :mod:`companion.kernels`).

    Equals ``[make_kernel(**s)(u) for s in specs]`` (tested) at the cost of the deepest kernel alone:
    each layer costs one arccos and one sqrt per entry, for every kernel together.

    Parameters
    ----------
    u : (n, m) cosines in [-1, 1].  specs : kernel dicts {"name": "ntk" | "rf" | "laplace", ...}.

    Returns
    -------
    list of (n, m) float64, in the order of ``specs``.
    """
    u = np.clip(np.asarray(u, dtype=np.float64), -1.0, 1.0)
    if u.ndim != 2:
        raise ValueError(f"u must be an (n, m) array of cosines; got shape {u.shape}")
    ks = [kernels.make_kernel(**s) for s in specs]
    out = [np.empty_like(u) for _ in ks]
    rows = max(1, BLOCK_ENTRIES // max(u.shape[1], 1))
    for r in range(0, u.shape[0], rows):
        for o, K in zip(out, _family_block(u[r:r + rows], ks)):
            o[r:r + rows] = K
    return out


def _family_block(u: np.ndarray, ks: list) -> list[np.ndarray]:
    out: list = [k(u) if k.name not in ("ntk", "rf") else None for k in ks]
    deep = [(i, k) for i, k in enumerate(ks) if k.name in ("ntk", "rf")]
    if not deep:
        return out
    tracks = {b: (u + 1.0 if b else u.copy()) for b in {k.bias for _, k in deep if k.name == "ntk"}}
    rf = u

    def store(level: int) -> None:
        for i, k in deep:
            if k.L == level:
                out[i] = (tracks[k.bias] if k.name == "ntk" else rf).copy()

    store(1)
    for level in range(2, max(k.L for _, k in deep) + 1):
        theta = np.arccos(rf)
        k1 = (np.sqrt(1.0 - rf * rf) + rf * (np.pi - theta)) / np.pi
        k0 = 1.0 - theta / np.pi                               # kappa0(kappa^{l-1})
        for b in tracks:
            tracks[b] *= k0
            tracks[b] += k1
        rf = np.minimum(k1, 1.0)
        store(level)
    return out


# --------------------------------------------------------------------------- learning curves

def smooth_target(X: np.ndarray) -> np.ndarray:
    """A fixed target made of spherical harmonics of degrees 1, 2, 3 (both parities). X: (n, d), d >= 2."""
    t, s = X[:, 0], X[:, 1]
    return t + 1.5 * t**2 - 0.5 + 0.5 * s * t**2 + 2.5 * s**3 - 1.5 * s


def krr_kernels(cfg: Config) -> list[dict]:
    return ([{"name": "ntk", "L": L} for L in cfg.krr_depths] + [{"name": "ntk", "L": 2, "bias": True},
            {"name": "laplace", "c": cfg.laplace_c}, {"name": "rf", "L": min(cfg.krr_depths)}])


def krr_curves(*, specs: list[dict], d: int, P_list: list[int], n_test: int, seed: int) -> list[dict]:
    """Ridgeless KRR test MSE on S^{d-1} for nested training sets, every kernel, one seed (one Cholesky each)."""
    P_max = max(P_list)
    X = sphere.sample_sphere(P_max + n_test, d, seed=seed)
    y = smooth_target(X)
    rows = []
    for spec, K in zip(specs, kernel_family(kernels.gram(X, X[:P_max]), specs)):
        mse = krr.learning_curve(K[:P_max], K[P_max:], y[:P_max], y[P_max:], P_list=P_list, lam=0.0)
        label = kernels.make_kernel(**spec).label
        rows += [{"label": label, "P": P, "mse": m} for P, m in zip(P_list, mse)]
    return rows


def learning_curves(cfg: Config) -> pd.DataFrame:
    return sweep(krr_curves, {"specs": [krr_kernels(cfg)], "d": [cfg.krr_d], "P_list": [list(cfg.krr_P)],
                              "n_test": [cfg.krr_n_test]}, seeds=range(cfg.krr_seeds))


def krr_theory_exponent(kernel: dict, d: int) -> float:
    """-2 a with mu_k ~ k^-(d+2nu-1), i.e. eigenvalue of rank rho ~ rho^-a, a = (d+2nu-1)/(d-1):
    the ridgeless error decay for a target made of finitely many harmonics (Spigler, Geiger & Wyart 2020;
    Bordelon, Canatar & Pehlevan 2020)."""
    asym = kernels.asymptotics(kernels.make_kernel(**kernel), d)
    return 2.0 * asym.exponent / (d - 1)


def slope_drift(x, Y, window: tuple[float, float]) -> float:
    """How much the local exponent still changes inside the fit window: the mean-over-seeds slope on the
    upper half of the window (in log x) minus the slope on the lower half.

    A least-squares slope over the window measures the local exponent at the window's centre; if it still
    drifts, the exponent at the top of the window differs from it by about this much, which is the accuracy
    of the fit as an estimate of the asymptotic exponent (a pre-asymptotic correction, estimated from the
    curve itself, never from the prediction).
    """
    lo, hi = window
    mid = np.sqrt(lo * hi)
    x = np.asarray(x, dtype=float)
    halves = []
    for a, b in ((lo, mid), (mid, hi)):
        sel = (x >= a * (1 - 1e-9)) & (x <= b * (1 + 1e-9))
        halves.append(fit_power_law_seeds(x[sel], np.asarray(Y)[:, sel]).exponent if sel.sum() >= 2 else np.nan)
    return float(halves[1] - halves[0])


def krr_claims(table: pd.DataFrame, cfg: Config) -> list[Claim]:
    """Fitted learning-curve exponents against -2(d + 2 nu - 1)/(d - 1); the RF claim carries the NTK
    exponent as its rival (the measurement must tell the two RKHS apart to support 'same RKHS, same rate')."""
    specs = {kernels.make_kernel(**s).label: s for s in krr_kernels(cfg)}
    ntk_beta = krr_theory_exponent({"name": "ntk", "L": 2}, cfg.krr_d)
    out = []
    window = krr_fit_window(cfg.krr_P)
    for label, g in table.groupby("label", sort=False):
        Y = g.pivot(index="seed", columns="P", values="mse")
        x, Yv = Y.columns.to_numpy(), Y.to_numpy()
        f = fit_power_law_seeds(x, Yv, window=window)
        drift = abs(slope_drift(x, Yv, window))
        spec = specs[label]
        rf = spec["name"] == "rf"
        out.append(Claim(quantity=f"KRR d={cfg.krr_d}  {label}: test-error exponent", measured=f.exponent, ci=f.ci,
                         theory=krr_theory_exponent(spec, cfg.krr_d), source="-2(d + 2nu - 1)/(d - 1)",
                         rival=ntk_beta if rf else None,
                         rival_source="the NTK / Laplace exponent (nu = 1/2)" if rf else "",
                         tol=round(drift, 2), tol_reason="drift of the local exponent between the lower and upper "
                         "halves of the fit window (pre-asymptotic correction, from the curve itself)",
                         digits=EXPONENT_DIGITS))
    return out


def plot_learning_curves(table: pd.DataFrame, cfg: Config):
    fig, axes = style.subplots(1, 1, height_per_row=3.8)
    ax = axes[0, 0]
    lo, hi = krr_fit_window(cfg.krr_P)
    style.shade_window(ax, (lo, hi))
    specs = {kernels.make_kernel(**s).label: s for s in krr_kernels(cfg)}
    for c, (label, g) in enumerate(table.groupby("label", sort=False)):
        logm = np.log(g["mse"]).groupby(g["P"])
        P = logm.mean().index.to_numpy()
        mean, sd = np.exp(logm.mean()), logm.std().fillna(0.0)
        ax.plot(P, mean, marker="o", color=style.color(c), label=_tex_label(label))
        ax.fill_between(P, mean * np.exp(-sd), mean * np.exp(sd), color=style.color(c), alpha=0.2, lw=0)
        beta = krr_theory_exponent(specs[label], cfg.krr_d)
        sel = P >= lo
        style.theory_line(ax, P[sel], GUIDE_SHIFT * mean.loc[hi] * (P[sel] / hi) ** beta, color=style.color(c), lw=1.1)
    style.loglog(ax, xlabel=r"training points $P$", ylabel="test MSE (geometric mean ± 1 sd)")
    ax.set_title(rf"Ridgeless regression on $\mathbb{{S}}^{{{cfg.krr_d - 1}}}$; "
                 r"dashed: slopes $-2(d+2\nu-1)/(d-1)$, drawn below the data")
    ax.legend(ncol=2, loc="lower left")
    return fig


def _tex_label(label: str) -> str:
    """'NTK +bias L=2' -> 'NTK +bias $L=2$' (mathtext for the legend)."""
    head, _, tail = label.rpartition(" ")
    return f"{head} ${tail}$" if "=" in tail else label
