"""The consequence for learning: kernel ridge regression with deep and shallow kernels."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import kernels, krr, sphere, style
from ...claims import Claim
from ...fit import fit_power_law_seeds
from ...sweep import sweep
from .config import Config

#: Learning-curve and width-scaling exponents are fitted on a few seeds over <= 2 decades; we claim
#: them to +-0.25 beyond their 95% interval (pre-asymptotic corrections at these sizes), and print
#: them to one decimal: their intervals are +-0.1 or wider, and ridgeless solves at 1e-12 errors
#: carry BLAS-dependent roundoff in the second decimal.
SCALING_TOL = 0.25


# --------------------------------------------------------------------------- kernel ridge regression

def smooth_target(X: np.ndarray) -> np.ndarray:
    """A fixed target made of spherical harmonics of degrees 1, 2, 3 (both parities). X: (n, d), d >= 2."""
    t, s = X[:, 0], X[:, 1]
    return t + 1.5 * t**2 - 0.5 + 0.5 * s * t**2 + 2.5 * s**3 - 1.5 * s


def krr_curve(*, kernel: dict, d: int, P_list: list[int], n_test: int, seed: int) -> list[dict]:
    """Ridgeless KRR test MSE on the sphere for nested training sets (one Cholesky), one seed."""
    P_max = max(P_list)
    X = sphere.sample_sphere(P_max + n_test, d, seed=seed)
    y = smooth_target(X)
    K = kernels.make_kernel(**kernel)(kernels.gram(X, X[:P_max]))
    mse = krr.learning_curve(K[:P_max], K[P_max:], y[:P_max], y[P_max:], P_list=P_list, lam=0.0)
    return [{"P": P, "mse": m} for P, m in zip(P_list, mse)]


def krr_kernels(cfg: Config) -> list[dict]:
    return ([{"name": "ntk", "L": L} for L in cfg.krr_depths] + [{"name": "ntk", "L": 2, "bias": True},
            {"name": "laplace", "c": cfg.laplace_c}, {"name": "rf", "L": min(cfg.krr_depths)}])


def learning_curves(cfg: Config) -> pd.DataFrame:
    table = sweep(krr_curve, {"kernel": krr_kernels(cfg), "d": [cfg.krr_d], "P_list": [list(cfg.krr_P)],
                              "n_test": [cfg.krr_n_test]}, seeds=range(cfg.krr_seeds))
    table["label"] = [kernels.make_kernel(**s).label for s in table["kernel"]]
    return table


def krr_theory_exponent(kernel: dict, d: int) -> float:
    """-2 a with mu_k ~ k^-(d+2nu-1), i.e. eigenvalue of rank rho ~ rho^-a, a = (d+2nu-1)/(d-1):
    the ridgeless error decay for a target made of finitely many harmonics (Spigler, Geiger & Wyart 2020;
    Bordelon, Canatar & Pehlevan 2020)."""
    asym = kernels.asymptotics(kernels.make_kernel(**kernel), d)
    return 2.0 * asym.exponent / (d - 1)


def krr_fit_window(cfg: Config) -> tuple[int, int]:
    """The upper four octaves of the sizes (fixed in advance, not tuned)."""
    return max(cfg.krr_P[0], max(cfg.krr_P) // 16), max(cfg.krr_P)


def krr_claims(table: pd.DataFrame, cfg: Config) -> list[Claim]:
    out = []
    for label, g in table.groupby("label", sort=False):
        Y = g.pivot(index="seed", columns="P", values="mse")
        f = fit_power_law_seeds(Y.columns.to_numpy(), Y.to_numpy(), window=krr_fit_window(cfg))
        out.append(Claim(quantity=f"KRR d={cfg.krr_d}  {label}: test-error exponent", measured=f.exponent, ci=f.ci,
                         theory=krr_theory_exponent(g["kernel"].iloc[0], cfg.krr_d), tol=SCALING_TOL,
                         digits=1, source="-2(d + 2nu - 1)/(d - 1)"))
    return out



def plot_learning_curves(table: pd.DataFrame, cfg: Config):
    fig, axes = style.subplots(1, 1, width=7.5, height_per_row=4.0)
    ax = axes[0, 0]
    lo, hi = krr_fit_window(cfg)
    style.shade_window(ax, (lo, hi))
    for c, (label, g) in enumerate(table.groupby("label", sort=False)):
        logm = np.log(g["mse"]).groupby(g["P"])
        P = logm.mean().index.to_numpy()
        mean, sd = np.exp(logm.mean()), logm.std().fillna(0.0)
        ax.plot(P, mean, marker="o", color=style.color(c), label=label)
        ax.fill_between(P, mean * np.exp(-sd), mean * np.exp(sd), color=style.color(c), alpha=0.2, lw=0)
        beta = krr_theory_exponent(g["kernel"].iloc[0], cfg.krr_d)
        ref = mean.loc[hi]
        style.theory_line(ax, P[P >= lo], ref * (P[P >= lo] / hi) ** beta, color=style.color(c), lw=0.8)
    style.loglog(ax, xlabel="training points P", ylabel="test MSE (geometric mean ± 1 sd over seeds)")
    ax.set_title(f"Kernel regression on S^{cfg.krr_d - 1}; dashed: P^(−2(d+2ν−1)/(d−1))")
    ax.legend()
    return fig
