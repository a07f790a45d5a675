"""Finite networks against the analytic kernels: Gram-matrix fluctuations and Gram spectra.

Three measurements (Bietti & Bach, ICLR 2021, Section 2: the kernels are the infinite-width limits):

* two-layer networks up to width 2^20, their empirical NTK / NNGP in closed form
  (:func:`companion.nets.two_layer_kernels`); the mean-square error of a mean of m i.i.d. neurons is
  exactly Var/m (:func:`companion.nets.two_layer_variance`), which predicts both the exponent -1/2 and the
  prefactor, with no fitted constant;
* deeper networks (torch, :func:`companion.nets.empirical_kernels`) at moderate widths: the prefactor of
  width^{-1/2} per depth (measured: no closed form here);
* the eigenvalues of Gram matrices divided by n, analytic and empirical, against the Funk-Hecke mu_k.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.stats

from ... import kernels, nets, sphere, style
from ...claims import Claim
from ...fit import LEVEL, fit_power_law_seeds
from ...sweep import sweep
from .config import Config

#: The points of the fluctuation measurements are fixed (this seed); the networks vary with the seed.
POINTS_SEED = 1000


# --------------------------------------------------------------------------- fluctuations vs width

def _points(cfg: Config) -> np.ndarray:
    return sphere.sample_sphere(cfg.ntk_points, cfg.ntk_d, seed=POINTS_SEED)


def _rel_err(emp: np.ndarray, ref: np.ndarray) -> float:
    return float(np.linalg.norm(emp - ref) / np.linalg.norm(ref))


def two_layer_errors(*, d: int, n_points: int, widths: list[int], seed: int) -> list[dict]:
    """Relative Frobenius errors of the two-layer empirical NTK / NNGP at nested widths (one network)."""
    X = sphere.sample_sphere(n_points, d, seed=POINTS_SEED)
    u = kernels.gram(X)
    ntk_ref, rf_ref = kernels.make_kernel("ntk", L=2)(u), kernels.make_kernel("rf", L=2)(u)
    W, a = nets.sample_two_layer(d, max(widths), seed=seed)
    ntk, nngp = nets.two_layer_kernels(X, W, a, widths=widths)
    return [{"width": m, "ntk_rel_err": _rel_err(ntk[i], ntk_ref), "nngp_rel_err": _rel_err(nngp[i], rf_ref)}
            for i, m in enumerate(widths)]


def wide_two_layer(cfg: Config) -> pd.DataFrame:
    """Two-layer errors at every width of ``cfg.ntk_wide_widths``, one row per (seed, width)."""
    return sweep(two_layer_errors, {"d": [cfg.ntk_d], "n_points": [cfg.ntk_points],
                                    "widths": [list(cfg.ntk_wide_widths)]}, seeds=range(cfg.ntk_seeds))


def two_layer_prefactors(cfg: Config) -> dict[str, float]:
    """Predicted sqrt(width E[relative error^2]) of the two-layer NTK and NNGP on the page's points.

    E ||K_m - K||_F^2 = sum_ij Var_ij / m exactly (a mean of m i.i.d. neurons), so the root-mean-square
    relative error is c m^{-1/2} at every width with c^2 = sum_ij Var_ij / sum_ij K_ij^2.
    """
    u = kernels.gram(_points(cfg))
    out = {}
    for which, name in (("ntk", "ntk"), ("nngp", "rf")):
        K = kernels.make_kernel(name, L=2)(u)
        out[which] = float(np.sqrt(nets.two_layer_variance(u, which=which).sum() / (K**2).sum()))
    return out


def deep_error(*, d: int, L: int, width: int, n_points: int, seed: int) -> dict:
    """Relative Frobenius errors of the empirical NTK / NNGP of one torch network of depth L."""
    X = sphere.sample_sphere(n_points, d, seed=POINTS_SEED)
    ntk_emp, nngp_emp = nets.empirical_kernels(X, L=L, width=width, seed=seed)
    u = kernels.gram(X)
    return {"ntk_rel_err": _rel_err(ntk_emp, kernels.make_kernel("ntk", L=L)(u)),
            "nngp_rel_err": _rel_err(nngp_emp, kernels.make_kernel("rf", L=L)(u))}


def deep_networks(cfg: Config) -> pd.DataFrame:
    """Torch networks of every depth in ``cfg.ntk_depths`` and width in ``cfg.ntk_widths``."""
    return sweep(deep_error, {"d": [cfg.ntk_d], "L": list(cfg.ntk_depths), "width": list(cfg.ntk_widths),
                              "n_points": [cfg.ntk_points]}, seeds=range(cfg.ntk_seeds))


def rms_prefactor(g: pd.DataFrame, col: str) -> tuple[float, tuple[float, float]]:
    """sqrt(mean of width * error^2) and its 95% interval: each seed's mean over widths, Student t over seeds.

    For a mean of i.i.d. neurons width * E[error^2] is the same at every width, so averaging over widths
    only reduces the noise; the interval on the mean is mapped through the square root.
    """
    per_seed = (g["width"] * g[col] ** 2).groupby(g["seed"]).mean().to_numpy()
    m, s, k = per_seed.mean(), per_seed.std(ddof=1), per_seed.size
    half = scipy.stats.t.ppf(0.5 + LEVEL / 2, k - 1) * s / np.sqrt(k)
    return float(np.sqrt(m)), (float(np.sqrt(max(m - half, 0.0))), float(np.sqrt(m + half)))


def _exponent_claim(g: pd.DataFrame, col: str, label: str, source: str) -> Claim:
    Y = g.pivot(index="seed", columns="width", values=col)
    f = fit_power_law_seeds(Y.columns.to_numpy(), Y.to_numpy())
    return Claim(quantity=f"{label}: relative error vs width, exponent", measured=f.exponent, ci=f.ci,
                 theory=-0.5, source=source, rival=0.0,
                 rival_source="no convergence (a plateau: the error stops falling with width)", digits=2)


def fluctuation_claims(wide: pd.DataFrame, deep: pd.DataFrame, cfg: Config) -> list[Claim]:
    """Exponents of the error against width (two-layer closed form, then torch per depth), and prefactors."""
    lo, hi = min(cfg.ntk_wide_widths), max(cfg.ntk_wide_widths)
    src2 = "E||K_m - K||^2 = sum Var / m exactly (mean of m i.i.d. neurons)"
    out = [_exponent_claim(wide, col, f"two-layer {name}, widths {lo}-{hi}", src2)
           for col, name in (("ntk_rel_err", "NTK"), ("nngp_rel_err", "NNGP"))]
    for L, g in deep.groupby("L"):
        for col, name in (("ntk_rel_err", "NTK"), ("nngp_rel_err", "NNGP")):
            out.append(_exponent_claim(g, col, f"L={L} {name} (torch)",
                                       "central limit theorem over the units of each hidden layer"))
    theory = two_layer_prefactors(cfg)
    for col, which, name in (("ntk_rel_err", "ntk", "NTK"), ("nngp_rel_err", "nngp", "NNGP")):
        c, ci = rms_prefactor(wide, col)
        out.append(Claim(quantity=f"two-layer {name}: prefactor sqrt(width E[err^2])", measured=c, ci=ci,
                         theory=theory[which], source="sum_ij Var_ij / sum_ij K_ij^2 (two_layer_variance)", digits=3))
        for L, g in deep.groupby("L"):
            c, ci = rms_prefactor(g, col)
            if L == 2:
                out.append(Claim(quantity=f"L=2 {name} (torch): prefactor", measured=c, ci=ci, theory=theory[which],
                                 source="sum_ij Var_ij / sum_ij K_ij^2 (two_layer_variance)", digits=3))
            else:
                out.append(Claim(quantity=f"L={L} {name} (torch): prefactor", measured=c, ci=ci, digits=3))
    return out


def plot_wide(wide: pd.DataFrame, cfg: Config):
    """Relative error of the two-layer empirical kernels against width, every seed, with the exact prediction."""
    theory = two_layer_prefactors(cfg)
    fig, axes = style.subplots(1, 2, height_per_row=3.0, sharey=True)
    w = np.array(sorted(wide["width"].unique()), dtype=float)
    for ax, (col, which, title) in zip(axes[0], (("ntk_rel_err", "ntk", r"NTK, $L=2$"),
                                                 ("nngp_rel_err", "nngp", r"NNGP, $L=2$"))):
        for i, (_, g) in enumerate(wide.groupby("seed")):
            ax.plot(g["width"], g[col], color=style.color(0), lw=0.6, alpha=0.35,
                    label="one network (seed)" if i == 0 else None)
        rms = np.sqrt((wide[col] ** 2).groupby(wide["width"]).mean())
        ax.plot(rms.index, rms.values, "o", color=style.color(1), ms=3.5, label="root mean square over seeds")
        style.theory_line(ax, w, theory[which] * w ** -0.5, label=r"exact: $c\,m^{-1/2}$ (no fit)")
        style.loglog(ax, xlabel=r"width $m$", ylabel=r"$\|K_m - \kappa\|_F / \|\kappa\|_F$" if which == "ntk" else "")
        ax.set_title(title)
    axes[0, 0].legend(loc="lower left")
    return fig


def plot_depth(deep: pd.DataFrame, cfg: Config):
    """Error times sqrt(width) against width per depth (flat = width^{-1/2}), and the prefactor against depth."""
    theory = two_layer_prefactors(cfg)
    fig, axes = style.subplots(1, 2, height_per_row=3.2)
    ax = axes[0, 0]
    top = 0.0
    for c, (L, g) in enumerate(deep.groupby("L")):
        for col, ls, name in (("ntk_rel_err", "-", "NTK"), ("nngp_rel_err", ":", "NNGP")):
            r = np.sqrt((g["width"] * g[col] ** 2).groupby(g["width"]).mean())
            ax.plot(r.index, r.values, ls=ls, marker="o", ms=3, color=style.color(c), label=f"{name} $L={L}$")
            top = max(top, r.max())
    ax.set_xscale("log")
    ax.set_ylim(0, 1.35 * top)
    ax.set_xlabel(r"width $m$")
    ax.set_ylabel(r"$\sqrt{m\,\mathrm{E}[\mathrm{err}^2]}$ (over seeds)")
    ax.legend(ncol=3, loc="upper center", handlelength=1.8, columnspacing=0.8)
    ax = axes[0, 1]
    Ls = sorted(deep["L"].unique())
    for c, (col, which, name) in enumerate((("ntk_rel_err", "ntk", "NTK"), ("nngp_rel_err", "nngp", "NNGP"))):
        est = [rms_prefactor(deep[deep["L"] == L], col) for L in Ls]
        mid = np.array([e[0] for e in est])
        err = np.array([[e[0] - e[1][0], e[1][1] - e[0]] for e in est]).T
        ax.errorbar(np.array(Ls) + 0.04 * (2 * c - 1), mid, yerr=err, marker="o", capsize=3,
                    color=style.color(3 + c), label=f"{name}, 95% CI")
        style.theory_line(ax, [Ls[0] - 0.25, Ls[0] + 0.25], [theory[which]] * 2, color=style.color(3 + c),
                          lw=1.6, label=f"{name} exact, $L=2$")
    ax.set_xticks(Ls)
    ax.set_xlabel(r"depth $L$")
    ax.set_ylabel(r"prefactor of $m^{-1/2}$")
    ax.legend()
    return fig


# --------------------------------------------------------------------------- Gram spectra vs mu_k

#: The Gram spectra use the two-layer NTK WITH a first-layer bias: without it every odd mu_k, k >= 3,
#: vanishes and the sorted spectrum mixes a k^{-d} staircase with exact zeros.
SPECTRUM_KERNEL = {"name": "ntk", "L": 2, "bias": True}
#: Features per neuron of that network: relu(w.x) and a 1{w.x > 0} (x, 1), so rank K_m <= (d + 2) m.
#: The empirical tail "departs" where its eigenvalues fall for good below DEPART_RATIO of the analytic
#: Gram's at the same rank (same points): a factor 2, outside the scatter of the ratio before the cut.
DEPART_RATIO = 0.5
#: Number of low degrees k whose eigenvalue blocks are compared with mu_k (blocks well separated:
#: mu_0 : mu_1 : mu_2 : mu_3 = 1 : 0.46 : 0.078 : 0.0078, so sorting does not mix them).
LOW_DEGREES = 3


def gram_spectra(*, d: int, n_points: int, widths: list[int], seed: int) -> dict:
    """Sorted eigenvalues (descending) of K/n: the analytic two-layer NTK with bias and the empirical one
    at nested widths, on n uniform points of S^{d-1}. Points and network come from independent streams."""
    pts_seed, net_seed = np.random.SeedSequence(seed).spawn(2)
    X = sphere.sample_sphere(n_points, d, seed=pts_seed)
    K = kernels.make_kernel(**SPECTRUM_KERNEL)(kernels.gram(X))
    W, a = nets.sample_two_layer(d, max(widths), seed=net_seed)
    ntk, _ = nets.two_layer_kernels(X, W, a, widths=widths, bias=True)
    out = {"analytic": np.linalg.eigvalsh(K / n_points)[::-1]}
    for m, Km in zip(widths, ntk):
        out[m] = np.linalg.eigvalsh(Km / n_points)[::-1]
    return out


def empirical_spectra(cfg: Config) -> list[dict]:
    """:func:`gram_spectra` for every seed (a list, one dict per seed)."""
    return [gram_spectra(d=cfg.ntk_d, n_points=cfg.ntk_eig_points, widths=list(cfg.ntk_eig_widths), seed=s)
            for s in range(cfg.ntk_eig_seeds)]


def mu_by_rank(d: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Funk-Hecke mu_k repeated N(d, k) times and sorted (descending), first n ranks; and the degree of each."""
    k_max = 1
    while sphere.multiplicity(d, np.arange(k_max + 1)).sum() < 2 * n:
        k_max *= 2
    mu = sphere.funk_hecke(kernels.make_kernel(**SPECTRUM_KERNEL), d, k_max)
    deg = np.repeat(np.arange(k_max + 1), sphere.multiplicity(d, np.arange(k_max + 1)))
    order = np.argsort(-mu[deg], kind="stable")[:n]
    return mu[deg][order], deg[order]


def departure_rank(emp: np.ndarray, ref: np.ndarray) -> int:
    """The rank (1-based) from which on the empirical eigenvalues stay below DEPART_RATIO x the analytic ones
    (n + 1 if the last one is still above). Taken from the end of the spectrum, so that the large
    fluctuations of a few top eigenvalues at small width do not count as the tail's departure."""
    above = np.nonzero(emp >= DEPART_RATIO * ref)[0]
    return int(above[-1]) + 2 if above.size else 1


def departures(spectra: list[dict], cfg: Config) -> pd.DataFrame:
    """Departure rank per (seed, width)."""
    return pd.DataFrame([{"seed": s, "width": m, "rank": departure_rank(sp[m], sp["analytic"])}
                         for s, sp in enumerate(spectra) for m in cfg.ntk_eig_widths])


def departure_fit_widths(cfg: Config) -> list[int]:
    """Widths whose rank bound (d + 2) m is at most n: there the cut is not forced by the n points."""
    return [m for m in cfg.ntk_eig_widths if (cfg.ntk_d + 2) * m <= cfg.ntk_eig_points]


#: Random features reproduce the eigenvalues above lam once m >~ d(lam) log d(lam), d(lam) the number of
#: eigenvalues above lam (Bach, JMLR 2017, on the sphere where leverage scores are uniform): rank ~ m
#: up to that log, which lowers the local exponent to 1/(1 + 1/ln rank), >= 0.75 for ranks >= 20.
DEPARTURE_TOL = 0.25


def spectrum_claims(spectra: list[dict], cfg: Config) -> list[Claim]:
    n, d = cfg.ntk_eig_points, cfg.ntk_d
    mu, deg = mu_by_rank(d, n)
    out = []
    for k in range(LOW_DEGREES):
        block = deg == k
        r = np.array([sp["analytic"][block].mean() / mu[block][0] - 1.0 for sp in spectra])
        half = scipy.stats.t.ppf(0.5 + LEVEL / 2, r.size - 1) * r.std(ddof=1) / np.sqrt(r.size)
        out.append(Claim(quantity=f"analytic Gram, degree {k} block: mean eigenvalue / mu_{k} - 1",
                         measured=float(r.mean()), ci=(float(r.mean() - half), float(r.mean() + half)), digits=3))
    dep = departures(spectra, cfg)
    for m, g in dep.groupby("width"):
        r = g["rank"].to_numpy(dtype=float)
        half = scipy.stats.t.ppf(0.5 + LEVEL / 2, r.size - 1) * r.std(ddof=1) / np.sqrt(r.size)
        out.append(Claim(quantity=f"width {m}: rank where the empirical tail departs",
                         measured=float(r.mean()), ci=(float(r.mean() - half), float(r.mean() + half)), digits=0))
    fit_w = departure_fit_widths(cfg)
    g = dep[dep["width"].isin(fit_w)]
    Y = g.pivot(index="seed", columns="width", values="rank")
    f = fit_power_law_seeds(Y.columns.to_numpy(), Y.to_numpy())
    out.append(Claim(quantity=f"departure rank vs width (m = {min(fit_w)}-{max(fit_w)}), exponent",
                     measured=f.exponent, ci=f.ci, theory=1.0, tol=DEPARTURE_TOL,
                     tol_reason="the log factor of m ~ d(lam) log d(lam): local exponent >= 0.75 at ranks >= 20",
                     source="Bach (JMLR 2017): random features resolve the eigenvalues above lam once m ~ d(lam)",
                     rival=1 / 3, rival_source="fluctuations as an unstructured perturbation ~ m^-1/2 (Weyl): "
                     "rank ~ m^{1/3} at mu ~ rank^{-3/2}", digits=2))
    return out


def _width_colors(widths) -> list:
    """An ordered parameter gets an ordered palette: viridis from dark (narrow) to light green (wide)."""
    import matplotlib

    cmap = matplotlib.colormaps["viridis"]
    return [cmap(x) for x in np.linspace(0.0, 0.85, len(widths))]


def plot_spectra_widths(spectra: list[dict], cfg: Config):
    """Sorted eigenvalues of K/n (mean over seeds) against rank (top), and their ratio to the analytic Gram's."""
    n = cfg.ntk_eig_points
    mu, _ = mu_by_rank(cfg.ntk_d, n)
    rank = np.arange(1, n + 1)
    ref = np.mean([sp["analytic"] for sp in spectra], axis=0)
    fig, axes = style.subplots(2, 1, height_per_row=2.9, sharex=True)
    ax = axes[0, 0]
    ax.plot(rank, ref, color="k", lw=1.8, label="analytic Gram")
    for color, m in zip(_width_colors(cfg.ntk_eig_widths), cfg.ntk_eig_widths):
        ev = np.mean([sp[m] for sp in spectra], axis=0)
        keep = ev > 1e-9
        ax.plot(rank[keep], ev[keep], color=color, lw=1.0, label=f"$m={m}$")
        axes[1, 0].plot(rank, ev / ref, color=color, lw=1.0)
    style.theory_line(ax, rank, mu, label=r"$\mu_k$, repeated $N(d,k)$ times", color="0.55", lw=1.6)
    ax.set_yscale("log")
    ax.set_ylabel(r"eigenvalue of $K/n$")
    ax.set_ylim(1e-7, 2 * ref[0])
    ax.legend(ncol=3, loc="lower left", handlelength=1.5, columnspacing=1.0)
    ax = axes[1, 0]
    ax.axhline(1.0, color="k", lw=1.0)
    ax.axhline(DEPART_RATIO, color="0.4", ls=":", lw=1.2, label="departure threshold")
    ax.set_xscale("log")
    ax.set_ylim(0, 2.0)
    ax.set_xlabel(r"rank $\rho$")
    ax.set_ylabel("empirical / analytic")
    ax.legend(loc="upper left")
    return fig


def plot_departure(spectra: list[dict], cfg: Config):
    """Departure rank against width, with the rank bound (d + 2) m and the fit."""
    dep = departures(spectra, cfg)
    fig, axes = style.subplots(1, 1, width=4.2, height_per_row=3.0)
    ax = axes[0, 0]
    ax.plot(dep["width"], dep["rank"], "o", color=style.color(0), ms=3, alpha=0.6, label="one seed")
    w = np.array(cfg.ntk_eig_widths, dtype=float)
    ax.plot(w, (cfg.ntk_d + 2) * w, color="0.5", ls=":", label=r"rank bound $(d+2)\,m$")
    ax.axhline(cfg.ntk_eig_points, color="0.3", lw=0.8, label=r"$n$ points")
    fit_w = np.array(departure_fit_widths(cfg), dtype=float)
    g = dep[dep["width"].isin(fit_w)]
    Y = g.pivot(index="seed", columns="width", values="rank")
    f = fit_power_law_seeds(Y.columns.to_numpy(), Y.to_numpy())
    style.theory_line(ax, fit_w, f.prefactor * fit_w**f.exponent, color=style.color(3),
                      label=rf"fit: $\propto m^{{{f.exponent:.2f}}}$")
    style.loglog(ax, xlabel=r"width $m$", ylabel=r"departure rank $\rho^*$")
    ax.legend()
    return fig
